"""LLM-as-a-judge (seeds 000 and 004): pointwise scores with comments, pairwise with order swap.

Pointwise: each record, or each ``(prompt, response)`` pair, gets the course exercise's
``{"score": 1-5, "comment": "..."}``, a Pydantic-validated structured output, graded against
criteria (defaults per built-in schema, or your own). The comment is written in Korean or
English.

Small judges are weak. The embedded 1.5B judge with a plain "score 1-5 + comment" prompt
scored recommendations that ignore the request as high as fitting ones. What this module
does about it, measured on the labelled check in ``tests/integration/test_judge.py``:

- an anchored rubric: criteria in order of importance and what each score means
  (2 = "does not give what was asked, however well written");
- anchor examples as earlier chat turns (a fitting answer scored 5, an off-request one 2,
  a vague one 3), so the model sees the scale used, with comments in the chosen language;
- the rubric in English whatever the comment language (a 1.5B model follows English best);
- where the model reports token log-probabilities (llama.cpp, OpenAI, vLLM), the
  probability-weighted mean of the score digit as ``expected_score``: a finer, steadier
  signal than the single sampled digit (G-Eval's trick; ``samples`` > 1 averages several
  calls instead, for models without log-probabilities).

Pairwise: two candidates for the same request are compared twice, the second time with the
order swapped; only verdicts that agree are kept (position-bias control, seed 004), and
:func:`agreement_rate` reports how often the two orders agreed.

The judge should be a different or larger model than the generator: when both are the same
model a :class:`SelfJudgingWarning` is issued.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable, RunnableConfig
from pydantic import BaseModel, Field

from langsynth._async import bounded_map, run_sync
from langsynth.chains.structured import (
    StructuredOutcome,
    acall,
    feedback_messages,
    structured_runnable,
)
from langsynth.errors import ConfigurationError
from langsynth.schemas import SchemaInfo, load_schema

Language = Literal["ko", "en"]
LANGUAGES: dict[str, str] = {"ko": "Korean (한국어)", "en": "English"}
COMMENT_MAX_CHARS = 240
DEFAULT_MAX_TOKENS = 320
TOP_LOGPROBS = 10

# Columns the judge adds to a row.
SCORE_COLUMNS = ("score", "score_expected", "comment", "judge_error")


class JudgeVerdict(BaseModel):
    """The judge's answer: ``{"score": 1-5, "comment": "..."}`` (seed 000's format)."""

    score: int = Field(ge=1, le=5, description="1 (bad) to 5 (excellent), see the scale")
    comment: str = Field(
        min_length=1,
        max_length=COMMENT_MAX_CHARS,
        description="Why this score, 1-2 short sentences",
    )


class PairwiseVerdict(BaseModel):
    """The judge's answer when comparing two responses A and B."""

    # The comment comes first: a small judge that names the winner first picks B (the last
    # one it read) most of the time; reasoning first makes it follow what it noticed.
    comment: str = Field(
        min_length=1, max_length=COMMENT_MAX_CHARS, description="Compare A and B, 1-2 sentences"
    )
    winner: Literal["A", "B", "tie"] = Field(description="The better response, or tie")


class SelfJudgingWarning(UserWarning):
    """The judge is the same model as the generator: its scores are biased upwards."""


# --------------------------------------------------------------------------- rubrics


@dataclass(frozen=True)
class JudgeExample:
    """An anchor shown to the judge: a request, a response, its score and comments."""

    request: str
    response: str
    score: int
    comment_en: str
    comment_ko: str

    def comment(self, language: str) -> str:
        return self.comment_ko if language == "ko" else self.comment_en


@dataclass(frozen=True)
class Rubric:
    """What the judge grades against.

    ``criteria`` are listed most important first. ``examples`` anchor the score scale.
    ``request_template`` turns a bare record into the request it answers (formatted with the
    record's fields, e.g. ``"Recommend one {genre} movie."``); the fields it uses are left
    out of the response shown to the judge, so the judge must check them, not read them.
    """

    criteria: tuple[str, ...]
    examples: tuple[JudgeExample, ...] = ()
    request_template: str | None = None

    @property
    def request_fields(self) -> tuple[str, ...]:
        if not self.request_template:
            return ()
        return tuple(re.findall(r"{(\w+)}", self.request_template))


