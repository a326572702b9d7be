"""Round trip with fake models: records -> text -> extraction -> metrics, and the quality gate."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import BaseMessage

from langsynth.chains.extraction import ExtractionFailure
from langsynth.chains.roundtrip import RoundTrip, round_trip, round_trip_filter
from langsynth.schemas import ActorFilmography
from tests.fakes import FakeChatModel

RECORDS = [
    {"Actor": "Tom Hanks", "Film": ["Big", "Splash"]},
    {"Actor": "Tom Hardy", "Film": ["Dunkirk", "Locke"]},
    {"Actor": "Meryl Streep", "Film": ["Doubt"]},
]
# what the extractor "reads" back from each text: Hanks exact, Hardy loses Locke, Streep fails
READ_BACK: dict[str, Any] = {
    "Hanks": {"Actor": "Tom Hanks", "Film": ["Big", "Splash"]},
    "Hardy": {"Actor": "Tom Hardy", "Film": ["Dunkirk"]},
    "Streep": "I do not know.",
}


def writer(messages: list[BaseMessage]) -> str:
    prompt = str(messages[-1].content)
    for record in RECORDS:
        if str(record["Actor"]) in prompt:
            films = " and ".join(record["Film"])
            return f"{record['Actor']} starred in {films}."
    raise AssertionError("unexpected prompt")


def reader(messages: list[BaseMessage]) -> Any:
    text = str(messages[-1].content)
    return next(answer for key, answer in READ_BACK.items() if key in text)


def trip(**options: Any) -> RoundTrip:
    return RoundTrip(
        "actor_filmography",
        FakeChatModel(answers=[writer], cycle=True),
        extract_llm=FakeChatModel(answers=[reader], cycle=True),
        **options,
    )


def test_round_trip_scores_every_record_field_by_field() -> None:
    result = trip().run(RECORDS)
    assert [r["id"] for r in result.rows] == [0, 1, 2]
    assert [c.exact for c in result.comparisons] == [True, False, False]
    # Actor: TP 2, FN 1 (Streep failed); Film: TP 3 (Big, Splash, Dunkirk), FN 2 (Locke, Doubt)
    report = result.report
    assert report.fields["Actor"].counts.tp == 2 and report.fields["Actor"].counts.fn == 1
    assert report.fields["Film"].counts.tp == 3 and report.fields["Film"].counts.fn == 2
    assert report.micro.precision == 1.0 and report.micro.recall == 5 / 8
    assert report.record_exact == 1 / 3 and report.parse_rate == 2 / 3
    assert isinstance(result.run.results[2].prediction, ExtractionFailure)
    assert all(not r["text_missing"] for r in result.rows)  # every text had every value


def test_records_dataframe_has_a_keep_column_and_the_reasons() -> None:
    frame = trip().run([ActorFilmography(**r) for r in RECORDS]).records_dataframe()
    assert list(frame["keep"]) == [True, False, False]
    assert list(frame["mismatches"]) == ["", "Film", "Actor,Film"]
    assert list(frame["Actor"]) == ["Tom Hanks", "Tom Hardy", "Meryl Streep"]
    assert frame.loc[2, "error"] == "the model returned no structured output"
    assert bool(frame.loc[0, "text_verified"]) is True


def test_fields_dataframe_has_one_row_per_field() -> None:
    fields = trip().run(RECORDS).fields_dataframe()
    assert list(fields["field"]) == ["Actor", "Film"]
    assert list(fields["support"]) == [3, 5]


def test_filter_keeps_only_records_whose_round_trip_matches() -> None:
    kept, result = round_trip_filter(
        RECORDS,
        "actor_filmography",
        FakeChatModel(answers=[writer], cycle=True),
        extract_llm=FakeChatModel(answers=[reader], cycle=True),
    )
    assert kept == [RECORDS[0]]
    assert result.dropped == RECORDS[1:]


def test_min_f1_gate_accepts_near_misses() -> None:
    # Hardy's F1 = 2 * 1 * (2/3) / (1 + 2/3) = 0.8
    result = trip(min_f1=0.8).run(RECORDS)
    assert result.kept == RECORDS[:2]


def test_labelled_rows_and_row_dicts_form_a_data_set() -> None:
    result = trip().run(RECORDS)
    labelled = result.labelled_rows()
    assert labelled[0] == {
        "id": 0,
        "text": "Tom Hanks starred in Big and Splash.",
        "labels": RECORDS[0],
    }
    row = result.rows[2]
    assert row["prediction"] is None and row["passed"] is False
    assert row["error"] == "the model returned no structured output"
    assert row["raw_output"] == "I do not know."
    summary = result.summary()
    assert summary["kept"] == 1 and summary["text_verified"] == 3
    assert summary["n"] == 3 and "micro" in summary


def test_verify_regenerates_texts_before_extraction() -> None:
    texts = iter(["Tom Hanks starred in Big.", "Tom Hanks starred in Big and Splash."])
    result = round_trip(
        RECORDS[:1],
        "actor_filmography",
        FakeChatModel(answers=[lambda _m: next(texts)], cycle=True),
        extract_llm=FakeChatModel(answers=[reader], cycle=True),
        verify=True,
    )
    assert result.rows[0]["text_attempts"] == 2 and result.rows[0]["text_missing"] == {}
    assert result.report.record_exact == 1.0


def test_a_record_whose_text_failed_counts_as_a_failed_prediction() -> None:
    import httpx
    import openai

    timeout = openai.APITimeoutError(request=httpx.Request("POST", "http://x/v1"))
    result = round_trip(
        RECORDS[2:],
        "actor_filmography",
        FakeChatModel(answers=[timeout]),
        extract_llm=FakeChatModel(answers=[]),
    )
    row = result.run.results[0]
    assert row.text is None and row.extraction is None
    assert (row.comparison.tp, row.comparison.fn) == (0, 2)
    assert result.rows[0]["error"] == "the request timed out"
    assert (result.comparisons[0].tp, result.comparisons[0].fn) == (0, 2)
