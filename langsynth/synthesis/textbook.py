"""Topic x audience textbook excerpts (seed 002, "Textbooks Are All You Need" / phi-1).

Diversity comes from constraining each prompt to one topic and one audience: a high-school
student, a CS undergraduate and a PhD student get different explanations of the same topic.
The prompt carries the seed's constraints (overview, example, 1-2 code snippets of at most 10
lines, no text after the code, 2 paragraphs at most), and :func:`check_excerpt` verifies the
ones a program can check, including that the code parses (a functional check, seed 004).
"""

from __future__ import annotations

import ast
import itertools
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig

from langsynth.errors import ConfigurationError
from langsynth.model_errors import row_failure
from langsynth.results import Usage
from langsynth.runs import SourceStep
from langsynth.schemas.info import describe_validation_error
from langsynth.schemas.textbook_excerpt import TextbookExcerpt
from langsynth.synthesis.task import acomplete

# Audience name -> how the prompt describes the reader.
AUDIENCES: dict[str, str] = {
    "high-school student": "a high school student who is new to programming",
    "CS undergraduate": "a first-year computer science undergraduate",
    "PhD student": "a PhD student in computer science",
}

TOPICS: tuple[str, ...] = (
    "singular matrices",
    "binary search",
    "recursion",
    "hash tables",
    "linked lists",
    "stacks and queues",
    "sorting with merge sort",
    "quicksort",
    "big-O notation",
    "dynamic programming",
    "memoization",
    "graph breadth-first search",
    "graph depth-first search",
    "Dijkstra's shortest path",
    "binary trees",
    "heaps and priority queues",
    "string reversal",
    "palindromes",
    "prime numbers",
    "greatest common divisor",
    "matrix multiplication",
    "vectors and dot products",
    "linear regression",
    "gradient descent",
    "k-means clustering",
    "probability of dice rolls",
    "random sampling",
    "mean, median and mode",
    "standard deviation",
    "list comprehensions",
    "dictionaries",
    "sets and set operations",
    "exceptions and error handling",
    "reading and writing text",
    "regular expressions",
    "iterators and generators",
    "classes and objects",
    "inheritance",
    "bit manipulation",
    "floating point rounding",
)

TEXTBOOK_PROMPT = (
    "Write an extract from a Computer Science textbook for {audience}. "
    "The coding language is Python 3.6.\n\n"
    "This is an extract from the middle of the following topic: {topic}.\n\n"
    "The extract starts with a high-level overview of the topic. Then, it presents an example "
    "and describes the solution in natural language. After that, it provides 1-2 code "
    "snippets, following the example. Each snippet has no more than 10 rows. There should be "
    "no text after code snippets.\n\n"
    "Keep in mind that the extract should be concise and explain only one concept at a time. "
    "The code should represent a Python function & its call. All the common ML/DS libraries "
    "are available.\n\n"
    "Don't be too verbose. The expected length of the extract is 2 paragraphs at most."
)

_FENCE = re.compile(r"```[ \t]*([\w+-]*)[ \t]*\n(.*?)```", re.DOTALL)
_CODE_START = re.compile(r"^(import |from \S+ import |def |class |[A-Za-z_]\w* = )")


@dataclass(frozen=True)
class TextbookRequest:
    """One prompt's parameters: a topic and an audience (a key of :data:`AUDIENCES` or text)."""

    topic: str
    audience: str

    @classmethod
    def coerce(cls, value: TextbookRequest | Mapping[str, Any] | Sequence[str]) -> TextbookRequest:
        if isinstance(value, TextbookRequest):
            return value
        if isinstance(value, Mapping):
            return cls(str(value["topic"]), str(value["audience"]))
        topic, audience = value
        return cls(str(topic), str(audience))


