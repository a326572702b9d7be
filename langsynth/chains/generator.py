"""The record generator: a ``FewShotPromptTemplate`` + structured output, N valid unique records.

What it fixes in langchain_experimental's ``SyntheticDataGenerator`` (seed 001):

- structured output through JSON schema (grammar-constrained on llama.cpp / vLLM) or tool
  calling, not the legacy ``functions`` API that local servers cannot parse;
- concurrent, bounded calls that keep the server's parallel slots busy;
- Pydantic validation of every record; an invalid one is retried with the error fed back,
  then recorded as rejected with its raw output: a bad row never crashes the batch;
- exactly N: generation goes on until N valid, *unique* records exist (or a cap is hit);
- diversity beyond temperature: per-record hints drawn from attribute pools and a sliding
  window of recent records the model is told not to repeat; reproducible with ``seed``.

>>> from langsynth import get_chat_model  # doctest: +SKIP
>>> gen = RecordGenerator("medical_billing", get_chat_model(temperature=0.9))  # doctest: +SKIP
>>> result = gen.generate(20)  # doctest: +SKIP
>>> result.to_dataframe().head()  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_core.prompts import BasePromptTemplate, FewShotPromptTemplate, PromptTemplate
from langchain_core.runnables import Runnable, RunnableConfig
from pydantic import BaseModel

from langsynth._async import run_sync
from langsynth.chains.structured import (
    StructuredOutcome,
    Usage,
    acall,
    feedback_messages,
    structured_runnable,
)
from langsynth.errors import GenerationError
from langsynth.pools import Pool, infer_pools, merge_pools, render_hints, sample_hints
from langsynth.schemas import SchemaInfo, load_examples, load_schema

if TYPE_CHECKING:
    import pandas as pd

# langchain_experimental.tabular_synthetic_data.prompts, kept verbatim (seed 001).
SYNTHETIC_FEW_SHOT_PREFIX = (
    "This is a test about generating synthetic data about {subject}. Examples below:"
)
SYNTHETIC_FEW_SHOT_SUFFIX = "Now you generate synthetic data about {subject}. Make sure to {extra}:"
EXAMPLE_PROMPT = PromptTemplate(input_variables=["example"], template="{example}")

DEFAULT_PERSONA = "You generate realistic, varied synthetic data records."


# --------------------------------------------------------------------------- results


@dataclass
class Rejection:
    """A record attempt that produced nothing usable: why, and what the model said."""

    attempt: int
    reason: str
    raw: str
    hints: dict[str, Any] = field(default_factory=dict)
    kind: str = "invalid"  # invalid | duplicate

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RunStats:
    """Counters of a generation run (``output_tokens`` include retries and rejects)."""

    requested: int = 0
    valid: int = 0
    rejected: int = 0
    duplicates: int = 0
    attempts: int = 0
    retries: int = 0
    usage: Usage = field(default_factory=Usage)
    elapsed_s: float = 0.0
    latencies_s: list[float] = field(default_factory=list)

    @property
    def records_per_s(self) -> float:
        return self.valid / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def tokens_per_s(self) -> float:
        return self.usage.output_tokens / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def summary(self, model: str | None = None) -> dict[str, Any]:
        """The ``--summary-json`` object."""
        return {
            "requested": self.requested,
            "valid": self.valid,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "attempts": self.attempts,
            "retries": self.retries,
            "llm_calls": self.usage.calls,
            "elapsed_s": round(self.elapsed_s, 3),
            "records_per_s": round(self.records_per_s, 4),
            "input_tokens": self.usage.input_tokens,
            "cached_input_tokens": self.usage.cached_input_tokens,
            "output_tokens": self.usage.output_tokens,
            "tokens_per_s": round(self.tokens_per_s, 2),
            "model": model,
        }


@dataclass
class GenerationResult:
    """Records of one run, what was rejected, and the counters."""

    schema: SchemaInfo
    records: list[BaseModel]
    rejected: list[Rejection]
    stats: RunStats
    complete: bool = True
    message: str = ""
    next_index: int = 0  # first attempt index a resumed run should use

    def to_dicts(self) -> list[dict[str, Any]]:
        return [r.model_dump(mode="json") for r in self.records]

    def to_dataframe(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.to_dicts(), columns=self.schema.fields)


# --------------------------------------------------------------------------- helpers


def normalize_value(value: Any) -> Any:
    """Case-, width- and whitespace-insensitive form of a field value, for duplicate keys."""
    if isinstance(value, str):
        return " ".join(unicodedata.normalize("NFKC", value).casefold().split())
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, list | tuple):
        return tuple(sorted(str(normalize_value(v)) for v in value))
    if isinstance(value, dict):
        return tuple(sorted((k, str(normalize_value(v))) for k, v in value.items()))
    return value


def record_key(
    record: BaseModel | Mapping[str, Any], fields: Sequence[str] | None
) -> tuple[Any, ...]:
    """The duplicate key of a record: normalized values of ``fields`` (all fields if None)."""
    data = record.model_dump() if isinstance(record, BaseModel) else dict(record)
    names = list(fields) if fields else sorted(data)
    return tuple(normalize_value(data.get(name)) for name in names)


def field_guide(model: type[BaseModel]) -> str:
    """``- name (type): description`` for each field, so small models know what fields mean."""
    lines = []
    schema = model.model_json_schema()
    props = schema.get("properties", {})
    for name, info in model.model_fields.items():
        prop = props.get(name, {})
        if "enum" in prop:
            kind = "one of: " + ", ".join(map(str, prop["enum"]))
        else:
            kind = prop.get("type", "value")
        if kind == "array":
            kind = "list of " + str(prop.get("items", {}).get("type", "values"))
        desc = f": {info.description}" if info.description else ""
        lines.append(f"- {name} ({kind}){desc}")
    return "\n".join(lines)


def few_shot_prompt(
    examples: Sequence[Mapping[str, Any]],
    *,
    prefix: str = SYNTHETIC_FEW_SHOT_PREFIX,
    suffix: str = SYNTHETIC_FEW_SHOT_SUFFIX,
) -> FewShotPromptTemplate:
    """The seed's ``FewShotPromptTemplate`` with each example shown as one JSON line."""

    def line(example: Mapping[str, Any]) -> str:
        # FewShotPromptTemplate formats the joined text again: escape the JSON braces.
        text = json.dumps(dict(example), ensure_ascii=False)
        return text.replace("{", "{{").replace("}", "}}")

    return FewShotPromptTemplate(
        prefix=prefix,
        examples=[{"example": line(ex)} for ex in examples],
        suffix=suffix,
        input_variables=["subject", "extra"],
        example_prompt=EXAMPLE_PROMPT,
    )


