"""TinyStories-style children's stories with vocabulary injection (seed 002).

:class:`StoryGenerator` asks for one short story per :class:`VocabularyDraw` with the seed's
prompt, records the drawn words and features in a ``children_story`` record, and checks
that the story uses the words (:func:`langsynth.synthesis.missing_words`). With
``inject=False`` it sends the same prompt without the injected sentence: the baseline the
vocabulary's effect is measured against (``benchmarks/diversity_vocabulary.py``).

>>> from langsynth import get_chat_model  # doctest: +SKIP
>>> gen = StoryGenerator(get_chat_model("local", temperature=0.9, max_tokens=300))  # doctest: +SKIP
>>> result = gen.generate(4, output="out/stories.jsonl")  # doctest: +SKIP
>>> [row["verb"] for row in result.rows]  # doctest: +SKIP
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig
from pydantic import BaseModel

from langsynth.llm import reseeded
from langsynth.model_errors import row_failure
from langsynth.results import Usage
from langsynth.runs import SourceStep
from langsynth.schemas.children_story import ChildrenStory
from langsynth.schemas.info import describe_validation_error
from langsynth.synthesis.presence import missing_words
from langsynth.synthesis.task import acomplete
from langsynth.vocabulary import (
    Vocabulary,
    VocabularyDraw,
    load_vocabulary,
    vocabulary_instruction,
)

DEFAULT_LENGTH = "one paragraph of 4 to 6 sentences"
DEFAULT_MIN_WORDS = 20  # about three short sentences: under that, not what was asked

# Seed 002's prompt, with the length cut to what a small model writes well and fast.
STORY_PROMPT = (
    "Write a short story ({length}) which only uses very simple words that a 3 year old "
    "child would likely understand. {injection}Remember to only use simple words!"
)
REMINDER = 'Remember to use the words "{verb}", "{noun}" and "{adjective}" and only simple words!'

_QUOTES = re.compile(r"[\"\u201c\u201d]|(?:^|\s)'[A-Z]")
_META = re.compile(
    r"^\s*(this (short )?story|the story (uses|is|teaches)|in this story|note\s*:|i hope)",
    re.IGNORECASE,
)
_TITLE = re.compile(r"^\s*(#+\s*|title\s*:|\*\*[^*]{1,80}\*\*\s*$)", re.IGNORECASE)


def clean_story(text: str) -> str:
    """Strip a leading title line ("# The Red Kite", "Title: ...", "**The Red Kite**") and a
    trailing comment about the story ("This story teaches ...", "Note: ...")."""
    lines = text.strip().splitlines()
    while lines and (not lines[0].strip() or _TITLE.match(lines[0])):
        lines.pop(0)
    while len(lines) > 1 and (not lines[-1].strip() or _META.match(lines[-1])):
        lines.pop()
    return "\n".join(lines).strip()


def has_dialogue(text: str) -> bool:
    """Heuristic check of the ``dialogue`` feature: the story quotes someone."""
    return bool(_QUOTES.search(text))


# Features a heuristic can check; the others need a judge.
FEATURE_CHECKS = {"dialogue": has_dialogue}


def check_features(text: str, features: Iterable[str]) -> dict[str, bool]:
    """Heuristic verdicts for the checkable features among ``features`` (only ``dialogue``)."""
    return {f: FEATURE_CHECKS[f](text) for f in features if f in FEATURE_CHECKS}


def story_uses_its_words(record: BaseModel) -> None:
    """A record check for :class:`~langsynth.chains.generator.RecordGenerator` ``validators=``:
    the story must use the verb, noun and adjective it records (raises ``ValueError``).

    ``RecordGenerator("children_story", llm, validators=[story_uses_its_words])`` then
    retries a record whose story misses its words, with the reason fed back.
    """
    data = record.model_dump()
    words = {p: data.get(p) for p in ("verb", "noun", "adjective") if data.get(p)}
    missing = missing_words(str(data.get("story", "")), words)
    if missing:
        raise ValueError(f"the story does not use {', '.join(repr(w) for w in missing)}")


def feature_labels(
    records: Iterable[ChildrenStory | Mapping[str, Any]],
    features: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Classifier rows from stories: ``{"text": story, "<feature>": 0 or 1, ...}``.

    The drawn features are the labels (seed 002: the target is known because the prompt
    asked for it). ``features`` defaults to every feature name seen in the records.
    """
    rows = [r.model_dump() if isinstance(r, ChildrenStory) else dict(r) for r in records]
    names = list(features or dict.fromkeys(f for r in rows for f in r.get("features") or ()))
    return [
        {"text": r["story"], **{f: int(f in (r.get("features") or ())) for f in names}}
        for r in rows
    ]