@dataclass(frozen=True)
class ExcerptCheck:
    """The seed's constraints a program can check on an excerpt."""

    snippets: tuple[str, ...]
    max_snippet_lines: int
    code_parses: bool
    defines_and_calls: bool
    text_after_code: bool
    paragraphs: int

    @property
    def failures(self) -> list[str]:
        """The constraints not met, worded for a report."""
        out = []
        if not 1 <= len(self.snippets) <= 2:
            out.append(f"{len(self.snippets)} code snippets (want 1-2)")
        if self.max_snippet_lines > 10:
            out.append(f"a snippet has {self.max_snippet_lines} lines (want at most 10)")
        if self.snippets and not self.code_parses:
            out.append("code does not parse as Python")
        if self.snippets and not self.defines_and_calls:
            out.append("code does not define a function and call it")
        if self.text_after_code:
            out.append("text after the code")
        if self.paragraphs > 2:
            out.append(f"{self.paragraphs} paragraphs of text (want at most 2)")
        return out

    @property
    def passed(self) -> bool:
        return not self.failures


def split_excerpt(text: str) -> tuple[str, list[str], str]:
    """``(prose before the code, code snippets, text after the last snippet)``.

    Fenced blocks (```python) are snippets; without fences, everything from the first line
    that looks like code (``import``, ``def``, ``class``, assignment) is one snippet.
    """
    fences = list(_FENCE.finditer(text))
    if fences:
        before = text[: fences[0].start()]
        after = text[fences[-1].end() :]
        return before.strip(), [m.group(2).strip("\n") for m in fences], after.strip()
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if _CODE_START.match(line):
            return "\n".join(lines[:i]).strip(), ["\n".join(lines[i:]).strip("\n")], ""
    return text.strip(), [], ""


def _defines_and_calls(tree: ast.Module) -> bool:
    defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    called = {
        n.func.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }
    return bool(defined & called)


def check_excerpt(text: str) -> ExcerptCheck:
    """Check an excerpt against the seed's constraints (see :class:`ExcerptCheck`)."""
    before, snippets, after = split_excerpt(text)
    code = "\n\n".join(snippets)
    try:
        tree = ast.parse(code) if snippets else None
        parses = True
    except SyntaxError:
        tree, parses = None, False
    paragraphs = [p for p in re.split(r"\n\s*\n", before) if p.strip()]
    # A heading line ("**Binary search**", "# Recursion") is not a paragraph.
    prose = [p for p in paragraphs if not re.fullmatch(r"\s*(#+.*|\*\*[^*]+\*\*)\s*", p)]
    return ExcerptCheck(
        snippets=tuple(snippets),
        max_snippet_lines=max(
            (len([ln for ln in s.splitlines() if ln.strip()]) for s in snippets), default=0
        ),
        code_parses=parses,
        defines_and_calls=tree is not None and _defines_and_calls(tree),
        text_after_code=bool(after),
        paragraphs=len(prose),
    )


def topic_audience_grid(
    n: int,
    *,
    topics: Sequence[str] = TOPICS,
    audiences: Sequence[str] = tuple(AUDIENCES),
    seed: int | None = None,
) -> list[TextbookRequest]:
    """``n`` requests covering topic x audience as evenly as possible (shuffled with ``seed``).

    Every audience gets the same share (differing by at most one); topics are spread so that
    no topic repeats before all were used.
    """
    if not topics or not audiences:
        raise ConfigurationError("Textbook generation needs at least one topic and one audience.")
    rng = random.Random(seed)
    shuffled = list(topics)
    rng.shuffle(shuffled)
    topic_cycle = itertools.cycle(shuffled)
    requests = [TextbookRequest(next(topic_cycle), audiences[i % len(audiences)]) for i in range(n)]
    rng.shuffle(requests)
    return requests


@dataclass
class TextbookResult:
    """One excerpt attempt: the record, its constraint check, cost and error.

    ``ok``: the checks passed, or (``strict=False``) any excerpt came back.
    """

    request: TextbookRequest
    record: TextbookExcerpt | None = None
    check: ExcerptCheck | None = None
    usage: Usage = field(default_factory=Usage)
    truncated: bool = False
    failure: str | None = None
    strict: bool = True
    raw_output: str = ""

    @property
    def output_tokens(self) -> int:
        return self.usage.output_tokens

    @property
    def ok(self) -> bool:
        if self.record is None:
            return False
        return not self.strict or (self.check is not None and self.check.passed)

    @property
    def error(self) -> str | None:
        if self.failure:
            return self.failure
        if self.record is None:
            return "no excerpt"
        if self.strict and self.check is not None and self.check.failures:
            return "; ".join(self.check.failures)
        return None

    def to_row(self) -> dict[str, Any]:
        return self.record.model_dump() if self.record else {}


