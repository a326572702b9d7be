"""The data card beside every export: counts from the lineage, judge scores, split."""

from __future__ import annotations

from pathlib import Path

from langsynth.export import export_rows
from tests.unit.export_data import movies


def test_data_card_has_counts_from_the_lineage_and_judge_scores(tmp_path: Path) -> None:
    lineage = {
        "generation": {
            "schema": "movie_recommendation",
            "requested": 12,
            "model": "local",
            "status": "complete",
            "params": {"temperature": 0.9, "seed": 7, "prompt": "Now you generate movies"},
            "counts": {"accepted": 12, "rejected": 3, "duplicates": 5},
            "usage": {"input_tokens": 9000, "cached_input_tokens": 7000, "output_tokens": 840},
            "cost_usd": 0.0,
        },
        "steps": [
            {"step": "dedup", "rows": 12, "kept": 11, "duplicates": 1},
            {"step": "judge", "model": "local-large", "language": "ko", "criteria": ["fits"]},
        ],
    }
    out = tmp_path / "cards" / "movies.jsonl"
    export_rows(
        movies(11),
        out,
        "jsonl",
        schema="movie_recommendation",
        lineage=lineage,
        roundtrip={"field accuracy": 0.93},
        split=0.9,
    )
    card = (tmp_path / "cards" / "movies.card.md").read_text()
    for expected in (
        "# Data card: movies.jsonl",
        "`movie_recommendation` (MovieRecommendation)",
        "- model: `local`",
        "| generated (valid) | 12 |",
        "- tokens: 9,000 input (7,000 cached), 840 output",
        "- cost: $0.0000",
        "| rejected attempts (invalid) | 3 |",
        "| marked duplicate (dedup step) | 1 |",
        "| exported | 11 |",
        "- judge model: `local-large`",
        "| 5 | 2 |",
        "- field accuracy: 0.93",
        "Now you generate movies",
        "train 90% / validation 10%, seed 0",
    ):
        assert expected in card, expected