@dataclass
class StoryResult:
    """One story attempt: the record (``None`` if the call failed) and its checks.

    ``missing``: drawn words the story does not use. ``min_words``: fewer words than this
    is too short for what was asked (0: no check). ``sentence_score``: for hierarchical
    generation, how well the required sentence appears (1.0 verbatim). ``ok``: usable — the
    checks passed, or (``strict=False``, "keep unverified") any story came back.
    """

    draw: VocabularyDraw | None
    record: ChildrenStory | None = None
    missing: list[str] = field(default_factory=list)
    sentence_score: float | None = None
    min_sentence_score: float = 0.9
    min_words: int = 0
    attempts: int = 1
    usage: Usage = field(default_factory=Usage)
    truncated: bool = False
    failure: str | None = None  # the call failed (see ``error`` for why a result is unusable)
    feature_checks: dict[str, bool] = field(default_factory=dict)
    strict: bool = True
    raw_output: str = ""

    @property
    def output_tokens(self) -> int:
        return self.usage.output_tokens

    @property
    def words(self) -> int:
        """Words of the story (0 without one)."""
        return len(self.record.story.split()) if self.record is not None else 0

    @property
    def too_short(self) -> bool:
        """The story has fewer than ``min_words`` words."""
        return self.record is not None and self.words < self.min_words

    @property
    def passed(self) -> bool:
        """The story uses its words, is long enough (and has the required sentence, if any)."""
        if self.record is None or self.missing or self.too_short:
            return False
        return self.sentence_score is None or self.sentence_score >= self.min_sentence_score

    @property
    def ok(self) -> bool:
        return self.passed if self.strict else self.record is not None

    @property
    def error(self) -> str | None:
        """Why the result is not usable, or ``None``."""
        if self.failure:
            return self.failure
        if self.record is None:
            return "no story"
        if not self.strict:
            return None
        if self.missing:
            return "missing words: " + ", ".join(self.missing)
        if self.too_short:
            return f"too short: {self.words} words, fewer than min_words={self.min_words}"
        if self.sentence_score is not None and self.sentence_score < self.min_sentence_score:
            return f"required sentence not in the story (match {self.sentence_score:.2f})"
        return None

    def to_row(self) -> dict[str, Any]:
        """The record's fields (``children_story``)."""
        return self.record.model_dump() if self.record else {}


