"""Endpoints of a scale-out run, the fault rules, and Ray staying optional (no Ray needed)."""

from __future__ import annotations

import pickle
import subprocess
import sys

import httpx
import openai
import pytest
from pydantic import SecretStr

from langsynth.engines.endpoints import (
    Endpoint,
    EndpointCounters,
    describe_fault,
    is_endpoint_fault,
    parse_endpoints,
)
from langsynth.errors import (
    AllEndpointsDownError,
    ConfigurationError,
    ExamplesError,
    MissingAPIKeyError,
    ServerDiedError,
)


def test_urls_become_openai_base_urls() -> None:
    assert Endpoint.parse("http://10.0.0.5:8000").url == "http://10.0.0.5:8000/v1"
    assert Endpoint.parse(" http://h:1/v1/ ").url == "http://h:1/v1"
    assert Endpoint.parse("https://api.example.com/v1").server_url == "https://api.example.com"
    endpoints = parse_endpoints("http://a:1, http://b:2/v1,", slots=8, model="qwen")
    assert [e.url for e in endpoints] == ["http://a:1/v1", "http://b:2/v1"]
    assert all(e.slots == 8 and e.model == "qwen" for e in endpoints)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("a:1", "not an http"),
        ("", "No endpoints"),
        ("http://a:1,http://a:1/v1", "listed twice"),
    ],
)
def test_bad_endpoint_lists_say_what_to_pass(value: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        parse_endpoints(value)


def test_slots_must_be_positive_and_keys_stay_secret() -> None:
    with pytest.raises(ConfigurationError, match="slots"):
        Endpoint("http://a:1/v1", slots=0)
    endpoint = Endpoint("http://a:1/v1", api_key=SecretStr("sk-secret-123"))
    assert "sk-secret-123" not in repr(endpoint)


def _status_error(status: int) -> openai.APIStatusError:
    request = httpx.Request("POST", "http://a:1/v1/chat/completions")
    response = httpx.Response(status, request=request, json={"error": {"message": "x"}})
    return openai.APIStatusError("x", response=response, body=None)


@pytest.mark.parametrize(
    ("exc", "fault"),
    [
        (openai.APIConnectionError(request=httpx.Request("POST", "http://a")), True),
        # a timeout or a 5xx of one request is that row's failure (row_failure records it);
        # an endpoint that hangs is caught by the pool's call timeout (TimeoutError)
        (openai.APITimeoutError(request=httpx.Request("POST", "http://a")), False),
        (httpx.ConnectError("refused"), True),
        (httpx.ReadTimeout("slow"), True),
        (ConnectionResetError(), True),
        (TimeoutError(), True),
        (ServerDiedError("the embedded server stopped"), True),
        (_status_error(500), False),
        (_status_error(503), False),
        (_status_error(429), True),
        (_status_error(401), True),
        (_status_error(400), False),  # the request is wrong: about the row, not the server
        (_status_error(422), False),
        (ConfigurationError("bad setting"), False),
        (TypeError("bug"), False),
        (ValueError("bad row"), False),
    ],
)
def test_which_errors_are_the_endpoints_fault(exc: BaseException, fault: bool) -> None:
    assert is_endpoint_fault(exc) is fault


def test_fault_descriptions_are_one_line_with_the_status() -> None:
    assert describe_fault(_status_error(503)).startswith("APIStatusError 503")
    assert describe_fault(httpx.ConnectError("refused\nmore")) == "ConnectError: refused"
    assert describe_fault(TimeoutError()) == "TimeoutError"


def test_counters_add_usage_deltas() -> None:
    counters = EndpointCounters("http://a:1/v1")
    counters.add_usage({"requests": 2, "input_tokens": 10, "output_tokens": 4})
    counters.add_usage({"requests": 1, "request_errors": 1, "cached_input_tokens": 3})
    row = counters.to_dict()
    assert (row["requests"], row["request_errors"], row["input_tokens"]) == (3, 1, 10)
    assert (row["output_tokens"], row["cached_input_tokens"]) == (4, 3)


@pytest.mark.parametrize(
    "exc",
    [
        MissingAPIKeyError("OPENAI_API_KEY", "openai:gpt-4o-mini"),
        ExamplesError("bad value", path="x.jsonl", line=3, field="year"),
        ServerDiedError("gone", "last log line"),
        AllEndpointsDownError("all down", {"http://a:1/v1": "refused"}),
    ],
)
def test_errors_pickle_as_themselves(exc: Exception) -> None:
    # A LangsynthError raised in a Ray worker must reach the driver with its attributes.
    copy = pickle.loads(pickle.dumps(exc))
    assert type(copy) is type(exc)
    assert str(copy) == str(exc) and copy.__dict__ == exc.__dict__


def test_the_core_does_not_import_ray() -> None:
    code = (
        "import sys, langsynth, langsynth.cli, langsynth.engines.endpoints, "
        "langsynth.testing.stub_server; print('ray' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_without_ray_the_engine_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from langsynth.engines import ray as engine

    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    with pytest.raises(ConfigurationError, match=r"pip install 'langsynth\[ray\]'"):
        engine.import_ray()
