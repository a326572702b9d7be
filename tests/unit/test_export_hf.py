"""Rows become a Hugging Face Dataset whose features come from the Pydantic schema, and
an ``hf`` export reads back through read_rows unchanged."""

from __future__ import annotations

import datetime as dt
import enum
from pathlib import Path
from typing import Any, Literal

import pytest
from datasets import ClassLabel, Json, List, Value
from pydantic import BaseModel

from langsynth.datafile import read_rows
from langsynth.errors import ConfigurationError, DataFileError
from langsynth.export import export_rows, schema_features, to_hf_dataset, to_hf_dataset_dict
from langsynth.schemas import BUILTIN, load_schema
from langsynth.schemas.credit_card_transaction import CATEGORIES, PAYMENT_METHODS, STATUSES
from tests.unit.export_data import movies

STR, INT, FLOAT = Value("string"), Value("int64"), Value("float64")
BUILTIN_FEATURES: dict[str, dict[str, Any]] = {
    "medical_billing": {
        "patient_id": INT,
        "patient_name": STR,
        "diagnosis_code": STR,
        "procedure_code": STR,
        "total_charge": FLOAT,
        "insurance_claim_amount": FLOAT,
    },
    "movie_recommendation": {"title": STR, "year": INT, "genre": STR, "reason": STR},
    "actor_filmography": {"Actor": STR, "Film": List(STR)},
    "credit_card_transaction": {
        "transaction_id": STR,
        "date": STR,
        "time": STR,
        "amount": FLOAT,
        "merchant": STR,
        "category": ClassLabel(names=list(CATEGORIES)),
        "location": STR,
        "payment_method": ClassLabel(names=list(PAYMENT_METHODS)),
        "status": ClassLabel(names=list(STATUSES)),
        "description": STR,
    },
    "children_story": {
        "story": STR,
        "verb": STR,
        "noun": STR,
        "adjective": STR,
        "features": List(STR),
    },
    "instruction_example": {"instruction": STR, "input": STR, "response": STR},
    "textbook_excerpt": {"topic": STR, "audience": STR, "excerpt": STR},
    "labeled_text": {"text": STR, "label": STR},
}


def test_every_builtin_schema_has_its_features_listed_here() -> None:
    assert set(BUILTIN_FEATURES) == set(BUILTIN)


@pytest.mark.parametrize("name", sorted(BUILTIN_FEATURES))
def test_features_of_each_builtin_schema(name: str) -> None:
    assert schema_features(load_schema(name).model) == BUILTIN_FEATURES[name]


@pytest.mark.parametrize("name", sorted(n for n in BUILTIN if BUILTIN[n].examples_file))
def test_builtin_examples_round_trip_through_a_dataset(name: str, tmp_path: Path) -> None:
    info = load_schema(name)
    examples = info.load_examples()
    dataset = to_hf_dataset(examples, info)
    assert dict(dataset.features) == BUILTIN_FEATURES[name]
    dataset.save_to_disk(str(tmp_path / name))
    assert read_rows(tmp_path / name) == examples


class Mood(enum.Enum):
    CALM = "calm"
    TENSE = "tense"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Place(BaseModel):
    city: str
    kind: Literal["indoor", "outdoor"] | None = None


class Scene(BaseModel):
    mood: Mood
    level: Level
    shot_on: dt.date
    place: Place
    stops: list[Place]
    backup: Place | None = None
    notes: str | None = None
    extra: dict[str, int]
    anything: Any = None
    ratings: tuple[float, ...] = ()
    pair: tuple[int, str] = (0, "")
    either: int | str = 0
    rating_scale: Literal[1, 5]
    tags: set[str] = set()


def test_features_of_enums_lists_nullables_and_nested_models() -> None:
    place = {"city": STR, "kind": ClassLabel(names=["indoor", "outdoor"])}
    assert schema_features(Scene) == {
        "mood": ClassLabel(names=["calm", "tense"]),
        "level": INT,  # an enum of numbers keeps its values
        "shot_on": STR,  # dates are ISO strings in rows (JSON)
        "place": place,
        "stops": List(place),
        "backup": place,  # nullable: Arrow structs take None
        "notes": STR,
        "extra": Json(),
        "anything": Json(),
        "ratings": List(FLOAT),
        "pair": Json(),
        "either": Json(),
        "rating_scale": INT,
        "tags": List(STR),
    }


def scene(i: int, **changes: Any) -> dict[str, Any]:
    row = Scene(
        mood=Mood.CALM if i % 2 else Mood.TENSE,
        level=Level.LOW,
        shot_on=dt.date(2024, 1, 1 + i),
        place=Place(city=f"City {i}", kind="indoor" if i % 2 else None),
        stops=[Place(city="A"), Place(city="B", kind="outdoor")][: i % 3],
        backup=Place(city="C") if i % 2 else None,
        extra={"takes": i},
        anything=[i, "x"] if i % 2 else {"k": i},
        ratings=(4.5, float(i)),
        pair=(i, "p"),
        either=i if i % 2 else f"s{i}",
        rating_scale=5,
        tags={"night"},
    ).model_dump(mode="json")
    return {**row, **changes}


