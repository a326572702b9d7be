from __future__ import annotations

import json

import pytest
from langchain_core.messages import AIMessage
from pydantic import BaseModel, Field

from langsynth.chains.structured import (
    _closed,
    acall,
    compact_json_grammar,
    outcome_from,
    raw_text,
    structured_runnable,
)
from langsynth.errors import LangsynthError
from langsynth.schemas import MedicalBilling
from tests.fakes import FakeChatModel, cut_off


class Inner(BaseModel):
    name: str


class Outer(BaseModel):
    items: list[Inner]
    count: int = Field(ge=0)


def test_closed_forbids_extra_properties_everywhere() -> None:
    schema = _closed(Outer.model_json_schema())
    assert schema["additionalProperties"] is False
    assert schema["$defs"]["Inner"]["additionalProperties"] is False
    assert "additionalProperties" not in Outer.model_json_schema()  # original untouched


def test_compact_grammar_embeds_the_schema_and_the_no_whitespace_option() -> None:
    pytest.importorskip("xllamacpp")
    grammar = compact_json_grammar(MedicalBilling)
    assert grammar is not None
    assert '"whitespace_flexible":false' in grammar.replace(" ", "")
    assert "insurance_claim_amount" in grammar


def test_unknown_method_is_rejected() -> None:
    with pytest.raises(LangsynthError, match="Unknown structured-output method"):
        structured_runnable(FakeChatModel(), MedicalBilling, "functions")


def test_fake_models_use_tool_calling() -> None:
    _, method = structured_runnable(FakeChatModel(), MedicalBilling)
    assert method == "function_calling"


def test_outcome_keeps_raw_and_reason_on_validation_failure() -> None:
    args = {"items": [{"name": "a"}], "count": -1}
    msg = AIMessage(content=json.dumps(args), response_metadata={"finish_reason": "stop"})
    outcome = outcome_from({"raw": msg, "parsed": args, "parsing_error": None}, Outer, 0.1)
    assert not outcome.ok
    assert outcome.error == "count: Input should be greater than or equal to 0"
    assert json.loads(outcome.raw) == args


def test_truncated_answer_is_named() -> None:
    msg = AIMessage(content='{"items": [', response_metadata={"finish_reason": "length"})
    outcome = outcome_from({"raw": msg, "parsed": None, "parsing_error": ValueError()}, Outer, 0)
    assert outcome.truncated and "max_tokens" in (outcome.error or "")


def test_an_answer_cut_off_by_the_client_keeps_its_tokens_and_text() -> None:
    # openai raises LengthFinishReasonError for a structured answer cut at max_tokens; its
    # decoded tokens are real work (tokens/s, cost) and its text is the rejected row's raw_output.
    from langchain_core.runnables import RunnableLambda

    from langsynth._async import run_sync

    usage = {
        "prompt_tokens": 500,
        "completion_tokens": 1024,
        "total_tokens": 1524,
        "prompt_tokens_details": {"cached_tokens": 448},
    }

    def cut(_: object) -> dict[str, object]:
        raise cut_off('{"items": [{"name": "a a a', usage)

    outcome = run_sync(acall(RunnableLambda(cut), Outer, []))
    assert outcome.truncated and not outcome.ok and "max_tokens" in (outcome.error or "")
    assert outcome.raw == '{"items": [{"name": "a a a'
    spent = outcome.usage
    assert (spent.input_tokens, spent.output_tokens, spent.cached_input_tokens) == (500, 1024, 448)
    assert spent.calls == 1
    # a failure that carries no completion still counts one call and nothing else
    from langchain_core.exceptions import OutputParserException

    def garbled(_: object) -> dict[str, object]:
        raise OutputParserException("not JSON")

    broken = run_sync(acall(RunnableLambda(garbled), Outer, []))
    assert broken.usage.calls == 1 and broken.usage.output_tokens == 0 and broken.raw == ""


def test_raw_text_prefers_tool_call_arguments() -> None:
    msg = AIMessage(content="", tool_calls=[{"name": "x", "args": {"a": 1}, "id": "1"}])
    assert json.loads(raw_text(msg)) == {"a": 1}
    assert raw_text(AIMessage(content=[{"type": "text", "text": "hi"}])) == "hi"
