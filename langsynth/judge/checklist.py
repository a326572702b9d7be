"""Checklist judging: one yes/no question per criterion, scored from P(yes), behind a gate.

Why: a 1.5B judge asked for "a score 1-5" gives 5 to nearly everything, and asked an
abstract question ("does the response give what the request asks for?") says yes with the
same confidence to a musical offered as a horror film. Asked a *concrete* question ("is the
recommended movie a horror film?") it separates the two clearly (P(yes) 0.98 against
0.3-0.45). So:

1. **Questions written for the request.** For each distinct request the model writes, once,
   the questions that check it is met (the **gate**: the kind of thing asked for, then its
   most important stated attribute, one question each) and rewrites each of the user's
   criteria (split at ``;``) into a concrete yes/no question for that request, from worked
   examples (:mod:`langsynth.judge.writing`). Cached per request: many rows answering one
   request cost one set of questions.
2. **One token per question, about the response alone.** Each question is asked about the
   response on its own, the answer read from the log-probabilities of "yes"/"no" (CheckEval,
   TICK). A written question says what is asked for, so the request is not shown: with it, a
   small model answers from the request ("is the recommended movie a horror movie?" -> yes
   for a romance offered as horror). A closed request (one short correct answer: a sum, a
   label, a translation) is shown: its questions need the problem. The response comes
   first and the question last, so a server's prompt cache reuses the item for every
   question.
3. **Gate and score.** Each P(yes) is read decisively (:func:`decisive`: a small judge says
   "yes" at 0.6-0.8 to a check that holds, and averaged as it is every response lands
   mid-scale); the checks' mean sets the score; the gate (the kind of thing asked for, and a
   closed request's answer) caps it: a response that does not give what was asked scores 1-2
   however well it meets the rest. A further attribute the writer reads from the request
   ("to watch alone?") is one more criterion, not a gate.
"""

from __future__ import annotations

import asyncio
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import RunnableConfig

from langsynth.errors import ConfigurationError
from langsynth.judge.items import JudgeItem
from langsynth.judge.results import Check
from langsynth.judge.scoring import yes_probability
from langsynth.judge.writing import (
    CRITERION_PROMPT,
    CRITERION_SHOTS,
    GATE_PROMPT,
    GATE_QUESTIONS,
    GATE_SHOTS,
    GENERIC_GATE,
    NULL_RESPONSES,
    REFERENCE_MAX_CHARS,
    REFERENCE_MAX_WORDS,
    REFERENCE_QUESTION,
    REFERENCE_SHOTS,
    REFERENCE_SYSTEM,
    WRITER_SYSTEM,
    clean_questions,
    plain_question,
)
from langsynth.results import Usage

CHECK_SYSTEM = (
    "You are a strict checker of data. Read the REQUEST and the RESPONSE carefully, then "
    "answer the QUESTION about the RESPONSE with one word: yes or no."
)
# A written question carries what the request asks for, so it is asked about the response
# alone: shown the request, a 1.5B checker answers "is the recommended movie a horror movie?"
# from the request (P(yes) 0.88 for a romance offered as horror).
BLIND_CHECK_SYSTEM = (
    "You are a strict checker of data. Read the RESPONSE carefully, then answer the QUESTION "
    "about the RESPONSE with one word: yes or no."
)


@dataclass(frozen=True)
class Question:
    """A question to ask about a response; ``gate`` marks the request check."""

    text: str
    gate: bool = False
    criterion: str | None = None  # the user's criterion it was written from
    standalone: bool = False  # written for an open request: it is asked without it
    variants: tuple[str, ...] = ()  # other writings of the same check: P(yes) is the mean

    @property
    def wordings(self) -> tuple[str, ...]:
        """The question and its other writings, each asked once."""
        return (self.text, *self.variants)


