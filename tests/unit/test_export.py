"""Export formats validate against their consumers; split is seeded and keeps duplicates together;
a data card is written beside every export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from langsynth.datafile import read_rows
from langsynth.errors import ConfigurationError
from langsynth.export import (
    PairSpec,
    export_rows,
    split_indices,
    validate_alpaca,
    validate_openai_chat,
)

GENRES = ["horror", "comedy", "drama", "romance", "western"]


def movies(n: int) -> list[dict[str, Any]]:
    return [
        {
            "title": f"Film number {i}",
            "year": 1960 + i,
            "genre": GENRES[i % len(GENRES)],
            "reason": f"Reason {i}: a distinct story about topic {i} with its own characters {i}.",
            "score": 1 + i % 5,
            "comment": "ok",
        }
        for i in range(n)
    ]


def read_jsonl(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_openai_chat_export_is_valid_and_built_from_the_schema(tmp_path: Path) -> None:
    out = tmp_path / "ft.jsonl"
    result = export_rows(movies(12), out, "openai-chat", schema="movie_recommendation")
    examples = read_jsonl(out)
    assert len(examples) == 12
    assert validate_openai_chat(examples) == []
    first = examples[0]["messages"]
    assert [m["role"] for m in first] == ["system", "user", "assistant"]
    assert first[0]["content"].startswith("You are 'CineMaster'")
    assert first[1]["content"] == "Recommend one horror movie."
    assistant = json.loads(first[2]["content"])
    assert assistant == {k: movies(1)[0][k] for k in ("title", "year", "genre", "reason")}
    assert result.card == tmp_path / "ft.card.md" and result.card.is_file()


def test_openai_chat_validation_catches_what_the_api_rejects() -> None:
    ok = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}
    bad = [
        {"messages": [{"role": "user", "content": "hi"}]},
        {"messages": [{"role": "narrator", "content": "x"}, {"role": "assistant", "content": "y"}]},
        {"messages": [{"role": "user", "content": " "}, {"role": "assistant", "content": "y"}]},
        {
            "messages": [
                {"role": "user", "content": "x", "weight": 1},
                {"role": "assistant", "content": "y"},
            ]
        },
        {
            "messages": [
                {"role": "user", "content": "x", "mood": "happy"},
                {"role": "assistant", "content": "y"},
            ]
        },
        {"prompt": "x", "completion": "y"},
        "not an object",
    ]
    issues = validate_openai_chat([ok] * 10 + bad)
    by_line: dict[int, str] = {}
    for line, problem in issues:
        by_line[line] = by_line.get(line, "") + problem + "; "
    assert "no assistant message" in by_line[11]
    assert "unknown role 'narrator'" in by_line[12]
    assert "has no text content" in by_line[13]
    assert "only allowed on assistant" in by_line[14]
    assert "unknown key(s) ['mood']" in by_line[15]
    assert "unknown top-level key(s)" in by_line[16]
    assert by_line[17] == "not a JSON object; "
    assert validate_openai_chat([ok] * 10) == []
    assert "at least 10" in validate_openai_chat([ok] * 3)[0][1]


def test_alpaca_from_instruction_rows_and_from_records(tmp_path: Path) -> None:
    rows = [
        {"instruction": "Translate to French.", "input": "good morning", "output": "bonjour"},
        {"instruction": "Name a primary color.", "input": "", "output": "Blue."},
    ]
    out = tmp_path / "alpaca.jsonl"
    export_rows(rows, out, "alpaca")
    examples = read_jsonl(out)
    assert examples[0] == {
        "instruction": "Translate to French.",
        "input": "good morning",
        "output": "bonjour",
    }
    assert validate_alpaca(examples) == []
    out2 = tmp_path / "alpaca2.json"
    export_rows(movies(3), out2, "alpaca", schema="movie_recommendation")
    examples2 = json.loads(out2.read_text())
    assert examples2[1]["instruction"] == "Recommend one comedy movie."
    assert json.loads(examples2[1]["output"])["title"] == "Film number 1"
    assert validate_alpaca([{"instruction": "", "input": "", "output": "x"}])


def test_split_is_seeded_sized_and_keeps_groups_together() -> None:
    train, val = split_indices(100, train_fraction=0.9, seed=1)
    assert len(val) == 10 and len(train) == 90 and not set(train) & set(val)
    assert split_indices(100, train_fraction=0.9, seed=1) == (train, val)
    assert split_indices(100, train_fraction=0.9, seed=2) != (train, val)
    groups = [i // 4 for i in range(40)]  # groups of four
    train, val = split_indices(40, train_fraction=0.8, seed=0, groups=groups)
    for g in range(10):
        members = {i for i in range(40) if groups[i] == g}
        assert members <= set(train) or members <= set(val)


def test_a_split_of_a_few_rows_leaves_neither_side_empty(tmp_path: Path) -> None:
    assert split_indices(5, train_fraction=0.9, seed=0)[1] != []  # round(0.5) would be 0
    assert len(split_indices(2, train_fraction=0.05, seed=0)[0]) == 1
    assert split_indices(5, train_fraction=1.0, seed=0) == ([0, 1, 2, 3, 4], [])
    result = export_rows(movies(2), tmp_path / "ft.jsonl", "openai-chat", split=0.9)
    assert [n for _, _, n in result.files] == [1, 1]
    with pytest.raises(ConfigurationError, match="cannot be split"):
        export_rows(movies(1), tmp_path / "one.jsonl", "openai-chat", split=0.9)


def test_export_split_drops_duplicates_first_and_no_duplicate_crosses(tmp_path: Path) -> None:
    rows = movies(30)
    rows += [dict(rows[i], reason=rows[i]["reason"] + " Truly.") for i in range(0, 30, 3)]
    out = tmp_path / "data.jsonl"
    result = export_rows(rows, out, "jsonl", split=0.8, seed=3)
    assert result.counts["duplicates dropped at export"] == 10
    train = read_rows(tmp_path / "data.train.jsonl")
    val = read_rows(tmp_path / "data.validation.jsonl")
    assert len(train) + len(val) == 30 and len(val) == 6
    assert "score" not in train[0]  # bookkeeping columns left out by default

    # Keeping the duplicates: each stays on its original's side.
    export_rows(rows, out, "jsonl", split=0.8, seed=3, drop_duplicates=False)
    train = read_rows(tmp_path / "data.train.jsonl")
    val = read_rows(tmp_path / "data.validation.jsonl")
    assert len(train) + len(val) == 40
    side = {r["title"]: "train" for r in train}
    for r in val:
        assert side.get(r["title"]) != "train", f"{r['title']} crosses the split"


def test_csv_and_parquet_round_trip(tmp_path: Path) -> None:
    for suffix, fmt in ((".csv", "csv"), (".parquet", "parquet")):
        out = tmp_path / f"d{suffix}"
        export_rows(movies(4), out, fmt)
        back = read_rows(out)
        assert [r["title"] for r in back] == [f"Film number {i}" for i in range(4)]


def test_data_card_has_counts_from_the_lineage_and_judge_scores(tmp_path: Path) -> None:
    lineage = {
        "generation": {
            "schema": "movie_recommendation",
            "requested": 12,
            "model": "local",
            "status": "complete",
            "params": {"temperature": 0.9, "seed": 7, "prompt": "Now you generate movies"},
            "totals": {"valid": 12, "rejected": 3, "duplicates": 5},
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


def test_bad_requests_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"openai-chat writes \.jsonl"):
        export_rows(movies(2), tmp_path / "x.csv", "openai-chat")
    with pytest.raises(ConfigurationError, match="Unknown export format"):
        export_rows(movies(2), tmp_path / "x.jsonl", "sharegpt")
    with pytest.raises(ConfigurationError, match="uses 'mood'"):
        export_rows(
            movies(2),
            tmp_path / "x.jsonl",
            "openai-chat",
            pairs=PairSpec(user_template="Something {mood}"),
        )
