"""Self-consistency: field-wise votes, and the chain's samples/locate/line-number options."""

from __future__ import annotations

import json

from langsynth.chains.extraction import create_extraction_chain
from langsynth.chains.extraction.prompts import field_hint, numbered
from langsynth.chains.extraction.vote import vote
from langsynth.schemas import ActorFilmography
from tests.fakes import FakeChatModel

TEXT = "Tom Hanks starred in Big and Splash."


def test_vote_is_field_wise_normalized_and_ties_go_to_the_first_answer() -> None:
    answers = [
        {"Actor": "Tom Hanks", "Film": ["Big"]},
        {"Actor": "tom hanks ", "Film": ["Big", "Splash"]},
        {"Actor": "Tom Cruise", "Film": ["Splash", "big"]},
    ]
    out = vote(answers, ["Actor", "Film"])
    assert out["Actor"] == "Tom Hanks"  # two of three once normalized
    assert out["Film"] == ["Big", "Splash"]  # as sets, two of three
    assert vote([{"Actor": "A"}, {"Actor": "B"}], ["Actor"]) == {"Actor": "A"}


def test_an_invented_value_does_not_outvote_two_answers_that_found_nothing() -> None:
    answers = [{"Actor": None}, {"Actor": "Someone"}, {"Actor": ""}]
    assert vote(answers, ["Actor"])["Actor"] is None


def test_samples_call_the_model_n_times_and_vote() -> None:
    answers = [
        {"Actor": "Tom Hanks", "Film": ["Big"]},
        {"Actor": "Tom Hanks", "Film": ["Big", "Splash"]},
        {"Actor": "Tom", "Film": ["Big", "Splash"]},
    ]
    llm = FakeChatModel(answers=answers)
    chain = create_extraction_chain("actor_filmography", llm, samples=3)
    result = chain.run([TEXT], progress=False).results[0]
    assert result.ok and result.usage.calls == 3
    assert result.record == ActorFilmography(Actor="Tom Hanks", Film=["Big", "Splash"])
    assert result.to_row()["prediction"] == {"Actor": "Tom Hanks", "Film": ["Big", "Splash"]}


def test_locate_asks_for_line_numbers_first_and_quotes_them_to_the_extractor() -> None:
    text = "Cast list\nTom Hanks\nFilms: Big, Splash"
    answers = ['{"Actor": [2], "Film": [3, 99]}', '{"Actor": "Tom Hanks", "Film": ["Big"]}']
    llm = FakeChatModel(answers=answers)
    chain = create_extraction_chain("actor_filmography", llm, "parser", locate=True)
    result = chain.run([text], progress=False).results[0]
    assert result.ok and result.usage.calls == 2
    first, second = llm.calls
    assert "2| Tom Hanks" in str(first[-1].content)
    assert "- Actor: 2| Tom Hanks" in str(second[-1].content)
    assert "- Film: 3| Films: Big, Splash" in str(second[-1].content)  # 99 is not a line


def test_a_failed_row_keeps_what_it_parsed_in_to_row() -> None:
    llm = FakeChatModel(answers=[{"Actor": "Xi Li"}])
    chain = create_extraction_chain("actor_filmography", llm)
    result = chain.run([TEXT], progress=False).results[0]
    row = result.to_row()
    assert not result.ok and row["error"] == "Film: Field required"
    assert row["prediction"] is None  # a failed row predicts nothing when scored
    assert row["parsed_output"] == {"Actor": "Xi Li"}
    assert json.loads(row["raw_output"]) == {"Actor": "Xi Li"}


def test_line_numbers_and_field_hints() -> None:
    assert numbered("a\n\nb") == "1| a\n2| b"
    chain = create_extraction_chain(
        "actor_filmography", FakeChatModel(answers=[]), line_numbers=True
    )
    assert "1| Tom Hanks" in str(chain.messages(TEXT)[-1].content)
    assert "date only" in field_hint("invoice_date", {"type": "string"})
    assert "date only" in field_hint("dueDate", {"type": "string"})
    assert "not a subtotal" in field_hint("total", {"type": "string"})
    assert "currency" in field_hint("tax_amount", {"type": "number"})
    assert "every line of the address" in field_hint("address", {"type": "string"})
    assert "business name" in field_hint("company", {"type": "string"})
    assert field_hint("count", {"type": "integer"}) == ""
