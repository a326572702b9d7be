"""Round trip and extraction benchmark on the embedded model, a few records each."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from langsynth.chains.roundtrip import RoundTripResult, round_trip
from langsynth.datafile import write_rows
from langsynth.schemas import load_schema

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def text_llm(local_llm: Any) -> Iterator[Any]:
    """Writes texts (temperature 0.7 as the seed; max_tokens bounds a rambling answer)."""
    from langsynth.llm import get_chat_model

    yield get_chat_model("local", temperature=0.7, seed=1234, max_tokens=300)


@pytest.fixture(scope="module")
def extract_llm(local_llm: Any) -> Iterator[Any]:
    from langsynth.llm import get_chat_model

    yield get_chat_model("local", temperature=0, max_tokens=400)


@pytest.fixture(scope="module")
def actor_trip(text_llm: Any, extract_llm: Any) -> RoundTripResult:
    records = load_schema("actor_filmography").load_examples()
    return round_trip(records, "actor_filmography", text_llm, extract_llm=extract_llm)


def _norm(value: Any) -> str:
    return " ".join(str(value).casefold().split()).strip(" .,;:'\"")


def _same(pred: dict[str, Any] | None, gold: dict[str, Any]) -> bool:
    """Prediction == gold up to case, spaces and edge punctuation (film order ignored)."""
    if pred is None:
        return False
    films = {_norm(f) for f in pred["Film"]} == {_norm(f) for f in gold["Film"]}
    return _norm(pred["Actor"]) == _norm(gold["Actor"]) and films


def _whole_word_in(value: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(_norm(value))}(?!\w)", text.casefold()) is not None


def test_actor_round_trip_extracts_valid_records_and_scores_every_field(
    actor_trip: RoundTripResult,
) -> None:
    report = actor_trip.report
    assert report.n == 3 and len(actor_trip.rows) == 3
    assert all(r["text"] for r in actor_trip.rows)
    # grammar-constrained extraction: every answer is valid JSON of the schema
    assert report.parse_rate == 1.0 and report.schema_valid_rate == 1.0
    assert set(report.fields) == {"Actor", "Film"}
    assert report.fields["Film"].support == 13  # 5 + 5 + 3 gold titles
    # the actor's name is in every text and a 0.5B extractor finds it in most
    assert report.fields["Actor"].prf.recall >= 2 / 3
    frame = actor_trip.records_dataframe()
    # checked independently of langsynth's own normalizers: case, spaces and edge punctuation
    assert list(frame["keep"]) == [_same(r["prediction"], r["labels"]) for r in actor_trip.rows]
    for row in actor_trip.rows:  # a film reported missing is absent from the text, and back
        for film in row["labels"]["Film"]:
            reported = film in row["text_missing"].get("Film", [])
            assert reported != _whole_word_in(film, row["text"]), (film, row["text"])


def test_medical_billing_round_trip_with_verification(text_llm: Any, extract_llm: Any) -> None:
    records = load_schema("medical_billing").load_examples()[:3]
    result = round_trip(
        records, "medical_billing", text_llm, extract_llm=extract_llm, verify=True, max_attempts=2
    )
    assert result.report.n == 3
    assert all(1 <= r["text_attempts"] <= 2 for r in result.rows)
    for row in result.rows:
        # a second text is written only when the first one missed values
        assert row["text_attempts"] == 2 or row["text_missing"] == {}
        for field in ("patient_name", "diagnosis_code", "procedure_code"):
            value = str(row["labels"][field])
            assert (field in row["text_missing"]) != _whole_word_in(value, row["text"])
    assert result.report.parse_rate == 1.0
    assert result.report.micro.f1 >= 0.5
    assert all(r.text_usage.output_tokens > 0 for r in result.run.results)
    assert all(r.extraction and r.extraction.usage.output_tokens > 0 for r in result.run.results)


def test_bench_extract_compares_strategies_on_a_labelled_file(
    actor_trip: RoundTripResult, tmp_path: Path
) -> None:
    from langsynth.cli import app

    data = tmp_path / "labelled.jsonl"
    write_rows(data, actor_trip.labelled_rows())
    result = CliRunner().invoke(
        app,
        [
            "bench-extract",
            "--schema",
            "actor_filmography",
            "--data",
            str(data),
            "--strategies",
            "json_schema,tool_calling,parser",
            "--json",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    strategies = json.loads(result.stdout)["strategies"]
    js, tools, parser = (strategies[k] for k in ("json_schema", "tool_calling", "parser"))
    assert js["n"] == 3 and js["parse_rate"] == 1.0
    assert 0 < js["latency"]["p50_s"] <= js["latency"]["p95_s"]
    assert js["tokens"]["output"] > 0 and js["tokens"]["input"] > 0
    # the embedded server writes the call as text, held to the call's shape: read from there
    assert tools["n"] == 3 and tools["parse_rate"] == 1.0, tools["errors"]
    assert parser["n"] == 3 and parser["parse_rate"] > 0