SCALE = (
    "Score scale:\n"
    "5 = meets every criterion.\n"
    "4 = meets every criterion, with a small weakness.\n"
    "3 = gives what was asked, but misses another criterion (e.g. a vague reason or a wrong "
    "field).\n"
    "2 = does not give what the request asks for, even if it is well written.\n"
    "1 = wrong, empty or nonsensical."
)


def _movie(title: str, year: int, genre: str, reason: str) -> str:
    return json.dumps(
        {"title": title, "year": year, "genre": genre, "reason": reason}, ensure_ascii=False
    )


MOVIE_RUBRIC = Rubric(
    criteria=(
        "The response gives what the request asks for (for a genre request: a movie of that "
        "genre).",
        "It names a real movie with its correct release year, and gives a reason.",
        "The reason is specific to this movie and convincing.",
    ),
    examples=(
        JudgeExample(
            "Recommend one comedy movie.",
            _movie(
                "Some Like It Hot",
                1959,
                "comedy",
                "Two musicians in disguise on the run from the mob; the timing and the final "
                "line still make audiences laugh.",
            ),
            5,
            "'Some Like It Hot' is the requested comedy, and the reason is specific and "
            "convincing.",
            "'Some Like It Hot'은 요청한 코미디 영화이고, 변장한 두 음악가의 도주극이라는 "
            "구체적인 이유가 설득력 있습니다.",
        ),
        JudgeExample(
            "Recommend one comedy movie.",
            _movie(
                "The Shining",
                1980,
                "horror",
                "A slow descent into madness in an isolated hotel; one of the most unsettling "
                "films ever made.",
            ),
            2,
            "'The Shining' is a horror film, not a comedy, so it does not fit the request "
            "however well the reason is written.",
            "요청은 코미디인데 'The Shining'은 공포 영화라서, 이유가 잘 쓰였어도 맞지 않습니다.",
        ),
        JudgeExample(
            "Recommend one science fiction movie.",
            _movie("The Notebook", 2004, "romance", "A moving love story told across decades."),
            2,
            "'The Notebook' is a romance, not science fiction, so it does not fit the request.",
            "요청은 SF인데 'The Notebook'은 로맨스 영화라서 맞지 않습니다.",
        ),
        JudgeExample(
            "Recommend one science fiction movie.",
            _movie("Arrival", 2016, "science fiction", "It is a good movie."),
            3,
            "'Arrival' is the requested science fiction film, but the reason is too vague to "
            "convince.",
            "'Arrival'은 요청한 SF 영화지만, 이유가 막연해서 설득력이 약합니다.",
        ),
        JudgeExample(
            "Recommend one drama movie.",
            _movie(
                "Abbey Road",
                1969,
                "drama",
                "This album has the Beatles' last recordings and its songs are still loved.",
            ),
            1,
            "The reason describes a music album, not a movie, so the answer is wrong.",
            "이유가 영화가 아니라 음악 앨범을 설명하므로 잘못된 답입니다.",
        ),
    ),
    request_template="Recommend one {genre} movie.",
)

GENERIC_EXAMPLES = (
    JudgeExample(
        "Write a one-sentence product description of a stainless steel water bottle.",
        "A 750 ml double-walled stainless steel bottle that keeps drinks cold for 24 hours "
        "and fits a car cup holder.",
        5,
        "It describes the requested water bottle with concrete, plausible details.",
        "요청한 물병을 구체적이고 그럴듯한 세부 사항으로 설명합니다.",
    ),
    JudgeExample(
        "Write a one-sentence product description of a stainless steel water bottle.",
        "Our ceramic coffee mug holds 350 ml and is safe in the microwave.",
        2,
        "It describes a coffee mug, not the requested water bottle.",
        "요청한 물병이 아니라 커피 머그를 설명하므로 요청과 맞지 않습니다.",
    ),
    JudgeExample(
        "Write a one-sentence product description of a stainless steel water bottle.",
        "It is a good bottle.",
        3,
        "It is about the right product but too vague to be useful.",
        "올바른 제품이지만 너무 막연해서 쓸모가 적습니다.",
    ),
)


def _record_rubric(*criteria: str) -> Rubric:
    return Rubric(
        criteria=(
            "The record is a realistic example of what the request asks for.",
            *criteria,
            "Every field is filled with a plausible, specific value (no placeholders).",
        ),
        examples=GENERIC_EXAMPLES,
    )


