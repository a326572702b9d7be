"""Fine-tuning formats: rows become OpenAI chat / Alpaca examples built from the schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from langsynth.errors import ConfigurationError
from langsynth.export import PairSpec, export_rows, validate_alpaca, validate_openai_chat
from tests.unit.export_data import TITLES, movies, read_jsonl


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
    assert json.loads(examples2[1]["output"])["title"] == TITLES[1]
    assert validate_alpaca([{"instruction": "", "input": "", "output": "x"}])


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
