"""``langsynth generate`` end to end with a fake model: output, manifest, interrupt, resume."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from langsynth.cli import app
from langsynth.datafile import read_rows
from langsynth.errors import ConfigurationError, RunInputChangedError
from langsynth.runs import read_manifest, run_dir_for
from tests.fakes import FakeChatModel

runner = CliRunner()


def billing(i: int) -> dict[str, Any]:
    return {
        "patient_id": 100000 + i,
        "patient_name": f"Person Number{i}",
        "diagnosis_code": "J20.9",
        "procedure_code": "99213",
        "total_charge": 200.0 + i,
        "insurance_claim_amount": 100.0,
    }


def run(*args: str) -> Any:
    return runner.invoke(app, ["generate", *args], catch_exceptions=True)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_generate_writes_output_manifest_and_summary(
    use_fake: list[FakeChatModel], tmp_path: Path, suffix: str
) -> None:
    use_fake.append(FakeChatModel(answers=[billing(i) for i in range(4)]))
    out = tmp_path / f"bills{suffix}"
    summary = tmp_path / "summary.json"
    result = run(
        "medical_billing",
        "-n",
        "4",
        "-o",
        str(out),
        "--seed",
        "1",
        "--summary-json",
        str(summary),
        "--concurrency",
        "2",
    )
    assert result.exit_code == 0, result.output
    rows = read_rows(out)
    assert len(rows) == 4 and {int(r["patient_id"]) for r in rows} == {100000 + i for i in range(4)}
    manifest = read_manifest(out)
    assert manifest is not None and manifest["status"] == "complete"
    assert manifest["schema"] == "medical_billing" and manifest["counts"]["accepted"] == 4
    assert "Examples below" in manifest["params"]["prompt"]
    data = json.loads(summary.read_text())
    for key in (
        "requested",
        "valid",
        "rejected",
        "duplicates",
        "elapsed_s",
        "records_per_s",
        "output_tokens",
        "tokens_per_s",
        "model",
    ):
        assert key in data
    assert data["valid"] == 4 and data["output_tokens"] == 80
    assert "Run summary" in result.output


def test_existing_output_needs_resume_or_overwrite(
    use_fake: list[FakeChatModel], tmp_path: Path
) -> None:
    out = tmp_path / "bills.csv"
    out.write_text("x\n")
    use_fake.append(FakeChatModel(answers=[billing(1)]))
    result = run("medical_billing", "-n", "1", "-o", str(out))
    assert result.exit_code != 0
    assert "already exists" in str(result.exception) and "--resume" in str(result.exception)


def test_interrupted_run_keeps_records_and_resume_finishes_without_repeats(
    use_fake: list[FakeChatModel], tmp_path: Path
) -> None:
    out = tmp_path / "bills.jsonl"

    def ctrl_c(messages: object) -> str:
        os.kill(os.getpid(), signal.SIGINT)  # what Ctrl-C does: SIGINT to the process
        time.sleep(1)
        return "never seen"

    use_fake.append(FakeChatModel(answers=[billing(0), billing(1), ctrl_c]))
    first = run("medical_billing", "-n", "5", "-o", str(out), "--concurrency", "1", "--seed", "3")
    assert first.exit_code == 130
    assert "kept 2 rows" in first.output and "--resume" in first.output
    assert [r["patient_id"] for r in read_rows(out)] == [100000, 100001]
    manifest = read_manifest(out)
    assert manifest is not None and manifest["status"] == "interrupted"
    first_next = manifest["next_index"]

    # the resumed run gets a duplicate of a kept record first: it must be skipped
    resumed_model = FakeChatModel(answers=[billing(1), billing(2), billing(3), billing(4)])
    use_fake.append(resumed_model)
    second = run(
        "medical_billing",
        "-n",
        "5",
        "-o",
        str(out),
        "--concurrency",
        "1",
        "--seed",
        "3",
        "--resume",
    )
    assert second.exit_code == 0, second.output
    ids = [r["patient_id"] for r in read_rows(out)]
    assert ids == [100000 + i for i in range(5)]
    manifest = read_manifest(out)
    assert manifest is not None
    assert manifest["status"] == "complete" and manifest["sessions"] == 2
    assert manifest["counts"]["duplicates"] == 1
    assert manifest["next_index"] > first_next  # new hints, not a replay of the first session


def test_resume_repairs_an_output_shorter_than_the_journal(
    use_fake: list[FakeChatModel], tmp_path: Path
) -> None:
    out = tmp_path / "bills.csv"
    use_fake.append(FakeChatModel(answers=[billing(0), billing(1)]))
    assert run("medical_billing", "-n", "2", "-o", str(out)).exit_code == 0
    out.write_text(out.read_text().splitlines()[0] + "\n")  # simulate a crash mid-write
    use_fake.append(FakeChatModel(answers=[billing(2)]))
    result = run("medical_billing", "-n", "3", "-o", str(out), "--resume")
    assert result.exit_code == 0, result.output
    assert len(read_rows(out)) == 3


def test_resume_with_another_schema_is_refused(
    use_fake: list[FakeChatModel], tmp_path: Path
) -> None:
    out = tmp_path / "bills.jsonl"
    use_fake.append(FakeChatModel(answers=[billing(0)]))
    assert run("medical_billing", "-n", "1", "-o", str(out)).exit_code == 0
    use_fake.append(FakeChatModel(answers=[]))
    result = run("movie_recommendation", "-n", "2", "-o", str(out), "--resume")
    assert isinstance(result.exception, RunInputChangedError)
    assert "schema = 'medical_billing'" in str(result.exception)


def test_incomplete_run_exits_1_with_the_reason(
    use_fake: list[FakeChatModel], tmp_path: Path
) -> None:
    use_fake.append(FakeChatModel(answers=["garbage"], cycle=True))
    out = tmp_path / "bills.csv"
    result = run("medical_billing", "-n", "3", "-o", str(out), "--max-retries", "0")
    assert result.exit_code == 1
    assert "no valid record" in " ".join(result.output.split())
    rejected = read_rows(run_dir_for(out) / "rejected.jsonl")
    assert rejected and rejected[0]["raw_output"] == "garbage"


def test_pin_hints_on_a_model_without_a_schema_method_is_one_clear_line(
    use_fake: list[FakeChatModel], tmp_path: Path
) -> None:
    use_fake.append(FakeChatModel(answers=[billing(1)]))
    result = run("medical_billing", "-n", "1", "-o", str(tmp_path / "b.csv"), "--pin-hints")
    # a ConfigurationError: the CLI's entry point prints it as one line (as for a bad schema)
    assert isinstance(result.exception, ConfigurationError)
    assert "pin_hints needs a JSON-schema or grammar method" in str(result.exception)


def test_bad_schema_reference_is_a_clear_error(tmp_path: Path) -> None:
    result = run("no_such_schema", "-n", "1", "-o", str(tmp_path / "x.csv"))
    assert "Built-in schemas:" in str(result.exception)


def test_estimate_runs_a_pilot_and_writes_the_projection(
    use_fake: list[FakeChatModel], tmp_path: Path
) -> None:
    use_fake.append(FakeChatModel(answers=[billing(i) for i in range(4)]))
    out, summary = tmp_path / "bills.jsonl", tmp_path / "estimate.json"
    args = ["medical_billing", "-n", "40", "-o", str(out), "--estimate", "--pilot", "4"]
    result = run(*args, "--summary-json", str(summary), "--concurrency", "1")
    assert result.exit_code == 0, result.output
    estimate = json.loads(summary.read_text())["estimate"]
    # the fake reports 50 input and 20 output tokens per call: 4 records -> 40 records
    assert estimate["n"] == 40 and estimate["pilot_records"] == 4
    assert estimate["input_tokens"] == 2000 and estimate["output_tokens"] == 800
    assert set(estimate) >= {"cost_usd", "elapsed_s"}
    assert not out.exists(), "an estimate spends nothing more than its pilot"


def test_a_token_budget_stops_cleanly_and_resume_continues(
    use_fake: list[FakeChatModel], tmp_path: Path
) -> None:
    out = tmp_path / "bills.jsonl"
    use_fake.append(FakeChatModel(answers=[billing(i) for i in range(10)]))
    args = ["medical_billing", "-n", "5", "-o", str(out), "--concurrency", "1"]
    result = run(*args, "--max-tokens-total", "140")  # two calls of 70 tokens
    assert result.exit_code == 1 and "token budget" in " ".join(result.output.split())
    assert len(read_rows(out)) == 2
    manifest = read_manifest(out)
    assert manifest is not None and manifest["status"] == "budget"
    use_fake.append(FakeChatModel(answers=[billing(i) for i in range(2, 10)]))
    assert run(*args, "--resume").exit_code == 0
    assert len(read_rows(out)) == 5
