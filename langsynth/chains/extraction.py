"""Extraction chains: text -> schema-typed record, with four interchangeable strategies.

``create_extraction_chain(schema, llm, strategy=...)`` returns a Runnable that maps a text (or
``{"text": ...}``) to a validated Pydantic record, or to an :class:`ExtractionFailure` that keeps
the raw model output and the reason; it never raises for a bad answer, so ``batch`` and
``extract_many`` always return one result per text. Strategies:

- ``json_schema``: ``response_format`` with the schema's JSON Schema (grammar-constrained on
  llama.cpp and vLLM, structured outputs on OpenAI);
- ``tool_calling``: the schema as a tool the model is forced to call (OpenAI and most hosted
  APIs; the embedded llama.cpp server does not force tool calls for Qwen2.5 Coder, which
  answers in text: every row then fails with that reason);
- ``parser``: ``PydanticOutputParser`` format instructions in the prompt and the model's free
  text parsed (what seed 001 does);
- ``json_mode``: ``response_format={"type": "json_object"}`` and Pydantic validation.

All strategies share one prompt built for small models: a system message with the schema's
fields, types and descriptions and short rules, then (optionally) few-shot examples, then the
text between clear delimiters.

>>> chain = create_extraction_chain("actor_filmography", llm)  # doctest: +SKIP
>>> chain.invoke("Tom Hanks starred in Big and Splash.")  # doctest: +SKIP
ActorFilmography(Actor='Tom Hanks', Film=['Big', 'Splash'])
"""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, cast

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.runnables import Runnable, RunnableConfig
from pydantic import BaseModel, ValidationError

from langsynth._async import run_sync
from langsynth.chains.structured import (
    json_schema_of,
    raw_text,
    structured_runnable,
)
from langsynth.errors import ExtractionError
from langsynth.metrics import ExtractionFailure, row_id
from langsynth.model_errors import TRUNCATED, row_failure
from langsynth.results import Usage
from langsynth.runs import MapStep
from langsynth.schemas import SchemaInfo, describe_validation_error, load_schema

__all__ = [
    "STRATEGIES",
    "Extraction",
    "ExtractionChain",
    "ExtractionFailure",
    "create_extraction_chain",
    "extraction_system_prompt",
    "numbers_as_digits",
]

STRATEGIES: tuple[str, ...] = ("json_schema", "tool_calling", "parser", "json_mode")
_METHOD = {
    "json_schema": "json_schema",
    "tool_calling": "function_calling",
    "json_mode": "json_mode",
}

NO_TOOL_CALL = (
    "the model answered with text instead of calling the tool: this server or model does not "
    "force tool calls (the embedded llama.cpp server with Qwen2.5 Coder does not); use the "
    "json_schema strategy there"
)


@dataclass
class Extraction:
    """One extraction with its cost: the record or the failure, tokens and latency."""

    record: BaseModel | None
    failure: ExtractionFailure | None
    raw_output: str = ""
    usage: Usage = field(default_factory=Usage)
    latency_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.record is not None

    @property
    def error(self) -> str | None:
        return self.failure.error if self.failure is not None else None

    def to_row(self) -> dict[str, Any]:
        """``prediction`` (the record, or null), ``error``, ``raw_output``, ``parsed_output``."""
        failure = self.failure
        return {
            "prediction": self.record.model_dump(mode="json") if self.record is not None else None,
            "error": failure.error if failure is not None else None,
            "raw_output": self.raw_output if failure is not None else None,
            "parsed_output": failure.parsed_output if failure is not None else None,
        }

    @property
    def prediction(self) -> BaseModel | ExtractionFailure:
        """The record, or the failure (what the chain's ``invoke`` returns)."""
        if self.record is not None:
            return self.record
        assert self.failure is not None
        return self.failure


def _json_type(prop: Mapping[str, Any]) -> str:
    if "enum" in prop:
        return "one of: " + ", ".join(json.dumps(v) for v in prop["enum"])
    if "anyOf" in prop:
        kinds = [_json_type(p) for p in prop["anyOf"] if p.get("type") != "null"]
        nullable = any(p.get("type") == "null" for p in prop["anyOf"])
        return " or ".join(kinds) + (" or null" if nullable else "")
    kind = str(prop.get("type", "value"))
    if kind == "array":
        return "list of " + _json_type(prop.get("items", {})) + "s"
    return kind