def check_messages(
    item: JudgeItem, question: str, *, question_first: bool, show_request: bool = True
) -> list[BaseMessage]:
    """The messages of one check (request and response first, so they cache across checks;
    ``show_request=False``: the response alone)."""
    body = f"RESPONSE:\n{item.response}"
    if show_request:
        body = f"REQUEST:\n{item.request}\n\n{body}"
    if question_first:
        text = f"QUESTION: {question}\n\n{body}\n\nAnswer the QUESTION with yes or no."
    else:
        text = f"{body}\n\nQUESTION: {question}\nAnswer yes or no."
    system = CHECK_SYSTEM if show_request else BLIND_CHECK_SYSTEM
    return [SystemMessage(content=system), HumanMessage(content=text)]


SHARPNESS = 12.0
"""How decisively :func:`decisive` reads a P(yes): the slope of its logistic curve at 0.5."""


def decisive(p_yes: float, sharpness: float = SHARPNESS) -> float:
    """P(yes) pushed away from 0.5 towards a yes/no decision: a logistic curve through
    (0.5, 0.5) with slope ``sharpness / 4`` there, scaled so that 0 and 1 stay 0 and 1
    (``sharpness=0``: unchanged). A small judge's "yes" often comes at 0.6-0.8 for a check
    that holds and 0.3-0.45 for one that fails; averaged as they are, every response lands
    near the middle of the scale."""
    if sharpness <= 0:
        return p_yes
    # the logistic 1 / (1 + e^(-s (p - 0.5))) is 0.5 + 0.5 tanh(s (p - 0.5) / 2); rescaling
    # its values at 0 and 1 to 0 and 1 divides the tanh by its value at p = 1
    return 0.5 + 0.5 * math.tanh(sharpness * (p_yes - 0.5) / 2) / math.tanh(sharpness / 4)


def combine(
    checks: Sequence[Check], *, gate_cap: float = 2.0, sharpness: float = SHARPNESS
) -> float:
    """The 1-5 score of a checklist.

    Each P(yes) is first read decisively (:func:`decisive`). The non-gate checks' mean then
    maps to 1-5; the gate's P(yes) pulls the score towards ``gate_cap`` (and below):
    ``min(score, gate_cap + p_gate * (score - gate_cap))`` when the score is above the cap,
    times ``p_gate`` in between, so a failed gate gives at most ``gate_cap`` and a passed one
    leaves the score as it is.
    """
    criteria = [decisive(c.p_yes, sharpness) for c in checks if not c.gate]
    gates = [decisive(c.p_yes, sharpness) for c in checks if c.gate]
    quality = statistics.fmean(criteria) if criteria else 1.0
    score = 1.0 + 4.0 * quality
    if gates:
        g = min(gates)
        if score > gate_cap:
            score = gate_cap + g * (score - gate_cap)
        score = 1.0 + (score - 1.0) * (0.5 + 0.5 * g) if g < 0.5 else score
    return max(1.0, min(5.0, score))


