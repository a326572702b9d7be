"""Built-in record schemas, a registry by name, and loading of user schemas and examples.

A schema reference is one of:

- a built-in name (``medical_billing``; ``langsynth schemas`` lists them),
- ``path/to/file.py:ClassName`` (a Pydantic model defined in that file),
- ``package.module:ClassName`` (an importable Pydantic model).

>>> info = load_schema("medical_billing")
>>> info.model.__name__
'MedicalBilling'
"""

from __future__ import annotations

from langsynth.schemas.actor_filmography import ActorFilmography
from langsynth.schemas.builtin import BUILTIN
from langsynth.schemas.children_story import ChildrenStory, HierarchicalStory
from langsynth.schemas.credit_card_transaction import CreditCardTransaction
from langsynth.schemas.info import (
    SchemaInfo,
    describe_validation_error,
    format_validation_error,
    load_examples,
)
from langsynth.schemas.instruction_example import InstructionExample
from langsynth.schemas.labeled_text import LabeledText
from langsynth.schemas.medical_billing import MedicalBilling
from langsynth.schemas.movie_recommendation import MovieRecommendation
from langsynth.schemas.registry import (
    builtin_schemas,
    describe_fields,
    load_schema,
    register_schema,
)
from langsynth.schemas.textbook_excerpt import TextbookExcerpt

__all__ = [
    "BUILTIN",
    "ActorFilmography",
    "ChildrenStory",
    "CreditCardTransaction",
    "HierarchicalStory",
    "InstructionExample",
    "LabeledText",
    "MedicalBilling",
    "MovieRecommendation",
    "SchemaInfo",
    "TextbookExcerpt",
    "builtin_schemas",
    "describe_fields",
    "describe_validation_error",
    "format_validation_error",
    "load_examples",
    "load_schema",
    "register_schema",
]