def numbers_as_digits(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of a JSON Schema where every integer/number may also be a string of digits.

    Small models like to quote identifiers (``"271037"``). Under a grammar that forbids the
    quote, Qwen2.5 0.5B then wrote a wrong first digit (671037) in half of the medical
    billing texts. Allowing a digit string (which Pydantic converts, then range-checks) keeps
    the answer grammar-constrained and lets the model copy the number.
    """

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {key: walk(value) for key, value in node.items()}
        kind = out.get("type")
        if kind in ("integer", "number"):
            pattern = r"^-?[0-9]+$" if kind == "integer" else r"^-?[0-9]+(\.[0-9]+)?$"
            keep = {k: v for k, v in out.items() if k in ("title", "description", "default")}
            numeric = {k: v for k, v in out.items() if k not in keep}
            return {**keep, "anyOf": [numeric, {"type": "string", "pattern": pattern}]}
        return out

    result: dict[str, Any] = walk(schema)
    return result


def field_lines(model: type[BaseModel]) -> str:
    """``- name (type): description`` for each field of the schema."""
    props = model.model_json_schema().get("properties", {})
    lines = []
    for name, info in model.model_fields.items():
        desc = f": {info.description}" if info.description else ""
        lines.append(f"- {name} ({_json_type(props.get(name, {}))}){desc}")
    return "\n".join(lines)


def extraction_system_prompt(model: type[BaseModel], strategy: str = "json_schema") -> str:
    """The system message: what to extract (fields, types, descriptions) and the rules."""
    title = model.model_config.get("title") or model.__name__
    keys = ", ".join(model.model_fields)
    text = (
        f"You extract one {title} record from a text. Its fields:\n{field_lines(model)}\n\n"
        "Rules:\n"
        # "digit by digit": the 0.5B model otherwise let "6-digit" in a field description
        # replace the first digit of an ID (342453 -> 642453) in 2 of 19 medical texts.
        "- Copy every value exactly as it is written in the text; copy numbers and IDs digit "
        "by digit.\n"
        "- Numbers: digits only, without currency signs or thousands separators.\n"
        "- A list field collects every matching item mentioned in the text.\n"
        "- If the text does not give a value, use null (an empty list for a list field).\n"
        "- Never invent values that are not in the text."
    )
    if strategy == "json_mode":
        text += f"\n\nAnswer with one JSON object with exactly these keys: {keys}."
    elif strategy == "parser":
        from langchain_core.output_parsers import PydanticOutputParser

        parser = PydanticOutputParser(pydantic_object=model)
        text += "\n\n" + parser.get_format_instructions()
    return text


def _user_message(text: str) -> HumanMessage:
    return HumanMessage(content=f'Extract the record from this text:\n"""\n{text}\n"""')


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("text"), str):
        return cast("str", value["text"])
    raise ExtractionError(
        f"An extraction input must be a text or a mapping with a 'text' key, got "
        f"{type(value).__name__}."
    )


def _example_pair(example: Any) -> tuple[str, Mapping[str, Any]]:
    if isinstance(example, tuple) and len(example) == 2:
        text, record = example
    elif isinstance(example, Mapping) and "text" in example:
        text = example["text"]
        record = example.get("labels", example.get("record"))
    else:
        raise ExtractionError(
            "A few-shot example must be a (text, record) pair or a mapping with 'text' and "
            "'labels' keys."
        )
    if isinstance(record, BaseModel):
        record = record.model_dump(mode="json")
    if not isinstance(text, str) or not isinstance(record, Mapping):
        raise ExtractionError("A few-shot example needs a text (str) and a record (mapping).")
    return text, record


def _parse_json_object(text: str) -> dict[str, Any] | None:
    from langchain_core.utils.json import parse_json_markdown

    try:
        value = parse_json_markdown(text)
    except Exception:  # any non-JSON answer
        return None
    return value if isinstance(value, dict) else None


class ExtractionChain(MapStep):
    """Extract a record of ``schema`` from a text with one of :data:`STRATEGIES`.

    ``invoke(text)`` returns the validated record or an :class:`ExtractionFailure`;
    :meth:`aprocess` returns the :class:`Extraction` (with tokens and latency);
    ``run(rows_or_texts, output=...)`` writes ``id, prediction, error, raw_output,
    parsed_output`` rows on the run engine.
    """

    job: ClassVar[str] = "extract"
    output_columns = ("id", "prediction", "error", "raw_output", "parsed_output")

    def __init__(
        self,
        schema: str | type[BaseModel] | SchemaInfo,
        llm: BaseChatModel,
        strategy: str = "json_schema",
        *,
        examples: Sequence[Any] = (),
        text_field: str = "text",
        concurrency: int = 4,
    ) -> None:
        if strategy not in STRATEGIES:
            raise ExtractionError(
                f"Unknown extraction strategy {strategy!r}; use one of {', '.join(STRATEGIES)}."
            )
        self.info = load_schema(schema)
        self.model = self.info.model
        self.llm = llm
        self.strategy = strategy
        self.examples = [_example_pair(e) for e in examples]
        self.text_field = text_field
        self.input_columns = (text_field,)
        self.concurrency = max(1, concurrency)
        self._structured: Runnable[Any, dict[str, Any]] | None = None
        if strategy == "json_schema":
            self._structured = cast(
                "Runnable[Any, dict[str, Any]]",
                llm.with_structured_output(
                    numbers_as_digits(json_schema_of(self.model)),
                    method="json_schema",
                    include_raw=True,
                ),
            )
        elif strategy != "parser":
            self._structured, _ = structured_runnable(llm, self.model, _METHOD[strategy])
        self._prefix = self._prefix_messages()

    def __repr__(self) -> str:
        return f"ExtractionChain(schema={self.info.name!r}, strategy={self.strategy!r})"

    def _prefix_messages(self) -> list[BaseMessage]:
        messages: list[BaseMessage] = [
            SystemMessage(content=extraction_system_prompt(self.model, self.strategy))
        ]
        tool_name = str(json_schema_of(self.model)["title"])
        for i, (text, record) in enumerate(self.examples):
            if self.strategy == "tool_calling":
                # What langchain_core's (beta) tool_example_to_messages builds.
                call_id = f"example_{i}"
                messages.append(_user_message(text))
                messages.append(
                    AIMessage(
                        content="",
                        tool_calls=[
                            {
                                "name": tool_name,
                                "args": dict(record),
                                "id": call_id,
                                "type": "tool_call",
                            }
                        ],
                    )
                )
                messages.append(
                    ToolMessage(
                        content="You have correctly called this tool.", tool_call_id=call_id
                    )
                )
            else:
                messages.append(_user_message(text))
                messages.append(AIMessage(content=json.dumps(dict(record), ensure_ascii=False)))
        return messages

    def messages(self, text: str) -> list[BaseMessage]:
        """The chat messages sent for ``text`` (system prompt, examples, the text)."""
        return [*self._prefix, _user_message(text)]

    # ----------------------------------------------------------------- one text

    async def aprocess(self, input: Any, config: RunnableConfig | None = None) -> Extraction:
        """Extract one text; a bad answer becomes a failure, a lost endpoint raises."""
        messages = self.messages(_as_text(input))
        start = time.perf_counter()
        try:
            if self._structured is not None:
                result = await self._structured.ainvoke(messages, config=config)
                extraction = self._from_structured(result)
            else:
                message = await self.llm.ainvoke(messages, config=config)
                extraction = self._from_text(message)
        except Exception as exc:
            extraction = self._failure(row_failure(exc), "", None, Usage(calls=1))
        extraction.latency_s = time.perf_counter() - start
        return extraction

    def _failure(
        self, error: str, raw: str, parsed: dict[str, Any] | None, usage: Usage
    ) -> Extraction:
        failure = ExtractionFailure(error, raw, parsed, self.strategy)
        return Extraction(None, failure, raw, usage)

    def _validate(self, data: dict[str, Any], raw: str, usage: Usage) -> Extraction:
        try:
            record = self.model.model_validate(data)
        except ValidationError as exc:
            return self._failure(describe_validation_error(exc), raw, data, usage)
        return Extraction(record, None, raw, usage)

    def _from_structured(self, result: Mapping[str, Any]) -> Extraction:
        message = result.get("raw")
        raw = raw_text(message)
        usage = Usage.of(message)
        meta = getattr(message, "response_metadata", None) or {}
        parsed = result.get("parsed")
        if isinstance(parsed, BaseModel):
            parsed = parsed.model_dump()
        if isinstance(parsed, dict):
            return self._validate(parsed, raw, usage)
        if self.strategy == "tool_calling" and not getattr(message, "tool_calls", None):
            return self._failure(NO_TOOL_CALL, raw, None, usage)
        if meta.get("finish_reason") == "length":
            return self._failure(TRUNCATED, raw, None, usage)
        error = result.get("parsing_error")
        reason = (
            f"the answer is not a JSON object ({str(error)[:200]})"
            if error is not None
            else "the model returned no structured output"
        )
        return self._failure(reason, raw, None, usage)

    def _from_text(self, message: BaseMessage) -> Extraction:
        raw = raw_text(message)
        usage = Usage.of(message)
        data = _parse_json_object(raw)
        if data is None:
            meta = getattr(message, "response_metadata", None) or {}
            reason = (
                TRUNCATED
                if meta.get("finish_reason") == "length"
                else "the answer contains no JSON object"
            )
            return self._failure(reason, raw, None, usage)
        return self._validate(data, raw, usage)

    # ----------------------------------------------------------------- Runnable

    def invoke(self, input: Any, config: RunnableConfig | None = None, **_: Any) -> Any:
        """The record for ``input`` (a text or ``{"text": ...}``), or an ExtractionFailure."""
        return run_sync(self.aprocess(input, config)).prediction

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **_: Any) -> Any:
        return (await self.aprocess(input, config)).prediction

    # ----------------------------------------------------------------- the run engine

    def manifest_params(self) -> dict[str, Any]:
        return {
            "model": self.model_spec(),
            "strategy": self.strategy,
            "text_field": self.text_field,
            "n_examples": len(self.examples),
        }

    def manifest_extra(self) -> dict[str, Any]:
        return {"schema": self.info.name, "fields": self.info.fields}

    def identity(self) -> dict[str, Any]:
        return {"schema": self.info.name, "strategy": self.strategy}

    def rows_of(self, inputs: Sequence[Any]) -> list[Mapping[str, Any]]:
        return [{self.text_field: x} if isinstance(x, str) else x for x in inputs]

    def check_rows(self, rows: Sequence[Mapping[str, Any]]) -> None:
        for i, row in enumerate(rows, start=1):
            if not isinstance(row.get(self.text_field), str):
                raise ExtractionError(
                    f"input row {i}: no text in column {self.text_field!r} (its columns: "
                    f"{', '.join(map(str, row)) or 'none'}); pass --text-field NAME."
                )

    def input_of(self, row: Mapping[str, Any]) -> Any:
        text = row.get(self.text_field)
        if not isinstance(text, str):
            raise ExtractionError(
                f"no text in column {self.text_field!r} of an input row; pass --text-field NAME."
            )
        return text

    def output_rows(self, index: int, row: Mapping[str, Any], result: Any) -> list[dict[str, Any]]:
        return [{"id": row_id(row, index), **result.to_row()}]


def create_extraction_chain(
    schema: str | type[BaseModel] | SchemaInfo,
    llm: BaseChatModel,
    strategy: str = "json_schema",
    *,
    examples: Sequence[Any] = (),
) -> ExtractionChain:
    """A Runnable text -> record (or :class:`ExtractionFailure`) for ``schema``.

    Args:
        schema: built-in name, ``file.py:Class``, ``module:Class`` or a Pydantic model.
        llm: the chat model (temperature 0 is best for extraction).
        strategy: one of ``json_schema``, ``tool_calling``, ``parser``, ``json_mode``.
        examples: optional few-shot examples, ``(text, record)`` pairs or
            ``{"text": ..., "labels": {...}}`` rows.
    """
    return ExtractionChain(schema, llm, strategy, examples=examples)


# --------------------------------------------------------------------------- benchmarking


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated ``q`` quantile (0..1) of ``values``; 0.0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def bench_strategy(
    chain: ExtractionChain,
    texts: Sequence[str],
    golds: Sequence[Mapping[str, Any]],
    *,
    match: str = "normalized",
    concurrency: int = 4,
    on_result: Callable[[int, Extraction], None] | None = None,
) -> dict[str, Any]:
    """Run one extraction chain over labelled texts: metrics + latency + tokens + errors.

    What ``langsynth bench-extract`` reports per strategy; ``chain`` is an
    :class:`ExtractionChain`, ``golds`` the gold records in the order of ``texts``.
    """
    from langsynth.metrics import score_dataset

    started = time.perf_counter()
    inputs: list[Any] = list(texts)
    results = chain.run(inputs, concurrency=concurrency, on_result=on_result).results
    elapsed = time.perf_counter() - started
    report = score_dataset([r.prediction for r in results], golds, chain.model, match=match)
    latencies = [r.latency_s for r in results]
    input_tokens = sum(r.usage.input_tokens for r in results)
    output_tokens = sum(r.usage.output_tokens for r in results)
    errors = Counter(r.failure.error.split(":")[0][:80] for r in results if r.failure)
    n = len(results)
    return {
        **report.to_dict(),
        "latency": {
            "p50_s": round(percentile(latencies, 0.5), 3),
            "p95_s": round(percentile(latencies, 0.95), 3),
            "mean_s": round(statistics.fmean(latencies), 3) if latencies else 0.0,
        },
        "tokens": {
            "input": input_tokens,
            "output": output_tokens,
            "output_per_row": round(output_tokens / n, 1) if n else 0.0,
        },
        "elapsed_s": round(elapsed, 3),
        "errors": dict(errors),
    }
