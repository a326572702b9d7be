"""Field metrics: every counting rule with hand-computed expectations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, Field

from langsynth.errors import ConfigurationError
from langsynth.metrics import (
    FieldCounts,
    anls,
    compare_records,
    is_list_field,
    parse_date,
    parse_number,
    score_dataset,
    similarity,
)
from langsynth.schemas import ActorFilmography, MedicalBilling


class Person(BaseModel):
    name: str
    age: int | None = None
    city: str | None = None
    tags: list[str] | None = None


@dataclass
class Failure:
    error: str
    parsed_output: dict[str, Any] | None = None


def counts(c: FieldCounts) -> tuple[float, float, float]:
    return (c.tp, c.fp, c.fn)


# --------------------------------------------------------------------------- normalization


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$1,500.00", Decimal("1500")),
        ("1500", Decimal("1500")),
        ("USD 20", Decimal("20")),
        ("€ 3.5", Decimal("3.5")),
        ("-5", Decimal("-5")),
        (350, Decimal("350")),
        (330.2, Decimal("330.2")),
    ],
)
def test_parse_number_reads_currency_and_separators(text: object, expected: Decimal) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["007", "J20.9", "Tom Hanks", "1,50", True, None, "2024-01-02"])
def test_parse_number_rejects_identifiers_and_words(text: object) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(
    "text", ["2024-03-05", "03/05/2024", "March 5, 2024", "5 March 2024", "Mar 5th, 2024"]
)
def test_parse_date_reads_common_formats_as_the_same_iso_date(text: str) -> None:
    assert parse_date(text) == dt.date(2024, 3, 5)


def test_parse_date_does_not_read_titles_or_times_of_day_as_dates() -> None:
    assert parse_date("3 Idiots") is None
    assert parse_date("2024-03-05T10:30:00") is None
    assert parse_date(dt.datetime(2024, 3, 5)) == dt.date(2024, 3, 5)


def test_anls_is_one_minus_normalized_distance_below_threshold_else_zero() -> None:
    # "forest gump" vs "forrest gump": 1 edit over 12 characters.
    assert anls("forest gump", "forrest gump") == pytest.approx(1 - 1 / 12)
    # "abc" vs "xyz": distance 1.0 >= 0.5 -> 0
    assert anls("abc", "xyz") == 0.0
    # exactly at the threshold: "ab" vs "ax" has distance 0.5 -> 0
    assert anls("ab", "ax") == 0.0
    assert anls("", "") == 1.0


# --------------------------------------------------------------------------- match modes


def test_exact_mode_compares_python_values() -> None:
    assert similarity(500, 500.0, "exact") == 1.0
    assert similarity("Tom Hanks", "tom hanks", "exact") == 0.0
    assert similarity("$500", 500, "exact") == 0.0


def test_normalized_mode_equates_case_numbers_and_dates() -> None:
    assert similarity("tom  hanks.", "Tom Hanks", "normalized") == 1.0
    assert similarity("$500.00", 500, "normalized") == 1.0
    assert similarity("1,234.5", 1234.50, "normalized") == 1.0
    assert similarity("03/05/2024", "2024-03-05", "normalized") == 1.0
    assert similarity("Tom Hank", "Tom Hanks", "normalized") == 0.0


def test_fuzzy_mode_scores_strings_by_anls_but_numbers_exactly() -> None:
    assert similarity("Forest Gump", "Forrest Gump", "fuzzy") == pytest.approx(1 - 1 / 12)
    assert similarity("50", "500", "fuzzy") == 0.0
    assert similarity("$500.00", 500, "fuzzy") == 1.0


def test_unknown_match_mode_is_an_error_naming_the_modes() -> None:
    with pytest.raises(ConfigurationError, match="exact, normalized, fuzzy"):
        similarity("a", "a", "loose")


# --------------------------------------------------------------------------- scalar rules


def test_scalar_equal_is_one_true_positive() -> None:
    c = compare_records({"name": "Ann Lee"}, {"name": "Ann Lee"}, Person)
    assert counts(c.fields["name"]) == (1, 0, 0)


def test_scalar_both_null_is_not_counted() -> None:
    c = compare_records({"name": "A B", "age": None}, {"name": "A B", "age": None}, Person)
    assert counts(c.fields["age"]) == (0, 0, 0)
    assert c.exact


def test_scalar_value_where_gold_is_null_is_a_false_positive() -> None:
    c = compare_records({"name": "A B", "age": 40}, {"name": "A B", "age": None}, Person)
    assert counts(c.fields["age"]) == (0, 1, 0)
    assert not c.exact


def test_scalar_null_where_gold_has_a_value_is_a_false_negative() -> None:
    c = compare_records({"name": "A B", "age": None}, {"name": "A B", "age": 40}, Person)
    assert counts(c.fields["age"]) == (0, 0, 1)


def test_scalar_both_present_and_different_is_a_false_positive_and_a_false_negative() -> None:
    c = compare_records({"name": "A B", "age": 41}, {"name": "A B", "age": 40}, Person)
    assert counts(c.fields["age"]) == (0, 1, 1)


def test_blank_string_counts_as_null() -> None:
    c = compare_records({"name": "A B", "city": "  "}, {"name": "A B", "city": "Oslo"}, Person)
    assert counts(c.fields["city"]) == (0, 0, 1)


def test_fuzzy_scalar_splits_one_pair_into_fractional_counts() -> None:
    c = compare_records({"name": "Forest Gump"}, {"name": "Forrest Gump"}, Person, match="fuzzy")
    s = 1 - 1 / 12
    assert counts(c.fields["name"]) == pytest.approx((s, 1 - s, 1 - s))


# --------------------------------------------------------------------------- list rules


def test_list_items_are_scored_with_set_semantics() -> None:
    gold = {"Actor": "Tom Hanks", "Film": ["Big", "Splash", "Cast Away"]}
    pred = {"Actor": "Tom Hanks", "Film": ["big", "Splash", "Splash", "Turner & Hooch"]}
    c = compare_records(pred, gold, ActorFilmography)
    # common: big, splash (duplicate collapses) -> 2 TP; turner & hooch -> 1 FP; cast away -> 1 FN
    assert counts(c.fields["Film"]) == (2, 1, 1)
    assert counts(c.fields["Actor"]) == (1, 0, 0)


def test_list_order_does_not_matter() -> None:
    c = compare_records({"name": "A B", "tags": ["x", "y"]}, {"name": "A B", "tags": ["y", "x"]})
    assert counts(c.fields["tags"]) == (2, 0, 0)


def test_empty_and_null_lists_are_not_counted_against_each_other() -> None:
    c = compare_records({"name": "A B", "tags": []}, {"name": "A B", "tags": None}, Person)
    assert counts(c.fields["tags"]) == (0, 0, 0)


def test_list_predicted_where_gold_is_empty_counts_every_item_as_false_positive() -> None:
    c = compare_records({"name": "A B", "tags": ["x", "y"]}, {"name": "A B", "tags": []}, Person)
    assert counts(c.fields["tags"]) == (0, 2, 0)


def test_scalar_predicted_for_a_list_field_counts_as_a_one_item_list() -> None:
    c = compare_records({"name": "A B", "tags": "x"}, {"name": "A B", "tags": ["x", "y"]}, Person)
    assert counts(c.fields["tags"]) == (1, 0, 1)


def test_fuzzy_list_pairs_items_greedily_by_best_similarity() -> None:
    gold = {"name": "A B", "tags": ["forrest gump", "big"]}
    pred = {"name": "A B", "tags": ["forest gump", "zzz"]}
    c = compare_records(pred, gold, Person, match="fuzzy")
    s = 1 - 1 / 12
    # pair (forest gump, forrest gump) = s; "zzz" unmatched FP; "big" unmatched FN
    assert counts(c.fields["tags"]) == pytest.approx((s, (1 - s) + 1, (1 - s) + 1))


def test_list_fields_are_recognized_from_the_schema() -> None:
    assert is_list_field(Person, "tags")  # list[str] | None
    assert is_list_field(ActorFilmography, "Film")
    assert not is_list_field(Person, "name")


# --------------------------------------------------------------------------- absent and failed


def test_field_absent_from_gold_is_not_annotated_and_not_scored() -> None:
    # "age" is absent (not annotated): a predicted age is neither TP nor FP.
    c = compare_records({"name": "A B", "age": 40}, {"name": "A B"}, Person)
    assert "age" not in c.fields
    assert (c.tp, c.fp, c.fn) == (1, 0, 0)
    # present with null IS annotated: the same prediction is an FP.
    c = compare_records({"name": "A B", "age": 40}, {"name": "A B", "age": None}, Person)
    assert counts(c.fields["age"]) == (0, 1, 0)


def test_failed_prediction_counts_as_all_null_and_is_never_exact() -> None:
    gold = {"Actor": "Tom Hanks", "Film": ["Big", "Splash"]}
    c = compare_records(Failure(error="not JSON"), gold, ActorFilmography)
    assert counts(c.fields["Actor"]) == (0, 0, 1)
    assert counts(c.fields["Film"]) == (0, 0, 2)
    assert (c.parsed, c.valid, c.exact) == (False, False, False)
    assert c.error == "not JSON"


def test_none_prediction_counts_as_failed() -> None:
    c = compare_records(None, {"name": "A B"}, Person)
    assert (c.tp, c.fp, c.fn) == (0, 0, 1)
    assert not c.parsed


def test_schema_invalid_prediction_is_scored_on_its_values_but_not_valid() -> None:
    gold = {
        "patient_id": 123456,
        "patient_name": "John Doe",
        "diagnosis_code": "J20.9",
        "procedure_code": "99203",
        "total_charge": 500.0,
        "insurance_claim_amount": 350.0,
    }
    pred = {**gold, "insurance_claim_amount": 900.0}  # claim > charge: fails the validator
    c = compare_records(pred, gold, MedicalBilling)
    assert (c.parsed, c.valid) == (True, False)
    assert "must not exceed total_charge" in (c.error or "")
    assert (c.tp, c.fp, c.fn) == (5, 1, 1)


def test_failure_with_parsed_output_is_scored_on_that_output() -> None:
    gold = {"Actor": "Tom Hanks", "Film": ["Big"]}
    failure = Failure(error="Film: too short", parsed_output={"Actor": "Tom Hanks", "Film": []})
    c = compare_records(failure, gold, ActorFilmography)
    assert (c.parsed, c.valid) == (True, False)
    assert (c.tp, c.fp, c.fn) == (1, 0, 1)


def test_pydantic_records_are_accepted_on_both_sides() -> None:
    gold = ActorFilmography(Actor="Tom Hanks", Film=["Big"])
    pred = ActorFilmography(Actor="TOM HANKS", Film=["big"])
    assert compare_records(pred, gold).exact


# --------------------------------------------------------------------------- report


def test_score_dataset_micro_macro_per_field_and_rates_by_hand() -> None:
    schema = ActorFilmography
    golds: list[dict[str, Any]] = [
        {"Actor": "Tom Hanks", "Film": ["Big", "Splash"]},
        {"Actor": "Tom Hardy", "Film": ["Dunkirk", "Locke"]},
        {"Actor": "Meryl Streep", "Film": ["Doubt"]},
        {"Actor": "Viola Davis"},  # Film not annotated
    ]
    preds: list[Any] = [
        {"Actor": "Tom Hanks", "Film": ["Big", "Splash"]},  # exact
        {"Actor": "Tom Hardy", "Film": ["Dunkirk", "Inception"]},  # Film: 1 TP 1 FP 1 FN
        Failure(error="no JSON"),  # Actor FN, Film FN
        {"Actor": "Viola Davis", "Film": ["Fences"]},  # Film not scored; not valid? valid.
    ]
    report = score_dataset(preds, golds, schema)
    # Actor: TP 3 (rows 1, 2, 4), FN 1 (row 3) -> P 1, R 0.75
    # Film: TP 3 (Big, Splash, Dunkirk), FP 1 (Inception), FN 2 (Locke, Doubt) -> P 0.75, R 0.6
    actor, film = report.fields["Actor"], report.fields["Film"]
    assert (actor.prf.precision, actor.prf.recall) == (1.0, 0.75)
    assert actor.prf.f1 == pytest.approx(2 * 0.75 / 1.75)
    assert (film.prf.precision, film.prf.recall) == (0.75, 0.6)
    assert actor.support == 4 and film.support == 5
    # micro: TP 6, FP 1, FN 3 -> P 6/7, R 6/9
    assert report.micro.precision == pytest.approx(6 / 7)
    assert report.micro.recall == pytest.approx(6 / 9)
    assert report.micro.f1 == pytest.approx(2 * (6 / 7) * (6 / 9) / (6 / 7 + 6 / 9))
    # macro: mean of per-field values
    assert report.macro.precision == pytest.approx((1.0 + 0.75) / 2)
    assert report.macro.recall == pytest.approx((0.75 + 0.6) / 2)
    assert report.macro.f1 == pytest.approx((actor.prf.f1 + film.prf.f1) / 2)
    assert report.n == 4
    assert report.parse_rate == 0.75
    assert report.schema_valid_rate == 0.75
    assert report.record_exact == 0.5  # rows 1 and 4 (row 4's Film is not annotated)


def test_report_to_dict_has_exactly_the_documented_keys() -> None:
    report = score_dataset([{"name": "A B"}], [{"name": "A B"}], Person)
    data = report.to_dict()
    assert set(data) == {
        "n",
        "parse_rate",
        "schema_valid_rate",
        "record_exact",
        "micro",
        "macro",
        "fields",
    }
    assert set(data["micro"]) == set(data["macro"]) == {"precision", "recall", "f1"}
    assert data["fields"]["name"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}


def test_zero_denominators_give_zero_and_uncounted_fields_leave_macro() -> None:
    # gold age null and predicted age null everywhere: age has no counts -> excluded from macro
    report = score_dataset([{"name": "A B", "age": None}], [{"name": "A B", "age": None}], Person)
    assert report.fields["age"].to_dict() == {
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
        "support": 0,
    }
    assert report.macro.f1 == 1.0  # only "name" counts
    # only hallucinations: P 0 (0/1), R 0 (0/0 -> 0)
    report = score_dataset([{"name": "A B", "age": 3}], [{"name": "A B", "age": None}], Person)
    assert report.fields["age"].prf.precision == 0.0
    assert report.fields["age"].prf.recall == 0.0


def test_score_dataset_requires_aligned_inputs() -> None:
    with pytest.raises(ConfigurationError, match="align them by id"):
        score_dataset([None], [], Person)


def test_empty_dataset_reports_zeros() -> None:
    report = score_dataset([], [], Person)
    assert report.n == 0 and report.micro.f1 == 0.0 and report.parse_rate == 0.0


def test_without_schema_gold_keys_are_scored_and_lists_recognized_by_value() -> None:
    c = compare_records({"a": "x", "b": ["1", "2"]}, {"a": "x", "b": ["2", "3"]})
    assert counts(c.fields["a"]) == (1, 0, 0)
    assert counts(c.fields["b"]) == (1, 1, 1)


def test_schema_may_be_given_by_builtin_name() -> None:
    c = compare_records(
        {"Actor": "Tom Hanks", "Film": ["Big"]}, {"Actor": "Tom Hanks"}, "actor_filmography"
    )
    assert c.exact and set(c.fields) == {"Actor"}


def test_dataframes_have_one_row_per_field_and_per_record() -> None:
    report = score_dataset(
        [{"Actor": "Tom Hanks", "Film": ["Big"]}, None],
        [{"Actor": "Tom Hanks", "Film": ["Big"]}, {"Actor": "X Y", "Film": ["Z"]}],
        ActorFilmography,
    )
    fields = report.fields_dataframe()
    assert list(fields["field"]) == ["Actor", "Film"]
    assert list(fields["support"]) == [2, 2]
    records = report.records_dataframe()
    assert list(records["exact"]) == [True, False]
    assert list(records["mismatches"]) == ["", "Actor,Film"]


def test_counts_with_field_description_defaults_still_validate() -> None:
    class Item(BaseModel):
        sku: str = Field(pattern=r"^[A-Z]{3}$")

    c = compare_records({"sku": "abc"}, {"sku": "ABC"}, Item)
    assert c.valid is False and c.exact  # matches after normalization, but invalid


def test_punctuation_only_items_are_null_outside_exact_mode() -> None:
    gold = {"Actor": "Heather Townsend", "Film": ["The Departures", ",", ", "]}
    pred = {"Actor": "Heather Townsend", "Film": ["The Departures"]}
    c = compare_records(pred, gold, ActorFilmography)
    assert counts(c.fields["Film"]) == (1, 0, 0)
    exact = compare_records(pred, gold, ActorFilmography, match="exact")
    assert counts(exact.fields["Film"]) == (1, 0, 2)
