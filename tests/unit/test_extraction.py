"""Extraction chains: four strategies, failures as objects with raw output, never raising."""

from __future__ import annotations

import json
from typing import Any

import httpx
import openai
import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from langsynth.chains.extraction import (
    NO_TOOL_CALL,
    STRATEGIES,
    ExtractionFailure,
    create_extraction_chain,
    extraction_system_prompt,
)
from langsynth.errors import ExtractionError
from langsynth.schemas import ActorFilmography, MedicalBilling
from tests.fakes import FakeChatModel, cut_off

TEXT = "Tom Hanks starred in Big and Splash."
HANKS = {"Actor": "Tom Hanks", "Film": ["Big", "Splash"]}
BILL = {
    "patient_id": 123456,
    "patient_name": "John Doe",
    "diagnosis_code": "J20.9",
    "procedure_code": "99203",
    "total_charge": 500.0,
    "insurance_claim_amount": 350.0,
}


@pytest.mark.parametrize("strategy", ["json_schema", "tool_calling", "json_mode"])
def test_structured_strategies_return_a_validated_record(strategy: str) -> None:
    chain = create_extraction_chain("actor_filmography", FakeChatModel(answers=[HANKS]), strategy)
    record = chain.invoke(TEXT)
    assert isinstance(record, ActorFilmography) and record.model_dump() == HANKS


def test_parser_strategy_parses_json_from_free_text_as_the_seed_does() -> None:
    answer = "Here you go:\n```json\n" + json.dumps(HANKS) + "\n```"
    chain = create_extraction_chain("actor_filmography", FakeChatModel(answers=[answer]), "parser")
    assert chain.invoke(TEXT) == ActorFilmography(**HANKS)
    system = chain.messages(TEXT)[0].content
    assert "JSON instance that conforms to the JSON schema" in system  # format instructions


def test_a_record_that_breaks_a_validator_is_a_failure_with_its_parsed_json() -> None:
    bad = {**BILL, "insurance_claim_amount": 900.0}
    chain = create_extraction_chain("medical_billing", FakeChatModel(answers=[bad]))
    failure = chain.invoke("John Doe ...")
    assert isinstance(failure, ExtractionFailure)
    assert "must not exceed total_charge" in failure.error
    assert failure.parsed_output == bad
    assert json.loads(failure.raw_output) == bad
    assert failure.strategy == "json_schema"


def test_text_without_json_is_a_failure_that_keeps_the_raw_output() -> None:
    chain = create_extraction_chain(
        "actor_filmography", FakeChatModel(answers=["I cannot help."]), "parser"
    )
    failure = chain.invoke(TEXT)
    assert isinstance(failure, ExtractionFailure)
    assert failure.error == "the answer contains no JSON object"
    assert failure.raw_output == "I cannot help." and failure.parsed_output is None


def test_tool_calling_without_a_tool_call_fails_with_the_reason() -> None:
    # What the embedded llama.cpp server returns for Qwen2.5 Coder: JSON in text, no tool call.
    text_answer = '```json\n{"name": "Actor", "arguments": {"Actor": "Tom Hanks"}}\n```'
    chain = create_extraction_chain(
        "actor_filmography", FakeChatModel(answers=[text_answer]), "tool_calling"
    )
    failure = chain.invoke(TEXT)
    assert isinstance(failure, ExtractionFailure)
    assert failure.error == NO_TOOL_CALL and "json_schema" in failure.error
    assert failure.raw_output == text_answer and failure.parsed_output is None


def test_batch_never_raises_and_keeps_one_result_per_text() -> None:
    timeout = openai.APITimeoutError(request=httpx.Request("POST", "http://x/v1"))
    llm = FakeChatModel(answers=[HANKS, "garbage", timeout, {"Actor": "Xi Li"}])
    chain = create_extraction_chain("actor_filmography", llm)
    results = chain.batch([TEXT] * 4, config={"max_concurrency": 1})
    assert isinstance(results[0], ActorFilmography)
    assert [type(r).__name__ for r in results[1:]] == ["ExtractionFailure"] * 3
    assert results[1].error == "the model returned no structured output"
    assert results[2].error == "the request timed out"
    assert results[3].error == "Film: Field required"
    assert results[3].parsed_output == {"Actor": "Xi Li"}


def test_truncated_answer_is_a_failure() -> None:
    llm = FakeChatModel(answers=[cut_off('{"Actor": "To')])
    failure = create_extraction_chain("actor_filmography", llm).invoke(TEXT)
    assert isinstance(failure, ExtractionFailure) and "max_tokens" in failure.error


