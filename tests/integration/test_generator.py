"""The record generator on the embedded model: every built-in schema, the seed tutorial, the CLI."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from typer.testing import CliRunner

from langsynth._async import run_sync
from langsynth.chains.generator import RecordGenerator, record_key
from langsynth.datafile import read_rows
from langsynth.schemas import BUILTIN

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


# The record schemas with few-shot examples; textbook_excerpt and labeled_text are the outputs of
# their own generators (TextbookGenerator, LabeledTextGenerator), tested with those.
RECORD_SCHEMAS = sorted(name for name, info in BUILTIN.items() if info.examples_file)


@pytest.mark.parametrize("schema", RECORD_SCHEMAS)
def test_each_builtin_schema_yields_valid_unique_records(local_llm, schema: str) -> None:  # type: ignore[no-untyped-def]
    info = BUILTIN[schema]
    result = RecordGenerator(info, local_llm, seed=11, concurrency=3).generate(3)
    assert result.complete, result.message
    assert len(result.records) == 3
    for record in result.records:
        assert isinstance(record, info.model)
        info.model.model_validate(record.model_dump())  # round-trips through validation
    keys = {record_key(r, info.dedup_fields) for r in result.records}
    assert len(keys) == 3
    assert result.stats.usage.output_tokens > 0


def test_embedded_model_answers_in_compact_json(local_llm) -> None:  # type: ignore[no-untyped-def]
    gen = RecordGenerator("medical_billing", local_llm, seed=2)
    assert gen.method == "llama_grammar"
    attempt = run_sync(gen.aprocess(gen.input_at(0)))
    assert attempt.record is not None, attempt.error
    raw = attempt.raw_output
    assert raw.startswith('{"') and "\n" not in raw and '": ' not in raw


def test_drawn_field_values_come_back_as_drawn_from_a_prompt_every_record_shares(local_llm) -> None:  # type: ignore[no-untyped-def]
    # medical_billing's hints fix every field: they are fixed in the record's grammar instead,
    # so the prompt carries no per-record part and the server keeps all of it in its cache.
    gen = RecordGenerator("medical_billing", local_llm, seed=5)
    checked, errors = 0, []
    for index in range(4):
        attempt = run_sync(gen.aprocess(gen.input_at(index)))
        if attempt.record is None:
            errors.append(attempt.error)
            continue
        pinned, shown = gen.split(attempt.hints)
        assert pinned and not shown
        record = attempt.record.model_dump(mode="json")
        assert {name: record[name] for name in pinned} == pinned
        checked += 1
        if checked == 2:
            break
    assert checked == 2, errors


@pytest.mark.parametrize("method", ["json_schema", "llama_grammar"])
def test_an_answer_cut_off_at_max_tokens_still_counts_its_tokens(local_llm, method: str) -> None:  # type: ignore[no-untyped-def]
    # json_schema is what any OpenAI-compatible server gets: openai raises LengthFinishReasonError
    # for the cut answer, and its decoded tokens and text must survive (tokens/s, cost, raw_output).
    llm = local_llm.model_copy(update={"max_tokens": 8})
    gen = RecordGenerator("medical_billing", llm, seed=2, method=method, max_retries=0)
    attempt = run_sync(gen.aprocess(gen.input_at(0)))
    assert attempt.record is None and "max_tokens" in (attempt.error or "")
    assert attempt.usage.output_tokens == 8 and attempt.usage.input_tokens > 100
    assert attempt.raw_output.startswith("{")


def test_seed_tutorial_runs_with_only_its_imports_changed(
    local_llm,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    namespace = runpy.run_path(str(ROOT / "examples" / "seed_001_tutorial.py"))
    results = namespace["synthetic_results"]
    model = namespace["MedicalBilling"]
    assert len(results) == 10
    assert all(isinstance(r, model) for r in results)
    assert len({tuple(r.model_dump().values()) for r in results}) == 10  # no duplicates
    assert "10 records" in capsys.readouterr().out


def test_generate_cli_writes_records(local_llm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from langsynth.cli import app

    out = tmp_path / "bills.csv"
    result = CliRunner().invoke(
        app, ["generate", "medical_billing", "-n", "3", "-o", str(out), "--seed", "5"]
    )
    assert result.exit_code == 0, result.output
    rows = read_rows(out)
    assert len(rows) == 3
    assert all(float(r["insurance_claim_amount"]) <= float(r["total_charge"]) for r in rows)