# --------------------------------------------------------------------------- generator


@dataclass
class _RunState:
    next: int = 0
    in_flight: int = 0
    streak: int = 0  # attempts in a row without a valid record
    stop: str = ""


@dataclass
class _Outcome:
    index: int
    hints: dict[str, Any]
    record: BaseModel | None
    attempts: list[StructuredOutcome]


class RecordGenerator(Runnable[Mapping[str, Any] | None, BaseModel]):
    """Generate schema-typed records with a few-shot prompt and structured output.

    Args:
        schema: a built-in schema name, ``file.py:Class``, ``module:Class``, a Pydantic
            model class or a :class:`~langsynth.schemas.SchemaInfo`.
        llm: any LangChain chat model (``langsynth.get_chat_model()`` for the embedded one).
        examples: few-shot examples: ``None`` = the schema's built-in examples, ``[]`` =
            zero-shot, a list of dicts, or a JSONL path.
        prompt: your own prompt template with ``subject`` and ``extra`` variables (e.g. the
            seed tutorial's ``FewShotPromptTemplate``); default: :func:`few_shot_prompt`.
        persona: a system prompt (e.g. the course's film-expert persona).
        pools: per-field attribute pools rendered as hints; they override the schema's
            defaults field by field. ``default_pools=False`` drops the defaults.
        avoid_recent: how many recently accepted records to list as "do not repeat" (off by
            default: on the embedded 0.5B model the list made the model *copy* the listed
            titles: 19 duplicates in 24 attempts with 5 listed, 1 in 9 without).
        max_retries: retries of an invalid record, with the validation error fed back.
        concurrency: simultaneous requests (match the server's parallel slots).
        seed: makes hint sampling reproducible.
        method: structured-output method: ``auto``, ``json_schema``, ``function_calling``.
        validators: extra checks ``record -> None`` that raise ``ValueError`` to reject.
    """

    def __init__(
        self,
        schema: str | type[BaseModel] | SchemaInfo,
        llm: BaseChatModel,
        *,
        examples: Sequence[Mapping[str, Any]] | str | Path | None = None,
        prompt: BasePromptTemplate | None = None,
        subject: str | None = None,
        extra: str | None = None,
        persona: str | None = None,
        pools: Mapping[str, Pool] | None = None,
        default_pools: bool = True,
        avoid_recent: int = 0,
        max_retries: int = 2,
        concurrency: int = 4,
        seed: int | None = None,
        method: str = "auto",
        validators: Sequence[Callable[[BaseModel], None]] = (),
    ) -> None:
        self.info = load_schema(schema)
        self.model = self.info.model
        self.llm = llm
        if examples is None:
            self.examples = self.info.load_examples()
        elif isinstance(examples, str | Path):
            self.examples = load_examples(examples, self.model)
        else:
            self.examples = [dict(e) for e in examples]
        self.prompt = prompt or few_shot_prompt(self.examples)
        self.subject = subject or self.info.subject or self.info.name
        self.extra = extra or self.info.extra
        self.persona = persona if persona is not None else (self.info.persona or DEFAULT_PERSONA)
        base_pools = (self.info.pools or infer_pools(self.model)) if default_pools else {}
        self.pools = merge_pools(base_pools, pools)
        self.avoid_recent = max(0, avoid_recent)
        self.max_retries = max(0, max_retries)
        self.concurrency = max(1, concurrency)
        self.seed = seed
        self.validators = list(validators)
        self._structured, self.method = structured_runnable(llm, self.model, method)
        self._fixed_text = self._render_fixed()
        self._system_text = (
            f"{self.persona}\nAnswer with one JSON object with these fields:\n"
            + field_guide(self.model)
        )

    def __repr__(self) -> str:
        return f"RecordGenerator(schema={self.info.name!r}, examples={len(self.examples)})"

    # ----------------------------------------------------------------- prompt

    def _render_fixed(self) -> str:
        values = {"subject": self.subject, "extra": self.extra}
        names = set(self.prompt.input_variables)
        return self.prompt.format(**{k: v for k, v in values.items() if k in names})

    def messages(
        self, hints: Mapping[str, Any] | None = None, recent: Sequence[str] = ()
    ) -> list[BaseMessage]:
        """The chat messages of one record request.

        The system message and the few-shot block are the same for every request (so the
        server's prompt cache reuses them); hints and the do-not-repeat list come last.
        """
        text = self._fixed_text
        if hints:
            text += "\n\nUse these attributes for this record:\n" + render_hints(self.pools, hints)
        if recent:
            text += "\n\nAlready generated, do not repeat:\n" + "\n".join(f"- {r}" for r in recent)
        return [SystemMessage(content=self._system_text), HumanMessage(content=text)]

    def _rng(self, index: int) -> random.Random:
        return random.Random(f"{self.seed}:{index}") if self.seed is not None else random.Random()

    def _recent_line(self, record: BaseModel) -> str:
        data = record.model_dump(mode="json")
        names = [
            f for f in (self.info.dedup_fields or self.info.fields) if isinstance(data.get(f), str)
        ]
        names = names or list(data)[:3]
        return "; ".join(f"{n}: {str(data[n])[:60]}" for n in names)

    # ----------------------------------------------------------------- one record

    def _structured_for(self, index: int) -> Runnable[Any, dict[str, Any]]:
        """The structured call for record ``index``.

        A chat model with a fixed sampling ``seed`` answers an identical prompt identically, so
        a schema without hint pools would get the same record every time: each record gets
        its own seed (``seed + index``), which keeps a seeded run reproducible.
        """
        base = getattr(self.llm, "seed", None)
        if not isinstance(base, int):
            return self._structured
        llm = self.llm.model_copy(update={"seed": base + index})
        return structured_runnable(llm, self.model, self.method)[0]

    async def _one(
        self,
        index: int,
        recent: Sequence[str] = (),
        hints: Mapping[str, Any] | None = None,
        config: RunnableConfig | None = None,
    ) -> _Outcome:
        drawn = dict(hints) if hints is not None else sample_hints(self.pools, self._rng(index))
        messages = self.messages(drawn, recent)
        structured = self._structured_for(index)
        attempts: list[StructuredOutcome] = []
        for _ in range(self.max_retries + 1):
            outcome = await acall(structured, self.model, messages, config)
            if outcome.value is not None:
                try:
                    for check in self.validators:
                        check(outcome.value)
                except ValueError as exc:
                    outcome.value, outcome.error = None, str(exc)
            attempts.append(outcome)
            if outcome.value is not None:
                return _Outcome(index, drawn, outcome.value, attempts)
            messages = [*messages, *feedback_messages(outcome)]
        return _Outcome(index, drawn, None, attempts)

    # ----------------------------------------------------------------- Runnable

    def invoke(
        self, input: Mapping[str, Any] | None = None, config: RunnableConfig | None = None, **_: Any
    ) -> BaseModel:
        """Generate one validated record. ``input`` may set ``hints`` (field -> value)."""
        return run_sync(self.ainvoke(input, config))

    async def ainvoke(
        self, input: Mapping[str, Any] | None = None, config: RunnableConfig | None = None, **_: Any
    ) -> BaseModel:
        hints = (input or {}).get("hints")
        outcome = await self._one(random.getrandbits(32), (), hints, config)
        if outcome.record is None:
            last = outcome.attempts[-1]
            raise GenerationError(
                f"No valid {self.model.__name__} after {len(outcome.attempts)} attempts: "
                f"{last.error}",
                raw_output=last.raw,
            )
        return outcome.record

    # ----------------------------------------------------------------- N records

    def generate(self, n: int, **kwargs: Any) -> GenerationResult:
        """Generate ``n`` valid, unique records (see :meth:`agenerate` for the options)."""
        return run_sync(self.agenerate(n, **kwargs))

    async def agenerate(
        self,
        n: int,
        *,
        existing: Iterable[BaseModel] = (),
        start_index: int = 0,
        max_attempts: int | None = None,
        fail_fast_after: int = 12,
        on_record: Callable[[BaseModel], None] | None = None,
        on_reject: Callable[[Rejection], None] | None = None,
        on_progress: Callable[[RunStats], None] | None = None,
        config: RunnableConfig | None = None,
    ) -> GenerationResult:
        """Generate until ``n`` valid, unique records exist.

        Args:
            existing: records kept from an earlier run (``--resume``): they count towards
                ``n`` and seed the duplicate check.
            start_index: first attempt index, so a resumed run draws new hints.
            max_attempts: cap on record attempts (default ``3 * missing + 10``).
            fail_fast_after: stop when this many attempts in a row produced no valid record.
            on_record / on_reject / on_progress: callbacks, called as things happen
                (the CLI writes each accepted record to disk from ``on_record``).
        """
        kept = list(existing)
        seen = {record_key(r, self.info.dedup_fields) for r in kept}
        # A small model at low temperature often hands back a few-shot example verbatim:
        # that is not a new record, so it counts as a duplicate too.
        copies = {record_key(e, self.info.dedup_fields) for e in self.examples} - seen
        # deque(maxlen=k) keeps the last k lines; k == 0 keeps none.
        recent: deque[str] = deque((self._recent_line(r) for r in kept), maxlen=self.avoid_recent)
        need = max(0, n - len(kept))
        cap = max_attempts if max_attempts is not None else 3 * need + 10
        stats = RunStats(requested=n, valid=len(kept))
        records: list[BaseModel] = []
        rejected: list[Rejection] = []
        state = _RunState(next=start_index)
        cond = asyncio.Condition()
        started = time.perf_counter()

        def accept(outcome: _Outcome) -> None:
            stats.attempts += 1
            stats.retries += len(outcome.attempts) - 1
            for a in outcome.attempts:
                stats.usage.add(a.usage)
                stats.latencies_s.append(a.latency_s)
            last = outcome.attempts[-1]
            if outcome.record is None:
                rej = Rejection(outcome.index, last.error or "invalid", last.raw, outcome.hints)
            else:
                key = record_key(outcome.record, self.info.dedup_fields)
                if key not in seen and key not in copies and len(records) < need:
                    seen.add(key)
                    records.append(outcome.record)
                    stats.valid += 1
                    state.streak = 0
                    recent.append(self._recent_line(outcome.record))
                    if on_record is not None:
                        on_record(outcome.record)
                    return
                rej = Rejection(
                    outcome.index,
                    "copy of a few-shot example"
                    if key in copies
                    else "duplicate of an accepted record",
                    last.raw,
                    outcome.hints,
                    kind="duplicate",
                )
            state.streak += 1
            if rej.kind == "duplicate":
                stats.duplicates += 1
            else:
                stats.rejected += 1
            rejected.append(rej)
            if on_reject is not None:
                on_reject(rej)

        async def worker() -> None:
            while True:
                async with cond:
                    # Do not start more requests than records still missing; wait for
                    # in-flight ones, one of which may fail and need replacing.
                    while len(records) + state.in_flight >= need and state.in_flight > 0:
                        await cond.wait()
                    if len(records) >= need or state.stop:
                        return
                    if stats.attempts + state.in_flight >= cap:
                        state.stop = state.stop or "cap"
                        return
                    index = state.next
                    state.next += 1
                    state.in_flight += 1
                try:
                    outcome = await self._one(index, list(recent), None, config)
                finally:
                    async with cond:
                        state.in_flight -= 1
                        cond.notify_all()
                async with cond:
                    accept(outcome)
                    stats.elapsed_s = time.perf_counter() - started
                    if not records and state.streak >= fail_fast_after:
                        state.stop = "fail_fast"
                    if on_progress is not None:
                        on_progress(stats)
                    cond.notify_all()

        try:
            if need:
                async with asyncio.TaskGroup() as group:
                    for _ in range(min(self.concurrency, need)):
                        group.create_task(worker())
        except BaseExceptionGroup as errors:
            # Surface the real cause (e.g. ServerDiedError), not the task group wrapper.
            first = next(
                (e for e in errors.exceptions if not isinstance(e, asyncio.CancelledError)),
                errors.exceptions[0],
            )
            raise first from None
        finally:
            stats.elapsed_s = time.perf_counter() - started
        complete = len(records) >= need
        message = ""
        if not complete:
            last_reason = rejected[-1].reason if rejected else "no attempts"
            why = (
                f"{fail_fast_after} attempts in a row produced no valid record"
                if state.stop == "fail_fast"
                else f"the attempt cap ({cap}) was reached"
            )
            message = (
                f"Stopped with {len(kept) + len(records)} of {n} records: {why}. Last rejection: "
                f"{last_reason}. Kept records are saved; check the rejections, loosen the schema "
                "or examples, try a larger model, or raise --max-attempts."
            )
        return GenerationResult(
            schema=self.info,
            records=records,
            rejected=rejected,
            stats=stats,
            complete=complete,
            message=message,
            next_index=state.next,
        )
