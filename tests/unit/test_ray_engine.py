"""The run engine on Ray: real steps in Ray actors against stub endpoints (no model).

The guarantees of a local run, checked with the Ray executor: exactly N valid unique
records with duplicates injected across endpoints (dedup is global, on the driver), the
same hints and prompts as the driver's step, resume across engines after a signal, an
endpoint failing every call, all endpoints failing. Every test uses the session's Ray.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RAY_MISSING

pytest.importorskip("ray", reason=RAY_MISSING)

from langsynth._async import run_sync
from langsynth.engines.executor import RayExecutor
from langsynth.engines.factories import StepFactory, step_factory
from langsynth.errors import AllEndpointsDownError, ConfigurationError, RunFailedError
from langsynth.normalize import record_key
from langsynth.runs import read_manifest, run_dir_for
from langsynth.schemas import load_schema
from langsynth.testing.stub_server import StubServer

pytestmark = [pytest.mark.ray, pytest.mark.usefixtures("ray_instance")]

SCHEMA = "medical_billing"
SAMPLING = {"temperature": 0.9, "seed": 7}
KEYS = load_schema(SCHEMA).dedup_fields


def generator(**options: Any) -> StepFactory:
    return step_factory("generate", schema=SCHEMA, seed=7, max_retries=1, **options)


def journal(output: Path) -> list[dict[str, Any]]:
    path = run_dir_for(output) / "journal.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def rejected(output: Path) -> list[dict[str, Any]]:
    path = run_dir_for(output) / "rejected.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def assert_exactly(n: int, output: Path) -> None:
    """``n`` rows in the output and the journal, unique by the schema's key, none twice."""
    lines = journal(output)
    rows = [json.loads(line) for line in output.read_text().splitlines()]
    assert len(lines) == len(rows) == n
    assert len({line["i"] for line in lines}) == n  # no attempt journalled twice
    assert len({record_key(r, KEYS) for r in rows}) == n


@pytest.fixture(scope="module")
def stub() -> Iterator[StubServer]:
    """Two healthy stub endpoints shared by the module's fault-free tests."""
    with StubServer(endpoints=2, latency_s=0.02, tokens_per_s=2000, seed=11) as server:
        yield server


@pytest.fixture(scope="module")
def executor(stub: StubServer) -> Iterator[RayExecutor]:
    """A started executor on the shared stub (one executor serves several runs)."""
    with RayExecutor(generator(), stub.urls, slots_per_endpoint=3, llm_kwargs=SAMPLING) as ex:
        yield ex


def test_exactly_n_unique_when_endpoints_answer_alike_dedup_is_global(tmp_path: Path) -> None:
    # Two servers with the same seed answer the same records in the same order: every
    # record one endpoint makes, the other makes too. Only a global dedup keeps N unique.
    out = tmp_path / "bills.jsonl"
    with (
        StubServer(endpoints=1, latency_s=0.02, seed=5) as one,
        StubServer(endpoints=1, latency_s=0.02, seed=5) as twin,
        RayExecutor(
            generator(), one.urls + twin.urls, slots_per_endpoint=2, llm_kwargs=SAMPLING
        ) as ex,
    ):
        gen = ex.driver_step()
        result = gen.generate(12, output=out, executor=ex)
    assert result.complete and len(result.rows) == 12
    assert_exactly(12, out)
    assert result.stats.duplicates >= 4, result.stats.summary()
    dups = [r for r in rejected(out) if r["kind"] == "duplicate"]
    assert len(dups) == result.stats.duplicates and all(r["raw_output"] for r in dups)
    endpoints = result.executor["endpoints"]
    assert all(e["completed"] > 0 for e in endpoints)  # both served
    assert sum(e["completed"] for e in endpoints) == result.stats.attempts
    manifest = read_manifest(out)
    assert manifest is not None and manifest["status"] == "complete"
    assert manifest["executor"]["endpoints"][0]["url"] == one.urls[0]
    assert manifest["counts"]["duplicates"] == result.stats.duplicates


def test_the_actors_draw_the_same_hints_and_write_the_same_prompts(
    executor: RayExecutor, tmp_path: Path
) -> None:
    from tests.fakes import FakeChatModel

    driver = executor.driver_step()
    local = generator()(FakeChatModel())  # a local step built apart, same seed
    for index in (0, 1, 17, 1000):
        drawn = driver.input_at(index)
        assert drawn == local.input_at(index)
        assert run_sync(executor.call("input_at", index)) == drawn
        theirs = run_sync(executor.call("messages", drawn["hints"]))
        assert [m.content for m in theirs] == [m.content for m in driver.messages(drawn["hints"])]
    result = driver.generate(6, output=tmp_path / "b.jsonl", executor=executor)
    assert result.complete
    assert all(r.hints == local.input_at(r.index)["hints"] for r in result.results)


def test_a_step_unlike_the_actors_is_refused_before_the_run(
    executor: RayExecutor, tmp_path: Path
) -> None:
    other_seed = generator()(executor.driver_llm())
    other_seed.seed = 8
    with pytest.raises(ConfigurationError, match="differ in seed"):
        other_seed.generate(2, output=tmp_path / "x.jsonl", executor=executor)
    with pytest.raises(ConfigurationError, match="avoid_recent"):
        generator(avoid_recent=3)(executor.driver_llm()).generate(2, executor=executor)
    assert not (tmp_path / "x.jsonl").exists()  # refused before anything was written


