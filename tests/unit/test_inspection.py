"""Inspection statistics, distinct-n, pairwise similarity, score distribution, and the PNG."""

from __future__ import annotations

from pathlib import Path

import pytest

from langsynth.quality import distinct_n, inspect_rows, pairwise_similarity, plot_inspection

ROWS = [
    {
        "title": "Alien",
        "year": 1979,
        "genre": "horror",
        "reason": "A crew meets a creature in space.",
        "score": 5,
    },
    {
        "title": "Heat",
        "year": 1995,
        "genre": "crime",
        "reason": "Two driven men circle each other.",
        "score": 4,
    },
    {
        "title": "Up",
        "year": 2009,
        "genre": "animation",
        "reason": "An old man flies his house away.",
        "score": 4,
    },
    {
        "title": "Alien",
        "year": None,
        "genre": "horror",
        "reason": "A crew meets a creature in space.",
        "score": None,
    },
]


def test_field_statistics() -> None:
    report = inspect_rows(ROWS)
    by_name = {f.name: f for f in report.fields}
    assert set(by_name) == {"title", "year", "genre", "reason"}  # score is bookkeeping
    title = by_name["title"]
    assert (title.type, title.distinct, title.null_rate) == ("str", 3, 0.0)
    assert title.top_values[0] == ("Alien", 2)
    assert title.length is not None and (title.length.min, title.length.max) == (2, 5)
    year = by_name["year"]
    assert year.type == "int" and year.null_rate == 0.25
    assert year.numeric is not None and year.numeric["min"] == 1979.0


def test_distinct_n_and_similarity() -> None:
    assert distinct_n(["a b c", "a b d"], 1) == pytest.approx(4 / 6)
    assert distinct_n(["a b c", "a b d"], 2) == pytest.approx(3 / 4)
    assert distinct_n([], 2) == 0.0
    mean, best, pair, compared = pairwise_similarity(["same words", "same words", "other"])
    assert best == 1.0 and pair == (0, 1) and compared == 3
    assert 0.0 < mean < 1.0
    report = inspect_rows(ROWS)
    assert [t.name for t in report.texts] == ["reason"]
    assert report.texts[0].max_similarity == 1.0  # rows 0 and 3 share the reason
    assert report.texts[0].distinct_1 == round(report.texts[0].distinct_1, 4)
    assert report.texts[0].mean_jaccard is not None and 0.0 < report.texts[0].mean_jaccard < 1.0


def test_coverage_against_schema_pools() -> None:
    from langsynth.pools import ChoicePool

    rows = [
        {"genre": g, "reason": "a fine film with a strong cast"}
        for g in ("drama", "drama", "comedy")
    ]
    pools = {"genre": ChoicePool(["drama", "comedy", "horror", "western"])}
    report = inspect_rows(rows, pools=pools)
    (cov,) = report.coverage
    assert (cov.field, cov.distinct, cov.count, cov.pool_size) == ("genre", 2, 3, 4)
    assert cov.share == 0.5 and cov.top_value == "drama"
    assert report.to_dict()["coverage"][0]["share"] == 0.5
    assert inspect_rows(rows).coverage == []


def test_score_distribution() -> None:
    scores = inspect_rows(ROWS).scores
    assert scores is not None
    assert (scores.count, scores.missing, scores.mean) == (3, 1, 4.333)
    assert scores.distribution == {1: 0, 2: 0, 3: 0, 4: 2, 5: 1}
    assert inspect_rows([{"a": "x"}]).scores is None


def test_report_is_json_ready_and_the_plot_is_written(tmp_path: Path) -> None:
    report = inspect_rows(ROWS)
    assert '"distinct_1"' in report.to_json()
    png = plot_inspection(report, tmp_path / "plots" / "inspect.png")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 5_000