class Checklist:
    """Writes the questions for a request (cached) and asks them about a response.

    Args:
        llm: the judge model (one token per check; a logprobs-capable model is best).
        criteria: the criteria, most important first.
        gate: ask first whether the response gives what the request asks for.
        specific: have the model write questions for each request (else ask the criteria
            as written, and a generic gate).
        question_first: put the question before the request and response (ablation; the
            default after lets the server cache the item across questions).
        calibrate: read each answer relative to the model's answer to the same question
            about responses that answer nothing (an empty and an unrelated one): P(yes) is
            rescaled so that the larger of those baselines maps to 0 (one extra pair of
            calls per question and request, cached).
        shots: show the question writer worked examples (:mod:`langsynth.judge.writing`);
            ``False`` for the ablation.
        blind: ask the questions written for an open request about the response alone
            (the request primes a small model's "yes"). A request is closed when the
            reference writer gives it a short answer; without ``reference`` every request
            counts as open.
        reference: for a request with one short correct answer (arithmetic, a fact, a
            label, a translation) have the model write that answer once and add a gate "does
            the response give this answer?" (reference-guided grading).
    """

    def __init__(
        self,
        llm: BaseChatModel,
        writer: BaseChatModel,
        criteria: Sequence[str],
        *,
        gate: bool = True,
        specific: bool = True,
        question_first: bool = False,
        calibrate: bool = False,
        reference: bool = False,
        shots: bool = True,
        blind: bool = True,
        writings: int = 1,
    ) -> None:
        if writings < 1:
            raise ConfigurationError("writings must be at least 1.")
        self.writings = writings
        self.llm = llm
        self.blind = blind
        self.shots = shots
        self.reference = reference
        self.writer = writer
        self.criteria = tuple(criteria)
        self.gate = gate
        self.specific = specific
        self.question_first = question_first
        self.calibrate = calibrate
        self._baselines: dict[tuple[str, str], asyncio.Task[float | None]] = {}
        self._cache: dict[str, list[Question]] = {}
        # rows answering one request arrive together: they share one writing of its questions
        self._pending: dict[str, asyncio.Task[list[Question]]] = {}
        self.usage = Usage()

    def with_criteria(self, criteria: Sequence[str]) -> Checklist:
        """The same checklist settings for other criteria (e.g. another schema's)."""
        return Checklist(
            self.llm,
            self.writer,
            criteria,
            gate=self.gate,
            specific=self.specific,
            question_first=self.question_first,
            calibrate=self.calibrate,
            reference=self.reference,
            shots=self.shots,
            blind=self.blind,
            writings=self.writings,
        )

    async def _write(
        self,
        prompt: str,
        shots: Sequence[tuple[str, str]],
        config: RunnableConfig | None,
        limit: int = 1,
    ) -> list[str]:
        messages: list[BaseMessage] = [SystemMessage(content=WRITER_SYSTEM)]
        if self.shots:
            for shown, answer in shots:
                messages += [HumanMessage(content=shown), AIMessage(content=answer)]
        messages.append(HumanMessage(content=prompt))
        # a failed call fails the row that asked (nothing is cached; the next row writes again)
        reply = await self.writer.ainvoke(messages, config=config)
        self.usage.add(Usage.of(reply))
        return clean_questions(str(reply.content), limit)

    async def _reference(self, request: str, config: RunnableConfig | None) -> str | None:
        """The short correct answer of a closed request, ``None`` for an open-ended one."""
        messages: list[BaseMessage] = [SystemMessage(content=REFERENCE_SYSTEM)]
        for question, answer in REFERENCE_SHOTS:
            messages += [HumanMessage(content=question), AIMessage(content=answer)]
        messages.append(HumanMessage(content=request))
        reply = await self.writer.ainvoke(messages, config=config)
        self.usage.add(Usage.of(reply))
        text = str(reply.content).strip().strip('"').strip()
        first = text.splitlines()[0].strip() if text else ""
        if not first or first.upper().startswith("NONE") or len(first) > REFERENCE_MAX_CHARS:
            return None
        if len(first.split()) > REFERENCE_MAX_WORDS:
            return None
        return first

    async def questions(self, request: str, config: RunnableConfig | None = None) -> list[Question]:
        """The gate and one question per criterion for ``request`` (written once, cached)."""
        cached = self._cache.get(request)
        if cached is not None:
            return cached
        task = self._pending.get(request)
        if task is None or task.get_loop() is not asyncio.get_running_loop():
            task = asyncio.ensure_future(self._written(request, config))
            self._pending[request] = task
        try:
            return await task
        finally:
            if task.done():
                self._pending.pop(request, None)

    async def _written(self, request: str, config: RunnableConfig | None) -> list[Question]:
        # A closed request (one short correct answer) is a problem the checks must see to
        # check ("is the response the product of 17 and 6?"): its questions are asked with
        # the request. An open one's written questions say what it asks for: asked alone.
        answer = await self._reference(request, config) if self.reference else None
        alone = answer is None
        out: list[Question] = []
        if self.gate:
            gates: list[str] = []
            variants: list[str] = []
            if self.specific:
                gates, variants = await self._write_gate(request, config)
            # The first question is the kind of thing asked for: it caps the score. The
            # next is an attribute the writer read from the request, often an occasion
            # ("to watch alone?") a right answer need not state: it counts as a criterion.
            out += [
                Question(
                    t, gate=i == 0, standalone=alone, variants=tuple(variants) if i == 0 else ()
                )
                for i, t in enumerate(gates)
            ]
            if not gates:
                out.append(Question(GENERIC_GATE, gate=True))
        if answer:
            question = REFERENCE_QUESTION.format(answer=answer)
            out.append(Question(question, gate=True, criterion="reference"))
        for criterion in self.criteria:
            written: list[str] = []
            if self.specific:
                prompt = CRITERION_PROMPT.format(request=request, criterion=criterion)
                shots = [
                    (CRITERION_PROMPT.format(request=r, criterion=c), q)
                    for r, c, q in CRITERION_SHOTS
                ]
                written = await self._write(prompt, shots, config)
            if written:
                out.append(Question(written[0], criterion=criterion, standalone=alone))
            else:
                out.append(Question(plain_question(criterion), criterion=criterion))
        self._cache[request] = out
        return out

    async def _write_gate(
        self, request: str, config: RunnableConfig | None
    ) -> tuple[list[str], list[str]]:
        """The gate questions of ``request``, and other writings of the first one.

        With ``writings`` > 1 the gate is written that many times, the worked examples
        rotated each time (at temperature 0 the same prompt writes the same question): one
        misreading of the request (a writer copying the first example's "comedy") is then
        outvoted by the others."""
        limit = GATE_QUESTIONS
        shown = [(GATE_PROMPT.format(request=r, limit=limit), q) for r, q in GATE_SHOTS]
        prompt = GATE_PROMPT.format(request=request, limit=limit)
        orders = [shown[i % len(shown) :] + shown[: i % len(shown)] for i in range(self.writings)]
        gates, *others = await asyncio.gather(
            *(self._write(prompt, order, config, limit) for order in orders)
        )
        variants: list[str] = []
        for written in others:
            if written and written[0] not in (gates[:1] + variants):
                variants.append(written[0])
        return gates, variants

    def shows(self, question: Question) -> bool:
        """Whether ``question`` is asked with the request (``blind``: not a question written
        for an open request)."""
        return not (self.blind and question.standalone)

    async def ask(
        self, item: JudgeItem, question: Question, config: RunnableConfig | None = None
    ) -> tuple[float | None, str, Usage]:
        """P(yes) of ``question`` about ``item``, the mean over its wordings (``None`` if
        every answer is neither)."""
        found: list[float] = []
        texts: list[str] = []
        usage = Usage()
        for text in question.wordings:
            messages = check_messages(
                item, text, question_first=self.question_first, show_request=self.shows(question)
            )
            reply = await self.llm.ainvoke(messages, config=config)
            usage.add(Usage.of(reply))
            texts.append(str(reply.content))
            p = yes_probability(reply)
            if self.calibrate and p is not None:
                base = await self.baseline(item.request, question, config, text)
                if base is not None:
                    p = calibrated(p, base)
            if p is not None:
                found.append(p)
        return (statistics.fmean(found) if found else None), " / ".join(texts), usage

    async def baseline(
        self,
        request: str,
        question: Question,
        config: RunnableConfig | None = None,
        text: str | None = None,
    ) -> float | None:
        """The highest P(yes) of ``question`` (or its wording ``text``) about responses that
        answer nothing (cached)."""
        key = (request, text or question.text)
        task = self._baselines.get(key)
        if task is None or task.get_loop() is not asyncio.get_running_loop():
            task = asyncio.ensure_future(self._baseline(request, question, key[1], config))
            self._baselines[key] = task
        return await task

    async def _baseline(
        self, request: str, question: Question, text: str, config: RunnableConfig | None
    ) -> float | None:
        found = []
        for response in NULL_RESPONSES:
            messages = check_messages(
                JudgeItem(request, response),
                text,
                question_first=self.question_first,
                show_request=self.shows(question),
            )
            reply = await self.llm.ainvoke(messages, config=config)
            self.usage.add(Usage.of(reply))
            p = yes_probability(reply)
            if p is not None:
                found.append(p)
        return max(found) if found else None


# A baseline this close to 1 leaves no room: below it every answer would read as "no".
MAX_BASELINE = 0.9


def calibrated(p_yes: float, baseline: float) -> float:
    """P(yes) rescaled so that ``baseline`` (the bias) maps to 0 and 1 stays 1."""
    base = min(baseline, MAX_BASELINE)
    return max(0.0, (p_yes - base) / (1.0 - base))
