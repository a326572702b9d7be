from __future__ import annotations

import random

import pytest

from langsynth.normalize import jaccard
from langsynth.pools import ChoicePool, FakerPool, RangePool
from langsynth.quality.diversity import (
    attribute_coverage,
    distinct_n,
    diversity_report,
    mean_pairwise_similarity,
    pairwise_similarities,
    pool_values,
    rouge_l,
)


def test_distinct_n_counts_unique_ngrams_over_the_corpus() -> None:
    texts = ["the cat sat", "the cat ran"]
    assert distinct_n(texts, 1) == pytest.approx(4 / 6)
    assert distinct_n(texts, 2) == pytest.approx(3 / 4)
    assert distinct_n(texts, 3) == pytest.approx(2 / 2)
    assert distinct_n(["same words", "same words"], 2) == 0.5
    assert distinct_n([], 1) == 0.0


def test_identical_texts_are_fully_similar_and_disjoint_ones_not() -> None:
    assert mean_pairwise_similarity(["a b c", "a b c", "a b c"], exact=True) == 1.0
    assert mean_pairwise_similarity(["a b c", "d e f"], exact=True) == 0.0
    assert mean_pairwise_similarity(["only one"]) == 0.0


def test_minhash_estimate_is_close_to_the_exact_jaccard() -> None:
    rng = random.Random(0)
    vocab = [f"w{i}" for i in range(40)]
    texts = [" ".join(rng.choices(vocab, k=60)) for _ in range(12)]
    exact = pairwise_similarities(texts, exact=True)
    estimate = pairwise_similarities(texts)
    assert len(exact) == len(estimate) == 66
    assert abs(sum(exact) / 66 - sum(estimate) / 66) < 0.03
    assert pairwise_similarities(texts) == estimate  # seeded: reproducible


def test_jaccard() -> None:
    assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3)
    assert jaccard(set(), set()) == 1.0


def test_rouge_l() -> None:
    assert rouge_l("give three tips for health", "give three tips for health") == 1.0
    assert rouge_l("a b c d", "a x c y") == pytest.approx(0.5)
    assert rouge_l("", "a") == 0.0


def test_coverage_against_the_pool_it_was_drawn_from() -> None:
    cov = attribute_coverage(
        "genre", ["horror", "horror", "comedy", None], ["horror", "comedy", "drama", "war"]
    )
    assert (cov.distinct, cov.count, cov.pool_size) == (2, 3, 4)
    assert cov.share == 0.5
    assert cov.top_value == "horror" and cov.top_share == pytest.approx(2 / 3)
    features = attribute_coverage("features", [["dialogue", "moral"], ["dialogue"]])
    assert features.distinct == 2 and features.count == 3 and features.share is None


def test_pool_values_of_finite_and_open_pools() -> None:
    assert pool_values(ChoicePool(("a", "b"))) == ("a", "b")
    assert list(pool_values(RangePool(1, 3)) or []) == [1, 2, 3]
    assert pool_values(RangePool(1, 3, decimals=2)) is None
    assert pool_values(FakerPool("name")) is None


def test_report_uses_schema_pools_and_prints_rows() -> None:
    rows = [
        {"title": "A", "genre": "horror", "year": 1990, "reason": "scary and fun"},
        {"title": "B", "genre": "comedy", "year": 1991, "reason": "funny and light"},
        {"title": "C", "genre": "horror", "year": 1990, "reason": "scary and dark"},
    ]
    pools = {"genre": ChoicePool(("horror", "comedy", "drama")), "year": RangePool(1990, 1999)}
    report = diversity_report(rows, text_fields=["reason"], attributes=["title"], pools=pools)
    assert [t.field for t in report.texts] == ["reason"]
    by_field = {c.field: c for c in report.coverage}
    assert by_field["genre"].share == pytest.approx(2 / 3)
    assert by_field["year"].pool_size == 10 and by_field["year"].distinct == 2
    assert by_field["title"].pool_size is None and by_field["title"].distinct == 3
    text_row = report.text_rows()[0]
    assert set(text_row) >= {"distinct-1", "distinct-2", "distinct-3", "mean pairwise sim"}
    assert report.coverage_rows()[0]["coverage"] in {"67%", "20%", "-"}
    assert report.to_dict()["coverage"][0]["field"] == "title"


def test_report_of_children_stories_covers_the_drawn_words_against_the_vocabulary() -> None:
    from langsynth.schemas import load_schema

    info = load_schema("children_story")
    rows = [
        {
            "story": "Tom liked to kick the ball.",
            "verb": "kick",
            "noun": "ball",
            "adjective": "red",
            "features": ["dialogue"],
        },
        {
            "story": "Mia liked to kick the drum.",
            "verb": "kick",
            "noun": "drum",
            "adjective": "big",
            "features": ["moral", "dialogue"],
        },
    ]
    report = diversity_report(rows, text_fields=info.text_fields, pools=info.pools)
    by_field = {c.field: c for c in report.coverage}
    assert set(by_field) == {"verb", "noun", "adjective", "features"}
    from langsynth.vocabulary import load_vocabulary

    assert by_field["verb"].distinct == 1
    assert by_field["verb"].pool_size == len(load_vocabulary().verbs)
    assert by_field["features"].pool_size == 6 and by_field["features"].distinct == 2
    assert report.texts[0].field == "story"


def test_similarity_of_a_large_corpus_uses_a_seeded_sample() -> None:
    rng = random.Random(1)
    texts = [" ".join(rng.choices("abcdefghij", k=30)) for _ in range(150)]
    sampled = mean_pairwise_similarity(texts, max_texts=40)
    assert sampled == mean_pairwise_similarity(texts, max_texts=40)
    assert abs(sampled - mean_pairwise_similarity(texts, max_texts=None)) < 0.05
