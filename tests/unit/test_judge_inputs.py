"""What the judge reads: criteria, rows -> request/response, pairing, the schema check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from langsynth.errors import ConfigurationError, JudgeInputError
from langsynth.judge import (
    JudgeItem,
    default_rubric,
    infer_schema,
    pair_rows,
    pairwise_triples,
    parse_criteria,
    record_problems,
    resolve_rubric,
    to_item,
)
from langsynth.schemas import load_schema
from tests.records import BILL

MOVIE = {"title": "Alien", "year": 1979, "genre": "horror", "reason": "A creature stalks a crew."}


def test_criteria_on_one_line_are_split_at_semicolons() -> None:
    assert parse_criteria("공포 영화인가; 제목과 연도가 있는가 ;이유가 설득력 있는가") == (
        "공포 영화인가",
        "제목과 연도가 있는가",
        "이유가 설득력 있는가",
    )
    assert parse_criteria("fits；is short") == ("fits", "is short")  # full-width separator
    assert parse_criteria("- fits the request\n2. is polite; is short\n\n") == (
        "fits the request",
        "is polite",
        "is short",
    )


def test_criteria_from_a_file_and_empty_criteria(tmp_path: Path) -> None:
    path = tmp_path / "criteria.txt"
    path.write_text("* short\n* correct\n", encoding="utf-8")
    assert parse_criteria(path) == ("short", "correct")
    assert parse_criteria(str(path)) == ("short", "correct")
    with pytest.raises(ConfigurationError, match="separated by"):
        parse_criteria(" ; \n  \n")
    with pytest.raises(ConfigurationError, match="empty"):
        resolve_rubric(None, ["", " "])


def test_default_criteria_and_request_template_live_with_the_schema() -> None:
    info = load_schema("medical_billing")
    assert default_rubric("medical_billing").criteria == info.judge_criteria
    movie = default_rubric("movie_recommendation")
    assert movie.request_template == "Recommend one {genre} movie."
    assert movie.request_fields == ("genre",)
    # user criteria replace the schema's but keep its request template
    mine = resolve_rubric("movie_recommendation", "is scary; has a year")
    assert mine.criteria == ("is scary", "has a year")
    assert mine.request_template == movie.request_template
    assert default_rubric(None).criteria  # generic criteria for no schema


def test_a_bare_record_answers_its_schema_request_without_the_field_it_was_made_from() -> None:
    item = to_item(MOVIE, rubric=default_rubric("movie_recommendation"))
    assert item.request == "Recommend one horror movie."
    assert json.loads(item.response) == {k: v for k, v in MOVIE.items() if k != "genre"}
    generic = to_item({"patient_name": "Kim Lee"}, subject="medical_billing")
    assert generic.request == "Generate one realistic medical_billing record."


def test_rows_with_a_request_column_and_record_fields_or_a_response() -> None:
    row = {"request": "무서운 영화 추천", "title": "곡성", "year": 2016, "score": 3, "_origin": "x"}
    item = to_item(row)
    assert item.request == "무서운 영화 추천"
    assert json.loads(item.response) == {"title": "곡성", "year": 2016}  # no bookkeeping
    assert item.record == {"title": "곡성", "year": 2016}
    pair = to_item({"prompt": "Recommend a comedy.", "response": "Some Like It Hot"})
    assert pair == JudgeItem("Recommend a comedy.", "Some Like It Hot")
    alpaca = {"instruction": "Translate.", "input": "good morning", "output": "bonjour"}
    assert to_item(alpaca) == JudgeItem("Translate.\n\ngood morning", "bonjour")
    assert to_item(("Q?", "A.")) == JudgeItem("Q?", "A.")
    chosen = to_item({"q": "Q?", "a": "A.", "b": "B."}, prompt_field="q", response_field="b")
    assert chosen == JudgeItem("Q?", "B.")


def test_codes_are_explained_with_the_schema_glossary() -> None:
    info = load_schema("medical_billing")
    item = to_item({"request": "Bill a visit.", **BILL}, glossary=info.glossary)
    shown = json.loads(item.response)
    assert shown["diagnosis_code"] == "J20.9 (acute bronchitis)"
    assert shown["procedure_code"].startswith("99213 (established patient visit")
    assert item.record is not None and item.record["diagnosis_code"] == "J20.9"


def test_what_cannot_be_judged_is_a_clear_error() -> None:
    with pytest.raises(JudgeInputError, match="cannot judge a int"):
        to_item(42)
    with pytest.raises(ConfigurationError, match="'question' is not in the row"):
        to_item({"prompt": "Q", "response": "A"}, prompt_field="question")


def test_pairs_from_two_files_or_consecutive_rows() -> None:
    a = [{"response": "a1"}, {"response": "a2"}]
    b = [{"response": "b1"}, {"response": "b2"}, {"response": "b3"}]
    assert pair_rows(a, b) == [(a[0], b[0]), (a[1], b[1])]
    assert pair_rows(b[:2] + a) == [(b[0], b[1]), (a[0], a[1])]
    with pytest.raises(ConfigurationError, match="last row has no partner"):
        pair_rows(b)
    with pytest.raises(ConfigurationError, match="compares row i"):
        pair_rows(b, a)
    with pytest.raises(ConfigurationError, match="No pairs"):
        pair_rows([])
    rows = [{"prompt": "Q1", "response": "x"}, {"prompt": "Q1", "response": "y"}]
    assert pairwise_triples(pair_rows(rows)) == [("Q1", "x", "y")]
    assert pairwise_triples(pair_rows(rows), request="R") == [("R", "x", "y")]


def test_a_built_in_schema_is_recognised_by_its_fields() -> None:
    assert infer_schema({"request": "r", **BILL}).name == "medical_billing"  # type: ignore[union-attr]
    assert infer_schema(MOVIE).name == "movie_recommendation"  # type: ignore[union-attr]
    # the course's {title, year, reason} lacks genre: not a MovieRecommendation record
    assert infer_schema({"title": "Alien", "year": 1979, "reason": "..."}) is None


def test_records_breaking_a_schema_rule_are_found_before_any_model_call() -> None:
    info = load_schema("medical_billing")
    assert record_problems(BILL, info) is None
    over = {**BILL, "insurance_claim_amount": 185.6}
    assert "must not exceed total_charge" in (record_problems(over, info) or "")
    bad_code = {**BILL, "diagnosis_code": "ABC123"}
    assert "diagnosis_code" in (record_problems(bad_code, info) or "")
    movie = load_schema("movie_recommendation")
    # a missing field is not a broken rule; an empty reason is
    assert (
        record_problems({"title": "Alien", "year": 1979, "reason": "A fine film."}, movie) is None
    )
    assert "reason" in (
        record_problems({"title": "Alien", "year": 1979, "reason": ""}, movie) or ""
    )
    assert record_problems({"other": 1}, movie) is None
