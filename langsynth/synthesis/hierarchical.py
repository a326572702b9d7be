"""Hierarchical (iterative) generation (seed 002): summary -> one sentence -> full story.

Each step's output feeds the next: the model first writes a one-sentence summary from the
drawn words and features, then one sentence that must appear in the story, and finally the
story from the seed's notes format (``Summary: / Features: / Sentence: / Words: / Story:``).
The result is verified: the sentence must appear (:func:`langsynth.synthesis.sentence_match`)
and the words must be used.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig

from langsynth.model_errors import row_failure
from langsynth.schemas.children_story import HierarchicalStory
from langsynth.synthesis.presence import sentence_match
from langsynth.synthesis.stories import DEFAULT_MIN_WORDS, StoryGenerator, StoryResult, clean_story
from langsynth.synthesis.task import acomplete
from langsynth.vocabulary import (
    Vocabulary,
    VocabularyDraw,
    vocabulary_instruction,
)

SUMMARY_PROMPT = (
    "Write a one-sentence summary of a short story for a 3 year old child. {injection}\n"
    "Write only the summary sentence."
)
SENTENCE_PROMPT = (
    "Here is the summary of a short story for a 3 year old child:\n{summary}\n\n"
    "Write one new simple sentence that could be in the middle of this story (not a copy of "
    "the summary). Write only that sentence."
)
# The seed's notes format; the last line repeats what must be in the story (small models
# forget instructions that come before the notes).
STORY_FROM_NOTES_PROMPT = (
    "Write a short story ({length}) for a 3 year old child from these notes, using only very "
    "simple words.\n\n"
    "Summary: {summary}\n"
    "Features: {features}\n"
    "Sentence: {sentence}\n"
    "Words: {words}\n\n"
    "The story must include the sentence above word for word and use the words {quoted}.\n"
    "Story:"
)

_PREFIX = re.compile(r"^\s*(summary|sentence|story)\s*:\s*", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?][\"'\u201d])\s|(?<=[.!?])\s")


def first_sentence(text: str) -> str:
    """The first sentence of a model answer, without a ``Sentence:`` prefix or quotes."""
    line = next((ln for ln in text.strip().splitlines() if ln.strip()), "")
    line = _PREFIX.sub("", line).strip()
    parts = _SENTENCE_END.split(line + " ", maxsplit=1)
    sentence = parts[0].strip()
    if len(sentence) >= 2 and sentence[0] in "\"'\u201c" and sentence[-1] in "\"'\u201d":
        sentence = sentence[1:-1].strip()
    return sentence


class HierarchicalStoryGenerator(StoryGenerator):
    """Draw -> summary -> sentence -> story, verified (:class:`StoryResult`).

    ``result.record.summary`` and ``.sentence`` keep the intermediate steps;
    ``result.sentence_score`` is how well the sentence appears (1.0 verbatim).
    ``max_retries`` re-asks the story step alone (the summary and sentence are kept) when
    the story misses a word or the sentence, or is short; ``generate(n)`` runs until ``n``
    stories use their words and their sentence.
    """

    job: ClassVar[str] = "stories-hierarchical"
    output_columns = tuple(HierarchicalStory.model_fields)

    def __init__(
        self,
        llm: BaseChatModel,
        *,
        vocabulary: Vocabulary | None = None,
        length: str = "one paragraph of 4 to 6 sentences",
        min_sentence_score: float = 0.9,
        max_retries: int = 0,
        min_words: int = DEFAULT_MIN_WORDS,
        system: str | None = None,
        seed: int | None = None,
        strict: bool = True,
        concurrency: int = 4,
    ) -> None:
        super().__init__(
            llm,
            vocabulary=vocabulary,
            length=length,
            max_retries=max_retries,
            min_words=min_words,
            system=system,
            seed=seed,
            strict=strict,
            concurrency=concurrency,
        )
        self.min_sentence_score = min_sentence_score

    def manifest_params(self) -> dict[str, Any]:
        return {**super().manifest_params(), "min_sentence_score": self.min_sentence_score}

    def summary_prompt(self, draw: VocabularyDraw) -> str:
        return SUMMARY_PROMPT.format(injection=vocabulary_instruction(draw, self.vocabulary))

    @staticmethod
    def sentence_prompt(summary: str) -> str:
        return SENTENCE_PROMPT.format(summary=summary)

    def story_prompt(self, draw: VocabularyDraw, summary: str, sentence: str) -> str:
        features = ", ".join(f.replace("_", " ") for f in draw.features) or "none"
        return STORY_FROM_NOTES_PROMPT.format(
            length=self.length,
            summary=summary,
            features=features,
            sentence=sentence,
            words=", ".join((draw.verb, draw.noun, draw.adjective)),
            quoted=f'"{draw.verb}", "{draw.noun}" and "{draw.adjective}"',
        )

    async def aprocess(
        self, input: VocabularyDraw | Mapping[str, Any] | None, config: RunnableConfig | None = None
    ) -> StoryResult:
        draw = self.draw_of(input)
        result = StoryResult(
            draw=draw,
            min_sentence_score=self.min_sentence_score,
            min_words=self.min_words,
            strict=self.strict,
        )
        try:
            step = await acomplete(
                self.llm, self.summary_prompt(draw), system=self.system, config=config
            )
            summary = first_sentence(step.text)
            result.usage.add(step.usage)
            step = await acomplete(
                self.llm, self.sentence_prompt(summary), system=self.system, config=config
            )
            sentence = first_sentence(step.text)
            result.usage.add(step.usage)
        except Exception as exc:
            result.failure = row_failure(exc)
            return result
        if not summary or not sentence:
            result.failure = "the model gave an empty summary or sentence"
            return result

        def record_of(story: str) -> HierarchicalStory:
            return HierarchicalStory(
                story=story,
                **draw.words,
                features=list(draw.features),
                summary=summary,
                sentence=sentence,
            )

        prompt = self.story_prompt(draw, summary, sentence)
        return await self.awrite(result, prompt, record_of, config)

    @staticmethod
    def clean(text: str) -> str:
        return clean_story(_PREFIX.sub("", text))

    def check(self, result: StoryResult, story: str) -> None:
        super().check(result, story)
        assert isinstance(result.record, HierarchicalStory)
        result.sentence_score = sentence_match(story, result.record.sentence)