def test_nested_rows_round_trip_through_an_hf_export(tmp_path: Path) -> None:
    rows = [scene(i, score=i % 5 + 1) for i in range(12)]
    result = export_rows(rows, tmp_path / "scenes", "hf", split=0.75, schema=Scene)
    assert [(p.name, role, n) for p, role, n in result.files] == [
        ("train", "train", 9),
        ("validation", "validation", 3),
    ]
    back = read_rows(tmp_path / "scenes") + read_rows(tmp_path / "scenes", split="validation")
    content = [{k: v for k, v in r.items() if k != "score"} for r in rows]
    assert sorted(back, key=lambda r: r["shot_on"]) == content  # bookkeeping dropped

    kept = export_rows(rows, tmp_path / "all", "hf", schema=Scene, include_bookkeeping=True)
    assert kept.files[0][1:] == ("train", 12)  # no split: everything is "train"
    assert read_rows(tmp_path / "all") == rows  # "score" is inferred (int64)


def test_rows_that_do_not_fit_the_schema_name_the_row_and_column() -> None:
    info = load_schema("credit_card_transaction")
    rows = info.load_examples()
    bad = [*rows, dict(rows[0], category="toys")]
    with pytest.raises(DataFileError, match=rf"row {len(rows)}, column 'category'.*'toys'"):
        to_hf_dataset(bad, info)
    with pytest.raises(DataFileError, match=r"row 1, column 'amount'.*'a lot'"):
        to_hf_dataset([rows[0], dict(rows[1], amount="a lot")], info)


def test_without_a_schema_features_are_inferred_and_csv_numbers_cast_with_one() -> None:
    rows = [
        {"title": "Alien", "year": 1979, "cast": ["Weaver"]},
        {"title": "Up", "year": None, "cast": []},
    ]
    assert dict(to_hf_dataset(rows).features) == {"title": STR, "year": INT, "cast": List(STR)}
    from_csv = [{"title": "Alien", "year": "1979", "genre": "horror", "reason": "A crew in space."}]
    assert to_hf_dataset(from_csv, "movie_recommendation")[0]["year"] == 1979
    empty = to_hf_dataset([], "movie_recommendation")
    assert len(empty) == 0 and list(empty.features) == ["title", "year", "genre", "reason"]


def test_splits_share_features_even_where_one_split_has_only_nones() -> None:
    parts = {"train": [{"a": 1, "b": "x"}], "validation": [{"a": 2, "b": None}]}
    dataset_dict = to_hf_dataset_dict(parts)
    assert dataset_dict["validation"].features == dataset_dict["train"].features
    assert dataset_dict["validation"].features["b"] == STR


def test_an_hf_export_replaces_only_an_earlier_dataset_folder(tmp_path: Path) -> None:
    out = tmp_path / "movies"
    export_rows(movies(10), out, "hf", split=0.8)
    assert {p.name for p in out.iterdir()} == {
        "README.md",
        "dataset_dict.json",
        "train",
        "validation",
    }
    export_rows(movies(10), out, "hf")  # again, without a split: no stale validation split
    assert not (out / "validation").exists() and len(read_rows(out)) == 10
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp folders left
    other = tmp_path / "notes"
    other.mkdir()
    (other / "todo.txt").write_text("mine")
    with pytest.raises(ConfigurationError, match="not a saved dataset"):
        export_rows(movies(10), other, "hf")
    with pytest.raises(ConfigurationError, match=r"writes a folder.*name the output .*movies2"):
        export_rows(movies(10), tmp_path / "movies2.jsonl", "hf")
    assert (other / "todo.txt").read_text() == "mine"


class Node(BaseModel):
    name: str
    children: list[Node] = []


def test_a_recursive_model_and_mixed_columns_are_stored_as_json(tmp_path: Path) -> None:
    assert schema_features(Node) == {"name": STR, "children": List(Json())}
    rows = [
        {"name": "root", "children": [{"name": "leaf", "children": []}], "extra": 1},
        {"name": "solo", "children": [], "extra": "one"},  # extra: int, then str
    ]
    dataset = to_hf_dataset(rows, Node)
    assert dataset.features["extra"] == Json()
    dataset.save_to_disk(str(tmp_path / "nodes"))
    assert read_rows(tmp_path / "nodes") == rows


def test_without_the_extra_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from langsynth.errors import MissingExtraError

    monkeypatch.setitem(sys.modules, "datasets", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'langsynth\[hf\]'"):
        to_hf_dataset(movies(2), "movie_recommendation")
