"""The Ray Data path: a map step over a file into shards, same rows and manifest, resume.

Stub endpoints and the session's Ray; each run starts Ray Data's workers (a few seconds).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RAY_MISSING

pytest.importorskip("ray", reason=RAY_MISSING)

from langsynth.datafile import read_rows, write_rows
from langsynth.engines.dataset import row_key, run_dataset
from langsynth.engines.endpoints import Endpoint
from langsynth.engines.factories import step_factory
from langsynth.engines.ray_worker import endpoint_chat_model
from langsynth.errors import OutputExistsError, RunFailedError
from langsynth.runs import read_manifest, run_dir_for
from langsynth.schemas import load_schema
from langsynth.testing.fake_records import RecordFaker
from langsynth.testing.stub_server import StubServer

pytestmark = [pytest.mark.ray, pytest.mark.usefixtures("ray_instance")]

INFO = load_schema("medical_billing")
TEXT = step_factory("text", schema=INFO)
SAMPLING = {"temperature": 0.7}


def records(n: int, *, with_ids: bool = False) -> list[dict[str, Any]]:
    faker = RecordFaker.for_schema(INFO, seed=n)
    rows = [faker.make() for _ in range(n)]
    return [{"id": f"r{i}", **r} if with_ids and i % 2 else r for i, r in enumerate(rows)]


def sharded(out: Path) -> list[dict[str, Any]]:
    return [row for path in sorted(out.glob("part-*")) for row in read_rows(path)]


def test_a_map_step_over_a_file_writes_shards_in_the_local_format(tmp_path: Path) -> None:
    rows = records(40, with_ids=True)
    source = tmp_path / "records.jsonl"
    write_rows(source, rows)
    out = tmp_path / "texts"
    with StubServer(endpoints=2, latency_s=0.02, tokens_per_s=4000, seed=9) as stub:
        run = run_dataset(TEXT, source, out, stub.urls, llm_kwargs=SAMPLING, batch_size=8)
        # The same rows, one local run of the same step on the same endpoint for comparison.
        local_step = TEXT(endpoint_chat_model(Endpoint.parse(stub.urls[0]), "stub", SAMPLING))
        local = local_step.run(rows[:2]).rows
    assert run.complete and run.counts["accepted"] == 40 and run.counts["rows"] == 40
    written = sharded(out)
    assert run.shards() and all(p.stat().st_size for p in run.shards())  # no empty shards
    assert sorted(r["id"] for r in written) == sorted(row_key(r) for r in rows)
    assert all(r["text"] for r in written)
    assert all(set(r) == set(local[0]) for r in written)  # the columns of a local run
    by_id = {r["id"]: r for r in written}
    assert by_id["r1"]["labels"] == {k: v for k, v in rows[1].items() if k != "id"}
    manifest = read_manifest(out)
    assert manifest is not None and manifest["sharded"] and manifest["status"] == "complete"
    local_keys = {"job", "params", "model", "schema", "status", "counts", "usage", "elapsed_s"}
    assert local_keys <= set(manifest) and manifest["counts"]["accepted"] == 40
    assert manifest["usage"]["llm_calls"] == 40
    assert manifest["lineage"]["steps"][-1]["step"] == "text"  # joins its input's lineage
    endpoints = manifest["executor"]["endpoints"]
    assert all(e["completed"] > 0 for e in endpoints)  # both endpoints served
    with pytest.raises(OutputExistsError, match="resume"):
        run_dataset(TEXT, source, out, stub.urls)


def test_all_endpoints_failing_keeps_the_shards_and_resume_writes_each_row_once(
    tmp_path: Path,
) -> None:
    texts = [{"text": f"Bill {i}: patient {i}, charge {100 + i} USD."} for i in range(48)]
    source = tmp_path / "texts.parquet"
    write_rows(source, texts)
    out = tmp_path / "predictions"
    extract = step_factory("extract", schema=INFO, strategy="json_schema")
    faults = {0: "die_after:6", 1: "die_after:6"}
    with (
        StubServer(endpoints=2, latency_s=0.02, faults=faults, seed=1) as dying,
        pytest.raises(RunFailedError) as failed,
    ):
        run_dataset(extract, source, out, dying.urls, fmt="parquet", batch_size=4)
    assert "All 2 endpoints are out of rotation" in str(failed.value)
    assert "rerun with resume" in str(failed.value)
    kept = sharded(out)
    manifest = read_manifest(out)
    assert manifest is not None and manifest["status"] == "failed"
    assert manifest["counts"]["accepted"] == len(kept) == failed.value.kept
    assert 0 < len(kept) < 48
    with StubServer(endpoints=1, latency_s=0.02, tokens_per_s=4000, seed=2) as fresh:
        run = run_dataset(extract, source, out, fresh.urls, fmt="parquet", resume=True)
    assert run.complete and run.counts["skipped"] == len(kept)
    assert run.counts["accepted"] == 48 - len(kept)
    written = sharded(out)
    assert sorted(r["id"] for r in written) == sorted(row_key(t) for t in texts)  # each once
    assert all(r["prediction"] for r in written)
    manifest = read_manifest(out)
    assert manifest is not None and manifest["sessions"] == 2
    assert manifest["counts"]["accepted"] == 48 and manifest["status"] == "complete"
    assert not (run_dir_for(out) / "rejected").exists()
