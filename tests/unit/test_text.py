"""Dataset generator: seed-compatible chain, value verification, regeneration naming misses."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from langchain_core.messages import BaseMessage
from langchain_core.prompts import PromptTemplate

from langsynth.chains.text import DatasetGenerator, create_data_generation_chain, render_fields
from langsynth.chains.verify import missing_values, value_in_text
from langsynth.schemas import ActorFilmography
from tests.fakes import FakeChatModel

HANKS = {"Actor": "Tom Hanks", "Film": ["Forrest Gump", "Big"]}


def last_human(messages: list[BaseMessage]) -> str:
    return str(messages[-1].content)


# --------------------------------------------------------------------------- verification


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (500.0, "The total charge was $500.00 in all."),
        (500, "a charge of 500 dollars"),
        (412.75, "Charges: $412.75."),
        (1500, "It cost $1,500."),
        (123456, "Patient 123456 came in."),
        ("99203", "procedure 99203, billed"),
        ("J20.9", "diagnosed with J20.9."),
        ("Tom Hanks", "TOM  hanks starred"),
        ("Schindler's List", "in “Schindler’s List”"),
        ("2024-03-05", "on March 5, 2024 she paid"),
        ("03/05/2024", "paid on 2024-03-05"),
    ],
)
def test_value_is_found_whatever_its_written_form(value: Any, text: str) -> None:
    assert value_in_text(value, text)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("Tom", "Tomato soup"),  # whole words only
        (500.0, "a charge of 5000"),
        (20.9, "diagnosed with J20.9"),  # a number inside a code is not that number
        ("The Green Mile", "Green Mile"),
        (350, "$35.00"),
    ],
)
def test_value_is_not_found_when_absent_or_only_a_substring(value: Any, text: str) -> None:
    assert not value_in_text(value, text)


def test_unverifiable_values_count_as_present() -> None:
    assert value_in_text(None, "x") and value_in_text(True, "x") and value_in_text("  ", "x")


def test_missing_values_lists_each_absent_list_item_by_field() -> None:
    text = "Tom Hanks was great in Big."
    assert missing_values(HANKS, text) == {"Film": ["Forrest Gump"]}
    assert missing_values(ActorFilmography(**HANKS), "Forrest Gump and Big.") == {
        "Actor": ["Tom Hanks"]
    }


def test_missing_values_skips_free_text_fields_and_names_nested_paths() -> None:
    fields = {"title": "Alien", "reason": "A paraphrased explanation."}
    assert missing_values(fields, "Watch Alien.", skip=("reason",)) == {}
    people = [{"actor": "Tom Hanks"}, {"actor": "Mads Mikkelsen"}]
    assert missing_values(people, "Tom Hanks only") == {"[1].actor": ["Mads Mikkelsen"]}


def test_date_objects_are_checked_in_common_renderings() -> None:
    assert missing_values({"d": dt.date(2024, 1, 2)}, "on 01/02/2024") == {}


# --------------------------------------------------------------------------- seed chain


def test_chain_maps_fields_and_preferences_to_the_seed_output_shape() -> None:
    llm = FakeChatModel(answers=["The vibrant blue sky met the yellow sun."])
    chain = create_data_generation_chain(llm)
    out = chain({"fields": ["blue", "yellow"], "preferences": {}})  # the seed calls the chain
    assert out == {
        "fields": ["blue", "yellow"],
        "preferences": {},
        "text": "The vibrant blue sky met the yellow sun.",
    }
    prompt = last_human(llm.calls[0])
    assert (
        "- blue" in prompt
        and "- yellow" in prompt
        and "Preferences: a plain, natural paragraph" in prompt
    )


def test_chain_renders_records_lists_and_preferences_into_the_prompt() -> None:
    llm = FakeChatModel(answers=["text"])
    chain = create_data_generation_chain(llm)
    chain.invoke({"fields": HANKS, "preferences": {"style": "gossip", "minimum_length": 200}})
    prompt = last_human(llm.calls[0])
    assert '- Film: "Forrest Gump"; "Big"' in prompt
    assert "style: gossip; minimum_length: 200" in prompt


def test_chain_accepts_the_seed_prompt_template() -> None:
    seed_prompt = PromptTemplate.from_template(
        "Given the following fields, create a sentence about them.\nFields:\n{fields}\n"
        "Preferences:\n{preferences}\nSentence:\n"
    )
    llm = FakeChatModel(answers=["Tom Hanks shines in Big."])
    out = create_data_generation_chain(llm, seed_prompt).invoke(
        {"fields": {"actor": "Tom Hanks"}, "preferences": None}
    )
    assert out["text"] == "Tom Hanks shines in Big."
    assert "- actor: Tom Hanks" in last_human(llm.calls[0])


def test_render_fields_formats_money_without_float_noise() -> None:
    rendered = render_fields({"total_charge": 500.0, "claim": 330.2, "id": 7})
    assert rendered == "- total_charge: 500\n- claim: 330.2\n- id: 7"


def test_preamble_and_wrapping_quotes_are_removed() -> None:
    llm = FakeChatModel(answers=['Sure! Here is the paragraph:\n"Tom Hanks shines in Big."'])
    assert create_data_generation_chain(llm).invoke({"fields": {}})["text"] == (
        "Tom Hanks shines in Big."
    )


# --------------------------------------------------------------------------- generator


def test_generator_returns_one_row_per_record_in_order_like_the_seed() -> None:
    def answer(messages: list[BaseMessage]) -> str:
        return "Text about " + ("Hanks" if "Hanks" in last_human(messages) else "Hardy")

    gen = DatasetGenerator(FakeChatModel(answers=[answer], cycle=True), {"style": "informal"})
    records = [HANKS, {"Actor": "Tom Hardy", "Film": ["Dunkirk"]}] * 3
    out = gen(records)
    assert [r["text"] for r in out] == ["Text about Hanks", "Text about Hardy"] * 3
    assert all(r["preferences"] == {"style": "informal"} for r in out)
    assert out[0]["fields"] == HANKS and out[0]["attempts"] == 1


def test_without_verify_missing_values_are_reported_but_not_regenerated() -> None:
    gen = DatasetGenerator(FakeChatModel(answers=["Tom Hanks in Big."]))
    row = gen([HANKS])[0]
    assert row["verified"] is False and row["missing"] == {"Film": ["Forrest Gump"]}
    assert row["attempts"] == 1


def test_verify_appends_sentences_with_exactly_the_missing_values() -> None:
    llm = FakeChatModel(answers=["Tom Hanks in Big.", "He also starred in Forrest Gump."])
    row = DatasetGenerator(llm, verify=True)([HANKS])[0]
    assert row["verified"] is True and row["missing"] == {} and row["attempts"] == 2
    assert row["text"] == "Tom Hanks in Big. He also starred in Forrest Gump."
    repair = last_human(llm.calls[1])
    assert '- Film: "Forrest Gump"' in repair and "Big" not in repair


def test_repeated_repairs_are_worded_differently() -> None:
    llm = FakeChatModel(answers=["Tom Hanks in Big.", "Nothing.", "Still nothing."])
    row = DatasetGenerator(llm, verify=True, max_attempts=3)([HANKS])[0]
    assert row["attempts"] == 3 and row["missing"] == {"Film": ["Forrest Gump"]}
    assert last_human(llm.calls[1]) != last_human(llm.calls[2])


def test_verify_can_rewrite_the_whole_text_naming_the_missing_values() -> None:
    llm = FakeChatModel(answers=["Tom Hanks in Big.", "Tom Hanks in Big and Forrest Gump."])
    row = DatasetGenerator(llm, verify=True, repair="rewrite")([HANKS])[0]
    assert row["verified"] is True and row["attempts"] == 2
    assert row["text"] == "Tom Hanks in Big and Forrest Gump."
    retry = llm.calls[1]
    assert str(retry[-2].content) == "Tom Hanks in Big."  # its previous text, then the note
    assert '- Film: "Forrest Gump"' in last_human(retry)


def test_verify_keeps_the_best_text_and_reports_what_is_still_missing() -> None:
    llm = FakeChatModel(answers=["Tom Hanks in Big.", "Nothing useful.", "Big!"])
    row = DatasetGenerator(llm, verify=True, max_attempts=3)([HANKS])[0]
    assert row["attempts"] == 3
    assert row["text"] == "Tom Hanks in Big."  # fewest missing values
    assert row["verified"] is False and row["missing"] == {"Film": ["Forrest Gump"]}
    assert row["usage"]["output_tokens"] == 3 * 20


def test_a_failed_call_becomes_an_error_row_and_the_batch_goes_on() -> None:
    timeout = openai.APITimeoutError(request=httpx.Request("POST", "http://x/v1"))
    llm = FakeChatModel(answers=[timeout, "Tom Hardy in Dunkirk."])
    gen = DatasetGenerator(llm, concurrency=1)
    rows = gen([HANKS, {"Actor": "Tom Hardy", "Film": ["Dunkirk"]}])
    assert rows[0]["text"] is None and rows[0]["error"] == "the request timed out"
    assert rows[0]["verified"] is False
    assert rows[1]["text"] == "Tom Hardy in Dunkirk." and rows[1]["verified"] is True


async def test_arun_reports_each_row_as_it_finishes() -> None:
    seen: list[int] = []
    gen = DatasetGenerator(FakeChatModel(answers=["x"], cycle=True), concurrency=2)
    result = await gen.arun([HANKS] * 4, on_result=lambda i, _row: seen.append(i))
    assert sorted(seen) == [0, 1, 2, 3] and len(result.rows) == 4


def test_run_writes_text_rows_with_declared_columns(tmp_path: Path) -> None:
    from langsynth.schemas import load_schema

    out = tmp_path / "texts.jsonl"
    rows = [{"id": "a", **HANKS}, {"id": "b", "labels": {"Actor": "Tom Hardy", "Film": []}}]
    gen = DatasetGenerator(
        FakeChatModel(answers=["Tom Hanks in Big and Forrest Gump.", "Tom Hardy."]),
        concurrency=1,
        schema=load_schema("actor_filmography"),
    )
    result = gen.run(rows, output=out)
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in written] == ["a", "b"]
    assert set(written[0]) == set(gen.output_columns)
    assert written[0]["labels"] == HANKS and written[0]["verified"] is True
    assert result.manifest is not None and result.manifest["schema"] == "actor_filmography"