BUILTIN_RUBRICS: dict[str, Rubric] = {
    "movie_recommendation": MOVIE_RUBRIC,
    "medical_billing": _record_rubric(
        "The insurance claim amount does not exceed the total charge, and the procedure "
        "fits the diagnosis code."
    ),
    "actor_filmography": _record_rubric(
        "The films listed are plausible for this actor and contain no duplicates."
    ),
    "credit_card_transaction": _record_rubric(
        "Merchant, category, amount and description agree with each other."
    ),
}
GENERIC_RUBRIC = Rubric(
    criteria=(
        "The response gives what the request asks for.",
        "It is complete and internally consistent.",
        "It is specific, correct and convincing.",
    ),
    examples=GENERIC_EXAMPLES,
)


def default_rubric(schema: str | SchemaInfo | type[BaseModel] | None = None) -> Rubric:
    """The built-in rubric of ``schema`` (generic criteria for other schemas or ``None``)."""
    if schema is None:
        return GENERIC_RUBRIC
    info = load_schema(schema)
    return BUILTIN_RUBRICS.get(info.name, _record_rubric())


def parse_criteria(text: str | Path) -> tuple[str, ...]:
    """Criteria from text or a file: one per line (``-``, ``*`` or ``1.`` bullets allowed)."""
    source = str(text)
    path = Path(source)
    if "\n" not in source and len(source) < 4096:
        try:
            if path.is_file():
                source = path.read_text(encoding="utf-8")
        except OSError:
            pass
    items = []
    for line in source.splitlines():
        item = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s*", "", line).strip()
        if item:
            items.append(item)
    if not items:
        raise ConfigurationError(
            "The criteria are empty; give one criterion per line (text or a file)."
        )
    return tuple(items)


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class JudgeItem:
    """One thing to judge: the request and the response that answers it."""

    request: str
    response: str


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, BaseModel):
        return json.dumps(value.model_dump(mode="json"), ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, default=str)


PROMPT_FIELDS = ("prompt", "instruction", "question", "request", "query", "input")
RESPONSE_FIELDS = ("response", "output", "answer", "completion")


def to_item(
    value: Any,
    *,
    rubric: Rubric,
    subject: str = "record",
    prompt_field: str | None = None,
    response_field: str | None = None,
) -> JudgeItem:
    """Turn a record, a ``(prompt, response)`` pair or a :class:`JudgeItem` into a JudgeItem.

    A row with prompt/response columns (``prompt``/``instruction``/... and
    ``response``/``output``/...) is judged as a pair. A bare record answers the rubric's
    ``request_template`` filled from its fields, or "Generate one realistic {subject}".
    """
    if isinstance(value, JudgeItem):
        return value
    if isinstance(value, tuple | list) and len(value) == 2:
        return JudgeItem(_as_text(value[0]), _as_text(value[1]))
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    if not isinstance(value, Mapping):
        raise TypeError(
            f"cannot judge a {type(value).__name__}: pass a record (dict or Pydantic model), "
            "a (prompt, response) pair or a JudgeItem"
        )
    from langsynth.quality.fields import BOOKKEEPING_COLUMNS

    row = {
        k: v
        for k, v in value.items()
        if k not in BOOKKEEPING_COLUMNS and not str(k).startswith("_")
    }
    lower = {k.lower(): k for k in row}
    p_key = prompt_field or next((lower[n] for n in PROMPT_FIELDS if n in lower), None)
    r_key = response_field or next((lower[n] for n in RESPONSE_FIELDS if n in lower), None)
    if p_key is not None and r_key is not None and p_key in row and r_key in row:
        request = _as_text(row[p_key])
        input_key = lower.get("input")
        if input_key is not None and input_key not in (p_key, r_key) and row[input_key]:
            request += "\n\n" + _as_text(row[input_key])  # Alpaca: instruction + input
        return JudgeItem(request, _as_text(row[r_key]))
    if p_key is not None and p_key in row:  # a prompt column with the record's other fields
        rest = {k: v for k, v in row.items() if k != p_key}
        return JudgeItem(_as_text(row[p_key]), _as_text(rest))
    request = f"Generate one realistic {subject} record."
    shown = row
    if rubric.request_template and all(row.get(f) not in (None, "") for f in rubric.request_fields):
        request = rubric.request_template.format(**{f: row[f] for f in rubric.request_fields})
        shown = {k: v for k, v in row.items() if k not in rubric.request_fields}
    return JudgeItem(request, _as_text(shown))


# --------------------------------------------------------------------------- results


