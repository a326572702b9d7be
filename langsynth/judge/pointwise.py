"""Pointwise judging: each row gets the course's ``{"score": 1-5, "comment": "..."}``.

How a row is scored (see :mod:`langsynth.judge.checklist` for why):

1. the row becomes a request and a response (:func:`~langsynth.judge.items.to_item`);
2. a record of a known schema is validated first: a broken rule scores 1, no model call;
3. the checklist: a gate question for the request and one question per criterion, each
   answered with one token and scored from P(yes); the gate caps the score;
4. a comment in Korean or English says what failed (written by the model from the checks'
   answers, or composed from them with ``comment="checks"``).
"""

from __future__ import annotations

import re
import statistics
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.runnables import RunnableConfig
from pydantic import BaseModel

from langsynth.errors import ConfigurationError, JudgeInputError
from langsynth.judge.checklist import SHARPNESS, Checklist, combine
from langsynth.judge.items import JudgeItem, as_row, to_item
from langsynth.judge.results import (
    COMMENT_MAX_CHARS,
    Check,
    JudgeResult,
    clean_comment,
    score_summary,
)
from langsynth.judge.rubrics import check_language, resolve_rubric
from langsynth.judge.rules import RULE_NAMES, RuleProblem, infer_schema, rule_problems
from langsynth.judge.scoring import round_score, with_logprobs
from langsynth.model_errors import row_failure
from langsynth.results import Usage
from langsynth.runs import MapStep
from langsynth.schemas import SchemaInfo, load_schema

COMMENT_MAX_TOKENS = 120
COMMENT_MODES = ("model", "checks")


COMMENT_INSTRUCTIONS = {
    "ko": (
        "위 결과로 점수를 설명하는 짧은 한국어 문장 1-2개를 쓰세요: 요청에 맞는 점과 틀리거나 "
        "빠진 점을 구체적으로 말하세요. 코멘트만 한국어로 쓰세요."
    ),
    "en": (
        "Write 1-2 short sentences in English that explain the score: say what fits and what "
        "is wrong or missing. Write only the comment."
    ),
}
_HANGUL_RE = re.compile(r"[가-힣]")
_LATIN_RE = re.compile(r"[A-Za-z]")


def in_korean(text: str) -> bool:
    """Whether ``text`` is mostly Korean (more Hangul syllables than Latin letters)."""
    return len(_HANGUL_RE.findall(text)) > len(_LATIN_RE.findall(text)) / 2


class SelfJudgingWarning(UserWarning):
    """The judge is the same model as the generator: its scores are biased upwards."""


