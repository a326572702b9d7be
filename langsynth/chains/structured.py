"""One structured call: messages in, a validated Pydantic object (or a reason) out, raw kept.

LangChain's ``with_structured_output(PydanticModel)`` on ChatOpenAI validates inside the
OpenAI SDK, so a record that breaks a cross-field rule raises from the call and its raw
output is lost. We ask for the model's *JSON schema* instead (still grammar-constrained on
llama.cpp, ``response_format`` on OpenAI, a forced tool call elsewhere) and validate with
Pydantic ourselves, so every failure keeps the raw text and a readable reason that can be
fed back to the model.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.runnables import Runnable, RunnableConfig
from pydantic import BaseModel, ValidationError

from langsynth.errors import LangsynthError
from langsynth.model_errors import TRUNCATED, row_failure
from langsynth.results import Usage
from langsynth.schemas.info import describe_validation_error

METHODS = ("auto", "llama_grammar", "json_schema", "function_calling", "json_mode")


@dataclass
class StructuredOutcome:
    """What one structured call produced. ``value`` is set on success, ``error`` otherwise."""

    value: BaseModel | None
    raw: str
    error: str | None = None
    usage: Usage = field(default_factory=Usage)
    latency_s: float = 0.0
    truncated: bool = False
    message: BaseMessage | None = field(default=None, repr=False)  # the raw reply (metadata)

    @property
    def ok(self) -> bool:
        return self.value is not None


def raw_text(message: BaseMessage | None) -> str:
    """The model's answer as text: tool-call arguments as JSON, else the content."""
    if message is None:
        return ""
    calls = getattr(message, "tool_calls", None) or []
    if calls:
        return json.dumps(calls[0].get("args", {}), ensure_ascii=False)
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(part if isinstance(part, str) else str(part.get("text", "")) for part in content)