@dataclass
class JudgeResult:
    """A pointwise verdict. ``score`` is the judge's digit (mean of samples, rounded);
    ``expected_score`` the probability-weighted score when log-probabilities are available
    (else the mean of the sampled digits). ``error`` is set when no verdict was obtained."""

    score: int | None
    comment: str | None
    expected_score: float | None = None
    scores: list[int] = field(default_factory=list)
    error: str | None = None
    raw: str = ""

    @property
    def ok(self) -> bool:
        return self.score is not None

    def to_columns(self) -> dict[str, Any]:
        """``score``, ``score_expected``, ``comment``, ``judge_error`` for a data row."""
        return {
            "score": self.score,
            "score_expected": self.expected_score,
            "comment": self.comment,
            "judge_error": self.error,
        }


_SCORE_KEY_RE = re.compile(r'"score"\s*:\s*$')
_DIGITS = {"1", "2", "3", "4", "5"}


def score_distribution(message: BaseMessage | None) -> dict[int, float] | None:
    """P(score = k) read from the token log-probabilities of a JSON verdict, if reported."""
    meta = getattr(message, "response_metadata", None) or {}
    content = (meta.get("logprobs") or {}).get("content") or []
    text = ""
    for tok in content:
        token = str(tok.get("token", ""))
        if token.strip() in _DIGITS and _SCORE_KEY_RE.search(text):
            probs: dict[int, float] = {}
            for alt in tok.get("top_logprobs") or []:
                t = str(alt.get("token", "")).strip()
                if t in _DIGITS:
                    probs[int(t)] = probs.get(int(t), 0.0) + math.exp(float(alt["logprob"]))
            total = sum(probs.values())
            if total <= 0:
                return None
            return {k: v / total for k, v in sorted(probs.items())}
        text += token
        if len(text) > 400:
            break
    return None


def expected_value(distribution: Mapping[int, float]) -> float:
    return sum(k * p for k, p in distribution.items())


# --------------------------------------------------------------------------- helpers


def _tuned(llm: BaseChatModel, *, logprobs: bool, max_tokens: int) -> BaseChatModel:
    """An OpenAI-compatible model asked for log-probabilities and a max_tokens if unset."""
    from langchain_openai.chat_models.base import BaseChatOpenAI

    if not isinstance(llm, BaseChatOpenAI):
        return llm
    update: dict[str, Any] = {}
    if logprobs and not llm.logprobs:
        update.update(logprobs=True, top_logprobs=TOP_LOGPROBS)
    if llm.max_tokens is None:
        update["max_tokens"] = max_tokens
    return llm.model_copy(update=update) if update else llm


def _same_model(a: str, b: str) -> bool:
    from langsynth.llm import parse_spec

    def norm(spec: str) -> str:
        try:
            return str(parse_spec(spec))
        except ConfigurationError:
            return spec.strip()

    return norm(a) == norm(b)


def self_judging_message(judge_spec: str, generator_spec: str | None) -> str | None:
    """A warning text when judge and generator are the same model, else ``None``."""
    if not generator_spec or not _same_model(judge_spec, generator_spec):
        return None
    return (
        f"The judge ({judge_spec}) is the model that generated the data: self-judging is "
        "biased towards its own answers. Use a larger or different judge (--judge-model, "
        "LANGSYNTH_JUDGE_MODEL; the default is local-large)."
    )


def _warn_self_judging(llm: BaseChatModel, generator_model: str | None) -> None:
    from langsynth.llm import model_spec_of

    message = self_judging_message(model_spec_of(llm), generator_model)
    if message:
        warnings.warn(message, SelfJudgingWarning, stacklevel=3)


def _language(language: str) -> str:
    if language not in LANGUAGES:
        raise ConfigurationError(
            f"Unknown comment language {language!r}; use one of {', '.join(LANGUAGES)}."
        )
    return language


def _pair_text(item: JudgeItem) -> str:
    return f"REQUEST:\n{item.request}\n\nRESPONSE:\n{item.response}"


# --------------------------------------------------------------------------- pointwise


