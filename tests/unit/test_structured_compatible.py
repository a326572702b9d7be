"""Structured output on OpenAI-compatible servers, whatever the model is called.

The requests are captured by an httpx transport (no socket): what matters is the payload
that reaches the server, and that the server's answer is read back.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from langchain_openai import ChatOpenAI
from pydantic import BaseModel

from langsynth.chains.structured import is_openai_platform, structured_runnable

LOCAL = "http://127.0.0.1:8080/v1"


class Person(BaseModel):
    name: str
    age: int


def _reply(body: dict[str, Any]) -> dict[str, Any]:
    if body.get("tools"):
        message: dict[str, Any] = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "Person", "arguments": '{"name": "Ann", "age": 3}'},
                }
            ],
        }
        finish = "tool_calls"
    else:
        message = {"role": "assistant", "content": '{"name": "Ann", "age": 3}'}
        finish = "stop"
    return {
        "id": "x",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", "m"),
        "choices": [{"index": 0, "finish_reason": finish, "message": message}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12},
    }


def _client(seen: list[dict[str, Any]], **kwargs: Any) -> ChatOpenAI:
    def handle(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append(body)
        return httpx.Response(200, json=_reply(body))

    transport = httpx.MockTransport(handle)
    return ChatOpenAI(
        api_key="none",  # type: ignore[arg-type]
        http_client=httpx.Client(transport=transport),
        http_async_client=httpx.AsyncClient(transport=transport),
        max_retries=0,
        **kwargs,
    )


def test_openai_platform_is_told_apart_from_compatible_servers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_BASE", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert is_openai_platform(ChatOpenAI(api_key="k"))  # type: ignore[arg-type]
    assert is_openai_platform(ChatOpenAI(api_key="k", base_url="https://api.openai.com/v1"))  # type: ignore[arg-type]
    assert not is_openai_platform(ChatOpenAI(api_key="k", base_url=LOCAL))  # type: ignore[arg-type]
    monkeypatch.setenv("OPENAI_API_BASE", "http://localhost:11434/v1")  # Ollama, tutorial style
    assert not is_openai_platform(ChatOpenAI(api_key="k"))  # type: ignore[arg-type]
    monkeypatch.delenv("OPENAI_API_BASE")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:8000/v1")  # read by the SDK
    assert not is_openai_platform(ChatOpenAI(api_key="k"))  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["gpt-3.5-turbo", "gpt-4", "qwen2.5-coder", "local"])
def test_json_schema_reaches_a_compatible_server_whatever_the_model_name(name: str) -> None:
    seen: list[dict[str, Any]] = []
    llm = _client(seen, model=name, base_url=LOCAL)
    runnable, method = structured_runnable(llm, Person, "json_schema")
    result = runnable.invoke("Ann is three.")
    assert method == "json_schema"
    sent = seen[0]
    assert "tools" not in sent and "tool_choice" not in sent
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["schema"]["properties"].keys() == {
        "name",
        "age",
    }
    assert result["parsed"] == {"name": "Ann", "age": 3}
    assert result["raw"].usage_metadata["output_tokens"] == 7


def test_tool_calling_on_a_compatible_server_forces_the_call_with_required() -> None:
    seen: list[dict[str, Any]] = []
    llm = _client(seen, model="gpt-3.5-turbo", base_url=LOCAL)
    runnable, _ = structured_runnable(llm, Person, "function_calling")
    result = runnable.invoke("Ann is three.")
    assert seen[0]["tool_choice"] == "required"
    assert [t["function"]["name"] for t in seen[0]["tools"]] == ["Person"]
    assert result["parsed"] == {"name": "Ann", "age": 3}


def test_a_compatible_server_answering_text_to_a_tool_request_is_no_structured_output() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        body.pop("tools")  # the reply builder answers text when no tools
        return httpx.Response(200, json=_reply(body))

    transport = httpx.MockTransport(handle)
    llm = ChatOpenAI(
        api_key="none",  # type: ignore[arg-type]
        base_url=LOCAL,
        http_client=httpx.Client(transport=transport),
        max_retries=0,
    )
    runnable, _ = structured_runnable(llm, Person, "function_calling")
    assert runnable.invoke("Ann is three.")["parsed"] is None


def test_the_openai_platform_keeps_langchains_own_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_BASE", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    seen: list[dict[str, Any]] = []
    llm = _client(seen, model="gpt-4o-mini")
    runnable, _ = structured_runnable(llm, Person, "json_schema")
    runnable.invoke("Ann is three.")
    assert seen[0]["response_format"]["type"] == "json_schema"
    assert seen[0]["response_format"]["json_schema"]["name"] == "Person"


def test_a_tool_call_written_as_text_is_read_from_the_text() -> None:
    from langchain_core.messages import AIMessage

    from langsynth.chains.structured import text_tool_call

    # What the embedded server returns for a forced call (measured): a JSON block, no calls.
    said = '```json\n{"name": "Person", "arguments": {"name": "Ann", "age": 3}}\n```\n\n\n'
    assert text_tool_call(AIMessage(content=said), "Person") == {"name": "Ann", "age": 3}
    assert text_tool_call(AIMessage(content=said), "Other") is None  # another tool
    assert text_tool_call(AIMessage(content="I cannot."), "Person") is None
    assert text_tool_call(AIMessage(content='{"name": "Ann", "age": 3}'), "Person") is None


def test_a_tool_call_on_a_compatible_server_carries_the_calls_shape_for_text_answers() -> None:
    seen: list[dict[str, Any]] = []
    llm = _client(seen, model="qwen2.5-coder-0.5b", base_url=LOCAL)
    runnable, _ = structured_runnable(llm, Person, "function_calling")
    runnable.invoke("Ann is three.")
    shape = seen[0]["json_schema"]
    assert shape["properties"]["name"] == {"const": "Person"}
    assert shape["properties"]["arguments"]["properties"].keys() == {"name", "age"}
    assert shape["required"] == ["name", "arguments"]
