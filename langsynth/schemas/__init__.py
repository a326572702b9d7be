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

import importlib
import importlib.util
import json
import random
import sys
import types
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from langsynth.diversity.vocabulary import VocabularyPool
from langsynth.errors import ExamplesError, SchemaError
from langsynth.pools import ChoicePool, CountPool, FakerPool, FunctionPool, Pool, RangePool
from langsynth.schemas.actor_filmography import ActorFilmography
from langsynth.schemas.children_story import ChildrenStory, HierarchicalStory
from langsynth.schemas.credit_card_transaction import (
    CATEGORIES,
    PAYMENT_METHODS,
    STATUSES,
    CreditCardTransaction,
)
from langsynth.schemas.instruction_example import InstructionExample
from langsynth.schemas.labeled_text import LabeledText
from langsynth.schemas.medical_billing import MedicalBilling
from langsynth.schemas.movie_recommendation import MovieRecommendation
from langsynth.schemas.textbook_excerpt import TextbookExcerpt


@dataclass(frozen=True)
class SchemaInfo:
    """A record schema with what the generator needs to know about it.

    ``dedup_fields``: fields whose normalized values identify a duplicate (``None``: all).
    ``pools``: default per-record attribute hints. ``persona``: an optional system prompt.
    ``text_fields``: free-text fields (used by inspection and diversity metrics).
    """

    name: str
    model: type[BaseModel]
    description: str = ""
    subject: str = ""
    extra: str = "make the data realistic and varied"
    examples_file: str | None = None
    persona: str | None = None
    dedup_fields: tuple[str, ...] | None = None
    pools: Mapping[str, Pool] = field(default_factory=dict)
    text_fields: tuple[str, ...] = ()

    @property
    def fields(self) -> list[str]:
        return list(self.model.model_fields)

    def load_examples(self) -> list[dict[str, Any]]:
        """The built-in few-shot examples (validated), or ``[]`` if there are none."""
        if self.examples_file is None:
            return []
        ref = resources.files("langsynth.fewshot_examples") / self.examples_file
        with resources.as_file(ref) as path:
            return load_examples(path, self.model)


# Common ICD-10-CM codes of outpatient billing, with what they mean (shown in hints).
ICD10_CODES = (
    "J20.9 (acute bronchitis)",
    "M54.5 (low back pain)",
    "E11.9 (type 2 diabetes without complications)",
    "I10 (essential hypertension)",
    "J06.9 (acute upper respiratory infection)",
    "K21.9 (gastro-esophageal reflux disease)",
    "F41.1 (generalized anxiety disorder)",
    "F32.9 (major depressive disorder, single episode)",
    "E78.5 (hyperlipidemia)",
    "N39.0 (urinary tract infection)",
    "J45.909 (asthma, uncomplicated)",
    "M17.11 (osteoarthritis of right knee)",
    "R51.9 (headache)",
    "S93.401A (sprain of right ankle ligament, initial encounter)",
    "H10.9 (conjunctivitis)",
    "L30.9 (dermatitis)",
    "R10.9 (abdominal pain)",
    "G43.909 (migraine)",
    "E66.9 (obesity)",
    "Z00.00 (general adult medical examination)",
    "J02.9 (acute pharyngitis)",
    "K52.9 (gastroenteritis and colitis)",
    "M25.561 (pain in right knee)",
    "R05.9 (cough)",
    "B34.9 (viral infection)",
    "E03.9 (hypothyroidism)",
    "I25.10 (coronary artery disease)",
    "J30.9 (allergic rhinitis)",
    "M79.1 (myalgia)",
    "S52.501A (fracture of right radius, initial encounter)",
)

