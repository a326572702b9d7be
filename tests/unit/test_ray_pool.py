"""The Ray actor pool: spread, slots, endpoint faults, errors, counters (local Ray instance).

Fake components answer or fail as their endpoint's URL says (the URLs are never contacted);
the last tests drive the real RecordGenerator against the stub endpoint.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from typing import Any

import pytest

from tests.conftest import RAY_MISSING
from tests.ray_fakes import make_echo, make_generator

pytest.importorskip("ray", reason=RAY_MISSING)

from langsynth.engines.ray import RayActorPool
from langsynth.errors import (
    AllEndpointsDownError,
    ConfigurationError,
    RemoteError,
)
from langsynth.schemas import MedicalBilling
from langsynth.testing.stub_server import StubServer

pytestmark = [pytest.mark.ray, pytest.mark.usefixtures("ray_instance")]

A, B, C = (f"http://ep-{x}.invalid:1/v1" for x in "abc")


def pool(modes: dict[str, str], urls: list[str], **kwargs: Any) -> RayActorPool:
    options: dict[str, Any] = {"probe": False, "model": "fake"} | kwargs
    delay = options.pop("delay", 0.05)
    return RayActorPool(functools.partial(make_echo, modes=modes, delay=delay), urls, **options)


async def test_calls_spread_over_endpoints_and_slots_bound_concurrency() -> None:
    async with pool({}, [A, B], slots_per_endpoint=3, delay=0.3) as p:
        start = time.perf_counter()
        results = await asyncio.gather(*(p.call("run", i) for i in range(24)))
        elapsed = time.perf_counter() - start
    assert [r["arg"] for r in results] == list(range(24))
    assert {r["url"] for r in results} == {A, B}
    assert max(r["peak"] for r in results) == 3  # each endpoint's slots, never more
    # 24 calls of 0.3 s on 2 x 3 slots: 4 waves, not 24 (allow for a loaded machine).
    assert elapsed < 24 * 0.3 / 2, f"{elapsed:.2f}s"
    counters = {c.url: c for c in p.counters}
    assert counters[A].calls + counters[B].calls == 24
    assert counters[A].completed >= 6 and counters[B].completed >= 6
    assert p.summary()["totals"]["completed"] == 24


async def test_an_endpoint_failing_every_call_is_taken_out_and_its_work_moves(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="langsynth.engines.ray")
    async with pool({B: "refuse"}, [A, B], max_consecutive_faults=3) as p:
        results = await asyncio.gather(*(p.call("run", i) for i in range(20)))
    assert {r["url"] for r in results} == {A}
    bad = p.counters[1]
    # Out after 3 in a row; calls already in flight there fail too (at most slots - 1 more).
    assert not bad.alive and 3 <= bad.faults <= 3 + 4 - 1 and bad.completed == 0
    assert "ConnectError" in (bad.last_fault or "")
    assert p.counters[0].completed == 20
    assert any(B in r.message and "out of rotation" in r.message for r in caplog.records)


async def test_all_endpoints_failing_is_one_clear_error() -> None:
    async with pool({A: "refuse", B: "refuse"}, [A, B], max_consecutive_faults=2) as p:
        with pytest.raises(AllEndpointsDownError) as info:
            await asyncio.gather(*(p.call("run", i) for i in range(6)))
        assert set(info.value.failures) == {A, B}
        assert "rerun with --resume" in str(info.value)
        with pytest.raises(AllEndpointsDownError):  # and so does every later call
            await p.call("run", 99)


async def test_a_hanging_endpoint_times_out_and_its_work_moves() -> None:
    async with pool({B: "hang"}, [A, B], call_timeout=1.0, max_consecutive_faults=2) as p:
        results = await asyncio.gather(*(p.call("run", i) for i in range(12)))
    assert {r["url"] for r in results} == {A}
    assert not p.counters[1].alive
    assert "no answer within 1s" in (p.counters[1].last_fault or "")


async def test_an_actor_that_dies_takes_its_endpoint_out_at_once() -> None:
    async with pool({B: "die"}, [A, B], max_consecutive_faults=5) as p:
        results = await asyncio.gather(*(p.call("run", i) for i in range(10)))
    assert len(results) == 10 and {r["url"] for r in results} == {A}
    assert not p.counters[1].alive
    assert "actor died" in (p.counters[1].last_fault or "")


async def test_other_errors_reach_the_caller_as_themselves() -> None:
    async with pool({}, [A]) as p:
        with pytest.raises(TypeError, match="a bug in the component") as bug:
            await p.call("run", {"mode": "bug"})
        with pytest.raises(ConfigurationError, match="wrong everywhere"):
            await p.call("run", {"mode": "config"})
        with pytest.raises(RemoteError, match="Unpicklable in a Ray worker") as odd:
            await p.call("run", {"mode": "odd"})
        assert (await p.call("run", 7))["arg"] == 7
    assert p.counters[0].alive and p.counters[0].faults == 0  # none was the endpoint's fault
    assert any("Raised in a Ray worker" in note for note in bug.value.__notes__)
    assert "Traceback" in odd.value.remote_traceback


def test_a_factory_that_cannot_be_pickled_is_refused_before_any_actor_starts() -> None:
    lock = threading.Lock()
    with pytest.raises(ConfigurationError, match="cannot be pickled"):
        RayActorPool(lambda llm: lock, [A])


async def test_an_endpoint_that_does_not_answer_the_probe_is_out_before_the_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="langsynth.engines.ray")
    with StubServer(endpoints=1, latency_s=0.01) as stub:
        closed = "http://127.0.0.1:9/v1"  # the discard port: nobody listens
        async with pool({}, [stub.urls[0], closed], probe=True, model=None) as p:
            results = await asyncio.gather(*(p.call("run", i) for i in range(4)))
        assert {r["url"] for r in results} == {stub.urls[0]}
        assert p.models[stub.urls[0]] == "stub"  # the model name comes from /v1/models
        assert not p.counters[1].alive and p.counters[1].calls == 0
        assert any("before the run" in r.message for r in caplog.records)
    with pytest.raises(AllEndpointsDownError):
        await pool({}, [closed], probe=True).start()


async def test_record_generators_in_actors_on_stub_endpoints_with_counters() -> None:
    with StubServer(endpoints=2, latency_s=0.05, tokens_per_s=500, seed=3) as stub:
        async with RayActorPool(make_generator, stub.urls, slots_per_endpoint=4) as p:
            records = await asyncio.gather(*(p.call("ainvoke", None) for _ in range(24)))
        served = stub.stats()
    assert all(isinstance(r, MedicalBilling) for r in records)
    assert len({r.model_dump_json() for r in records}) == 24  # endpoints answer unalike
    for counters, server in zip(p.counters, served, strict=True):
        assert counters.completed > 0  # both endpoints served
        assert counters.requests == server["answered"]
        assert counters.input_tokens == server["prompt_tokens"]
        assert counters.output_tokens == server["completion_tokens"]


async def test_a_stub_endpoint_dying_mid_run_leaves_the_run_to_the_other() -> None:
    with StubServer(endpoints=2, latency_s=0.05, faults={1: "die_after:3"}) as stub:
        async with RayActorPool(
            make_generator, stub.urls, slots_per_endpoint=2, max_consecutive_faults=2
        ) as p:
            records = await asyncio.gather(*(p.call("ainvoke", None) for _ in range(16)))
    assert len(records) == 16 and all(isinstance(r, MedicalBilling) for r in records)
    assert p.counters[0].alive and not p.counters[1].alive
    assert p.counters[1].completed >= 3
