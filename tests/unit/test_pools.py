"""Which drawn hints are field values (fixed in a record's grammar) and which stay prompt hints."""

from __future__ import annotations

import random

from pydantic import BaseModel, Field

from langsynth.pools import ChoicePool, CountPool, FakerPool, FunctionPool, RangePool, split_hints
from langsynth.schemas import BUILTIN, ChildrenStory, MedicalBilling
from langsynth.vocabulary import vocabulary_pools


class Row(BaseModel):
    year: int = Field(ge=1900, le=2100)
    name: str
    low: float
    high: float
    tags: list[str] = Field(default_factory=list)


def test_a_hint_named_after_a_field_that_renders_as_its_value_is_a_field_value() -> None:
    pools = {"year": RangePool(1990, 1990), "name": FakerPool("full_name")}
    values, rest = split_hints(pools, {"year": 1990, "name": "Ann Lee"}, Row)
    assert values == {"year": 1990, "name": "Ann Lee"} and rest == {}


def test_a_hint_with_its_own_wording_or_no_field_stays_a_hint() -> None:
    pools = {
        "name": ChoicePool(("Ann",), template="someone called {value}"),
        "tags": CountPool(1, 3, template="{field}=exactly {value} tags"),
        "tone": ChoicePool(("dry",)),
    }
    hints = {"name": "Ann", "tags": 2, "tone": "dry"}
    assert split_hints(pools, hints, Row) == ({}, hints)


def test_a_value_the_field_rejects_stays_a_hint_for_the_model_to_handle() -> None:
    values, rest = split_hints({}, {"year": 1850, "name": "Bo Ek"}, Row)
    assert values == {"name": "Bo Ek"} and rest == {"year": 1850}


def test_a_draw_of_several_fields_fixes_all_of_them_or_none() -> None:
    pool = FunctionPool(lambda rng: {"low": 1.0, "high": 2.5})
    assert split_hints({"span": pool}, {"span": {"low": 1.0, "high": 2.5}}, Row) == (
        {"low": 1.0, "high": 2.5},
        {},
    )
    partly = {"span": {"low": 1.0, "width": 1.5}}  # "width" is no field: the draw stays a hint
    assert split_hints({"span": pool}, partly, Row) == ({}, partly)


def test_built_in_medical_billing_hints_are_all_field_values_of_a_valid_record() -> None:
    info = BUILTIN["medical_billing"]
    rng = random.Random(3)
    for _ in range(20):
        hints = {name: pool.sample(rng) for name, pool in info.pools.items()}
        values, rest = split_hints(info.pools, hints, MedicalBilling)
        assert rest == {}
        MedicalBilling.model_validate(values)  # the claim never exceeds the charge


def test_a_story_draw_fixes_the_words_and_features_and_leaves_the_story_to_the_model() -> None:
    pools = vocabulary_pools(("story",), tuple(ChildrenStory.model_fields))
    draw = pools["story"].sample(random.Random(1))
    values, rest = split_hints(pools, {"story": draw}, ChildrenStory)
    assert set(values) == {"verb", "noun", "adjective", "features"} and rest == {}
    assert values["features"] == draw["features"]
    # a schema without the word fields keeps the seed's instruction as the story's hint
    plain = vocabulary_pools(("story",), tuple(Story.model_fields))
    assert split_hints(plain, {"story": draw}, Story) == ({}, {"story": draw})


class Story(BaseModel):
    story: str


def test_hints_that_set_the_same_field_stay_in_the_prompt_for_the_model_to_reconcile() -> None:
    pools = {"span": FunctionPool(lambda rng: {}), "low": RangePool(5, 5)}
    hints = {"span": {"low": 1.0, "high": 2.5}, "low": 5, "name": "Ann Lee"}
    assert split_hints(pools, hints, Row) == (
        {"name": "Ann Lee"},
        {"span": {"low": 1.0, "high": 2.5}, "low": 5},
    )


class Aliased(BaseModel):
    full_name: str = Field(alias="fullName")
    year: int


def test_a_field_with_an_alias_is_not_pinned() -> None:
    # the JSON schema names it by its alias; the hint stays in the prompt
    assert split_hints({}, {"full_name": "Ann Lee", "year": 2000}, Aliased) == (
        {"year": 2000},
        {"full_name": "Ann Lee"},
    )
