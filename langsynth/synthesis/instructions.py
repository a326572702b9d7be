"""Instruction data synthesis (seed 004): self-instruct and reverse instruction.

- :class:`SelfInstruct` (Wang et al., 2022; Alpaca): grow a set of ``instruction_example``
  records from a small seed set. Each new task is written by the model after a few sampled
  demonstrations (mostly seed tasks, some earlier generated ones), then answered; the
  Self-Instruct heuristics drop candidates that are too short or long, name things a text
  model cannot handle (images, files), start oddly, are too similar to an existing task
  (ROUGE-L >= 0.7), duplicate one, or whose response just repeats the input.
- :class:`ReverseInstruction` (Köksal et al., Li et al., 2023): given existing long-form text,
  ask for the instruction it answers; the human text becomes the response, so the response
  cannot be hallucinated.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig
from pydantic import ValidationError

from langsynth.errors import ConfigurationError, ExamplesError
from langsynth.model_errors import row_failure
from langsynth.normalize import fold_to_words, words
from langsynth.quality.diversity import distinct_n, rouge_l
from langsynth.results import Usage
from langsynth.runs import SourceStep
from langsynth.schemas.info import describe_validation_error
from langsynth.schemas.instruction_example import InstructionExample
from langsynth.synthesis.task import acomplete, is_refusal

# Self-Instruct's keyword filter: tasks a text-only model cannot do.
BLOCKED_KEYWORDS = (
    "image",
    "images",
    "graph",
    "graphs",
    "picture",
    "pictures",
    "file",
    "files",
    "map",
    "maps",
    "draw",
    "plot",
    "go to",
    "video",
    "audio",
    "music",
    "flowchart",
    "diagram",
)

# Everyday topics, as UltraChat (seed 004) seeded its tasks; one is drawn per new task so a
# small model does not copy a demonstration.
TASK_TOPICS = (
    "technology",
    "food and drink",
    "fashion",
    "nature",
    "education",
    "finance",
    "travel",
    "health",
    "sports",
    "history",
    "science",
    "programming",
    "mathematics",
    "writing",
    "business",
    "law",
    "the environment",
    "language learning",
    "home and garden",
    "pets",
    "movies",
    "cooking",
    "careers",
    "psychology",
    "geography",
    "cars",
    "shopping",
    "art",
    "parenting",
    "space",
)

NEW_TASK_PROMPT = (
    "Come up with a new task for an AI assistant. Here are some example tasks:\n\n"
    "{examples}\n\n"
    "Now write one new task about {topic}. It must be different from the tasks above. "
    'Answer with two lines: "Task {next}:" followed by the instruction, then "Input:" followed '
    'by the text the task works on, or "none".'
)
# Phrases of the prompt itself: an "instruction" containing them is the model echoing it.
_PROMPT_ECHO = ("two lines", "followed by the instruction", "new task about", "tasks above")

RESPONSE_PROMPT = "{instruction}\n\n{input}\n\nAnswer in at most 150 words."

_TASK_LINE = re.compile(r"^\s*(?:\*\*)?task\s*\d*\s*:?(?:\*\*)?\s*:?\s*", re.IGNORECASE)
_INPUT_LINE = re.compile(r"^\s*(?:\*\*)?input\s*:?(?:\*\*)?\s*:?\s*", re.IGNORECASE)
_NONE = {"", "none", "n/a", "<none>", "(none)", "no input", "none."}


def load_seed_tasks(path: str | Path | None = None) -> list[InstructionExample]:
    """Seed tasks from a JSONL file of ``instruction``/``input``/``response`` (default: shipped).

    The shipped set has 24 varied tasks (advice, translation, classification, code, math,
    rewriting, extraction, ...), in the spirit of Self-Instruct's 175 seed tasks.
    """
    if path is None:
        text = (resources.files("langsynth.words") / "seed_tasks.jsonl").read_text(encoding="utf-8")
        where = "shipped seed_tasks.jsonl"
    else:
        where = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ExamplesError("file does not exist", path=where) from None
    tasks = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            tasks.append(InstructionExample.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as exc:
            raise ExamplesError(
                f"not an instruction example ({type(exc).__name__}: {exc})".splitlines()[0],
                path=where,
                line=lineno,
            ) from None
    if not tasks:
        raise ExamplesError("no seed tasks in the file", path=where)
    return tasks


@dataclass(frozen=True)
class SelfInstructFilter:
    """The Self-Instruct heuristics (seed 004 "data verification"), as one callable.

    ``check(example, existing)`` returns ``None`` to keep the example, else the reason.
    """

    min_words: int = 3
    max_words: int = 150
    max_similarity: float = 0.7
    blocked_keywords: tuple[str, ...] = BLOCKED_KEYWORDS
    min_distinct_3: float = 0.5

    def check_instruction(self, instruction: str, existing: Sequence[str]) -> str | None:
        """Checks that need only the instruction (run before paying for a response)."""
        text = instruction.strip()
        tokens = words(text)
        if len(tokens) < self.min_words:
            return f"instruction too short ({len(tokens)} words)"
        if len(tokens) > self.max_words:
            return f"instruction too long ({len(tokens)} words)"
        if not text[0].isascii() or not text[0].isalnum():
            return "instruction starts with punctuation or a non-English character"
        lowered = " ".join(tokens)
        if any(echo in text.lower() for echo in _PROMPT_ECHO):
            return "instruction echoes the prompt"
        for keyword in self.blocked_keywords:
            if re.search(rf"\b{re.escape(keyword)}\b", lowered):
                return f"instruction mentions {keyword!r} (a text model cannot do it)"
        normalized = fold_to_words(text)
        best = 0.0
        for other in existing:
            if fold_to_words(other) == normalized:
                return "same instruction as an existing example"
            best = max(best, rouge_l(text, other))
        if best >= self.max_similarity:
            return f"too similar to an existing instruction (ROUGE-L {best:.2f})"
        return None

    def check_response(self, example: InstructionExample) -> str | None:
        """Checks on the finished example: a real response, not the input again, not a loop."""
        response = fold_to_words(example.response)
        if not response:
            return "empty response"
        if example.input and response == fold_to_words(example.input):
            return "response repeats the input"
        if response == fold_to_words(example.instruction):
            return "response repeats the instruction"
        if is_refusal(example.response):
            return "response is a refusal"
        words = response.split()
        if len(words) >= 30 and distinct_n([response], 3) < self.min_distinct_3:
            return "response repeats itself (a generation loop)"
        return None

    def check(self, example: InstructionExample, existing: Sequence[str]) -> str | None:
        return self.check_instruction(example.instruction, existing) or self.check_response(example)


def parse_task(text: str) -> tuple[str, str]:
    """``(instruction, input)`` from a ``Task N: ...`` / ``Input: ...`` answer."""
    instruction_lines: list[str] = []
    input_lines: list[str] = []
    target = instruction_lines
    # "Task 4: Solve it. Input: 2x + 3 = 4" on one line: split before "Input:".
    text = re.sub(r"[ \t]+(?=(?:\*\*)?input\s*:)", "\n", text, flags=re.IGNORECASE)
    for line in text.strip().splitlines():
        if _INPUT_LINE.match(line):
            target = input_lines
            line = _INPUT_LINE.sub("", line)
        elif _TASK_LINE.match(line):
            if instruction_lines and target is input_lines:
                break  # the model started another task: keep the first one
            target = instruction_lines
            line = _TASK_LINE.sub("", line)
        if line.strip():
            target.append(line.strip())
    instruction = " ".join(instruction_lines).strip().strip('"')
    input_text = "\n".join(input_lines).strip().strip('"')
    if input_text.lower() in _NONE:
        input_text = ""
    return instruction, input_text


@dataclass
class InstructionResult:
    """One candidate: the example, or why it was dropped (``error``)."""

    record: InstructionExample | None = None
    filtered: str | None = None  # a Self-Instruct filter's reason
    source: str = "self-instruct"
    usage: Usage = field(default_factory=Usage)
    failure: str | None = None  # the call failed
    raw_output: str = ""

    @property
    def output_tokens(self) -> int:
        return self.usage.output_tokens

    @property
    def ok(self) -> bool:
        return self.record is not None and not self.filtered and not self.failure

    @property
    def error(self) -> str | None:
        return self.failure or self.filtered

    def to_row(self) -> dict[str, Any]:
        return self.record.model_dump() if self.record else {}


class _PoolAdmission:
    """Self-Instruct's filters against the pool as it is when a candidate finishes: seed
    tasks plus every example accepted so far (earlier sessions included)."""

    def __init__(self, step: SelfInstruct, existing: Sequence[Mapping[str, Any]]) -> None:
        self.step = step
        step.generated = [InstructionExample.model_validate(r) for r in existing]

    def admit(self, result: InstructionResult) -> tuple[str, str] | None:
        assert result.record is not None
        reason = self.step.filters.check(result.record, self.step.instructions)
        if reason:
            return ("check", reason)
        self.step.generated.append(result.record)
        return None


class SelfInstruct(SourceStep):
    """Writes one new ``instruction_example`` per attempt, growing its pool.

    Each attempt shows ``seed_demos`` seed tasks and ``machine_demos`` accepted generated
    tasks (Self-Instruct used 6 + 2; small models do better with fewer), asks for a new task
    about a topic drawn from ``topics`` (``None``: no topic; small models then often copy a
    demo), filters it (:class:`SelfInstructFilter`), then asks for the response. Accepted
    examples join the pool that later candidates are compared with and shown; the final
    filter runs against the pool when a candidate finishes. ``generate(n)`` runs until
    ``n`` examples pass.
    """

    job: ClassVar[str] = "self-instruct"
    output_columns = tuple(InstructionExample.model_fields)

    def __init__(
        self,
        llm: BaseChatModel,
        seeds: Sequence[InstructionExample | Mapping[str, Any]] | None = None,
        *,
        seed_demos: int = 3,
        machine_demos: int = 1,
        filters: SelfInstructFilter | None = None,
        response_llm: BaseChatModel | None = None,
        topics: Sequence[str] | None = TASK_TOPICS,
        seed: int | None = None,
        concurrency: int = 4,
    ) -> None:
        self.llm = llm
        self.topics = tuple(topics or ())
        self.response_llm = response_llm or llm
        self.seeds = [
            s if isinstance(s, InstructionExample) else InstructionExample.model_validate(s)
            for s in (seeds if seeds is not None else load_seed_tasks())
        ]
        if not self.seeds:
            raise ConfigurationError("Self-instruct needs at least one seed task.")
        self.seed_demos = seed_demos
        self.machine_demos = machine_demos
        self.filters = filters or SelfInstructFilter()
        self.generated: list[InstructionExample] = []
        self.seed = seed
        self.concurrency = concurrency

    @property
    def instructions(self) -> list[str]:
        """Every instruction in the pool (seed and generated)."""
        return [e.instruction for e in (*self.seeds, *self.generated)]

    def _rng(self, index: int | None) -> random.Random:
        if self.seed is None or index is None:
            return random.Random()
        return random.Random(f"{self.seed}:{index}")

    def demos(self, rng: random.Random | None = None) -> list[InstructionExample]:
        """A random mix of seed and generated tasks to show."""
        rng = rng or random.Random()
        picked = rng.sample(self.seeds, min(self.seed_demos, len(self.seeds)))
        if self.generated and self.machine_demos:
            picked += rng.sample(self.generated, min(self.machine_demos, len(self.generated)))
        rng.shuffle(picked)
        return picked

    @staticmethod
    def task_prompt(demos: Sequence[InstructionExample], topic: str | None = None) -> str:
        blocks = []
        for i, demo in enumerate(demos, start=1):
            input_text = " ".join(demo.input.split()) if demo.input else "none"
            blocks.append(f"Task {i}: {demo.instruction}\nInput: {input_text}")
        text = NEW_TASK_PROMPT.format(
            examples="\n\n".join(blocks), next=len(demos) + 1, topic=topic or "any topic"
        )
        return text if topic else text.replace("one new task about any topic.", "one new task.")

    def draw_topic(self, rng: random.Random | None = None) -> str | None:
        """A topic for a task, or ``None`` without topics."""
        return (rng or random.Random()).choice(self.topics) if self.topics else None

    @staticmethod
    def response_prompt(instruction: str, input_text: str) -> str:
        return RESPONSE_PROMPT.format(instruction=instruction, input=input_text).replace(
            "\n\n\n\n", "\n\n"
        )

    # ----------------------------------------------------------------- the run engine

    def input_at(self, index: int) -> dict[str, Any]:
        """Attempt ``index``: its topic and demos, drawn from the pool as it is now."""
        rng = self._rng(index)
        return {
            "topic": self.draw_topic(rng),
            "demos": [d.model_dump() for d in self.demos(rng)],
        }

    def admission(self, existing: Sequence[Mapping[str, Any]]) -> _PoolAdmission:
        return _PoolAdmission(self, existing)

    def output_rows(self, index: int, row: Mapping[str, Any], result: Any) -> list[dict[str, Any]]:
        return [result.to_row()]

    def rejected_row(self, index: int, row: Mapping[str, Any], result: Any) -> dict[str, Any]:
        return {
            **result.to_row(),
            "source": result.source,
            "error": result.error,
            "raw_output": result.raw_output,
        }

    def manifest_params(self) -> dict[str, Any]:
        return {
            "model": self.model_spec(),
            "seed_tasks": len(self.seeds),
            "seed_demos": self.seed_demos,
            "machine_demos": self.machine_demos,
            "topics": len(self.topics),
            "seed": self.seed,
        }

    async def aprocess(
        self, input: Mapping[str, Any] | None = None, config: RunnableConfig | None = None
    ) -> InstructionResult:
        given = dict(input or {})
        if "demos" in given:
            demos = [InstructionExample.model_validate(d) for d in given["demos"]]
            topic = given.get("topic")
        else:
            rng = random.Random()
            demos, topic = self.demos(rng), self.draw_topic(rng)
        result = InstructionResult(source="self-instruct")
        try:
            step = await acomplete(self.llm, self.task_prompt(demos, topic), config=config)
            result.usage.add(step.usage)
            result.raw_output = step.text
            instruction, input_text = parse_task(step.text)
            filtered = self.filters.check_instruction(instruction, self.instructions)
            if filtered:  # skip the response call for a task the pool already rules out
                result.filtered = filtered
                result.record = _loose_example(instruction, input_text, "")
                return result
            step = await acomplete(
                self.response_llm, self.response_prompt(instruction, input_text), config=config
            )
        except Exception as exc:
            result.failure = row_failure(exc)
            return result
        result.usage.add(step.usage)
        if step.truncated:
            result.filtered = "response cut off at max_tokens"
            result.record = _loose_example(instruction, input_text, step.text)
            return result
        try:
            result.record = InstructionExample(
                instruction=instruction, input=input_text, response=step.text or "-"
            )
        except ValueError as exc:
            result.failure = describe_validation_error(exc)
        return result


def _loose_example(instruction: str, input_text: str, response: str) -> InstructionExample:
    """An example kept for the rejected file, bypassing validation (it may be invalid)."""
    return InstructionExample.model_construct(
        instruction=instruction, input=input_text, response=response
    )
