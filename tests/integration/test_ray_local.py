"""The Ray engine on two embedded servers: both serve, exactly N, one killed mid-run.

Two llama.cpp servers on 2 cores share them (one thread each): this checks the wiring and
the fault handling with a real model, not a speed-up. Run under the model lock:
flock /tmp/langsynth-model.lock python -m pytest tests/integration/test_ray_local.py
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

from langsynth.engines.executor import RayExecutor
from langsynth.engines.factories import step_factory
from langsynth.engines.local_fleet import embedded_fleet
from langsynth.local import LocalServer
from langsynth.normalize import record_key
from langsynth.runs import run_dir_for
from langsynth.schemas import MedicalBilling, load_schema

pytestmark = [
    pytest.mark.integration,
    pytest.mark.ray,
    pytest.mark.usefixtures("ray_instance"),
]

SAMPLING = {"temperature": 0.9, "max_tokens": 512, "seed": 11}
KEYS = load_schema("medical_billing").dedup_fields


@pytest.fixture(scope="module")
def servers() -> Iterator[list[LocalServer]]:
    with embedded_fleet(2, parallel=2, ctx=2048, threads=1) as fleet:
        yield fleet


def factory() -> Any:
    return step_factory("generate", schema="medical_billing", seed=11)


def check_exactly(n: int, output: Path) -> None:
    rows = [json.loads(line) for line in output.read_text().splitlines()]
    journal = (run_dir_for(output) / "journal.jsonl").read_text().splitlines()
    assert len(rows) == len(journal) == n
    assert all(MedicalBilling.model_validate(r) for r in rows)
    assert len({record_key(r, KEYS) for r in rows}) == n


def test_two_embedded_servers_both_serve_and_give_exactly_8(
    servers: list[LocalServer], tmp_path: Path
) -> None:
    urls = [s.openai_base_url for s in servers]
    out = tmp_path / "bills.jsonl"
    with RayExecutor(factory(), urls, slots_per_endpoint=2, llm_kwargs=SAMPLING) as ex:
        result = ex.driver_step().generate(8, output=out, executor=ex)
    assert result.complete, result.message
    check_exactly(8, out)
    endpoints = result.executor["endpoints"]
    assert [e["url"] for e in endpoints] == urls
    assert all(e["completed"] > 0 and e["output_tokens"] > 0 for e in endpoints)
    assert result.executor["alive"] == 2


def test_one_server_killed_mid_run_the_other_finishes_it(
    servers: list[LocalServer], tmp_path: Path
) -> None:
    urls = [s.openai_base_url for s in servers]
    victim = servers[1]
    out = tmp_path / "bills.jsonl"

    accepted = [0]

    def kill_after_two(index: int, result: Any) -> None:
        accepted[0] += bool(result.ok)
        if accepted[0] == 2 and victim.alive():
            assert victim.pid is not None
            os.kill(victim.pid, signal.SIGKILL)  # a crash, not a clean stop

    # One fault takes an endpoint out: with the default three in a row, the other server may
    # finish the run before a third unit is sent to the dead one (then it is never marked).
    with RayExecutor(
        factory(), urls, slots_per_endpoint=2, llm_kwargs=SAMPLING, max_consecutive_faults=1
    ) as ex:
        result = ex.driver_step().generate(8, output=out, executor=ex, on_result=kill_after_two)
    assert not victim.alive()
    assert result.complete, result.message
    check_exactly(8, out)
    alive, dead = result.executor["endpoints"]
    assert alive["alive"] and not dead["alive"] and dead["faults"] >= 1
    assert alive["completed"] + dead["completed"] == result.stats.attempts