def test_run_reports_tokens_latency_and_order() -> None:
    llm = FakeChatModel(answers=[HANKS, "nope"], output_tokens=33)
    chain = create_extraction_chain("actor_filmography", llm)
    seen: list[int] = []
    run = chain.run([TEXT, TEXT], concurrency=1, on_result=lambda i, _r: seen.append(i))
    results = run.results
    assert [r["id"] for r in run.rows] == [0, 1] and run.rows[1]["prediction"] is None
    assert [r.ok for r in results] == [True, False] and sorted(seen) == [0, 1]
    assert results[0].usage.output_tokens == 33 and results[0].usage.input_tokens == 50
    assert results[1].usage.output_tokens == 33
    assert all(r.latency_s >= 0 for r in results)


def test_input_may_be_a_row_with_a_text_key() -> None:
    chain = create_extraction_chain("actor_filmography", FakeChatModel(answers=[HANKS]))
    assert isinstance(chain.invoke({"text": TEXT, "id": 3}), ActorFilmography)
    assert TEXT in str(chain.messages(TEXT)[-1].content)


def test_bad_input_and_unknown_strategy_are_clear_errors() -> None:
    chain = create_extraction_chain("actor_filmography", FakeChatModel(answers=[HANKS]))
    with pytest.raises(ExtractionError, match="'text' key"):
        chain.invoke(42)
    with pytest.raises(ExtractionError, match=", ".join(STRATEGIES)):
        create_extraction_chain("actor_filmography", FakeChatModel(), "regex")


def test_system_prompt_describes_fields_types_and_rules_for_small_models() -> None:
    system = extraction_system_prompt(MedicalBilling)
    assert "- patient_id (integer): 6-digit patient identifier" in system
    assert "- total_charge (number): Total charge in US dollars" in system
    assert "without currency signs" in system
    listed = extraction_system_prompt(ActorFilmography, "json_mode")
    assert "- Film (list of strings)" in listed
    assert "exactly these keys: Actor, Film" in listed


def test_text_is_delimited_after_the_system_prompt() -> None:
    chain = create_extraction_chain("actor_filmography", FakeChatModel(answers=[HANKS]))
    messages = chain.messages(TEXT)
    assert isinstance(messages[0], SystemMessage) and isinstance(messages[-1], HumanMessage)
    assert f'"""\n{TEXT}\n"""' in str(messages[-1].content)


def test_few_shot_examples_become_message_pairs() -> None:
    examples: list[Any] = [
        ("Meryl Streep was in Doubt.", {"Actor": "Meryl Streep", "Film": ["Doubt"]}),
        {"text": "Viola Davis: Fences.", "labels": {"Actor": "Viola Davis", "Film": ["Fences"]}},
    ]
    chain = create_extraction_chain(
        "actor_filmography", FakeChatModel(answers=[HANKS]), examples=examples
    )
    messages = chain.messages(TEXT)
    assert [type(m).__name__ for m in messages] == [
        "SystemMessage",
        "HumanMessage",
        "AIMessage",
        "HumanMessage",
        "AIMessage",
        "HumanMessage",
    ]
    assert json.loads(str(messages[2].content)) == {"Actor": "Meryl Streep", "Film": ["Doubt"]}
    tools = create_extraction_chain(
        "actor_filmography", FakeChatModel(answers=[HANKS]), "tool_calling", examples=examples[:1]
    ).messages(TEXT)
    assert isinstance(tools[2], AIMessage) and tools[2].tool_calls
    assert tools[2].tool_calls[0]["args"] == {"Actor": "Meryl Streep", "Film": ["Doubt"]}
    assert isinstance(tools[3], ToolMessage)


def test_json_schema_lets_numbers_be_digit_strings_that_pydantic_converts() -> None:
    from langsynth.chains.extraction import numbers_as_digits
    from langsynth.chains.structured import json_schema_of

    schema = numbers_as_digits(json_schema_of(MedicalBilling))
    pid = schema["properties"]["patient_id"]
    assert pid["anyOf"] == [
        {"maximum": 999999, "minimum": 100000, "type": "integer"},
        {"type": "string", "pattern": "^-?[0-9]+$"},
    ]
    assert pid["description"] == "6-digit patient identifier"
    assert (
        schema["properties"]["patient_name"]
        == json_schema_of(MedicalBilling)["properties"]["patient_name"]
    )
    # a quoted ID answered under that grammar validates to the integer
    answer = {**BILL, "patient_id": "271037", "total_charge": "500.00"}
    record = create_extraction_chain("medical_billing", FakeChatModel(answers=[answer])).invoke("x")
    assert isinstance(record, MedicalBilling)
    assert (record.patient_id, record.total_charge) == (271037, 500.0)