class PointwiseJudge(MapStep):
    """Score rows (records, or request/response pairs) 1-5 with a comment.

    Args:
        llm: the judge model (``langsynth.get_judge_model(temperature=0)``); a larger or
            different model than the generator.
        schema: the rows' schema: its criteria, its request template and its rules (a row
            that breaks one scores 1). Without it a built-in schema is recognised by the
            row's field names.
        criteria: your criteria, most important first: ``"a; b; c"``, one per line, a file,
            or a sequence; they replace the schema's.
        language: ``ko`` or ``en``, the language of the comments.
        gate: check first that the response gives what the request asks for, and cap the
            score at 2 when it does not.
        specific: let the model rewrite the gate and each criterion as a concrete question
            for each request (once per distinct request); ``shots``: from worked examples;
            ``blind``: ask those questions about the response alone (shown the request, a
            small model answers from it); ``writings``: write the gate that many times
            (the examples in another order each time) and average P(yes) over them.
        calibrate: read each check's P(yes) relative to the model's answer to the same
            question about a response that answers nothing (its yes-bias), see
            :class:`~langsynth.judge.checklist.Checklist`.
        reference: for a closed request (one short correct answer) the model writes that
            answer once and a gate checks the response gives it.
        comment: ``model`` (the model writes it from the checks' answers) or ``checks``
            (composed from the checks, no extra call).
        samples: calls per question, averaged (for models without log-probabilities; give
            the model a temperature > 0).
        sharpness: how decisively each check's P(yes) is read before the checks are
            combined into the score (:func:`~langsynth.judge.checklist.decisive`; 0 reads
            it as it is).
        validate: apply the rule checks first (schema rules: score 1; an empty field, a
            missing required word, or a length, language or quantity the request or the
            criteria state and the response breaks: at most 2), see
            :mod:`langsynth.judge.rules`.
        generator_model: the spec of the model that generated the data; a warning is issued
            if it is the judge's.

    ``invoke(row)`` judges one row; ``run(rows, output="judged.jsonl", resume=True)`` judges
    many on the run engine (journal, resume, manifest): each output row is the input row with
    ``score``, ``score_expected``, ``comment`` and ``error``.

    >>> judge = PointwiseJudge(get_judge_model(temperature=0), criteria="fits; is correct")
    ... # doctest: +SKIP
    >>> judge.invoke({"request": "Recommend one horror movie.", "title": "Alien", ...})
    ... # doctest: +SKIP
    JudgeResult(score=5, comment='...', expected_score=4.8, ...)
    """

    job: ClassVar[str] = "judge"
    input_columns: tuple[str, ...] = ()  # any row: see langsynth.judge.items
    output_columns = JudgeResult.output_columns

    def __init__(
        self,
        llm: BaseChatModel,
        *,
        schema: str | SchemaInfo | type[BaseModel] | None = None,
        criteria: Sequence[str] | str | Path | None = None,
        language: str = "ko",
        gate: bool = True,
        specific: bool = True,
        comment: str = "model",
        samples: int = 1,
        validate: bool = True,
        question_first: bool = False,
        calibrate: bool = False,
        reference: bool = True,
        shots: bool = True,
        blind: bool = True,
        writings: int = 1,
        sharpness: float = SHARPNESS,
        max_tokens: int = COMMENT_MAX_TOKENS,
        concurrency: int = 4,
        generator_model: str | None = None,
        prompt_field: str | None = None,
        response_field: str | None = None,
    ) -> None:
        self.info = load_schema(schema) if schema is not None else None
        self.rubric = resolve_rubric(self.info, criteria)
        self.custom_criteria = criteria is not None
        self.language = check_language(language)
        if samples < 1:
            raise ConfigurationError("samples must be at least 1.")
        if comment not in COMMENT_MODES:
            raise ConfigurationError(f"comment must be one of {', '.join(COMMENT_MODES)}.")
        self.samples = samples
        self.sharpness = sharpness
        self.comment_mode = comment
        self.validate = validate
        self.concurrency = max(1, concurrency)
        self.prompt_field = prompt_field
        self.response_field = response_field
        self.llm = llm
        self.checklist = Checklist(
            with_logprobs(llm, max_tokens=1),
            with_logprobs(llm, max_tokens=60),
            self.rubric.criteria,
            gate=gate,
            specific=specific,
            question_first=question_first,
            calibrate=calibrate,
            reference=reference,
            shots=shots,
            blind=blind,
            writings=writings,
        )
        self._commenter = with_logprobs(llm, max_tokens=max_tokens)
        self._checklists: dict[str, Checklist] = {}
        warn_self_judging(llm, generator_model)

    def __repr__(self) -> str:
        schema = self.info.name if self.info else None
        return f"PointwiseJudge(schema={schema!r}, language={self.language!r})"

    # ------------------------------------------------------------------ inputs

    def schema_of(self, value: Any) -> SchemaInfo | None:
        """The schema that applies to ``value``: the judge's, else one recognised by fields."""
        if self.info is not None:
            return self.info
        if isinstance(value, dict):
            return infer_schema(value)
        if isinstance(value, tuple | list) and len(value) == 2 and isinstance(value[1], dict):
            return infer_schema(value[1])  # (request, record)
        return None

    def item(self, value: Any) -> JudgeItem:
        """What the judge will see for ``value`` (a row, a pair or a JudgeItem)."""
        info = self.schema_of(value)
        rubric = self.rubric if info is self.info else resolve_rubric(info, None)
        return to_item(
            value,
            rubric=rubric,
            subject=(info.subject or info.name) if info else "record",
            prompt_field=self.prompt_field,
            response_field=self.response_field,
            glossary=info.glossary if info else None,
        )

    def _checklist_for(self, info: SchemaInfo | None) -> Checklist:
        """A recognised schema's criteria apply when the user gave none."""
        if info is None or info is self.info or self.custom_criteria:
            return self.checklist
        found = self._checklists.get(info.name)
        if found is None:
            found = self.checklist.with_criteria(resolve_rubric(info, None).criteria)
            self._checklists[info.name] = found
        return found

    # ------------------------------------------------------------------ judging

    async def aprocess(self, input: Any, config: RunnableConfig | None = None) -> JudgeResult:
        """Judge one row. A row without a verdict is a result with ``error``, not an exception."""
        try:
            item = self.item(input)
        except JudgeInputError as exc:
            return JudgeResult(None, None, error=str(exc))
        info = self.schema_of(input)
        if self.validate:
            problems = rule_problems(
                item.request, item.response, item.record, info, self.rubric.criteria
            )
            if problems:
                cap = min(p.cap for p in problems)
                return JudgeResult(
                    round_score(cap),
                    self._rules_comment(problems),
                    expected_score=cap,
                    scores=[round_score(cap)],
                    checks=[Check(f"{p.rule}: {p.message}", 0.0, gate=True) for p in problems],
                )
        checklist = self._checklist_for(info)
        usage = Usage()
        try:
            questions = await checklist.questions(item.request, config)
        except Exception as exc:
            return JudgeResult(None, None, error=row_failure(exc), usage=usage)
        checks: list[Check] = []
        raw: list[str] = []
        for question in questions:
            values = []
            for _sample in range(self.samples):
                try:
                    p, text, used = await checklist.ask(item, question, config)
                except Exception as exc:
                    problem = row_failure(exc)
                    return JudgeResult(None, None, error=problem, usage=usage)
                usage.add(used)
                raw.append(text)
                if p is not None:
                    values.append(p)
            if not values:
                return JudgeResult(
                    None,
                    None,
                    error=f"the model answered neither yes nor no to {question.text!r}",
                    raw_output=" | ".join(raw),
                    usage=usage,
                )
            checks.append(Check(question.text, statistics.fmean(values), gate=question.gate))
        expected = combine(checks, sharpness=self.sharpness)
        score = round_score(expected)
        comment = await self._comment(item, checks, score, config, usage)
        return JudgeResult(
            score,
            comment,
            expected_score=round(expected, 3),
            scores=[score],
            raw_output=" | ".join(raw),
            checks=checks,
            usage=usage,
        )

    # ------------------------------------------------------------------ the run engine

    def rows_of(self, inputs: Sequence[Any]) -> list[Mapping[str, Any]]:
        """Rows from rows, records, ``(request, response)`` pairs or JudgeItems."""
        return [as_row(x) for x in inputs]

    def check_rows(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Fail before any model call when a named prompt/response column is missing."""
        for name, what in ((self.prompt_field, "prompt"), (self.response_field, "response")):
            if name is None:
                continue
            for i, row in enumerate(rows, start=1):
                if name not in row:
                    raise ConfigurationError(
                        f"input row {i} has no {what} column {name!r}; its columns are "
                        f"{', '.join(map(str, row)) or 'none'}."
                    )

    def manifest_params(self) -> dict[str, Any]:
        return {
            "model": self.model_spec(),
            "criteria": list(self.rubric.criteria),
            "language": self.language,
            "gate": self.checklist.gate,
            "specific": self.checklist.specific,
            "comment": self.comment_mode,
            "samples": self.samples,
            "validate": self.validate,
            "calibrate": self.checklist.calibrate,
            "reference": self.checklist.reference,
            "shots": self.checklist.shots,
            "blind": self.checklist.blind,
            "sharpness": self.sharpness,
        }

    def manifest_extra(self) -> dict[str, Any]:
        return {"schema": self.info.name} if self.info is not None else {}

    def identity(self) -> dict[str, Any]:
        return {"criteria": list(self.rubric.criteria), "language": self.language}

    def step_summary(self, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """The judged rows' mean, spread and distribution (recorded in the lineage)."""
        return score_summary([JudgeResult.from_row(r) for r in rows])

    # ------------------------------------------------------------------ comments

    def _rules_comment(self, problems: Sequence[RuleProblem]) -> str:
        """What the rule checks found, in the comment language."""
        names = RULE_NAMES[self.language]
        text = "; ".join(f"{names.get(p.rule, p.rule)} ({p.message})" for p in problems)
        return (text[0].upper() + text[1:] + ".")[:COMMENT_MAX_CHARS]

    def checks_comment(self, checks: Sequence[Check], score: int) -> str:
        """A comment composed from the checks (no model call)."""
        failed = [c for c in checks if c.p_yes < 0.5]
        gate_failed = any(c.gate for c in failed)
        others = [c.question for c in failed if not c.gate]
        if self.language == "ko":
            parts = ["요청한 것을 주지 않습니다." if gate_failed else "요청에 맞습니다."]
            if others:
                parts.append("충족하지 못한 점: " + " / ".join(others))
            elif not gate_failed:
                parts.append("모든 기준을 충족합니다.")
        else:
            parts = [
                "It does not give what the request asks for."
                if gate_failed
                else "It fits the request."
            ]
            if others:
                parts.append("Not met: " + " / ".join(others))
            elif not gate_failed:
                parts.append("It meets every criterion.")
        return " ".join(parts)[:COMMENT_MAX_CHARS]

    async def _comment(
        self,
        item: JudgeItem,
        checks: Sequence[Check],
        score: int,
        config: RunnableConfig | None,
        usage: Usage,
    ) -> str:
        if self.comment_mode == "checks":
            return self.checks_comment(checks, score)
        findings = "\n".join(f"- {c.question} {'yes' if c.p_yes >= 0.5 else 'no'}" for c in checks)
        prompt = (
            f"REQUEST:\n{item.request}\n\nRESPONSE:\n{item.response}\n\n"
            f"A checker answered these questions about the RESPONSE:\n{findings}\n"
            f"The score is {score} of 5.\n\n{COMMENT_INSTRUCTIONS[self.language]}"
        )
        messages = [
            SystemMessage(content="You explain evaluation results briefly and concretely."),
            HumanMessage(content=prompt),
        ]
        try:
            reply = await self._commenter.ainvoke(messages, config=config)
        except Exception as exc:
            row_failure(exc)  # raises unless the failure is about this request
            return self.checks_comment(checks, score)
        usage.add(Usage.of(reply))
        truncated = reply.response_metadata.get("finish_reason") == "length"
        text = clean_comment(str(reply.content).strip().strip('"'), truncated=truncated)
        if not text or in_korean(text) != (self.language == "ko"):
            # the 1.5B model often answers in English when asked for Korean: the comment
            # composed from the checks is in the right language
            return self.checks_comment(checks, score)
        return text[:COMMENT_MAX_CHARS]


# --------------------------------------------------------------------------- self-judging


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


def warn_self_judging(llm: BaseChatModel, generator_model: str | None) -> None:
    """Issue :class:`SelfJudgingWarning` if ``llm`` is ``generator_model``."""
    from langsynth.llm import model_spec_of

    message = self_judging_message(model_spec_of(llm), generator_model)
    if message:
        warnings.warn(message, SelfJudgingWarning, stacklevel=3)