# Common CPT procedure codes of outpatient claims, with what they are.
CPT_CODES = (
    "99202 (new patient office visit, 15-29 min)",
    "99203 (new patient office visit, 30-44 min)",
    "99204 (new patient office visit, 45-59 min)",
    "99212 (established patient visit, 10-19 min)",
    "99213 (established patient visit, 20-29 min)",
    "99214 (established patient visit, 30-39 min)",
    "99215 (established patient visit, 40-54 min)",
    "99283 (emergency department visit, moderate)",
    "99284 (emergency department visit, high)",
    "99395 (preventive visit, 18-39 years)",
    "99396 (preventive visit, 40-64 years)",
    "36415 (venipuncture)",
    "80053 (comprehensive metabolic panel)",
    "85025 (complete blood count)",
    "83036 (hemoglobin A1c)",
    "81002 (urinalysis)",
    "71046 (chest x-ray, 2 views)",
    "73610 (ankle x-ray, 3 views)",
    "73560 (knee x-ray, 1-2 views)",
    "93000 (electrocardiogram)",
    "90471 (immunization administration)",
    "97110 (therapeutic exercise, 15 min)",
    "20610 (large joint injection)",
    "12001 (simple wound repair)",
    "29515 (short leg splint)",
)

MOVIE_REQUESTS = (
    "a horror movie to watch alone on a rainy night",
    "a comedy the whole family can watch together",
    "a romantic movie for a first date",
    "a science fiction film that makes you think",
    "a thriller with a twist ending",
    "an animated film for young children",
    "a documentary about nature",
    "an action movie with great car chases",
    "a fantasy adventure with dragons or magic",
    "a crime drama about a heist",
    "a musical with memorable songs",
    "a western set in the 19th century",
    "a mystery where the detective solves a murder",
    "a war film based on real events",
    "a Korean film that became famous worldwide",
    "a Japanese animated classic",
    "a French film for a quiet evening",
    "a sports drama about an underdog team",
    "a coming-of-age story about high school",
    "a movie from the 1980s that still holds up",
    "a black-and-white classic",
    "a superhero movie that is not too long",
    "a psychological horror film",
    "a feel-good movie after a bad day",
    "a courtroom drama",
    "a space exploration movie",
    "a biopic about a musician",
    "a disaster movie",
    "a zombie movie",
    "a movie about artificial intelligence",
)

MOVIE_GENRES = (
    "horror",
    "comedy",
    "drama",
    "science fiction",
    "thriller",
    "romance",
    "animation",
    "documentary",
    "action",
    "fantasy",
    "crime",
    "musical",
    "western",
    "mystery",
    "war",
)


def _billing_amounts(rng: random.Random) -> dict[str, float]:
    charge = round(rng.uniform(60, 4000), 2)
    return {"charge": charge, "claim": round(charge * rng.uniform(0.4, 1.0), 2)}