def _stop_after(k: int) -> Any:
    """An on_result callback that sends this process SIGTERM after ``k`` results."""
    seen = [0]

    def on_result(index: int, result: Any) -> None:
        seen[0] += 1
        if seen[0] == k:
            os.kill(os.getpid(), signal.SIGTERM)

    return on_result


def test_sigterm_mid_run_then_resume_on_the_other_engine(
    executor: RayExecutor, tmp_path: Path
) -> None:
    from langsynth.errors import RunInterrupted

    # Ray run stopped by SIGTERM, resumed in this process (the local engine) ...
    out = tmp_path / "ray-first.jsonl"
    driver = executor.driver_step()
    with pytest.raises(RunInterrupted, match="rerun with --resume"):
        driver.generate(10, output=out, executor=executor, on_result=_stop_after(4))
    manifest = read_manifest(out)
    assert manifest is not None and manifest["status"] == "interrupted"
    kept = len(journal(out))
    assert 1 <= kept < 10 and manifest["executor"]["engine"] == "ray"
    resumed = driver.generate(10, output=out, resume=True)  # no executor: this process
    assert resumed.complete and resumed.executor is None
    assert_exactly(10, out)
    # ... and a local run stopped the same way, resumed on Ray.
    out = tmp_path / "local-first.jsonl"
    with pytest.raises(RunInterrupted):
        driver.generate(10, output=out, on_result=_stop_after(3))
    assert 1 <= len(journal(out)) < 10
    resumed = driver.generate(10, output=out, resume=True, executor=executor)
    assert resumed.complete and resumed.executor["engine"] == "ray"
    assert_exactly(10, out)
    assert (read_manifest(out) or {})["sessions"] == 2


def test_an_endpoint_failing_every_call_is_taken_out_and_the_run_completes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Endpoint 1 answers HTTP 500 to every request: its units move to endpoint 0.
    caplog.set_level("WARNING", logger="langsynth.engines.ray")
    out = tmp_path / "bills.jsonl"
    with (
        StubServer(endpoints=2, latency_s=0.02, faults={1: "always"}, seed=2) as stub,
        RayExecutor(generator(), stub.urls, slots_per_endpoint=2, llm_kwargs=SAMPLING) as ex,
    ):
        result = ex.driver_step().generate(10, output=out, executor=ex)
    assert result.complete
    assert_exactly(10, out)
    good, bad = result.executor["endpoints"]
    assert good["alive"] and good["completed"] == result.stats.attempts
    assert not bad["alive"] and bad["completed"] == 0 and bad["faults"] >= 3
    assert "server error on every request" in bad["last_fault"]
    assert result.stats.rejected == 0  # no row paid for the sick endpoint
    assert any("out of rotation" in r.message for r in caplog.records)


def test_all_endpoints_failing_is_one_error_the_journal_is_kept_and_resume_works(
    tmp_path: Path,
) -> None:
    out = tmp_path / "bills.jsonl"
    faults = {0: "die_after:3", 1: "die_after:3"}
    with (
        StubServer(endpoints=2, latency_s=0.02, faults=faults, seed=3) as dying,
        RayExecutor(generator(), dying.urls, slots_per_endpoint=2, llm_kwargs=SAMPLING) as ex,
        pytest.raises(RunFailedError) as failed,
    ):
        ex.driver_step().generate(20, output=out, executor=ex)
    message = str(failed.value)
    assert "\n" not in message
    assert "All 2 endpoints are out of rotation" in message and "--resume" in message
    assert isinstance(failed.value.__cause__, AllEndpointsDownError)
    kept = len(journal(out))
    assert kept == failed.value.kept and 3 <= kept < 20  # ~3 answers each, then gone
    manifest = read_manifest(out)
    assert manifest is not None and manifest["status"] == "failed"
    assert manifest["executor"]["alive"] == 0
    with (
        StubServer(endpoints=1, latency_s=0.02, seed=4) as fresh,
        RayExecutor(generator(), fresh.urls, slots_per_endpoint=4, llm_kwargs=SAMPLING) as ex,
    ):
        resumed = ex.driver_step().generate(20, output=out, resume=True, executor=ex)
    assert resumed.complete
    assert_exactly(20, out)


def test_records_of_a_schema_from_a_file_come_back_as_its_class(tmp_path: Path) -> None:
    path = tmp_path / "pets.py"
    path.write_text(
        "from pydantic import BaseModel, Field\n\n"
        "class Pet(BaseModel):\n"
        '    """A pet."""\n'
        "    name: str = Field(description='its name')\n"
        "    age: int = Field(ge=0, le=40)\n"
    )
    info = load_schema(f"{path}:Pet")
    factory = step_factory("generate", schema=info, seed=1, max_retries=1)
    with (
        StubServer(endpoints=1, latency_s=0.01, schemas=()) as stub,
        RayExecutor(factory, stub.urls, llm_kwargs=SAMPLING) as ex,
    ):
        result = ex.driver_step().generate(3, executor=ex)
    assert result.complete
    assert all(type(r.record) is info.model for r in result.results)
    assert [type(r) for r in result.records] == [info.model] * 3
