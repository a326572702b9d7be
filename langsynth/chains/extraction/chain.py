"""The extraction chain: one document in, one :class:`Extraction` (record or failure) out.

A bad answer never raises: it becomes an :class:`ExtractionFailure` with the reason and what
the model said. What the chain does per document, in order:

1. optionally *locate* (``locate=True``): a first call names the line numbers that hold each
   field, and the extraction call is shown those lines as hints;
2. *extract*: one call with the strategy's output format (on the embedded llama.cpp server,
   ``json_schema`` also constrains every text value to a verbatim span of the document,
   :mod:`langsynth.chains.spans`);
3. optionally *vote* (``samples=N``): N answers (the first greedy, the rest sampled) and a
   field-wise majority (:mod:`langsynth.chains.extraction.vote`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, SystemMessage
from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda
from pydantic import BaseModel, ValidationError

from langsynth._async import run_sync
from langsynth.chains.extraction.locate import locate_notes, locate_runnable, parse_locations
from langsynth.chains.extraction.prompts import (
    as_text,
    example_pair,
    extraction_system_prompt,
    few_shot_messages,
    is_address_field,
    numbers_as_digits,
    user_message,
)
from langsynth.chains.extraction.result import Extraction
from langsynth.chains.extraction.vote import vote
from langsynth.chains.extraction.wrapped import complete_wrapped
from langsynth.chains.spans import span_fields, span_grammar
from langsynth.chains.structured import (
    is_llamacpp,
    json_schema_of,
    raw_text,
    spent,
    structured_runnable,
)
from langsynth.errors import ExtractionError
from langsynth.metrics import ExtractionFailure, row_id
from langsynth.model_errors import TRUNCATED, row_failure
from langsynth.results import Usage
from langsynth.runs import MapStep
from langsynth.schemas import SchemaInfo, describe_validation_error, load_schema

STRATEGIES: tuple[str, ...] = ("json_schema", "tool_calling", "parser", "json_mode")
_METHOD = {
    "json_schema": "json_schema",
    "tool_calling": "function_calling",
    "json_mode": "json_mode",
}
NO_TOOL_CALL = (
    "the model answered with text instead of calling the tool: this server or model does not "
    "force tool calls; use the json_schema strategy there"
)
SAMPLE_TEMPERATURE = 0.7


OUTPUT_COLUMNS: tuple[str, ...] = ("id", "prediction", "error", "raw_output", "parsed_output")


class ExtractionChain(MapStep):
    """Extract a record of ``schema`` from a text with one of :data:`STRATEGIES`.

    ``invoke(text)`` returns the validated record or an :class:`ExtractionFailure`;
    :meth:`aprocess` returns the :class:`Extraction` (with raw output, tokens and latency);
    ``run(rows_or_texts, output=...)`` writes ``id, prediction, error, raw_output,
    parsed_output`` rows on the run engine. See :func:`create_extraction_chain` for the options.
    """

    job: ClassVar[str] = "extract"
    output_columns = OUTPUT_COLUMNS

    def __init__(
        self,
        schema: str | type[BaseModel] | SchemaInfo,
        llm: BaseChatModel,
        strategy: str = "json_schema",
        *,
        examples: Sequence[Any] = (),
        verbatim: bool | None = None,
        line_numbers: bool = False,
        locate: bool = False,
        samples: int = 1,
        complete_lines: bool = True,
        text_field: str = "text",
        concurrency: int = 4,
    ) -> None:
        if strategy not in STRATEGIES:
            raise ExtractionError(
                f"Unknown extraction strategy {strategy!r}; use one of {', '.join(STRATEGIES)}."
            )
        if samples < 1:
            raise ExtractionError(f"samples must be at least 1, got {samples}.")
        self.info = load_schema(schema)
        self.model = self.info.model
        self.llm = llm
        self.strategy = strategy
        self.examples = [example_pair(e) for e in examples]
        self.line_numbers = line_numbers or locate
        self.locate = locate
        self.samples = samples
        self.text_field = text_field
        self.input_columns = (text_field,)
        self.concurrency = max(1, concurrency)
        self._schema = numbers_as_digits(json_schema_of(self.model))
        props = self._schema.get("properties", {})
        self._wrapped = (
            [n for n in self.model.model_fields if is_address_field(n, props.get(n, {}))]
            if complete_lines
            else []
        )
        self.verbatim = self._resolve_verbatim(verbatim)
        # One model per sample: the greedy one, then sampling ones with their own seeds.
        self._llms = [llm, *(_sampling(llm, i) for i in range(1, samples))]
        self._runnables = [self._runnable(m) for m in self._llms]
        self._locator = locate_runnable(self.model, llm, strategy) if locate else None
        self._prefix = self._prefix_messages()

    def __repr__(self) -> str:
        return f"ExtractionChain(schema={self.info.name!r}, strategy={self.strategy!r})"

    def _resolve_verbatim(self, verbatim: bool | None) -> bool:
        """Span grammars need a llama.cpp server (a GBNF ``grammar``) and a flat schema."""
        from langchain_openai.chat_models.base import BaseChatOpenAI

        possible = self.strategy == "json_schema" and span_fields(self._schema) is not None
        if verbatim is None:
            return possible and isinstance(self.llm, BaseChatOpenAI) and is_llamacpp(self.llm)
        if verbatim and not possible:
            raise ExtractionError(
                "verbatim=True needs the json_schema strategy and a flat schema (text, number, "
                "boolean, enum and list-of-text fields); this one does not qualify."
            )
        return verbatim

    def _runnable(self, llm: BaseChatModel) -> Runnable[Any, Any] | None:
        """What one extraction call goes through (``None``: the parser strategy's plain call)."""
        if self.strategy == "parser":
            return None
        if self.verbatim:
            return None  # built per document (the grammar holds the document)
        method = _METHOD[self.strategy]
        schema = self._schema if self.strategy == "json_schema" else None
        runnable, _ = structured_runnable(llm, self.model, method, schema=schema)
        return runnable

    def _prefix_messages(self) -> list[BaseMessage]:
        system = extraction_system_prompt(self.model, self.strategy, line_numbers=self.line_numbers)
        tool_name = str(json_schema_of(self.model)["title"])
        return [
            SystemMessage(content=system),
            *few_shot_messages(
                self.examples,
                tool_name=tool_name if self.strategy == "tool_calling" else None,
                line_numbers=self.line_numbers,
            ),
        ]

    def messages(self, text: str, *, notes: str = "") -> list[BaseMessage]:
        """The chat messages sent for ``text`` (system prompt, examples, the document)."""
        return [
            *self._prefix,
            user_message(text, line_numbers=self.line_numbers, notes=notes),
        ]

    # ----------------------------------------------------------------- one text

    async def aprocess(self, input: Any, config: RunnableConfig | None = None) -> Extraction:
        """Extract one text; a bad answer becomes a failure, a lost endpoint raises."""
        document = as_text(input)
        start = time.perf_counter()
        usage = Usage()
        notes = ""
        if self._locator is not None:
            located, locate_usage = await _guarded(self._locator.ainvoke, document, config)
            usage.add(locate_usage if isinstance(located, str) else Usage.of(located.get("raw")))
            notes = locate_notes(parse_locations(located, self.model), document)
        messages = self.messages(document, notes=notes)
        if self.samples == 1:
            extraction = await self._call(0, messages, document, config)
        else:
            answers = await asyncio.gather(
                *(self._call(i, messages, document, config) for i in range(self.samples))
            )
            extraction = self._vote(list(answers))
        extraction = self._complete(extraction, document)
        extraction.usage.add(usage)
        extraction.latency_s = time.perf_counter() - start
        return extraction

    async def _call(
        self, index: int, messages: list[BaseMessage], document: str, config: RunnableConfig | None
    ) -> Extraction:
        llm, runnable = self._llms[index], self._runnables[index]
        if self.verbatim:
            grammar = span_grammar(self._schema, document)
            runnable = llm.bind(extra_body={"grammar": grammar}) | RunnableLambda(_json_reply)
        if runnable is None:
            outcome, usage = await _guarded(llm.ainvoke, messages, config)
            if isinstance(outcome, str):
                return self._failure(outcome, "", None, usage)
            return self._from_text(outcome)
        outcome, usage = await _guarded(runnable.ainvoke, messages, config)
        if isinstance(outcome, str):
            return self._failure(outcome, "", None, usage)
        return self._from_structured(outcome)

    def _vote(self, answers: list[Extraction]) -> Extraction:
        parsed = [_values_of(a) for a in answers]
        usage = Usage()
        for a in answers:
            usage.add(a.usage)
        if not any(p is not None for p in parsed):
            first = answers[0]
            first.usage = usage
            return first
        data = vote([p for p in parsed if p is not None], list(self.model.model_fields))
        result = self._validate(data, answers[0].raw_output, usage)
        return result

    def _complete(self, extraction: Extraction, document: str) -> Extraction:
        """Addresses cut at a line break get their comma-joined lines back (:mod:`.wrapped`)."""
        values = _values_of(extraction)
        if not self._wrapped or values is None:
            return extraction
        grown = {
            name: complete_wrapped(value, document)
            for name in self._wrapped
            if isinstance(value := values.get(name), str)
        }
        if all(grown[name] == values[name] for name in grown):
            return extraction
        return self._validate({**values, **grown}, extraction.raw_output, extraction.usage)

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
        from langsynth.chains.extraction.locate import parse_json_object

        raw = raw_text(message)
        usage = Usage.of(message)
        data = parse_json_object(raw)
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
            "verbatim": self.verbatim,
            "line_numbers": self.line_numbers,
            "locate": self.locate,
            "samples": self.samples,
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
        return str(row[self.text_field])

    def output_rows(self, index: int, row: Mapping[str, Any], result: Any) -> list[dict[str, Any]]:
        return [{"id": row_id(row, index), **result.to_row()}]


def _json_reply(message: BaseMessage) -> dict[str, Any]:
    from langsynth.chains.extraction.locate import parse_json_object

    parsed = parse_json_object(raw_text(message))
    return {"raw": message, "parsed": parsed, "parsing_error": None}


def _values_of(extraction: Extraction) -> dict[str, Any] | None:
    if extraction.record is not None:
        return extraction.record.model_dump()
    return extraction.failure.parsed_output if extraction.failure is not None else None


def _sampling(llm: BaseChatModel, index: int = 1) -> BaseChatModel:
    """The same model sampling at :data:`SAMPLE_TEMPERATURE` (another seed per sample)."""
    update: dict[str, Any] = {}
    fields = type(llm).model_fields
    if "temperature" in fields:
        update["temperature"] = SAMPLE_TEMPERATURE
    if "seed" in fields:
        update["seed"] = (getattr(llm, "seed", None) or 0) + 1000 + index
    return llm.model_copy(update=update) if update else llm


async def _guarded(
    call: Callable[..., Any], value: Any, config: RunnableConfig | None
) -> tuple[Any, Usage]:
    """``await call(value, config=config)``; an exception about this answer becomes its reason
    (:func:`langsynth.model_errors.row_failure`), a lost endpoint or a bug raises.

    Returns ``(result, Usage())`` or ``(reason string, what the failed call cost)``
    (:func:`~langsynth.chains.structured.spent`: a cut-off answer's tokens count).
    """
    try:
        return await call(value, config=config), Usage()
    except Exception as exc:
        return row_failure(exc), spent(exc)[0]


def create_extraction_chain(
    schema: str | type[BaseModel] | SchemaInfo,
    llm: BaseChatModel,
    strategy: str = "json_schema",
    *,
    examples: Sequence[Any] = (),
    verbatim: bool | None = None,
    line_numbers: bool = False,
    locate: bool = False,
    samples: int = 1,
    complete_lines: bool = True,
) -> ExtractionChain:
    """A Runnable text -> record (or :class:`ExtractionFailure`) for ``schema``.

    Args:
        schema: built-in name, ``file.py:Class``, ``module:Class`` or a Pydantic model.
        llm: the chat model (temperature 0 is best for extraction).
        strategy: one of ``json_schema``, ``tool_calling``, ``parser``, ``json_mode``.
        examples: optional few-shot examples, ``(text, record)`` pairs or
            ``{"text": ..., "labels": {...}}`` rows.
        verbatim: constrain every text value to a span of the document (``json_schema`` on a
            llama.cpp server; ``None`` = on for the embedded server when the schema is flat).
        line_numbers: show the document with numbered lines.
        locate: first ask which lines hold each field, then extract with those lines named.
        samples: answers per document; above 1, a field-wise majority vote of the greedy
            answer and ``samples - 1`` sampled ones (self-consistency).
        complete_lines: give an address field the comma-joined lines around the lines the
            model copied (:func:`~langsynth.chains.extraction.wrapped.complete_wrapped`).
    """
    return ExtractionChain(
        schema,
        llm,
        strategy,
        examples=examples,
        verbatim=verbatim,
        line_numbers=line_numbers,
        locate=locate,
        samples=samples,
        complete_lines=complete_lines,
    )
