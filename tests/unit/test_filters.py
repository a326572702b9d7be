"""Each heuristic filter on crafted rows; marking before dropping; cleaning instead of dropping."""

from __future__ import annotations

from langsynth.quality import (
    ConflictingResponses,
    EchoesInput,
    EmptyFields,
    HtmlRemnants,
    Length,
    RepetitiveNgrams,
    filter_rows,
    strip_html,
)

GOOD = "A careful, specific answer that explains its reasoning in plain words."


def reasons(rows: list[dict[str, object]], **kwargs: object) -> list[str | None]:
    return [r["filter_reason"] for r in filter_rows(rows, **kwargs).rows]  # type: ignore[misc]


def test_empty_fields() -> None:
    f = EmptyFields()
    rows = [{"a": "x", "b": [1]}, {"a": "  ", "b": [1]}, {"a": "x", "b": []}, {"a": None}]
    f.prepare(rows)
    assert [f.check(i, r) for i, r in enumerate(rows)] == [
        None,
        "empty field(s): a",
        "empty field(s): b",
        "empty field(s): a, b",
    ]


def test_length_too_short_and_too_long() -> None:
    f = Length(["text"], min_words=3, max_words=10)
    assert f.check(0, {"text": "two words"}) == "too short: text has 2 word(s) (min 3)"
    assert f.check(0, {"text": "word " * 11}) == "too long: text has 11 words (max 10)"
    assert f.check(0, {"text": "just enough words here"}) is None


def test_repetitive_ngrams() -> None:
    f = RepetitiveNgrams(["text"])
    looped = "the film is great " * 6
    reason = f.check(0, {"text": looped})
    assert reason is not None and reason.startswith("repetitive:")
    assert f.check(0, {"text": GOOD}) is None


def test_output_that_only_echoes_the_input() -> None:
    f = EchoesInput(["instruction"], "output")
    assert f.check(0, {"instruction": "Translate: good morning", "output": "good morning"})
    assert f.check(0, {"instruction": "Name a color.", "output": "Name a color!"})
    assert f.check(0, {"instruction": "Name a color.", "output": "Blue."}) is None


def test_an_answer_the_instruction_names_is_not_an_echo() -> None:
    f = EchoesInput(["instruction"], "output")
    row = {"instruction": "Classify the review as positive or negative.", "output": "negative"}
    assert f.check(0, row) is None
    # whole words only: "no" is not in "Is it now or never?"
    assert f.check(0, {"instruction": "Is it now or never?", "output": "no"}) is None
    copied = {"instruction": "Repeat after me: the sea is calm.", "output": "The sea is calm."}
    assert f.check(0, copied) == "output only echoes instruction"


def test_default_filters_keep_one_word_responses() -> None:
    rows = [
        {
            "instruction": "Classify the sentiment of the review.",
            "input": "It broke.",
            "response": "negative",
        },
        {"instruction": "Help.", "input": "", "response": "With what would you like some help?"},
    ]
    assert reasons(rows) == [None, "too short: instruction has 1 word(s) (min 3)"]


def test_same_instruction_with_different_responses() -> None:
    rows = [
        {"instruction": "Capital of France?", "output": "Paris"},
        {"instruction": "capital of france", "output": "Lyon"},
        {"instruction": "Capital of Japan?", "output": "Tokyo"},
        {"instruction": "Capital of Japan?", "output": "tokyo"},  # same answer: no conflict
    ]
    f = ConflictingResponses(["instruction"], "output")
    f.prepare(rows)
    assert [f.check(i, r) for i, r in enumerate(rows)] == [
        "same instruction as row(s) 1 with a different output",
        "same instruction as row(s) 0 with a different output",
        None,
        None,
    ]


def test_html_remnants_and_stripping() -> None:
    f = HtmlRemnants()
    rows = [
        {"t": "plain text, 3 < 5 and a > b"},
        {"t": "a <b>bold</b> claim"},
        {"t": "Tom &amp; Jerry"},
    ]
    f.prepare(rows)
    assert f.check(0, rows[0]) is None
    assert "HTML remnant" in (f.check(1, rows[1]) or "")
    assert "&amp;" in (f.check(2, rows[2]) or "")
    assert strip_html("<p>Tom &amp; Jerry</p><br/>") == "Tom & Jerry"


def test_filter_rows_marks_reasons_before_dropping_and_counts_by_filter() -> None:
    rows = [
        {"instruction": "Describe the sea.", "output": GOOD},
        {"instruction": "Repeat after me: the sea is calm.", "output": "The sea is calm."},
        {"instruction": "Say hello to me", "output": ""},
        {
            "instruction": "Write to me",
            "output": "Sure, write to kim@example.com any time you like.",
        },
        {
            "instruction": "Describe the rain",
            "output": "<div>Rain falls from the clouds above us.</div>",
        },
    ]
    result = filter_rows(rows)
    assert len(result.rows) == 5  # nothing dropped from the marked view
    got = [r["filter_reason"] for r in result.rows]
    assert got[0] is None
    assert got[1] == "output only echoes instruction"
    assert got[2] == "empty field(s): output"
    assert got[3] == "PII in output: EMAIL"
    assert got[4].startswith("HTML remnant in output")
    assert [r["instruction"] for r in result.kept] == ["Describe the sea."]
    assert "filter_reason" not in result.kept[0]
    assert result.removed_by["pii"] == 1 and result.removed_by["html"] == 1
    assert result.summary()["removed"] == 4


def test_scrub_and_strip_clean_rows_instead_of_dropping_them() -> None:
    rows = [
        {"q": "Contact?", "answer": "Call 010-1234-5678 or mail kim@example.com for details."},
        {"q": "Weather?", "answer": "<p>Sunny and warm all day today.</p>"},
    ]
    result = filter_rows(rows, scrub_pii_fields=True, strip_html_fields=True)
    assert [r["filter_reason"] for r in result.rows] == [None, None]
    assert result.kept[0]["answer"] == "Call [PHONE] or mail [EMAIL] for details."
    assert result.kept[1]["answer"] == "Sunny and warm all day today."
    assert result.cleaned == {"pii": 1, "html": 1}


def test_records_without_instruction_columns_get_the_row_filters_only() -> None:
    rows = [
        {"title": "Alien", "reason": "A crew meets a deadly creature aboard a ship in space."},
        {"title": "Up", "reason": "Fun."},
    ]
    assert reasons(rows) == [None, "too short: reason has 1 word(s) (min 3)"]