BUILTIN: dict[str, SchemaInfo] = {
    "medical_billing": SchemaInfo(
        name="medical_billing",
        model=MedicalBilling,
        description="Medical billing claims (LangChain tutorial, seed 001)",
        subject="medical_billing",
        extra="the name must be chosen at random. Make it something you wouldn't normally choose",
        examples_file="medical_billing.jsonl",
        dedup_fields=(
            "patient_name",
            "diagnosis_code",
            "procedure_code",
            "total_charge",
            "insurance_claim_amount",
        ),
        pools={
            "patient_id": RangePool(100000, 999999),
            "patient_name": FakerPool("full_name"),
            "diagnosis_code": ChoicePool(ICD10_CODES),
            "procedure_code": ChoicePool(CPT_CODES),
            # Charge and claim drawn together, so the claim never exceeds the charge; without
            # a claim hint the small model copies the claim amount of the last example.
            "amounts": FunctionPool(
                _billing_amounts,
                template="total_charge: about ${charge}\n- insurance_claim_amount: about ${claim}",
            ),
        },
    ),
    "movie_recommendation": SchemaInfo(
        name="movie_recommendation",
        model=MovieRecommendation,
        description="Movie recommendations with a reason (course exercise, seed 000)",
        subject="movie recommendations",
        extra=(
            "recommend exactly one real movie that fits the hints and explain why in 1-3 sentences"
        ),
        examples_file="movie_recommendation.jsonl",
        persona=(
            "You are 'CineMaster', a film expert who knows every movie in the world. "
            "You recommend exactly one movie per answer, following the user's request."
        ),
        dedup_fields=("title",),
        pools={
            # A user request per record, as in the course exercise; the year is left to the
            # model (a year hint made it misdate real films).
            "request": ChoicePool(MOVIE_REQUESTS, template="the user asks for {value}"),
        },
        text_fields=("reason",),
    ),
    "actor_filmography": SchemaInfo(
        name="actor_filmography",
        model=ActorFilmography,
        description="An actor and their films (extraction schema of seed 001)",
        subject="actors and the films they starred in",
        extra="invent a fictional actor with fictional but plausible film titles",
        examples_file="actor_filmography.jsonl",
        dedup_fields=("Actor",),
        pools={
            "Actor": FakerPool("full_name"),
            "Film": CountPool(2, 5, template="{field}: exactly {value} film titles"),
        },
    ),
    "credit_card_transaction": SchemaInfo(
        name="credit_card_transaction",
        model=CreditCardTransaction,
        description="Card transactions (rule-based synthesis template, seed 004)",
        subject="credit card transactions",
        extra="make the merchant, amount and description consistent with the category",
        examples_file="credit_card_transaction.jsonl",
        dedup_fields=("date", "time", "amount", "merchant", "location"),
        pools={
            "transaction_id": FakerPool("numerify", kwargs={"text": "TX##########"}),
            "merchant": FakerPool("company"),
            "category": ChoicePool(CATEGORIES),
            "location": FakerPool("city"),
            "payment_method": ChoicePool(PAYMENT_METHODS, (0.55, 0.3, 0.05, 0.1)),
            "status": ChoicePool(STATUSES, (0.85, 0.1, 0.05)),
            "date": FakerPool(
                "date_between",
                kwargs={"start_date": "-2y", "end_date": "today"},
                fmt="{value:%m/%d/%Y}",
            ),
        },
        text_fields=("description",),
    ),
    "children_story": SchemaInfo(
        name="children_story",
        model=ChildrenStory,
        description="TinyStories-style children's stories with drawn words (seed 002)",
        subject="short stories for a 3 year old child",
        extra=(
            "write a story of 4 to 6 sentences in very simple words; fill verb, noun and "
            "adjective with the words the story uses and features with its features"
        ),
        examples_file="children_story.jsonl",
        dedup_fields=("story",),
        pools={"story": VocabularyPool()},
        text_fields=("story",),
    ),
    "instruction_example": SchemaInfo(
        name="instruction_example",
        model=InstructionExample,
        description="Instruction-tuning examples: instruction, input, response (seed 004)",
        subject="instruction-following examples for an AI assistant",
        extra="vary the task type (advice, rewriting, classification, code, math, facts)",
        examples_file="instruction_example.jsonl",
        dedup_fields=("instruction", "input"),
        text_fields=("instruction", "response"),
    ),
    "textbook_excerpt": SchemaInfo(
        name="textbook_excerpt",
        model=TextbookExcerpt,
        description="Computer science textbook excerpts per topic and audience (seed 002)",
        subject="computer science textbook excerpts",
        dedup_fields=("topic", "audience", "excerpt"),
        text_fields=("excerpt",),
    ),
    "labeled_text": SchemaInfo(
        name="labeled_text",
        model=LabeledText,
        description="Texts with the class label they were written for (seed 002)",
        subject="product reviews labeled with their sentiment",
        dedup_fields=("text",),
        text_fields=("text",),
    ),
}


def register_schema(info: SchemaInfo) -> None:
    """Add a schema to the registry so it can be referred to by name."""
    BUILTIN[info.name] = info


def builtin_schemas() -> dict[str, SchemaInfo]:
    return dict(BUILTIN)


def _import_from_file(path: Path) -> types.ModuleType:
    if not path.is_file():
        raise SchemaError(f"Schema file {path} does not exist.")
    module_name = f"langsynth_user_schema_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise SchemaError(f"Cannot import {path}: not a Python file.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses/pydantic look the module up by name
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        del sys.modules[module_name]
        raise SchemaError(f"{path}, line {exc.lineno}: syntax error: {exc.msg}.") from exc
    except Exception as exc:
        del sys.modules[module_name]
        raise SchemaError(f"Importing {path} failed: {type(exc).__name__}: {exc}") from exc
    return module


def _models_in(module: types.ModuleType) -> list[str]:
    return sorted(
        name
        for name, obj in vars(module).items()
        if isinstance(obj, type) and issubclass(obj, BaseModel) and obj is not BaseModel
    )