def json_schema_of(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with a ``title`` (used as the response-format / tool name)."""
    schema = model.model_json_schema()
    schema.setdefault("title", model.__name__)
    return schema


def _closed(schema: Any) -> Any:
    """Copy of a JSON schema where every object forbids extra properties."""
    if isinstance(schema, dict):
        out: dict[str, Any] = {
            k: v if k in ("const", "enum") else _closed(v)  # values, not schemas
            for k, v in schema.items()
        }
        if out.get("type") == "object" and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_closed(v) for v in schema]
    return schema


@functools.lru_cache(maxsize=64)
def compact_json_grammar(model: type[BaseModel]) -> str | None:
    """A llama.cpp grammar for ``model`` that also forbids whitespace between JSON tokens.

    llama.cpp's ``response_format`` grammar lets the model pretty-print, which costs about a
    fifth more output tokens per record (73 vs 57 for a MedicalBilling record); the compact
    form is the same JSON for less decoding. ``None`` if xllamacpp is not installed.
    """
    return compact_grammar(json_schema_of(model))


def compact_grammar(schema: dict[str, Any]) -> str | None:
    """:func:`compact_json_grammar` for a JSON schema (e.g. one of :func:`pinned_schema`)."""
    try:
        import xllamacpp
    except ImportError:
        return None
    closed: dict[str, Any] = _closed(schema)
    closed["x-guidance"] = {
        "whitespace_flexible": False,
        "key_separator": ":",
        "item_separator": ",",
    }
    return str(xllamacpp.json_schema_to_grammar(json.dumps(closed)))


def pinned_schema(model: type[BaseModel], values: Mapping[str, Any]) -> dict[str, Any]:
    """``model``'s JSON schema with the fields in ``values`` fixed to those (JSON) values.

    Each fixed field becomes a required ``const`` and comes first, so the model writes the
    remaining fields after it has read (decoded) the fixed ones, as it would after a hint.
    Grammar-constrained decoding then emits the fixed values token by token: they are
    processed once, as output, instead of once as an uncached prompt hint and again as output.

    >>> from pydantic import BaseModel
    >>> class Row(BaseModel):
    ...     text: str
    ...     year: int
    >>> schema = pinned_schema(Row, {"year": 1990})
    >>> list(schema["properties"]), schema["properties"]["year"]
    (['year', 'text'], {'const': 1990})
    """
    schema = json_schema_of(model)
    properties = schema.get("properties", {})
    fixed = {name: {"const": values[name]} for name in properties if name in values}
    schema["properties"] = {
        **fixed,
        **{name: spec for name, spec in properties.items() if name not in fixed},
    }
    schema["required"] = list(dict.fromkeys([*fixed, *schema.get("required", [])]))
    return schema


def is_llamacpp(llm: BaseChatModel) -> bool:
    """True for the embedded llama.cpp server (``local`` specs)."""
    from langsynth.specs import model_spec_of

    return model_spec_of(llm).startswith("local")


def _parse_json_reply(message: BaseMessage) -> dict[str, Any]:
    try:
        return {"raw": message, "parsed": json.loads(raw_text(message)), "parsing_error": None}
    except ValueError as exc:
        return {"raw": message, "parsed": None, "parsing_error": exc}


def is_openai_platform(llm: BaseChatModel) -> bool:
    """True for a ChatOpenAI that talks to OpenAI itself (or Azure), not to a compatible server.

    LangChain's per-model-name rules (which models have structured outputs, ...) are about
    OpenAI's models; a server at another base URL (llama.cpp, vLLM, Ollama, LM Studio) serves
    models under any name and supports what its own API says.
    """
    from langchain_openai.chat_models.base import BaseChatOpenAI

    if not isinstance(llm, BaseChatOpenAI):
        return False
    if type(llm).__name__.startswith("Azure"):
        return True
    import os
    from urllib.parse import urlparse

    # ChatOpenAI reads OPENAI_API_BASE; the openai SDK then falls back to OPENAI_BASE_URL.
    base = str(llm.openai_api_base or os.environ.get("OPENAI_BASE_URL") or "").strip()
    if not base:
        return True  # the SDK default, api.openai.com

    host = (urlparse(base).hostname or "").lower()
    return host == "api.openai.com" or host.endswith(".openai.azure.com")


def text_tool_call(message: BaseMessage, tool_name: str) -> dict[str, Any] | None:
    """The arguments of a tool call the model *wrote as text*, else ``None``.

    Measured on the embedded llama.cpp server (xllamacpp 2026.10): Qwen2.5 Coder 0.5B answers
    a forced tool call (``tool_choice`` named or ``"required"``) with the call as a JSON block
    in the content, ``{"name": "<tool>", "arguments": {...}}``, and no ``tool_calls`` (without
    the call-shape schema :func:`_bind_compatible` sends, it sometimes wrote another shape, and
    with ``"required"`` newlines up to ``max_tokens``). The call is in the text, so it is read
    from there.
    """
    from langchain_core.utils.json import parse_json_markdown

    content = message.content if isinstance(message.content, str) else raw_text(message)
    try:
        value = parse_json_markdown(content.strip())
    except Exception:  # no JSON in the text: no call
        return None
    if not isinstance(value, dict) or value.get("name") != tool_name:
        return None
    args = value.get("arguments", value.get("parameters"))
    return args if isinstance(args, dict) else None


def _text_call_schema(tool_name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The JSON schema of a tool call written as text: ``{"name": <tool>, "arguments": {...}}``."""
    return {
        "type": "object",
        "properties": {"name": {"const": tool_name}, "arguments": schema},
        "required": ["name", "arguments"],
        "additionalProperties": False,
    }


def _tool_reply_parser(tool_name: str) -> Any:
    def parse(message: BaseMessage) -> dict[str, Any]:
        calls = getattr(message, "tool_calls", None) or []
        if calls:
            args = calls[0].get("args")
            parsed = args if isinstance(args, dict) else None
        else:
            parsed = text_tool_call(message, tool_name)
        return {"raw": message, "parsed": parsed, "parsing_error": None}

    return parse


def _bind_compatible(
    llm: BaseChatModel, schema: dict[str, Any], method: str
) -> Runnable[Any, dict[str, Any]] | None:
    """Bind a compatible (non-OpenAI) server directly, whatever its model is called.

    ``with_structured_output(method="json_schema")`` silently switches to a forced tool call
    for model names LangChain believes lack structured outputs (``gpt-3.5-turbo``, the
    ``ChatOpenAI()`` default), and a named ``tool_choice`` is not honoured by every llama.cpp
    chat template (the model then answers in text). ``response_format`` with the schema, and
    ``tool_choice="required"`` with the one tool, work on vLLM, Ollama and llama-server with
    a tool-aware template. The embedded server does not force the call for Qwen2.5 Coder (see
    :func:`text_tool_call`): there the tool is named, which ends the answer cleanly, and the
    call is read from the text.
    """
    from langchain_core.runnables import RunnableLambda

    if method == "json_schema":
        name = "".join(c if c.isalnum() or c in "_-" else "_" for c in str(schema["title"]))
        response_format = {
            "type": "json_schema",
            "json_schema": {"name": name[:64] or "record", "schema": schema},
        }
        return llm.bind(response_format=response_format) | RunnableLambda(_parse_json_reply)
    if method == "function_calling":
        name = str(schema["title"])
        choice = name if is_llamacpp(llm) else "required"
        # llama.cpp writes the call as text when its chat template has no tool-call format
        # (see text_tool_call); a JSON schema beside the tools holds that text to the call's
        # shape there and ends it cleanly. Servers that do not know the field ignore it.
        bound = llm.bind_tools([schema], tool_choice=choice, parallel_tool_calls=False).bind(
            extra_body={"json_schema": _text_call_schema(name, schema)}
        )
        return bound | RunnableLambda(_tool_reply_parser(name))
    return None


def structured_runnable(
    llm: BaseChatModel,
    model: type[BaseModel],
    method: str = "auto",
    *,
    schema: dict[str, Any] | None = None,
) -> tuple[Runnable[Any, dict[str, Any]], str]:
    """Bind ``llm`` to return ``{"raw", "parsed", "parsing_error"}`` for ``model``'s schema.

    ``auto`` picks a compact-JSON grammar on the embedded llama.cpp server, ``json_schema``
    for other OpenAI-compatible models (grammar-constrained on vLLM too) and tool calling
    otherwise. ``schema`` replaces the JSON schema sent to the model (the answer is still
    validated against ``model`` by the caller). Returns the runnable and the method used.
    """
    from langchain_core.runnables import RunnableLambda
    from langchain_openai.chat_models.base import BaseChatOpenAI

    if method not in METHODS:
        raise LangsynthError(f"Unknown structured-output method {method!r}; use one of {METHODS}.")
    if method == "auto":
        if is_llamacpp(llm) and isinstance(llm, BaseChatOpenAI):
            method = "llama_grammar"
        elif isinstance(llm, BaseChatOpenAI):
            method = "json_schema"
        else:
            method = "function_calling"
    if method == "llama_grammar":
        grammar = compact_json_grammar(model) if schema is None else compact_grammar(schema)
        if grammar is not None:
            bound = llm.bind(extra_body={"grammar": grammar})
            return bound | RunnableLambda(_parse_json_reply), method
        method = "json_schema"
    schema = schema if schema is not None else json_schema_of(model)
    if isinstance(llm, BaseChatOpenAI) and not is_openai_platform(llm):
        direct = _bind_compatible(llm, schema, method)
        if direct is not None:
            return direct, method
    try:
        runnable = llm.with_structured_output(schema, method=method, include_raw=True)
    except NotImplementedError:
        raise LangsynthError(
            f"{type(llm).__name__} supports neither JSON-schema output nor tool calling; "
            "use a chat model that does (any OpenAI-compatible server works)."
        ) from None
    return cast("Runnable[Any, dict[str, Any]]", runnable), method


def outcome_from(
    result: dict[str, Any], model: type[BaseModel], latency: float
) -> StructuredOutcome:
    """Validate the parsed JSON of a ``structured_runnable`` result with Pydantic."""
    message = result.get("raw")
    text = raw_text(message)
    usage = Usage.of(message)
    meta = getattr(message, "response_metadata", None) or {}
    truncated = meta.get("finish_reason") == "length"
    parsed = result.get("parsed")
    if isinstance(parsed, BaseModel):
        parsed = parsed.model_dump()
    if parsed is None:
        if truncated:
            reason = TRUNCATED
        elif result.get("parsing_error") is not None:
            reason = f"the answer is not valid JSON ({str(result['parsing_error'])[:200]})"
        else:
            reason = "the model returned no structured output"
        return StructuredOutcome(None, text, reason, usage, latency, truncated)
    try:
        value = model.model_validate(parsed)
    except ValidationError as exc:
        return StructuredOutcome(
            None, text, describe_validation_error(exc), usage, latency, message=message
        )
    return StructuredOutcome(value, text, None, usage, latency, message=message)


async def acall(
    runnable: Runnable[Any, dict[str, Any]],
    model: type[BaseModel],
    messages: Sequence[BaseMessage],
    config: RunnableConfig | None = None,
) -> StructuredOutcome:
    """One call; an exception about *this answer* becomes a failed outcome.

    Connection problems, a bad key or a dead embedded server are not about the answer: they
    raise :class:`~langsynth.errors.ModelUnavailableError` (see :mod:`langsynth.model_errors`).
    """
    start = time.perf_counter()
    try:
        result = await runnable.ainvoke(list(messages), config=config)
    except Exception as exc:
        reason = row_failure(exc)
        usage, text = spent(exc)
        truncated = reason == TRUNCATED
        return StructuredOutcome(
            None, text, reason, usage, time.perf_counter() - start, truncated=truncated
        )
    return outcome_from(result, model, time.perf_counter() - start)


def spent(exc: BaseException) -> tuple[Usage, str]:
    """What a failed call still cost and said. An answer cut off at ``max_tokens`` arrives as
    openai's ``LengthFinishReasonError``, whose ``completion`` holds the usage and the text:
    up to ``max_tokens`` decoded tokens that tokens/s and cost would otherwise not count, and
    the text the rejected row keeps as ``raw_output``. Other failures: one call, nothing known."""
    completion = getattr(exc, "completion", None)
    choices = getattr(completion, "choices", None) or [None]
    text = getattr(getattr(choices[0], "message", None), "content", None)
    usage = Usage.of_completion(getattr(completion, "usage", None))
    return usage, text if isinstance(text, str) else ""


def feedback_messages(outcome: StructuredOutcome) -> list[BaseMessage]:
    """Messages that show the model its invalid answer and why, for a retry."""
    from langchain_core.messages import HumanMessage

    shown = outcome.raw[:1500] if outcome.raw else "(no answer)"
    return [
        AIMessage(content=shown),
        HumanMessage(
            content=(
                f"That answer is invalid: {outcome.error}. "
                "Answer again with one corrected JSON record that fixes exactly these problems."
            )
        ),
    ]


async def call_with_feedback(
    runnable: Runnable[Any, dict[str, Any]],
    model: type[BaseModel],
    messages: Sequence[BaseMessage],
    *,
    max_retries: int,
    check: Callable[[BaseModel], str | None] | None = None,
    config: RunnableConfig | None = None,
) -> list[StructuredOutcome]:
    """The one retry loop: call, validate (+ ``check``), and on failure retry with the
    invalid answer and the reason fed back, up to ``max_retries`` times.

    Returns every outcome; the last one is the answer (``value`` set) or the final failure.
    ``check(value)`` returns a reason to reject a schema-valid value (cross-field rules the
    schema cannot express), or ``None``.
    """
    outcomes: list[StructuredOutcome] = []
    current = list(messages)
    for _ in range(max(0, max_retries) + 1):
        outcome = await acall(runnable, model, current, config)
        if outcome.value is not None and check is not None:
            reason = check(outcome.value)
            if reason is not None:
                outcome.value, outcome.error = None, reason
        outcomes.append(outcome)
        if outcome.value is not None or outcome.truncated:
            break  # a cut-off answer repeats at the same max_tokens
        current = [*current, *feedback_messages(outcome)]
    return outcomes
