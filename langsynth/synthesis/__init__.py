"""Diversity and synthesis techniques of seeds 002 and 004, as reusable Runnables.

- :mod:`~langsynth.vocabulary`: word lists + story features; :class:`VocabularyPool`
  injects them into any record generator.
- :mod:`~langsynth.synthesis.stories`: TinyStories-style ``children_story`` generator.
- :mod:`~langsynth.synthesis.hierarchical`: summary -> sentence -> story, verified.
- :mod:`~langsynth.synthesis.textbook`: topic x audience textbook excerpts, checked.
- :mod:`~langsynth.synthesis.labels`: label-seeded, balanced classification data.
- :mod:`~langsynth.synthesis.instructions`: self-instruct and reverse instruction.
- :mod:`~langsynth.synthesis.rules`: rule-based synthesis with Faker (no LLM).
- :mod:`~langsynth.synthesis.augment`: paraphrase, bias swaps, back-translation check.
- :mod:`~langsynth.synthesis.presence`: do the words / the sentence appear?

Diversity metrics (distinct-n, pairwise similarity, coverage) are in
:mod:`langsynth.quality.diversity`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Imported lazily (PEP 562) so that ``langsynth.vocabulary`` (used by the schema
# registry) does not pull in LangChain.
_EXPORTS: dict[str, str] = {
    "AUDIENCES": "langsynth.synthesis.textbook",
    "STORY_FEATURES": "langsynth.vocabulary",
    "TRANSACTION_TEMPLATE": "langsynth.synthesis.rules",
    "BackTranslator": "langsynth.synthesis.backtranslate",
    "HierarchicalStoryGenerator": "langsynth.synthesis.hierarchical",
    "LabeledTextGenerator": "langsynth.synthesis.labels",
    "Paraphraser": "langsynth.synthesis.paraphrase",
    "ReverseInstruction": "langsynth.synthesis.reverse",
    "RuleTemplate": "langsynth.synthesis.rules",
    "SelfInstruct": "langsynth.synthesis.instructions",
    "SelfInstructFilter": "langsynth.synthesis.instructions",
    "StoryFeature": "langsynth.vocabulary",
    "StoryGenerator": "langsynth.synthesis.stories",
    "StoryResult": "langsynth.synthesis.stories",
    "TemplatePool": "langsynth.synthesis.rules",
    "TextbookGenerator": "langsynth.synthesis.textbook",
    "Vocabulary": "langsynth.vocabulary",
    "VocabularyDraw": "langsynth.vocabulary",
    "VocabularyPool": "langsynth.vocabulary",
    "balanced_requests": "langsynth.synthesis.labels",
    "bias_variants": "langsynth.synthesis.augment",
    "check_excerpt": "langsynth.synthesis.textbook",
    "contains_sentence": "langsynth.synthesis.presence",
    "contains_word": "langsynth.synthesis.presence",
    "feature_labels": "langsynth.synthesis.stories",
    "story_uses_its_words": "langsynth.synthesis.stories",
    "load_seed_tasks": "langsynth.synthesis.instructions",
    "load_vocabulary": "langsynth.vocabulary",
    "missing_words": "langsynth.synthesis.presence",
    "sentence_match": "langsynth.synthesis.presence",
    "swap_gender": "langsynth.synthesis.augment",
    "swap_names": "langsynth.synthesis.augment",
    "swap_occupations": "langsynth.synthesis.augment",
    "topic_audience_grid": "langsynth.synthesis.textbook",
    "vocabulary_instruction": "langsynth.vocabulary",
    "word_forms": "langsynth.synthesis.presence",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'langsynth.synthesis' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # pragma: no cover
    from langsynth.synthesis.augment import (  # noqa: F401
        bias_variants,
        swap_gender,
        swap_names,
        swap_occupations,
    )
    from langsynth.synthesis.backtranslate import BackTranslator  # noqa: F401
    from langsynth.synthesis.hierarchical import HierarchicalStoryGenerator  # noqa: F401
    from langsynth.synthesis.instructions import (  # noqa: F401
        SelfInstruct,
        SelfInstructFilter,
        load_seed_tasks,
    )
    from langsynth.synthesis.labels import LabeledTextGenerator, balanced_requests  # noqa: F401
    from langsynth.synthesis.paraphrase import Paraphraser  # noqa: F401
    from langsynth.synthesis.presence import (  # noqa: F401
        contains_sentence,
        contains_word,
        missing_words,
        sentence_match,
        word_forms,
    )
    from langsynth.synthesis.reverse import ReverseInstruction  # noqa: F401
    from langsynth.synthesis.rules import TRANSACTION_TEMPLATE, RuleTemplate, TemplatePool  # noqa: F401
    from langsynth.synthesis.stories import (  # noqa: F401
        StoryGenerator,
        StoryResult,
        feature_labels,
        story_uses_its_words,
    )
    from langsynth.synthesis.textbook import (  # noqa: F401
        AUDIENCES,
        TextbookGenerator,
        check_excerpt,
        topic_audience_grid,
    )
    from langsynth.vocabulary import (  # noqa: F401
        STORY_FEATURES,
        StoryFeature,
        Vocabulary,
        VocabularyDraw,
        VocabularyPool,
        load_vocabulary,
        vocabulary_instruction,
    )
