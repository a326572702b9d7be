"""The model-free record source the coordinator benchmarks use."""

from __future__ import annotations

from pathlib import Path

from langsynth.normalize import record_key
from langsynth.schemas import MedicalBilling, load_schema
from langsynth.testing.canned import CannedRecords


def test_canned_records_run_on_the_engine_to_exactly_n_unique(tmp_path: Path) -> None:
    result = CannedRecords("medical_billing", seed=3).generate(40, output=tmp_path / "b.jsonl")
    assert result.complete and len(result.rows) == 40
    assert all(MedicalBilling.model_validate(r) for r in result.rows)
    keys = load_schema("medical_billing").dedup_fields
    assert len({record_key(r, keys) for r in result.rows}) == 40
    again = CannedRecords("medical_billing", seed=3).generate(40)
    assert again.rows == result.rows  # a seed makes the sequence reproducible
