"""Dedup: exact, MinHash near-duplicates and fuzzy; the first one is kept; defaults calibrated."""

from __future__ import annotations

import itertools

import pytest

from langsynth.errors import ConfigurationError
from langsynth.normalize import jaccard, shingles
from langsynth.quality import dedup
from langsynth.quality.duplicates import dedup_settings
from langsynth.schemas import load_schema

SENTENCE = (
    "The old lighthouse keeper climbed the narrow stairs every evening to light the lamp "
    "for ships passing the rocky coast"
)
TEMPLATE = (
    "{name} ordered a {size} {drink} at the corner cafe on {day} and paid with a card "
    "before walking to the office"
)


def test_sentence_has_twenty_words() -> None:
    assert len(SENTENCE.split()) == 20


@pytest.mark.parametrize("position", range(20))
def test_default_catches_a_one_word_edit_anywhere_in_a_20_word_sentence(position: int) -> None:
    words = SENTENCE.split()
    words[position] = "zebra"
    rows = [{"text": SENTENCE}, {"text": "Something else entirely, about bread."}]
    rows.append({"text": " ".join(words)})
    result = dedup(rows)
    assert [r["duplicate_of"] for r in result.rows] == [None, None, 0]
    assert result.rows[2]["duplicate_method"] == "minhash"


def test_default_keeps_different_sentences_from_one_template() -> None:
    fills = [
        {"name": "Maria", "size": "large", "drink": "latte", "day": "Monday"},
        {"name": "James", "size": "small", "drink": "espresso", "day": "Friday"},
        {"name": "Aiko", "size": "medium", "drink": "mocha", "day": "Sunday"},
        {"name": "Omar", "size": "tall", "drink": "cappuccino", "day": "Tuesday"},
    ]
    rows = [{"text": TEMPLATE.format(**f)} for f in fills]
    result = dedup(rows)
    assert result.n_duplicates == 0
    # and the margin is real, not luck of the hash
    for a, b in itertools.combinations(rows, 2):
        assert jaccard(shingles(a["text"]), shingles(b["text"])) < 0.45


def test_planted_exact_and_near_duplicates_are_found_and_the_first_is_kept() -> None:
    rows = [
        {"title": "Alien", "reason": "A crew meets a deadly creature aboard a ship in deep space."},
        {
            "title": "Heat",
            "reason": "Two driven men on opposite sides of the law circle each other.",
        },
        {
            "title": "ALIEN ",
            "reason": "A crew meets a deadly creature aboard a ship in deep space!",
        },
        {
            "title": "Heat (1995)",
            "reason": "Two driven men on opposite sides of the law circle each other closely.",
        },
        {"title": "Up", "reason": "An old man ties balloons to his house and flies to a far land."},
    ]
    result = dedup(rows, key_fields=["title", "reason"], text_fields=["reason"])
    marks = [(r["duplicate_of"], r["duplicate_method"]) for r in result.rows]
    assert marks == [(None, None), (None, None), (0, "exact"), (1, "minhash"), (None, None)]
    assert [r["title"] for r in result.kept] == ["Alien", "Heat", "Up"]
    assert "duplicate_of" not in result.kept[0]
    assert [(c.keep, c.duplicates) for c in result.clusters] == [(0, [2]), (1, [3])]
    assert result.summary()["by_method"] == {"exact": 1, "minhash": 1, "fuzzy": 0}


def test_fuzzy_matches_typos_in_short_fields() -> None:
    rows = [
        {"title": "The Shining", "year": 1980},
        {"title": "The Shinning", "year": 1980},
        {"title": "The Thing", "year": 1982},
    ]
    result = dedup(rows, key_fields=["title"], text_fields=["title"], fuzzy_fields=["title"])
    assert [r["duplicate_of"] for r in result.rows] == [None, 0, None]
    assert result.rows[1]["duplicate_method"] == "fuzzy"
    assert result.rows[1]["duplicate_similarity"] >= 0.92


def test_duplicates_of_a_duplicate_point_to_the_kept_row() -> None:
    rows = [{"t": "one two three four five six"}] * 3
    result = dedup(rows)
    assert [r["duplicate_of"] for r in result.rows] == [None, 0, 0]
    assert result.clusters[0].duplicates == [1, 2]


def test_methods_can_be_chosen_and_bad_settings_are_refused() -> None:
    rows = [{"t": "a b c d e f"}, {"t": "A b c d e f"}]
    assert dedup(rows, methods=("minhash",)).rows[1]["duplicate_method"] == "minhash"
    assert dedup(rows, methods=("exact",)).rows[1]["duplicate_method"] == "exact"
    with pytest.raises(ConfigurationError, match="unknown dedup method"):
        dedup(rows, methods=("semantic",))
    with pytest.raises(ConfigurationError, match="threshold"):
        dedup(rows, threshold=0)
    with pytest.raises(ConfigurationError, match=r"key_fields: no column\(s\) plot"):
        dedup(rows, key_fields=["plot"])


def test_bookkeeping_columns_are_not_compared() -> None:
    rows = [
        {"t": "same text here", "score": 5, "comment": "good"},
        {"t": "same text here", "score": 1, "comment": "bad"},
    ]
    assert dedup(rows).rows[1]["duplicate_of"] == 0


def test_defaults_come_from_the_schema_for_the_fields_the_rows_have() -> None:
    movie = load_schema("movie_recommendation")  # dedup on title, text field reason
    rows = [
        {"title": "Alien", "genre": "horror", "reason": "A crew meets a creature in space."},
        {"title": "Heat", "genre": "crime", "reason": "Two men on opposite sides of the law."},
    ]
    settings = dedup_settings(rows, schema=movie)
    assert settings["key_fields"] == ["title"] and settings["text_fields"] == ["reason"]
    assert settings["fuzzy_fields"] == ["title"]  # a short dedup field
    assert settings["methods"] == ["exact", "minhash", "fuzzy"]
    assert (settings["threshold"], settings["fuzzy_threshold"]) == (0.6, 92.0)
    # Given settings win over the schema's.
    given = dedup_settings(rows, schema=movie, key_fields=["genre"], fuzzy_fields=[])
    assert given["key_fields"] == ["genre"] and given["fuzzy_fields"] == []
    # Rows without the schema's fields (e.g. after the text step) fall back to the content
    # columns, instead of comparing an absent column that is empty in every row.
    texts = [{"id": 0, "text": "One story about a ship."}, {"id": 1, "text": "Another tale."}]
    fallback = dedup_settings(texts, schema=movie)
    assert fallback["key_fields"] == ["id", "text"] and fallback["fuzzy_fields"] == []
    assert dedup(texts, schema=movie).n_duplicates == 0