class TextbookGenerator(SourceStep):
    """``(topic, audience)`` -> :class:`TextbookResult` with the seed's checks.

    ``generate(n)`` runs until ``n`` excerpts pass (attempt ``i`` asks for topic/audience
    ``i`` of the seeded grid, see :meth:`request_at`); ``strict=False`` keeps excerpts that
    fail the checks.
    """

    job: ClassVar[str] = "textbook"
    output_columns = tuple(TextbookExcerpt.model_fields)

    def __init__(
        self,
        llm: BaseChatModel,
        *,
        audiences: Mapping[str, str] | None = None,
        topics: Sequence[str] = TOPICS,
        system: str | None = None,
        seed: int | None = None,
        strict: bool = True,
        concurrency: int = 4,
    ) -> None:
        self.llm = llm
        self.audiences = dict(audiences or AUDIENCES)
        if not topics or not self.audiences:
            raise ConfigurationError(
                "Textbook generation needs at least one topic and one audience."
            )
        self.topics = list(topics)
        random.Random(f"{seed}:topics").shuffle(self.topics)
        self.system = system
        self.seed = seed
        self.strict = strict
        self.concurrency = concurrency

    def prompt(self, request: TextbookRequest) -> str:
        audience = self.audiences.get(request.audience, request.audience)
        return TEXTBOOK_PROMPT.format(audience=audience, topic=request.topic)

    def request_at(self, index: int) -> TextbookRequest:
        """Topic ``index`` of the shuffled topics (no repeat before all were used) for audience
        ``index`` mod the number of audiences: every pair comes up as ``index`` grows."""
        audiences = list(self.audiences)
        rounds = index // len(self.topics)
        topic = self.topics[(index + rounds) % len(self.topics)]
        return TextbookRequest(topic, audiences[index % len(audiences)])

    # ----------------------------------------------------------------- the run engine

    def input_at(self, index: int) -> dict[str, Any]:
        request = self.request_at(index)
        return {"topic": request.topic, "audience": request.audience}

    def rows_of(self, inputs: Sequence[Any]) -> list[Mapping[str, Any]]:
        rows: list[Mapping[str, Any]] = []
        for item in inputs:
            request = TextbookRequest.coerce(item)
            rows.append({"topic": request.topic, "audience": request.audience})
        return rows

    def output_rows(self, index: int, row: Mapping[str, Any], result: Any) -> list[dict[str, Any]]:
        return [result.to_row()]

    def rejected_row(self, index: int, row: Mapping[str, Any], result: Any) -> dict[str, Any]:
        return {
            **result.to_row(),
            "topic": result.request.topic,
            "audience": result.request.audience,
            "error": result.error,
            "raw_output": result.raw_output,
            "truncated": result.truncated,
        }

    def manifest_params(self) -> dict[str, Any]:
        return {
            "model": self.model_spec(),
            "topics": len(self.topics),
            "audiences": list(self.audiences),
            "seed": self.seed,
            "strict": self.strict,
        }

    def identity(self) -> dict[str, Any]:
        return {"seed": self.seed, "topics": sorted(self.topics)}

    async def aprocess(
        self,
        input: TextbookRequest | Mapping[str, Any] | Sequence[str],
        config: RunnableConfig | None = None,
    ) -> TextbookResult:
        request = TextbookRequest.coerce(input)
        result = TextbookResult(request=request, strict=self.strict)
        try:
            completion = await acomplete(
                self.llm, self.prompt(request), system=self.system, config=config
            )
        except Exception as exc:
            result.failure = row_failure(exc)
            return result
        result.usage = completion.usage
        result.truncated = completion.truncated
        result.raw_output = completion.text
        try:
            result.record = TextbookExcerpt(
                topic=request.topic, audience=request.audience, excerpt=completion.text
            )
        except ValueError as exc:
            result.failure = describe_validation_error(exc)
            return result
        result.check = check_excerpt(completion.text)
        return result
