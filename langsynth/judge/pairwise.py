"""Pairwise judging: which of two responses to one request is better, checked in both orders.

``mode="separate"`` (the default) judges each response on its own with the pointwise judge
(rules, gate, checklist) and compares the two scores: a difference below ``margin`` is a tie.
Neither response is shown beside the other, so their order cannot sway the verdict (the
1.5B judge, shown both, agreed with itself across the swap on a third of the benchmark's
pairs); both orders give the same verdict by construction.

``mode="together"``: both responses are shown together (A, then B) and the checklist's
questions for the request are asked about each side, one token each; the side whose checks
score higher wins, and a difference below ``margin`` is a tie. Then the order is swapped and
the same is done again: only verdicts on which both orders agree are kept (position-bias
control, seed 004), and :func:`~langsynth.judge.results.agreement_rate` reports how often
they agreed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import RunnableConfig
from pydantic import BaseModel

from langsynth.errors import JudgeInputError
from langsynth.judge.checklist import Checklist, Question, combine
from langsynth.judge.items import as_text, pair_rows, pairwise_triples
from langsynth.judge.pointwise import warn_self_judging
from langsynth.judge.results import Check, PairwiseResult, pairwise_summary
from langsynth.judge.rubrics import check_language, resolve_rubric
from langsynth.judge.scoring import with_logprobs, yes_probability
from langsynth.model_errors import row_failure
from langsynth.results import Usage
from langsynth.runs import MapStep
from langsynth.schemas import SchemaInfo, load_schema

PAIR_SYSTEM = (
    "You are a strict checker of data. Two responses, A and B, answer the same REQUEST. "
    "Answer the QUESTION about the one response it names with one word: yes or no."
)
# Score differences below these are ties. Side by side the two sides' answers are noisy;
# judged separately at temperature 0 each score is deterministic, so only equal scores tie.
DEFAULT_MARGIN = {"together": 0.25, "separate": 0.05}
PAIRWISE_MODES = ("separate", "together")


def pair_messages(request: str, a: str, b: str, side: str, question: str) -> list[BaseMessage]:
    """One check of one side, with both responses shown (they cache across checks)."""
    text = (
        f"REQUEST:\n{request}\n\nRESPONSE A:\n{a}\n\nRESPONSE B:\n{b}\n\n"
        f"QUESTION about RESPONSE {side}: {question}\nAnswer yes or no."
    )
    return [SystemMessage(content=PAIR_SYSTEM), HumanMessage(content=text)]


class PairwiseJudge(MapStep):
    """Compare two responses to one request, twice with the order swapped.

    Input: ``(request, first, second)`` or a row with those columns (responses as text,
    dicts or Pydantic models); ``run(rows, output=...)`` compares many on the run engine.
    The criteria, gate and question writing are the pointwise judge's (see
    :class:`~langsynth.judge.pointwise.PointwiseJudge`).
    """

    job: ClassVar[str] = "pairwise"
    input_columns = ("request", "first", "second")
    output_columns = PairwiseResult.output_columns

    def __init__(
        self,
        llm: BaseChatModel,
        *,
        schema: str | SchemaInfo | type[BaseModel] | None = None,
        criteria: Sequence[str] | str | Path | None = None,
        language: str = "ko",
        gate: bool = True,
        specific: bool = True,
        margin: float | None = None,
        mode: str = "separate",
        calibrate: bool = False,
        reference: bool = True,
        writings: int = 1,
        concurrency: int = 4,
        generator_model: str | None = None,
    ) -> None:
        from langsynth.errors import ConfigurationError
        from langsynth.judge.pointwise import PointwiseJudge

        if mode not in PAIRWISE_MODES:
            raise ConfigurationError(f"mode must be one of {', '.join(PAIRWISE_MODES)}.")
        self.mode = mode
        self.info = load_schema(schema) if schema is not None else None
        self.rubric = resolve_rubric(self.info, criteria)
        self.criteria = self.rubric.criteria
        self.language = check_language(language)
        self.margin = DEFAULT_MARGIN[mode] if margin is None else margin
        # each comparison runs its two orders at once
        self.concurrency = max(1, concurrency // 2)
        self.llm = with_logprobs(llm, max_tokens=1)
        self.checklist = Checklist(
            self.llm,
            with_logprobs(llm, max_tokens=60),
            self.criteria,
            gate=gate,
            specific=specific,
            calibrate=calibrate,
            writings=writings,
        )
        self.scorer = PointwiseJudge(
            llm,
            schema=self.info,
            criteria=criteria,
            language=language,
            gate=gate,
            specific=specific,
            comment="checks",
            calibrate=calibrate,
            reference=reference,
            writings=writings,
        )
        warn_self_judging(llm, generator_model)

    async def _side(
        self,
        request: str,
        a: str,
        b: str,
        side: str,
        questions: Sequence[Question],
        config: RunnableConfig | None,
        usage: Usage,
    ) -> list[Check]:
        checks = []
        for q in questions:
            reply = await self.llm.ainvoke(pair_messages(request, a, b, side, q.text), config)
            usage.add(Usage.of(reply))
            p = yes_probability(reply)
            checks.append(Check(q.text, 0.5 if p is None else p, gate=q.gate))
        return checks

    async def _order(
        self,
        request: str,
        a: str,
        b: str,
        questions: Sequence[Question],
        config: RunnableConfig | None,
        usage: Usage,
    ) -> tuple[str, str]:
        """``A``, ``B`` or ``tie`` for one order, and a comment."""
        checks_a = await self._side(request, a, b, "A", questions, config, usage)
        checks_b = await self._side(request, a, b, "B", questions, config, usage)
        score_a, score_b = combine(checks_a), combine(checks_b)
        verdict = self._verdict(score_a, score_b)
        return verdict, self._comment(verdict, checks_a, checks_b, score_a, score_b)

    def _verdict(self, score_a: float, score_b: float) -> str:
        """``A``, ``B``, or ``tie`` when the scores differ by less than ``margin``."""
        if abs(score_a - score_b) < self.margin:
            return "tie"
        return "A" if score_a > score_b else "B"

    def _comment(
        self, verdict: str, checks_a: list[Check], checks_b: list[Check], sa: float, sb: float
    ) -> str:
        winner, loser = (checks_a, checks_b) if verdict != "B" else (checks_b, checks_a)
        differs = [
            lose.question
            for win, lose in zip(winner, loser, strict=False)
            if win.p_yes >= 0.5 > lose.p_yes
        ]
        if self.language == "ko":
            head = "두 응답이 비슷합니다" if verdict == "tie" else f"{verdict}가 더 낫습니다"
            tail = f" (다른 쪽이 못한 점: {' / '.join(differs)})" if differs else ""
            return f"{head}: A {sa:.1f}점, B {sb:.1f}점{tail}."
        head = "Both are alike" if verdict == "tie" else f"{verdict} is better"
        tail = f" (the other fails: {' / '.join(differs)})" if differs else ""
        return f"{head}: A {sa:.1f}, B {sb:.1f}{tail}."

    async def aprocess(self, input: Any, config: RunnableConfig | None = None) -> PairwiseResult:
        """Compare one ``(request, first, second)``; a failed call is a result with ``error``."""
        if isinstance(input, Mapping):
            input = tuple(input[c] for c in self.input_columns)
        request, first, second = (as_text(v) for v in input)
        usage = Usage()
        if self.mode == "separate":
            return await self._separate(request, first, second, config, usage)
        try:
            questions = await self.checklist.questions(request, config)
            (v1, c1), (v2, c2) = await asyncio.gather(
                self._order(request, first, second, questions, config, usage),
                self._order(request, second, first, questions, config, usage),
            )
        except Exception as exc:
            problem = row_failure(exc)
            return PairwiseResult(None, False, (None, None), (None, None), problem, usage)
        names = ({"A": "first", "B": "second"}, {"A": "second", "B": "first"})
        in_order = names[0].get(v1, "tie")
        swapped = names[1].get(v2, "tie")
        consistent = in_order == swapped
        return PairwiseResult(
            in_order if consistent else None,
            consistent,
            (in_order, swapped),
            (c1, c2),
            usage=usage,
        )

    async def _separate(
        self, request: str, first: str, second: str, config: RunnableConfig | None, usage: Usage
    ) -> PairwiseResult:
        """Each response judged on its own (pointwise), then the scores compared."""
        a, b = await asyncio.gather(
            self.scorer.aprocess((request, self._parsed(first)), config),
            self.scorer.aprocess((request, self._parsed(second)), config),
        )
        usage.add(a.usage)
        usage.add(b.usage)
        if a.error or b.error or a.expected_score is None or b.expected_score is None:
            error = a.error or b.error or "no score"
            return PairwiseResult(None, False, (None, None), (None, None), error, usage)
        sa, sb = a.expected_score, b.expected_score
        verdict = self._verdict(sa, sb)
        winner = {"A": "first", "B": "second"}.get(verdict, "tie")
        comment = self._comment(verdict, a.checks, b.checks, sa, sb)
        return PairwiseResult(winner, True, (winner, winner), (comment, comment), usage=usage)

    def _parsed(self, response: str) -> Any:
        """A response that is a JSON object as the record it is, so that the rule checks
        see the record (else the text)."""
        text = response.strip()
        if not text.startswith("{"):
            return response
        try:
            value = json.loads(text)
        except ValueError:
            return response
        return value if isinstance(value, dict) else response

    # ------------------------------------------------------------------ the run engine

    def pairs(
        self,
        rows: Sequence[Mapping[str, Any]],
        against: Sequence[Mapping[str, Any]] | None = None,
        *,
        request: str | None = None,
    ) -> list[dict[str, Any]]:
        """Rows to compare: row i with row i of ``against``, else rows 2k with 2k+1, as
        ``{"request", "first", "second"}`` (the request is ``request`` or the first's)."""
        subject = (self.info.subject or self.info.name) if self.info is not None else "record"
        triples = pairwise_triples(
            pair_rows(rows, against), rubric=self.rubric, subject=subject, request=request
        )
        return [dict(zip(self.input_columns, t, strict=True)) for t in triples]

    def rows_of(self, inputs: Sequence[Any]) -> list[Mapping[str, Any]]:
        """Rows ``{"request", "first", "second"}`` from rows or triples."""
        rows: list[Mapping[str, Any]] = []
        for x in inputs:
            if isinstance(x, Mapping):
                rows.append(dict(x))
            elif isinstance(x, tuple | list) and len(x) == 3:
                rows.append({c: as_text(v) for c, v in zip(self.input_columns, x, strict=True)})
            else:
                raise JudgeInputError(
                    f"cannot compare a {type(x).__name__}: pass (request, first, second) "
                    "triples or rows with request, first and second columns"
                )
        return rows

    def manifest_params(self) -> dict[str, Any]:
        return {
            "model": self.model_spec(),
            "mode": self.mode,
            "criteria": list(self.criteria),
            "language": self.language,
            "margin": self.margin,
        }

    def identity(self) -> dict[str, Any]:
        return {"criteria": list(self.criteria), "language": self.language}

    def step_summary(self, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """Agreement rate and win counts of the compared pairs (recorded in the lineage)."""
        return pairwise_summary([PairwiseResult.from_row(r) for r in rows])