class PointwiseJudge(Runnable[Any, JudgeResult]):
    """Score records or (prompt, response) pairs 1-5 with a comment.

    Args:
        llm: the judge model (``langsynth.get_judge_model(temperature=0)``); a larger or
            different model than the generator.
        schema: the records' schema: picks the default rubric and the request of a record.
        criteria: your criteria (most important first); replaces the rubric's criteria.
        examples: anchor examples; default: the rubric's.
        language: ``ko`` or ``en``, the language of the comments.
        samples: calls per item, averaged (for models without log-probabilities; give the
            model a temperature > 0).
        logprobs: ask OpenAI-compatible models for log-probabilities (``expected_score``).
        generator_model: the spec of the model that generated the data; a warning is issued
            if it is the judge's.

    >>> judge = PointwiseJudge(get_judge_model(temperature=0), schema="movie_recommendation")
    ... # doctest: +SKIP
    >>> judge.invoke(("Recommend one horror movie.", '{"title": "Alien", ...}'))  # doctest: +SKIP
    JudgeResult(score=5, comment='...', expected_score=4.8, ...)
    """

    def __init__(
        self,
        llm: BaseChatModel,
        *,
        schema: str | SchemaInfo | type[BaseModel] | None = None,
        criteria: Sequence[str] | str | Path | None = None,
        examples: Sequence[JudgeExample] | None = None,
        language: str = "ko",
        samples: int = 1,
        logprobs: bool = True,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        max_retries: int = 1,
        concurrency: int = 4,
        method: str = "auto",
        generator_model: str | None = None,
        prompt_field: str | None = None,
        response_field: str | None = None,
    ) -> None:
        self.info = load_schema(schema) if schema is not None else None
        base = default_rubric(self.info)
        if isinstance(criteria, str | Path):
            criteria = parse_criteria(criteria)
        self.rubric = Rubric(
            criteria=tuple(criteria) if criteria else base.criteria,
            examples=tuple(examples) if examples is not None else base.examples,
            request_template=base.request_template,
        )
        self.language = _language(language)
        if samples < 1:
            raise ConfigurationError("samples must be at least 1.")
        self.samples = samples
        self.max_retries = max(0, max_retries)
        self.concurrency = max(1, concurrency)
        self.prompt_field = prompt_field
        self.response_field = response_field
        self.llm = _tuned(llm, logprobs=logprobs, max_tokens=max_tokens)
        self._structured, self.method = structured_runnable(self.llm, JudgeVerdict, method)
        _warn_self_judging(llm, generator_model)

    def __repr__(self) -> str:
        schema = self.info.name if self.info else None
        return f"PointwiseJudge(schema={schema!r}, language={self.language!r})"

    @property
    def subject(self) -> str:
        return (self.info.subject or self.info.name) if self.info else "record"

    def system_prompt(self) -> str:
        """The rubric as the system message (English; comments in the chosen language)."""
        criteria = "\n".join(f"{i}. {c}" for i, c in enumerate(self.rubric.criteria, 1))
        return (
            "You are a strict evaluator of synthetic data. Grade the RESPONSE to the REQUEST.\n"
            f"Criteria, most important first:\n{criteria}\n\n{SCALE}\n\n"
            'Answer with JSON: {"score": 1-5, "comment": "..."}. '
            f"Write the comment in {LANGUAGES[self.language]}, 1-2 short sentences."
        )

    def item(self, value: Any) -> JudgeItem:
        """What the judge will see for ``value`` (a record, a pair or a JudgeItem)."""
        return to_item(
            value,
            rubric=self.rubric,
            subject=self.subject,
            prompt_field=self.prompt_field,
            response_field=self.response_field,
        )

    def messages(self, value: Any) -> list[BaseMessage]:
        """System rubric, the anchor examples as earlier turns, then the item."""
        msgs: list[BaseMessage] = [SystemMessage(content=self.system_prompt())]
        for ex in self.rubric.examples:
            msgs.append(HumanMessage(content=_pair_text(JudgeItem(ex.request, ex.response))))
            verdict = {"score": ex.score, "comment": ex.comment(self.language)}
            msgs.append(AIMessage(content=json.dumps(verdict, ensure_ascii=False)))
        msgs.append(HumanMessage(content=_pair_text(self.item(value))))
        return msgs

    async def _sample(
        self, messages: list[BaseMessage], config: RunnableConfig | None
    ) -> StructuredOutcome:
        outcome = await acall(self._structured, JudgeVerdict, messages, config)
        for _ in range(self.max_retries):
            if outcome.ok or outcome.truncated:
                break
            outcome = await acall(
                self._structured, JudgeVerdict, [*messages, *feedback_messages(outcome)], config
            )
        return outcome

    async def ainvoke(
        self, input: Any, config: RunnableConfig | None = None, **_: Any
    ) -> JudgeResult:
        """Judge one item. A failed judgment is a result with ``error``, not an exception."""
        messages = self.messages(input)
        outcomes = [await self._sample(messages, config) for _ in range(self.samples)]
        good = [o for o in outcomes if o.ok]
        if not good:
            last = outcomes[-1]
            return JudgeResult(None, None, error=last.error or "no verdict", raw=last.raw)
        verdicts = [o.value for o in good if isinstance(o.value, JudgeVerdict)]
        scores = [v.score for v in verdicts]
        expectations = []
        for o in good:
            dist = score_distribution(o.message)
            expectations.append(expected_value(dist) if dist else None)
        if all(e is not None for e in expectations):
            expected: float = sum(e for e in expectations if e is not None) / len(expectations)
        else:
            expected = sum(scores) / len(scores)
        mean = sum(scores) / len(scores)
        return JudgeResult(
            score=math.floor(mean + 0.5),
            comment=verdicts[0].comment,
            expected_score=round(expected, 3),
            scores=scores,
            raw=good[0].raw,
        )

    def invoke(self, input: Any, config: RunnableConfig | None = None, **_: Any) -> JudgeResult:
        return run_sync(self.ainvoke(input, config))

    async def ajudge(
        self,
        items: Iterable[Any],
        *,
        on_result: Callable[[int, JudgeResult], None] | None = None,
    ) -> list[JudgeResult]:
        """Judge all ``items`` with bounded concurrency; results in input order.

        ``on_result(index, result)`` is called as each one finishes.
        """

        async def one(_: int, item: Any) -> JudgeResult:
            try:
                return await self.ainvoke(item)
            except TypeError as exc:  # not something we can judge: that row only
                return JudgeResult(None, None, error=str(exc))

        return await bounded_map(
            one, list(items), concurrency=self.concurrency, on_result=on_result
        )

    def judge(self, items: Iterable[Any], **kwargs: Any) -> list[JudgeResult]:
        """Synchronous :meth:`ajudge`."""
        return run_sync(self.ajudge(items, **kwargs))


