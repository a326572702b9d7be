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

from langsynth.diversity.augment import (
    BackTranslator,
    Paraphraser,
    bias_variants,
    swap_gender,
    swap_names,
    swap_occupations,
)
from langsynth.diversity.hierarchical import HierarchicalStoryGenerator
from langsynth.diversity.instructions import (
    ReverseInstruction,
    SelfInstruct,
    SelfInstructFilter,
    load_seed_tasks,
)
from langsynth.diversity.labels import LabeledTextGenerator, balanced_requests
from langsynth.diversity.presence import (
    contains_sentence,
    contains_word,
    missing_words,
    sentence_match,
    word_forms,
)
from langsynth.diversity.rules import TRANSACTION_TEMPLATE, RuleTemplate, TemplatePool
from langsynth.diversity.stories import StoryGenerator, StoryResult, feature_labels
from langsynth.diversity.textbook import (
    AUDIENCES,
    TextbookGenerator,
    check_excerpt,
    topic_audience_grid,
)
from langsynth.diversity.vocabulary import (
    STORY_FEATURES,
    StoryFeature,
    Vocabulary,
    VocabularyDraw,
    VocabularyPool,
    load_vocabulary,
    vocabulary_instruction,
)

__all__ = [
    "AUDIENCES",
    "STORY_FEATURES",
    "TRANSACTION_TEMPLATE",
    "BackTranslator",
    "HierarchicalStoryGenerator",
    "LabeledTextGenerator",
    "Paraphraser",
    "ReverseInstruction",
    "RuleTemplate",
    "SelfInstruct",
    "SelfInstructFilter",
    "StoryFeature",
    "StoryGenerator",
    "StoryResult",
    "TemplatePool",
    "TextbookGenerator",
    "Vocabulary",
    "VocabularyDraw",
    "VocabularyPool",
    "balanced_requests",
    "bias_variants",
    "check_excerpt",
    "contains_sentence",
    "contains_word",
    "feature_labels",
    "load_seed_tasks",
    "load_vocabulary",
    "missing_words",
    "sentence_match",
    "swap_gender",
    "swap_names",
    "swap_occupations",
    "topic_audience_grid",
    "vocabulary_instruction",
    "word_forms",
]
