"""The stub OpenAI-compatible fleet: protocol, schema-valid answers, timing, faults.

These tests talk to real sockets on 127.0.0.1 only (``allow_hosts``); no model runs.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import openai
import pytest
import pytest_asyncio

pytest.importorskip(
    "aiohttp", reason="the stub endpoint needs aiohttp: pip install 'langsynth[ray]'"
)

from langsynth.chains.generator import RecordGenerator
from langsynth.errors import ConfigurationError
from langsynth.llm import Settings, get_chat_model
from langsynth.schemas import MedicalBilling, MovieRecommendation
from langsynth.testing.stub_fleet import EndpointBehaviour, StubFleet
from langsynth.testing.stub_server import StubServer, main, parse_fault

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


@pytest_asyncio.fixture(loop_scope="function")  # the loop the test runs on serves it
async def fleet(request: pytest.FixtureRequest) -> AsyncIterator[StubFleet]:
    behaviours = getattr(request, "param", None) or [EndpointBehaviour(latency_s=0.01)]
    stub = StubFleet(["medical_billing", "movie_recommendation"], behaviours, seed=1)
    await stub.start()
    yield stub
    await stub.stop()


def chat(url: str, **kwargs: Any) -> Any:
    return get_chat_model(
        "openai-compatible:stub", settings=Settings(base_url=url), max_retries=0, **kwargs
    )


async def post(url: str, body: dict[str, Any], timeout: float = 10) -> httpx.Response:
    async with httpx.AsyncClient(timeout=timeout) as client:
        return await client.post(url + "/chat/completions", json=body)


async def test_models_health_and_stats_are_served(fleet: StubFleet) -> None:
    url = fleet.urls[0]
    assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
    async with httpx.AsyncClient() as client:
        models = (await client.get(url + "/models")).json()
        health = await client.get(url.removesuffix("/v1") + "/health")
        stats = (await client.get(url.removesuffix("/v1") + "/stats")).json()
    assert models["data"][0]["id"] == "stub"
    assert health.status_code == 200
    assert stats["requests"] == 0


async def test_json_schema_requests_get_valid_records_with_usage(fleet: StubFleet) -> None:
    llm = chat(fleet.urls[0])
    generator = RecordGenerator("medical_billing", llm, concurrency=4)
    assert generator.method == "json_schema"
    result = await generator.agenerate(12)
    assert result.complete and len(result.records) == 12
    assert result.stats.usage.input_tokens > 0 and result.stats.usage.output_tokens > 0
    stats = fleet.stats()[0]
    assert stats["answered"] == result.stats.usage.calls


async def test_the_schema_is_found_by_name_by_grammar_and_by_tool(fleet: StubFleet) -> None:
    url = fleet.urls[0]
    # llama.cpp's GBNF spells field names as quoted literals ...
    names = " ".join(f'"\\"{n}\\""' for n in MovieRecommendation.model_fields)
    body = {"messages": [{"role": "user", "content": "a film"}], "grammar": f"root ::= {names}"}
    reply = (await post(url, body)).json()["choices"][0]["message"]["content"]
    MovieRecommendation.model_validate_json(reply)
    # ... and llguidance's grammar (what langsynth sends to the embedded server) holds the schema.
    schema = json.dumps(MovieRecommendation.model_json_schema())
    body["grammar"] = f"%llguidance {{}}\nstart: %json {schema}\n"
    reply = (await post(url, body)).json()["choices"][0]["message"]["content"]
    MovieRecommendation.model_validate_json(reply)

    tools = RecordGenerator("movie_recommendation", chat(url), method="function_calling")
    films = await tools.agenerate(3)
    assert len(films.records) == 3 and all(
        isinstance(f, MovieRecommendation) for f in films.records
    )

    billing = RecordGenerator("medical_billing", chat(url), method="json_schema")
    assert all(isinstance(r, MedicalBilling) for r in (await billing.agenerate(3)).records)


async def test_an_unregistered_schema_is_faked_from_the_schema_sent(fleet: StubFleet) -> None:
    schema = {
        "title": "Point",
        "type": "object",
        "properties": {"x": {"type": "integer", "minimum": 0, "maximum": 9}},
        "required": ["x"],
    }
    body = {
        "messages": [{"role": "user", "content": "a point"}],
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "Point", "schema": schema},
        },
    }
    content = json.loads(
        (await post(fleet.urls[0], body)).json()["choices"][0]["message"]["content"]
    )
    assert 0 <= content["x"] <= 9


@pytest.mark.parametrize(
    "fleet", [[EndpointBehaviour(latency_s=0.3, tokens_per_s=100, text_tokens=20)]], indirect=True
)
async def test_latency_and_decode_speed_are_simulated(fleet: StubFleet) -> None:
    start = time.perf_counter()
    reply = await chat(fleet.urls[0]).ainvoke("hello")
    elapsed = time.perf_counter() - start
    tokens = reply.usage_metadata["output_tokens"]
    assert tokens >= 15
    assert elapsed >= 0.3 + tokens / 100 - 0.02
    assert elapsed < 0.3 + tokens / 100 + 1.0


async def test_streaming_sends_chunks_and_usage(fleet: StubFleet) -> None:
    llm = chat(fleet.urls[0], streaming=True, stream_usage=True)
    chunks = [chunk async for chunk in llm.astream("tell me something")]
    assert len(chunks) > 3
    text = "".join(str(c.content) for c in chunks)
    assert len(text) > 40
    assert sum((c.usage_metadata or {}).get("output_tokens", 0) for c in chunks) > 0


async def test_max_tokens_cuts_the_answer_with_finish_reason_length(fleet: StubFleet) -> None:
    body = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 3}
    choice = (await post(fleet.urls[0], body)).json()["choices"][0]
    assert choice["finish_reason"] == "length"
    assert len(choice["message"]["content"]) <= 12


@pytest.mark.parametrize(
    "fleet",
    [
        [
            EndpointBehaviour(latency_s=0.01, fault="always"),
            EndpointBehaviour(latency_s=0.01, fault="hang"),
            EndpointBehaviour(latency_s=0.01, fault="die_after", die_after=2),
        ]
    ],
    indirect=True,
)
async def test_injected_faults(fleet: StubFleet) -> None:
    failing, hanging, dying = fleet.urls
    with pytest.raises(openai.InternalServerError):
        await chat(failing).ainvoke("x")
    with pytest.raises(openai.APITimeoutError):
        await chat(hanging, timeout=0.5).ainvoke("x")
    llm = chat(dying)
    await llm.ainvoke("1")
    await llm.ainvoke("2")
    await asyncio.sleep(0.3)  # the endpoint closes right after its second answer
    with pytest.raises(openai.APIConnectionError):
        await llm.ainvoke("3")
    stats = fleet.stats()
    assert stats[0]["failed"] == 1
    assert stats[2]["answered"] == 2 and stats[2]["dead"]


@pytest.mark.parametrize(
    "fleet", [[EndpointBehaviour(latency_s=0.5, tokens_per_s=1000)] * 32], indirect=True
)
async def test_one_process_serves_32_endpoints_with_4_slots_each_at_once(fleet: StubFleet) -> None:
    body = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 20}
    start = time.perf_counter()
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=200)) as client:
        replies = await asyncio.gather(
            *(
                client.post(url + "/chat/completions", json=body)
                for url in fleet.urls
                for _ in range(4)
            )
        )
    elapsed = time.perf_counter() - start
    assert all(r.status_code == 200 for r in replies) and len(replies) == 128
    # Served concurrently: 128 requests of ~0.52 s each took about one request's time.
    assert elapsed < 0.52 * 4, f"{elapsed:.2f}s"
    assert all(s["max_in_flight"] == 4 for s in fleet.stats())


def test_fault_specs_parse_and_bad_ones_say_the_syntax() -> None:
    assert parse_fault("2=die_after:5")[0] == 2
    assert parse_fault("2=die_after:5")[1].die_after == 5
    assert parse_fault("0=hang")[1].fault == "hang"
    for bad in ("x=hang", "1=explode", "1=die_after", "hang"):
        with pytest.raises(ConfigurationError, match="Bad --fault"):
            parse_fault(bad)


def test_behaviour_rejects_bad_values() -> None:
    with pytest.raises(ConfigurationError):
        EndpointBehaviour(fault="sometimes")
    with pytest.raises(ConfigurationError):
        EndpointBehaviour(tokens_per_s=0)
    with pytest.raises(ConfigurationError, match="loopback"):
        StubFleet([], host="0.0.0.0")


def test_the_command_line_rejects_a_fault_on_a_missing_endpoint(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--endpoints", "1", "--fault", "3=hang"]) == 2
    assert "only 1 endpoints" in capsys.readouterr().err


def test_stub_server_process_serves_and_reports_final_counters() -> None:
    with StubServer(endpoints=2, latency_s=0.01, faults={1: "always"}) as stub:
        assert len(stub.urls) == 2
        httpx.post(stub.urls[0] + "/chat/completions", json={"messages": []}, timeout=10)
        httpx.post(stub.urls[1] + "/chat/completions", json={"messages": []}, timeout=10)
        live = stub.stats()
        pid = stub.pid
    assert live[0]["answered"] == 1
    assert [s["requests"] for s in stub.final_stats] == [1, 1]
    assert stub.final_stats[1]["failed"] == 1
    assert pid is not None and stub.pid is None