# --------------------------------------------------------------------------- pairwise


@dataclass
class PairwiseResult:
    """Two orders' verdicts, in terms of the original order (``first``/``second``/``tie``).

    ``winner`` is set only when both orders agree (``consistent``); otherwise it is ``None``
    and the pair should not be used as a preference.
    """

    winner: str | None
    consistent: bool
    verdicts: tuple[str | None, str | None]
    comments: tuple[str | None, str | None]
    error: str | None = None

    def to_columns(self) -> dict[str, Any]:
        return {
            "winner": self.winner,
            "consistent": self.consistent,
            "verdict_in_order": self.verdicts[0],
            "verdict_swapped": self.verdicts[1],
            "comment_in_order": self.comments[0],
            "comment_swapped": self.comments[1],
            "judge_error": self.error,
        }


def agreement_rate(results: Sequence[PairwiseResult]) -> float | None:
    """Share of compared pairs whose two orders agreed (``None`` if none was compared)."""
    compared = [r for r in results if r.error is None]
    if not compared:
        return None
    return sum(1 for r in compared if r.consistent) / len(compared)


class PairwiseJudge(Runnable[Any, PairwiseResult]):
    """Compare two responses to one request, twice with the order swapped.

    Input: ``(request, first, second)`` (responses as text, dicts or Pydantic models).
    """

    def __init__(
        self,
        llm: BaseChatModel,
        *,
        schema: str | SchemaInfo | type[BaseModel] | None = None,
        criteria: Sequence[str] | str | Path | None = None,
        language: str = "ko",
        max_tokens: int = DEFAULT_MAX_TOKENS,
        max_retries: int = 1,
        concurrency: int = 4,
        method: str = "auto",
        generator_model: str | None = None,
    ) -> None:
        self.info = load_schema(schema) if schema is not None else None
        base = default_rubric(self.info)
        if isinstance(criteria, str | Path):
            criteria = parse_criteria(criteria)
        self.criteria = tuple(criteria) if criteria else base.criteria
        self.language = _language(language)
        self.max_retries = max(0, max_retries)
        self.concurrency = max(1, concurrency)
        self.llm = _tuned(llm, logprobs=False, max_tokens=max_tokens)
        self._structured, self.method = structured_runnable(self.llm, PairwiseVerdict, method)
        _warn_self_judging(llm, generator_model)

    def system_prompt(self) -> str:
        criteria = "\n".join(f"{i}. {c}" for i, c in enumerate(self.criteria, 1))
        return (
            "You are a strict evaluator of synthetic data. Two responses, A and B, answer the "
            "same REQUEST. Decide which one meets the criteria better.\n"
            f"Criteria, most important first:\n{criteria}\n\n"
            "A response that does not give what the request asks for loses to one that does. "
            'Answer "tie" only if both are equally good or equally bad. The order in which '
            "they are shown does not matter.\n"
            'Answer with JSON: {"comment": "...", "winner": "A" | "B" | "tie"}. '
            f"Write the comment in {LANGUAGES[self.language]}, 1-2 short sentences."
        )

    def messages(self, request: str, a: Any, b: Any) -> list[BaseMessage]:
        text = f"REQUEST:\n{request}\n\nRESPONSE A:\n{_as_text(a)}\n\nRESPONSE B:\n{_as_text(b)}"
        return [SystemMessage(content=self.system_prompt()), HumanMessage(content=text)]

    async def _verdict(
        self, messages: list[BaseMessage], config: RunnableConfig | None
    ) -> StructuredOutcome:
        outcome = await acall(self._structured, PairwiseVerdict, messages, config)
        for _ in range(self.max_retries):
            if outcome.ok or outcome.truncated:
                break
            outcome = await acall(
                self._structured,
                PairwiseVerdict,
                [*messages, *feedback_messages(outcome)],
                config,
            )
        return outcome

    async def ainvoke(
        self, input: Any, config: RunnableConfig | None = None, **_: Any
    ) -> PairwiseResult:
        request, first, second = input
        in_order, swapped = await asyncio.gather(
            self._verdict(self.messages(_as_text(request), first, second), config),
            self._verdict(self.messages(_as_text(request), second, first), config),
        )
        mapping = ({"A": "first", "B": "second"}, {"A": "second", "B": "first"})
        verdicts: list[str | None] = []
        comments: list[str | None] = []
        for outcome, names in zip((in_order, swapped), mapping, strict=True):
            value = outcome.value
            if isinstance(value, PairwiseVerdict):
                verdicts.append(names.get(value.winner, "tie"))
                comments.append(value.comment)
            else:
                verdicts.append(None)
                comments.append(None)
        errors = [o.error for o in (in_order, swapped) if not o.ok]
        if errors:
            return PairwiseResult(
                None, False, (verdicts[0], verdicts[1]), (comments[0], comments[1]), errors[0]
            )
        consistent = verdicts[0] == verdicts[1]
        return PairwiseResult(
            verdicts[0] if consistent else None,
            consistent,
            (verdicts[0], verdicts[1]),
            (comments[0], comments[1]),
        )

    def invoke(self, input: Any, config: RunnableConfig | None = None, **_: Any) -> PairwiseResult:
        return run_sync(self.ainvoke(input, config))

    async def ajudge(
        self,
        triples: Iterable[tuple[Any, Any, Any]],
        *,
        on_result: Callable[[int, PairwiseResult], None] | None = None,
    ) -> list[PairwiseResult]:
        """Compare every ``(request, first, second)``; results in input order."""

        async def one(_: int, triple: tuple[Any, Any, Any]) -> PairwiseResult:
            return await self.ainvoke(triple)

        # each comparison makes two calls at once
        concurrency = max(1, self.concurrency // 2)
        return await bounded_map(one, list(triples), concurrency=concurrency, on_result=on_result)

    def judge(self, triples: Iterable[tuple[Any, Any, Any]], **kwargs: Any) -> list[PairwiseResult]:
        """Synchronous :meth:`ajudge`."""
        return run_sync(self.ajudge(triples, **kwargs))


def score_summary(results: Sequence[JudgeResult]) -> dict[str, Any]:
    """Count, mean, distribution (1..5) and failures of pointwise results."""
    scores = [r.score for r in results if r.score is not None]
    expected = [r.expected_score for r in results if r.expected_score is not None]
    return {
        "judged": len(scores),
        "failed": len(results) - len(scores),
        "mean": round(sum(scores) / len(scores), 3) if scores else None,
        "mean_expected": round(sum(expected) / len(expected), 3) if expected else None,
        "distribution": {k: scores.count(k) for k in range(1, 6)},
    }
