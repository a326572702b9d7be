"""``langsynth text | extract | score | bench-extract | roundtrip`` with fake models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage
from typer.testing import CliRunner

from langsynth.cli import app
from langsynth.datafile import read_rows, write_rows
from tests.fakes import FakeChatModel

runner = CliRunner()

RECORDS = [
    {"Actor": "Rita Hanks", "Film": ["Big", "Splash"]},
    {"Actor": "Rita Hardy", "Film": ["Dunkirk", "Locke"]},
]
METRIC_KEYS = {"n", "parse_rate", "schema_valid_rate", "record_exact", "micro", "macro", "fields"}


def cli(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def writer(messages: list[BaseMessage]) -> str:
    prompt = str(messages[-1].content)
    record = next(r for r in RECORDS if str(r["Actor"]) in prompt)
    return f"{record['Actor']} starred in {' and '.join(record['Film'])}."


def reader(messages: list[BaseMessage]) -> Any:
    text = str(messages[-1].content)
    if "Hanks" in text:
        return RECORDS[0]
    return "no idea"


def writer_or_reader(messages: list[BaseMessage]) -> Any:
    """The round trip's one model: its text prompt asks for a paragraph, the rest extracts
    (the extractor is a copy of the text model with its own sampling settings)."""
    if "Values to mention" in str(messages[-1].content):
        return writer(messages)
    return reader(messages)


def json_out(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --------------------------------------------------------------------------- text


def test_text_writes_labelled_rows_and_a_summary(
    use_fake: list[FakeChatModel], tmp_path: Path
) -> None:
    records = tmp_path / "records.jsonl"
    write_rows(records, RECORDS)
    out = tmp_path / "texts.jsonl"
    use_fake.append(FakeChatModel(answers=[writer], cycle=True))
    result = cli(
        "text",
        "actor_filmography",
        "--input",
        str(records),
        "-o",
        str(out),
        "--preferences",
        '{"style": "news"}',
        "--json",
    )
    summary = json_out(result)
    assert summary["n"] == 2 and summary["verified"] == 2 and summary["missing_fields"] == {}
    rows = sorted(read_rows(out), key=lambda r: r["id"])
    assert [r["id"] for r in rows] == [0, 1]
    assert rows[0]["text"] == "Rita Hanks starred in Big and Splash."
    assert rows[0]["labels"] == RECORDS[0] and rows[0]["preferences"] == {"style": "news"}
    assert rows[0]["verified"] is True and rows[0]["missing"] == {}


def test_text_refuses_to_overwrite_and_rejects_bad_preferences(
    use_fake: list[FakeChatModel], tmp_path: Path
) -> None:
    records = tmp_path / "records.jsonl"
    write_rows(records, RECORDS)
    out = tmp_path / "texts.jsonl"
    out.write_text('{"id": 0}\n')
    result = runner.invoke(
        app, ["text", "actor_filmography", "--input", str(records), "-o", str(out)]
    )
    assert result.exit_code != 0 and "--overwrite" in str(result.exception)
    result = runner.invoke(
        app,
        [
            "text",
            "actor_filmography",
            "--input",
            str(records),
            "-o",
            str(out),
            "--overwrite",
            "--preferences",
            "style=news",
        ],
    )
    assert result.exit_code == 2 and "JSON object" in result.output


# --------------------------------------------------------------------------- extract


def test_extract_writes_id_prediction_rows_and_failures_with_raw_output(
    use_fake: list[FakeChatModel], tmp_path: Path
) -> None:
    texts = tmp_path / "texts.jsonl"
    write_rows(
        texts, [{"id": "a", "body": "Rita Hanks in Big and Splash."}, {"id": "b", "body": "?"}]
    )
    out = tmp_path / "preds.jsonl"
    use_fake.append(FakeChatModel(answers=[reader], cycle=True))
    result = cli(
        "extract",
        "--schema",
        "actor_filmography",
        "--input",
        str(texts),
        "-o",
        str(out),
        "--text-field",
        "body",
        "--json",
    )
    assert json_out(result) == {"n": 2, "parse_rate": 0.5, "schema_valid_rate": 0.5}
    rows = {r["id"]: r for r in read_rows(out)}
    assert rows["a"] == {
        "id": "a",
        "prediction": RECORDS[0],
        "error": None,
        "raw_output": None,
        "parsed_output": None,
    }
    assert rows["b"]["prediction"] is None
    assert rows["b"]["error"] == "the model returned no structured output"
    assert rows["b"]["raw_output"] == "no idea" and rows["b"]["parsed_output"] is None


def test_extract_on_labelled_texts_prints_the_metrics(
    use_fake: list[FakeChatModel], tmp_path: Path
) -> None:
    texts = tmp_path / "texts.jsonl"
    write_rows(
        texts,
        [
            {"id": 0, "text": "Rita Hanks in Big and Splash.", "labels": RECORDS[0]},
            {"id": 1, "text": "Rita Hardy ...", "labels": RECORDS[1]},
        ],
    )
    use_fake.append(FakeChatModel(answers=[reader], cycle=True))
    data = json_out(
        cli(
            "extract",
            "-s",
            "actor_filmography",
            "-i",
            str(texts),
            "-o",
            str(tmp_path / "p.jsonl"),
            "--json",
        )
    )
    assert set(data) == METRIC_KEYS
    assert data["record_exact"] == 0.5 and data["micro"]["precision"] == 1.0


def test_extract_names_the_missing_text_column(
    use_fake: list[FakeChatModel], tmp_path: Path
) -> None:
    texts = tmp_path / "texts.jsonl"
    write_rows(texts, [{"id": 0, "content": "x"}])
    use_fake.append(FakeChatModel())
    result = runner.invoke(
        app,
        ["extract", "-s", "actor_filmography", "-i", str(texts), "-o", str(tmp_path / "p.jsonl")],
    )
    assert result.exit_code != 0 and "--text-field" in str(result.exception)


# --------------------------------------------------------------------------- score


def write_gold_and_preds(tmp_path: Path) -> tuple[Path, Path]:
    gold = tmp_path / "gold.jsonl"
    pred = tmp_path / "pred.jsonl"
    write_rows(
        gold,
        [
            {"id": 1, "labels": {"Actor": "Rita Hanks", "Film": ["Big", "Splash"]}},
            {"id": 2, "labels": {"Actor": "Rita Hardy", "Film": ["Dunkirk"]}},
            {"id": 3, "labels": {"Actor": "Meryl Streep"}},  # Film not annotated
        ],
    )
    write_rows(
        pred,
        [
            {"id": 2, "prediction": {"Actor": "rita hardy", "Film": ["Dunkirk", "Inception"]}},
            {"id": 1, "prediction": None, "error": "no JSON", "raw_output": "??"},
            # id 3 has no prediction at all
        ],
    )
    return gold, pred


def test_score_aligns_by_id_and_counts_missing_and_failed_predictions(tmp_path: Path) -> None:
    gold, pred = write_gold_and_preds(tmp_path)
    data = json_out(
        cli("score", "-s", "actor_filmography", "--gold", str(gold), "--pred", str(pred), "--json")
    )
    assert set(data) == METRIC_KEYS
    # Actor: TP 1 (hardy, normalized), FN 2 (failed id 1, missing id 3)
    # Film: TP 1 (Dunkirk), FP 1 (Inception), FN 2 (Big, Splash of the failed id 1)
    assert data["fields"]["Actor"] == {"precision": 1.0, "recall": 1 / 3, "f1": 0.5, "support": 3}
    assert data["fields"]["Film"]["precision"] == 0.5
    assert data["fields"]["Film"]["recall"] == 1 / 3
    assert data["n"] == 3 and data["parse_rate"] == 1 / 3 and data["record_exact"] == 0.0
    assert data["micro"]["precision"] == 2 / 3 and data["micro"]["recall"] == 2 / 6


def test_score_match_mode_changes_the_verdict(tmp_path: Path) -> None:
    gold, pred = write_gold_and_preds(tmp_path)
    exact = json_out(
        cli(
            "score",
            "-s",
            "actor_filmography",
            "--gold",
            str(gold),
            "--pred",
            str(pred),
            "--match",
            "exact",
            "--json",
        )
    )
    assert exact["fields"]["Actor"]["precision"] == 0.0  # "rita hardy" != "Rita Hardy"
    result = runner.invoke(
        app,
        [
            "score",
            "-s",
            "actor_filmography",
            "--gold",
            str(gold),
            "--pred",
            str(pred),
            "--match",
            "loose",
        ],
    )
    assert result.exit_code == 2 and "exact, normalized, fuzzy" in result.output


def test_score_custom_field_names_and_a_table(tmp_path: Path) -> None:
    gold = tmp_path / "gold.csv"
    pred = tmp_path / "pred.jsonl"
    write_rows(gold, [{"key": "x", "truth": {"Actor": "Rita Hanks", "Film": ["Big"]}}])
    write_rows(pred, [{"key": "x", "out": {"Actor": "Rita Hanks", "Film": ["Big"]}}])
    result = cli(
        "score",
        "-s",
        "actor_filmography",
        "--gold",
        str(gold),
        "--pred",
        str(pred),
        "--id-field",
        "key",
        "--label-field",
        "truth",
        "--pred-field",
        "out",
    )
    assert result.exit_code == 0
    assert "micro" in result.stdout and "record exact 1.000" in result.stdout


def test_score_names_a_missing_label_field(tmp_path: Path) -> None:
    gold, pred = write_gold_and_preds(tmp_path)
    result = runner.invoke(
        app,
        [
            "score",
            "-s",
            "actor_filmography",
            "--gold",
            str(gold),
            "--pred",
            str(pred),
            "--label-field",
            "gold",
        ],
    )
    assert result.exit_code != 0 and "--label-field" in str(result.exception)


# --------------------------------------------------------------------------- bench-extract


def test_bench_extract_reports_metrics_latency_and_tokens_per_strategy(
    use_fake: list[FakeChatModel], tmp_path: Path
) -> None:
    data = tmp_path / "data.jsonl"
    write_rows(
        data,
        [
            {"id": 0, "text": "Rita Hanks in Big and Splash.", "labels": RECORDS[0]},
            {"id": 1, "text": "Rita Hardy ...", "labels": RECORDS[1]},
            {"id": 2, "text": "unused", "labels": RECORDS[1]},
        ],
    )
    use_fake.append(FakeChatModel(answers=[reader], cycle=True, output_tokens=12))
    result = cli(
        "bench-extract",
        "-s",
        "actor_filmography",
        "--data",
        str(data),
        "--strategies",
        "json_schema,tool_calling",
        "--limit",
        "2",
        "--json",
    )
    out = json_out(result)
    assert set(out) == {"strategies"}
    assert list(out["strategies"]) == ["json_schema", "tool_calling"]
    js = out["strategies"]["json_schema"]
    assert set(js) >= METRIC_KEYS
    assert js["n"] == 2 and js["record_exact"] == 0.5
    assert set(js["latency"]) == {"p50_s", "p95_s", "mean_s"}
    assert js["tokens"] == {"input": 100, "output": 24, "output_per_row": 12.0}
    assert js["errors"] == {"the model returned no structured output": 1}


def test_bench_extract_rejects_an_unknown_strategy(tmp_path: Path) -> None:
    data = tmp_path / "data.jsonl"
    write_rows(data, [{"text": "x", "labels": RECORDS[0]}])
    result = runner.invoke(
        app,
        [
            "bench-extract",
            "-s",
            "actor_filmography",
            "--data",
            str(data),
            "--strategies",
            "json_schema,regex",
        ],
    )
    assert result.exit_code == 2 and "regex" in result.output


# --------------------------------------------------------------------------- roundtrip


def test_roundtrip_on_given_records_writes_labelled_rows_and_prints_metrics(
    use_fake: list[FakeChatModel], tmp_path: Path
) -> None:
    records = tmp_path / "records.jsonl"
    write_rows(records, RECORDS)
    out = tmp_path / "rt.jsonl"
    summary = tmp_path / "summary.json"
    use_fake.append(FakeChatModel(answers=[writer_or_reader], cycle=True))
    result = cli(
        "roundtrip",
        "actor_filmography",
        "-n",
        "2",
        "--records",
        str(records),
        "-o",
        str(out),
        "--summary-json",
        str(summary),
        "--json",
    )
    data = json_out(result)
    assert set(data) == METRIC_KEYS and data["n"] == 2 and data["record_exact"] == 0.5
    rows = sorted(read_rows(out), key=lambda r: r["id"])
    assert rows[0]["passed"] is True and rows[0]["labels"] == RECORDS[0]
    assert rows[1]["passed"] is False and rows[1]["raw_output"] == "no idea"
    saved = json.loads(summary.read_text())
    assert saved["kept"] == 1 and saved["strategy"] == "json_schema" and saved["verify"] is False


def test_roundtrip_generates_records_when_none_are_given(
    use_fake: list[FakeChatModel], tmp_path: Path
) -> None:
    use_fake.append(FakeChatModel(answers=RECORDS))  # record generator
    use_fake.append(FakeChatModel(answers=[writer_or_reader], cycle=True))
    result = cli("roundtrip", "actor_filmography", "-n", "2", "--concurrency", "1")
    assert result.exit_code == 0, result.output
    assert "Round trip of actor_filmography" in result.stdout
    assert "kept 1/2" in result.stderr
