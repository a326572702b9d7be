"""The record generator: a ``FewShotPromptTemplate`` + structured output, N valid unique records.

What it fixes in langchain_experimental's ``SyntheticDataGenerator`` (seed 001):

- structured output through JSON schema (grammar-constrained on llama.cpp / vLLM) or tool
  calling, not the legacy ``functions`` API that local servers cannot parse;
- concurrent, bounded calls that keep the server's parallel slots busy;
- Pydantic validation of every record; an invalid one is retried with the error fed back,
  then recorded as rejected with its raw output: a bad row never crashes the batch;
- exactly N: generation goes on until N valid, *unique* records exist (or a cap is hit);
- diversity beyond temperature: per-record hints drawn from attribute pools and a sliding
  window of recent records the model is told not to repeat; reproducible with ``seed``;
- where the drawn values fix every field (a Faker name, codes, amounts), they are fixed in the
  record's grammar, not told in the prompt: every record request then has the same prompt,
  which the server's cache holds, and each value is processed once (``pin_hints``).

>>> from langsynth import get_chat_model  # doctest: +SKIP
>>> gen = RecordGenerator("medical_billing", get_chat_model(temperature=0.9))  # doctest: +SKIP
>>> result = gen.generate(20)  # doctest: +SKIP
>>> result.to_dataframe().head()  # doctest: +SKIP
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_core.prompts import BasePromptTemplate
from langchain_core.runnables import Runnable, RunnableConfig
from pydantic import BaseModel

from langsynth._async import run_sync
from langsynth.chains.record_prompt import DEFAULT_PERSONA, few_shot_prompt, field_guide
from langsynth.chains.structured import (
    call_with_feedback,
    is_llamacpp,
    pinned_schema,
    structured_runnable,
)
from langsynth.errors import ConfigurationError, GenerationError
from langsynth.llm import reseeded
from langsynth.model_errors import row_failure
from langsynth.normalize import record_key
from langsynth.pools import (
    Pool,
    infer_pools,
    merge_pools,
    render_hints,
    sample_hints,
    split_hints,
)
from langsynth.results import Usage
from langsynth.runs import KeyAdmission, RunResult, SourceStep
from langsynth.schemas import SchemaInfo, load_examples, load_schema

# --------------------------------------------------------------------------- results


@dataclass
class RecordAttempt:
    """One record attempt: the record (or why there is none), its hints, what it cost.

    ``attempts`` counts the calls (1 + retries with the validation error fed back).
    """

    index: int
    hints: dict[str, Any]
    record: BaseModel | None
    error: str | None
    raw_output: str
    attempts: int = 1
    usage: Usage = field(default_factory=Usage)
    latency_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.record is not None

    def to_row(self) -> dict[str, Any]:
        return self.record.model_dump(mode="json") if self.record is not None else {}


# --------------------------------------------------------------------------- generator


class RecordGenerator(SourceStep):
    """Generate schema-typed records with a few-shot prompt and structured output.

    ``generate(n, output=..., resume=...)`` runs on the run engine (journal, rejections,
    manifest, resume, lock, clean Ctrl-C/SIGTERM); ``invoke()`` makes one record.

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
            titles: 19 duplicates in 24 attempts with 5 listed, 1 in 9 without). Works with
            calls in this process only.
        max_retries: retries of an invalid record, with the validation error fed back.
        concurrency: simultaneous requests (match the server's parallel slots).
        seed: makes hint sampling reproducible (attempt ``i`` draws the same hints).
        method: structured-output method: ``auto``, ``json_schema``, ``function_calling``.
        validators: extra checks ``record -> None`` that raise ``ValueError`` to reject.
        pin_hints: put hints that are field values (``patient_name=...``) into the record's
            grammar as fixed values written first (:func:`~langsynth.pools.split_hints`),
            not into the prompt, which then stays whole in the server's cache; each value is
            processed once, as output. ``None`` (default): with the ``llama_grammar`` method
            (embedded server) when the draw fixes *every* field (``medical_billing``); a field
            the model writes follows the prompt more than values it wrote before (stories
            after fixed words: distinct-2 0.68-0.74 vs 0.76-0.84), so those hints stay there.
            ``True``: pin any field value, also in ``json_schema`` (a new schema per record:
            fine for llama.cpp and vLLM, slow on OpenAI). ``False``: hints in the prompt only.
    """

    job: ClassVar[str] = "generate"

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
        pin_hints: bool | None = None,
    ) -> None:
        self.info = load_schema(schema)
        self.model = self.info.model
        self.llm = llm
        self._examples_source = (
            str(examples) if isinstance(examples, str | Path) else "given" if examples else None
        )
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
        self.output_columns = tuple(self.info.fields)
        self._structured, self.method = structured_runnable(llm, self.model, method)
        if pin_hints and self.method not in ("llama_grammar", "json_schema"):
            raise ConfigurationError(
                f"pin_hints needs a JSON-schema or grammar method, not {self.method!r}: use "
                "method='json_schema' (OpenAI-compatible servers) or leave pin_hints unset."
            )
        self.pin_hints = (
            False if pin_hints is None and self.method != "llama_grammar" else pin_hints
        )
        self._fixed_text = self._render_fixed()
        self._system_text = (
            f"{self.persona}\nAnswer with one JSON object with these fields:\n"
            + field_guide(self.model)
        )
        self._recent: deque[str] = deque(maxlen=self.avoid_recent)

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
        server's prompt cache reuses them); hints and the do-not-repeat list come last. The
        hints are one compact line (``This record: field=value; ...``): they are the part no
        cache holds, processed for every record on the cores that also decode. With
        ``pin_hints`` the hints that are field values are not here but in the record's grammar
        (:meth:`split`), so for a schema whose hints all are, every request is the same.
        """
        text = self._fixed_text
        if hints:
            text += "\n\nThis record: " + render_hints(self.pools, hints)
        if recent:
            text += "\n\nAlready generated, do not repeat:\n" + "\n".join(f"- {r}" for r in recent)
        return [SystemMessage(content=self._system_text), HumanMessage(content=text)]

    def split(self, hints: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """``hints`` as (field values the record's grammar fixes, hints the prompt says), as
        ``pin_hints`` decides: all in the prompt when it is off, or (``None``) unless they fix
        every field; also when the record they fix would be invalid (a retry would repeat it)."""
        if self.pin_hints is False:
            return {}, dict(hints)
        values, rest = split_hints(self.pools, hints, self.model)
        whole = set(values) == set(self.output_columns)
        if (self.pin_hints is None and not whole) or (whole and not self._valid(values)):
            return {}, dict(hints)  # a record the draw breaks: the model may mend it
        return values, rest

    def _valid(self, values: Mapping[str, Any]) -> bool:
        try:
            record = self.model.model_validate(values)
        except ValueError:
            return False
        return self._check(record) is None

    def hints(self, index: int) -> dict[str, Any]:
        """The attribute hints of attempt ``index`` (the same for the same seed)."""
        rng = random.Random(f"{self.seed}:{index}") if self.seed is not None else random.Random()
        return sample_hints(self.pools, rng)

    def _recent_line(self, record: BaseModel) -> str:
        data = record.model_dump(mode="json")
        names = [
            f for f in (self.info.dedup_fields or self.info.fields) if isinstance(data.get(f), str)
        ]
        names = names or list(data)[:3]
        return "; ".join(f"{n}: {str(data[n])[:60]}" for n in names)

    # ----------------------------------------------------------------- the run engine

    def manifest_params(self) -> dict[str, Any]:
        messages = self.messages()
        return {
            "model": self.model_spec(),
            "temperature": getattr(self.llm, "temperature", None),
            "max_tokens": getattr(self.llm, "max_tokens", None),
            "seed": self.seed,
            "concurrency": self.concurrency,
            "subject": self.subject,
            "extra": self.extra,
            "persona": self.persona,
            "examples": self._examples_source or ("none" if not self.examples else "built-in"),
            "n_examples": len(self.examples),
            "pools": {k: repr(v) for k, v in self.pools.items()},
            "method": self.method,
            "pin_hints": self.pin_hints,
            "max_retries": self.max_retries,
            "avoid_recent": self.avoid_recent,
            "prompt": messages[1].content,
            "system_prompt": messages[0].content,
        }

    def manifest_extra(self) -> dict[str, Any]:
        return {
            "schema": self.info.name,
            "schema_class": self.model.__name__,
            "fields": self.info.fields,
        }

    def identity(self) -> dict[str, Any]:
        return {"schema": self.info.name}

    def admission(self, existing: Sequence[Mapping[str, Any]]) -> KeyAdmission:
        """Dedup on the schema's key fields; a copy of a few-shot example is a duplicate too
        (a small model at low temperature often hands one back verbatim)."""
        self._recent.clear()
        for row in existing[-self.avoid_recent :] if self.avoid_recent else ():
            self._recent.append(self._recent_line(self.model.model_validate(row)))

        def remember(result: RecordAttempt) -> None:
            assert result.record is not None
            self._recent.append(self._recent_line(result.record))

        fields = self.info.dedup_fields
        return KeyAdmission(
            lambda row: record_key(row, fields),
            existing,
            forbidden=self.examples,
            forbidden_reason="copy of a few-shot example",
            on_admit=remember if self.avoid_recent else None,
        )

    def rejected_row(self, index: int, row: Mapping[str, Any], result: Any) -> dict[str, Any]:
        return {"error": result.error, "raw_output": result.raw_output, "hints": result.hints}

    # ----------------------------------------------------------------- one record

    def _structured_for(
        self, index: int, pinned: Mapping[str, Any] | None = None
    ) -> Runnable[Any, dict[str, Any]]:
        """The structured call for record ``index``, with its own seed (:func:`reseeded`:
        without it, a schema without hint pools would get the same record every time) and
        its ``pinned`` field values fixed in the grammar."""
        llm = reseeded(self.llm, index)
        if llm is self.llm and not pinned:
            return self._structured
        schema = pinned_schema(self.model, pinned) if pinned else None
        return structured_runnable(llm, self.model, self.method, schema=schema)[0]

    def _check(self, record: BaseModel) -> str | None:
        try:
            for check in self.validators:
                check(record)
        except ValueError as exc:
            return str(exc)
        return None

    async def aprepare(self, slots: int) -> None:
        """Before a burst of ``slots`` parallel requests, put the shared prompt prefix (system
        message and few-shot block) into every server slot's cache.

        llama.cpp caches each slot's last prompt, so the first request on each slot would
        process the whole prefix again (slots x ~500 tokens, seconds of CPU on a small
        machine, taken from decoding). The prefix is processed once in slot 0 and copied
        into the others (:func:`langsynth.local.acopy_slot`); where the server cannot copy
        slots, one request with ``n = slots`` fills about two of them. A failure here is
        ignored unless the server is gone (the run then says so).
        """
        if slots < 2 or not is_llamacpp(self.llm) or not hasattr(self.llm, "n"):
            return
        from langsynth.local import acopy_slot

        messages = [
            SystemMessage(content=self._system_text),
            HumanMessage(content=self._fixed_text),
        ]
        extra = {**(getattr(self.llm, "extra_body", None) or {}), "id_slot": 0}
        key = getattr(self.llm, "openai_api_key", None)
        base = str(getattr(self.llm, "openai_api_base", "") or "").removesuffix("/v1")
        try:
            await self.llm.model_copy(update={"max_tokens": 1, "extra_body": extra}).ainvoke(
                messages
            )
            secret = key.get_secret_value() if key is not None else None
            copied = 0
            if base.startswith(("http://", "https://")):
                copied = await acopy_slot(base, secret, 0, range(1, slots))
            if copied == 0:
                await self.llm.model_copy(update={"n": slots, "max_tokens": 1}).ainvoke(messages)
        except Exception as exc:
            row_failure(exc)  # raises for a dead or unauthorised server; else not worth a row

    def input_at(self, index: int) -> dict[str, Any]:
        """Attempt ``index``: its hints, drawn from the seed (the same for the same index)."""
        return {"index": index, "hints": self.hints(index)}

    def input_of(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """For ``run(rows)``: a row of attributes is the hints of one record (fields the pools
        do not cover are given as ``field: value``); ``{"hints": ..., "index": ...}`` as is."""
        return dict(row) if "hints" in row or "index" in row else {"hints": dict(row)}

    def output_rows(self, index: int, row: Mapping[str, Any], result: Any) -> list[dict[str, Any]]:
        return [result.to_row()]

    async def aprocess(
        self, input: Mapping[str, Any] | None = None, config: RunnableConfig | None = None
    ) -> RecordAttempt:
        """One record for ``input`` (``{"hints": {...}, "index": i}``; missing parts are drawn):
        call the model, validate, retry with the error fed back."""
        given = dict(input or {})
        index = int(given.get("index", random.getrandbits(32)))
        hints = given.get("hints")
        drawn = dict(hints) if isinstance(hints, Mapping) else self.hints(index)
        pinned, shown = self.split(drawn)
        outcomes = await call_with_feedback(
            self._structured_for(index, pinned),
            self.model,
            self.messages(shown, list(self._recent)),
            max_retries=self.max_retries,
            check=self._check,
            config=config,
        )
        usage = Usage()
        for outcome in outcomes:
            usage.add(outcome.usage)
        last = outcomes[-1]
        return RecordAttempt(
            index=index,
            hints=drawn,
            record=last.value,
            error=last.error,
            raw_output=last.raw,
            attempts=len(outcomes),
            usage=usage,
            latency_s=sum(o.latency_s for o in outcomes),
        )

    # ----------------------------------------------------------------- Runnable

    def invoke(
        self, input: Mapping[str, Any] | None = None, config: RunnableConfig | None = None, **_: Any
    ) -> BaseModel:
        """Generate one validated record. ``input`` may set ``hints`` (field -> value)."""
        return run_sync(self.ainvoke(input, config))

    async def ainvoke(
        self, input: Mapping[str, Any] | None = None, config: RunnableConfig | None = None, **_: Any
    ) -> BaseModel:
        result = await self.aprocess(input, config)
        if result.record is None:
            raise GenerationError(
                f"No valid {self.model.__name__} after {result.attempts} attempts: {result.error}",
                raw_output=result.raw_output,
            )
        return result.record

    # ----------------------------------------------------------------- N records

    def generate(self, n: int, **options: Any) -> RunResult:
        """Generate ``n`` valid, unique records; journalled and resumable with ``output``.

        >>> gen.generate(100, output="out/bills.csv", resume=True)  # doctest: +SKIP

        Options are those of :meth:`langsynth.runs.SourceStep.generate` (``output``,
        ``resume``, ``overwrite``, ``max_attempts``, ``progress``, ``budget``, ...).
        ``result.records`` are the records as ``schema`` objects.
        """
        result = super().generate(n, **options)
        result.model = self.model
        return result

    async def agenerate(self, n: int, **options: Any) -> RunResult:
        """Async :meth:`generate`."""
        result = await super().agenerate(n, **options)
        result.model = self.model
        return result
