"""The text normaliser family and the duplicate key."""

from __future__ import annotations

from langsynth.normalize import (
    fold_for_match,
    fold_text,
    fold_to_words,
    fold_typography,
    jaccard,
    record_key,
    shingles,
    strip_accents,
    words,
)


def test_fold_for_match_casefolds_collapses_whitespace_and_trims_edge_punctuation() -> None:
    assert fold_for_match('  "The  Green\tMile," ') == "the green mile"
    assert fold_for_match("ＡＢＣ") == "abc"  # NFKC: full-width letters
    assert fold_for_match("Mad Max: Fury Road") == "mad max: fury road"  # inner kept


def test_each_fold_says_what_it_does() -> None:
    assert fold_text("  Tom\tHANKS ") == "tom hanks"
    assert fold_typography("It\u2019s \u201cBig\u201d") == 'it\'s "big"'
    assert fold_for_match("\u201cBig!\u201d") == "big"
    assert fold_to_words("Don't stop, please!") == "don't stop please"
    assert strip_accents("Café\u2019s") == "cafe's"
    assert words("Tom's 2 cats") == ["tom's", "2", "cats"]


def test_shingles_and_jaccard() -> None:
    assert shingles("a b", 3) == {"a b"} and shingles("", 3) == set()
    assert shingles("a b c d", 3) == {"a b c", "b c d"}
    assert jaccard({"x", "y"}, {"y", "z"}) == 1 / 3 and jaccard(set(), set()) == 1.0


def test_record_key_normalizes_json_and_python_forms_alike() -> None:
    import datetime as dt

    from pydantic import BaseModel

    class Visit(BaseModel):
        name: str
        day: dt.date

    record = Visit(name="  Ann  LEE", day=dt.date(2024, 3, 5))
    assert record_key(record, ["name", "day"]) == record_key(
        {"name": "ann lee", "day": "2024-03-05"}, ["name", "day"]
    )
