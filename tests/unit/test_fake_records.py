"""RecordFaker: the stub endpoint's answers are valid, varied and reproducible."""

from __future__ import annotations

from typing import Literal

import pytest
from pydantic import BaseModel, Field, ValidationError, model_validator

from langsynth.chains.generator import record_key
from langsynth.errors import ConfigurationError
from langsynth.schemas import builtin_schemas
from langsynth.testing.fake_records import RecordFaker


@pytest.mark.parametrize("name", sorted(builtin_schemas()))
def test_every_builtin_schema_gets_valid_mostly_unique_records(name: str) -> None:
    info = builtin_schemas()[name]
    faker = RecordFaker.for_schema(info, seed=11)
    examples = {record_key(info.model.model_validate(e), info.dedup_fields) for e in faker.examples}
    keys = []
    for _ in range(200):
        record = info.model.model_validate(faker.make())  # raises if the faker broke a rule
        keys.append(record_key(record, info.dedup_fields))
    assert len(set(keys)) >= 190, f"{name}: only {len(set(keys))} of 200 distinct"
    assert len(set(keys) & examples) <= 2, "the faker mostly answers verbatim examples"


def test_same_seed_same_records_other_seed_other_records() -> None:
    info = builtin_schemas()["medical_billing"]
    a, b, c = (RecordFaker.for_schema(info, seed=s) for s in (3, 3, 4))
    run_a = [a.make() for _ in range(20)]
    assert run_a == [b.make() for _ in range(20)]
    assert run_a != [c.make() for _ in range(20)]


class Claim(BaseModel):
    code: str = Field(pattern=r"^[A-Z]{2}-[0-9]{4}$")
    charge: float = Field(gt=0, le=10_000)
    paid: float = Field(ge=0)
    status: Literal["open", "closed"]
    tags: list[str] = Field(min_length=1, max_length=3)
    note: str | None = None

    @model_validator(mode="after")
    def _paid_within_charge(self) -> Claim:
        if self.paid > self.charge:
            raise ValueError("paid must not exceed charge")
        return self


CLAIMS = [
    {"code": "AB-1234", "charge": 900.0, "paid": 450.0, "status": "open", "tags": ["x", "y"]},
    {"code": "QZ-0042", "charge": 120.5, "paid": 120.5, "status": "closed", "tags": ["rush"]},
    {"code": "MM-7777", "charge": 40.0, "paid": 0.0, "status": "open", "tags": ["a"], "note": "n"},
]


def test_cross_field_rules_patterns_and_enums_of_a_user_schema_hold() -> None:
    faker = RecordFaker(Claim, examples=CLAIMS, seed=5)
    records = [Claim.model_validate(faker.make()) for _ in range(150)]
    assert len({r.code for r in records}) > 40  # codes redrawn within the pattern
    assert {r.status for r in records} == {"open", "closed"}
    assert len({r.charge for r in records}) > 100


def test_an_invalid_example_is_answered_as_is_for_the_caller_to_reject() -> None:
    bad = [{"code": "nope", "charge": -1, "paid": 5, "status": "open", "tags": []}]
    record = RecordFaker(Claim, examples=bad, seed=1).make()
    with pytest.raises(ValidationError):
        Claim.model_validate(record)


def test_a_bare_json_schema_without_examples_gets_its_shape() -> None:
    schema = {
        "title": "Pet",
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 12, "maxLength": 40},
            "age": {"type": "integer", "minimum": 1, "maximum": 30},
            "kind": {"enum": ["cat", "dog"]},
            "owner": {"$ref": "#/$defs/Owner"},
            "toys": {"type": "array", "items": {"type": "string"}, "minItems": 2},
            "chip": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
        "required": ["name", "age", "kind", "owner", "toys"],
        "$defs": {
            "Owner": {
                "type": "object",
                "properties": {"email": {"type": "string"}, "vip": {"type": "boolean"}},
                "required": ["email", "vip"],
            }
        },
    }
    faker = RecordFaker(schema=schema, seed=2)
    assert faker.title == "Pet"
    for _ in range(30):
        pet = faker.make()
        assert 12 <= len(pet["name"]) <= 40
        assert 1 <= pet["age"] <= 30 and isinstance(pet["age"], int)
        assert pet["kind"] in ("cat", "dog")
        assert isinstance(pet["owner"]["email"], str) and isinstance(pet["owner"]["vip"], bool)
        assert len(pet["toys"]) >= 2


def test_a_faker_needs_a_model_or_a_schema() -> None:
    with pytest.raises(ConfigurationError, match="model or a JSON schema"):
        RecordFaker()
