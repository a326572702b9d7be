"""Diversity and synthesis techniques of seeds 002 and 004, as reusable Runnables.

- :mod:`~langsynth.diversity.vocabulary`: word lists + story features; :class:`VocabularyPool`
  injects them into any record generator.
- :mod:`~langsynth.diversity.stories`: TinyStories-style ``children_story`` generator.
- :mod:`~langsynth.diversity.hierarchical`: summary -> sentence -> story, verified.
- :mod:`~langsynth.diversity.textbook`: topic x audience textbook excerpts, checked.
- :mod:`~langsynth.diversity.labels`: label-seeded, balanced classification data.
- :mod:`~langsynth.diversity.instructions`: self-instruct and reverse instruction.
- :mod:`~langsynth.diversity.rules`: rule-based synthesis with Faker (no LLM).
- :mod:`~langsynth.diversity.augment`: paraphrase, bias swaps, back-translation check.
- :mod:`~langsynth.diversity.presence`: do the words / the sentence appear?

Diversity metrics (distinct-n, pairwise similarity, coverage) are in
:mod:`langsynth.quality.diversity`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Imported lazily (PEP 562) so that ``langsynth.diversity.vocabulary`` (used by the schema
# registry) does not pull in LangChain.
_EXPORTS: dict[str, str] = {
    "AUDIENCES": "langsynth.diversity.textbook",
    "STORY_FEATURES": "langsynth.diversity.vocabulary",
    "TRANSACTION_TEMPLATE": "langsynth.diversity.rules",
    "BackTranslator": "langsynth.diversity.augment",
    "HierarchicalStoryGenerator": "langsynth.diversity.hierarchical",
    "LabeledTextGenerator": "langsynth.diversity.labels",
    "Paraphraser": "langsynth.diversity.augment",
    "ReverseInstruction": "langsynth.diversity.instructions",
    "RuleTemplate": "langsynth.diversity.rules",
    "SelfInstruct": "langsynth.diversity.instructions",
    "SelfInstructFilter": "langsynth.diversity.instructions",
    "StoryFeature": "langsynth.diversity.vocabulary",
    "StoryGenerator": "langsynth.diversity.stories",
    "StoryResult": "langsynth.diversity.stories",
    "TemplatePool": "langsynth.diversity.rules",
    "TextbookGenerator": "langsynth.diversity.textbook",
    "Vocabulary": "langsynth.diversity.vocabulary",
    "VocabularyDraw": "langsynth.diversity.vocabulary",
    "VocabularyPool": "langsynth.diversity.vocabulary",
    "balanced_requests": "langsynth.diversity.labels",
    "bias_variants": "langsynth.diversity.augment",
    "check_excerpt": "langsynth.diversity.textbook",
    "contains_sentence": "langsynth.diversity.presence",
    "contains_word": "langsynth.diversity.presence",
    "feature_labels": "langsynth.diversity.stories",
    "story_uses_its_words": "langsynth.diversity.stories",
    "load_seed_tasks": "langsynth.diversity.instructions",
    "load_vocabulary": "langsynth.diversity.vocabulary",
    "missing_words": "langsynth.diversity.presence",
    "sentence_match": "langsynth.diversity.presence",
    "swap_gender": "langsynth.diversity.augment",
    "swap_names": "langsynth.diversity.augment",
    "swap_occupations": "langsynth.diversity.augment",
    "topic_audience_grid": "langsynth.diversity.textbook",
    "vocabulary_instruction": "langsynth.diversity.vocabulary",
    "word_forms": "langsynth.diversity.presence",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'langsynth.diversity' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # pragma: no cover
    from langsynth.diversity.augment import (  # noqa: F401
        BackTranslator,
        Paraphraser,
        bias_variants,
        swap_gender,
        swap_names,
        swap_occupations,
    )
    from langsynth.diversity.hierarchical import HierarchicalStoryGenerator  # noqa: F401
    from langsynth.diversity.instructions import (  # noqa: F401
        ReverseInstruction,
        SelfInstruct,
        SelfInstructFilter,
        load_seed_tasks,
    )
    from langsynth.diversity.labels import LabeledTextGenerator, balanced_requests  # noqa: F401
    from langsynth.diversity.presence import (  # noqa: F401
        contains_sentence,
        contains_word,
        missing_words,
        sentence_match,
        word_forms,
    )
    from langsynth.diversity.rules import TRANSACTION_TEMPLATE, RuleTemplate, TemplatePool  # noqa: F401
    from langsynth.diversity.stories import (  # noqa: F401
        StoryGenerator,
        StoryResult,
        feature_labels,
        story_uses_its_words,
    )
    from langsynth.diversity.textbook import (  # noqa: F401
        AUDIENCES,
        TextbookGenerator,
        check_excerpt,
        topic_audience_grid,
    )
    from langsynth.diversity.vocabulary import (  # noqa: F401
        STORY_FEATURES,
        StoryFeature,
        Vocabulary,
        VocabularyDraw,
        VocabularyPool,
        load_vocabulary,
        vocabulary_instruction,
    )