class StoryGenerator(SourceStep):
    """A draw (or ``None``: draw one) -> :class:`StoryResult`; ``generate(n)`` until n pass.

    Attempt ``i`` of :meth:`generate` uses draw ``i`` of ``seed`` (:meth:`Vocabulary.draw_at`),
    the same draws as ``vocabulary.draws(n, seed)``, with and without injection.
    ``inject=False`` sends the prompt without words and features (the baseline).
    ``remind=True`` ends the prompt by repeating the three words, which a small model needs.
    ``max_retries`` re-asks with the same draw when the story misses a word.
    ``min_words``: a story shorter than this (in words) is re-asked like one that misses a
    word, and rejected if it stays short (the default length asks for 4 to 6 sentences;
    0 turns the check off).
    ``strict=False`` keeps stories that miss words or are short (they are not rejected).
    """

    job: ClassVar[str] = "stories"
    output_columns = tuple(ChildrenStory.model_fields)

    def __init__(
        self,
        llm: BaseChatModel,
        *,
        vocabulary: Vocabulary | None = None,
        inject: bool = True,
        remind: bool = True,
        length: str = DEFAULT_LENGTH,
        max_retries: int = 0,
        system: str | None = None,
        seed: int | None = None,
        strict: bool = True,
        min_words: int = DEFAULT_MIN_WORDS,
        concurrency: int = 4,
    ) -> None:
        self.llm = llm
        self.vocabulary = vocabulary or load_vocabulary()
        self.inject = inject
        self.remind = remind
        self.length = length
        self.max_retries = max_retries
        self.system = system
        self.seed = seed
        self.strict = strict and inject  # the plain baseline has no words to check
        self.min_words = min_words
        self.concurrency = concurrency

    def prompt(self, draw: VocabularyDraw | None) -> str:
        """The prompt for one draw (the words and features are left out when not injecting)."""
        if not self.inject or draw is None:
            return STORY_PROMPT.format(length=self.length, injection="")
        injection = vocabulary_instruction(draw, self.vocabulary) + " "
        text = STORY_PROMPT.format(length=self.length, injection=injection)
        if self.remind:
            text = text.removesuffix("Remember to only use simple words!")
            text += REMINDER.format(verb=draw.verb, noun=draw.noun, adjective=draw.adjective)
        return text

    def draw_of(self, input: VocabularyDraw | Mapping[str, Any] | None) -> VocabularyDraw:
        if input is None:
            return self.vocabulary.draw(random.Random())
        if isinstance(input, VocabularyDraw):
            return input
        return VocabularyDraw.from_dict(input)

    def _record(self, story: str, draw: VocabularyDraw) -> ChildrenStory:
        if not self.inject:
            return ChildrenStory(story=story)
        return ChildrenStory(story=story, **draw.words, features=list(draw.features))

    # ----------------------------------------------------------------- the run engine

    def input_at(self, index: int) -> dict[str, Any]:
        return self.vocabulary.draw_at(self.seed, index).to_dict()

    def rows_of(self, inputs: Sequence[Any]) -> list[Mapping[str, Any]]:
        return [d.to_dict() if isinstance(d, VocabularyDraw) else d for d in inputs]

    def output_rows(self, index: int, row: Mapping[str, Any], result: Any) -> list[dict[str, Any]]:
        return [result.to_row()]

    def rejected_row(self, index: int, row: Mapping[str, Any], result: Any) -> dict[str, Any]:
        return {
            **result.to_row(),
            "draw": result.draw.to_dict() if result.draw else None,
            "error": result.error,
            "raw_output": result.raw_output,
            "truncated": result.truncated,
        }

    def manifest_params(self) -> dict[str, Any]:
        return {
            "model": self.model_spec(),
            "inject": self.inject,
            "remind": self.remind,
            "length": self.length,
            "max_retries": self.max_retries,
            "seed": self.seed,
            "strict": self.strict,
            "min_words": self.min_words,
        }

    def identity(self) -> dict[str, Any]:
        return {"inject": self.inject, "seed": self.seed}

    async def aprocess(
        self, input: VocabularyDraw | Mapping[str, Any] | None, config: RunnableConfig | None = None
    ) -> StoryResult:
        draw = self.draw_of(input)
        result = StoryResult(draw=draw, strict=self.strict, min_words=self.min_words)
        return await self.awrite(
            result, self.prompt(draw), lambda story: self._record(story, draw), config
        )

    async def awrite(
        self,
        result: StoryResult,
        prompt: str,
        record_of: Callable[[str], ChildrenStory],
        config: RunnableConfig | None,
    ) -> StoryResult:
        """Ask for the story up to ``1 + max_retries`` times, until it passes :meth:`check`.

        Each attempt samples with its own seed (:func:`langsynth.llm.reseeded`): with a fixed
        seed, the same prompt would bring the same story back.
        """
        for attempt in range(1, self.max_retries + 2):
            result.attempts = attempt
            try:
                completion = await acomplete(
                    reseeded(self.llm, attempt - 1), prompt, system=self.system, config=config
                )
            except Exception as exc:
                result.failure = row_failure(exc)
                continue
            result.usage.add(completion.usage)
            result.truncated = completion.truncated
            result.raw_output = completion.text
            story = self.clean(completion.text)
            try:
                result.record = record_of(story)
            except ValueError as exc:  # e.g. an empty or one-word answer
                result.record, result.failure = None, describe_validation_error(exc)
                continue
            result.failure = None
            self.check(result, story)
            if result.passed:
                break
        return result

    @staticmethod
    def clean(text: str) -> str:
        """The story in a model answer (:func:`clean_story`)."""
        return clean_story(text)

    def check(self, result: StoryResult, story: str) -> None:
        """Fill ``result``'s checks for ``story`` (missing words, features)."""
        draw = result.draw
        if self.inject and draw is not None:
            result.missing = missing_words(story, draw.words)
            result.feature_checks = check_features(story, draw.features)
        else:
            result.missing, result.feature_checks = [], {}

    def draws(self, n: int, seed: int | None = None) -> list[VocabularyDraw]:
        """``n`` draws reproducible with ``seed`` (the same draws with and without injection)."""
        return self.vocabulary.draws(n, seed)