def load_schema(ref: str | type[BaseModel] | SchemaInfo) -> SchemaInfo:
    """Resolve a schema reference (name, ``file.py:Class``, ``module:Class``, or a model class)."""
    if isinstance(ref, SchemaInfo):
        return ref
    if isinstance(ref, type) and issubclass(ref, BaseModel):
        for info in BUILTIN.values():
            if info.model is ref:
                return info
        return SchemaInfo(name=ref.__name__, model=ref, subject=ref.__name__)
    text = str(ref).strip()
    if text in BUILTIN:
        return BUILTIN[text]
    target, sep, class_name = text.rpartition(":")
    if not sep or not target or not class_name:
        raise SchemaError(
            f"Unknown schema {text!r}. Built-in schemas: {', '.join(sorted(BUILTIN))}; "
            "or pass path/to/file.py:ClassName or package.module:ClassName."
        )
    if target.endswith(".py") or "/" in target or "\\" in target:
        module = _import_from_file(Path(target))
        where = target
    else:
        try:
            module = importlib.import_module(target)
        except ImportError as exc:
            raise SchemaError(f"Cannot import module {target!r}: {exc}.") from exc
        where = f"module {target}"
    obj = getattr(module, class_name, None)
    if obj is None:
        found = _models_in(module)
        hint = f" Pydantic models there: {', '.join(found)}." if found else ""
        raise SchemaError(f"{where} has no class {class_name!r}.{hint}")
    if not (isinstance(obj, type) and issubclass(obj, BaseModel)):
        raise SchemaError(f"{where}:{class_name} is not a Pydantic model (BaseModel subclass).")
    return replace(
        SchemaInfo(name=class_name, model=obj, subject=class_name),
        description=(obj.__doc__ or "").strip().splitlines()[0] if obj.__doc__ else "",
    )


def format_validation_error(exc: ValidationError) -> tuple[str | None, str]:
    """First failing field and a one-line message for a Pydantic validation error."""
    errors = exc.errors()
    if not errors:
        return None, str(exc)
    first = errors[0]
    loc = ".".join(str(p) for p in first.get("loc", ())) or None
    messages = "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ())) or 'record'}: {e.get('msg')}" for e in errors
    )
    return loc, messages


def load_examples(path: str | Path, model: type[BaseModel] | None = None) -> list[dict[str, Any]]:
    """Read few-shot examples from JSONL (one JSON object per line; blank lines skipped).

    Each example is validated against ``model``; problems raise :class:`ExamplesError`
    naming the file, the line and the field.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ExamplesError("file does not exist", path=str(p)) from None
    except UnicodeDecodeError:
        raise ExamplesError("not UTF-8 text; save it as UTF-8 JSONL", path=str(p)) from None
    examples: list[dict[str, Any]] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ExamplesError(
                f"not valid JSON ({exc.msg}, column {exc.colno}); each line must be one "
                "JSON object",
                path=str(p),
                line=lineno,
            ) from None
        if not isinstance(obj, dict):
            raise ExamplesError(
                f"expected a JSON object, got {type(obj).__name__}", path=str(p), line=lineno
            )
        if model is not None:
            unknown = sorted(set(obj) - set(model.model_fields))
            if unknown:
                raise ExamplesError(
                    f"unknown field(s) {', '.join(unknown)}; the schema has "
                    f"{', '.join(model.model_fields)}",
                    path=str(p),
                    line=lineno,
                    field=unknown[0],
                )
            try:
                obj = model.model_validate(obj).model_dump(mode="json")
            except ValidationError as exc:
                loc, message = format_validation_error(exc)
                raise ExamplesError(
                    f"does not validate against {model.__name__}: {message}",
                    path=str(p),
                    line=lineno,
                    field=loc,
                ) from None
        examples.append(obj)
    if not examples:
        raise ExamplesError("no examples in the file (it is empty)", path=str(p))
    return examples


def describe_fields(model: type[BaseModel]) -> list[dict[str, str]]:
    """Field name, type and description, for ``langsynth schemas``."""
    rows = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        type_name = getattr(annotation, "__name__", None) or str(annotation)
        type_name = type_name.replace("typing.", "")
        rows.append({"field": name, "type": type_name, "description": info.description or ""})
    return rows


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
    "format_validation_error",
    "load_examples",
    "load_schema",
    "register_schema",
]
