"""Verbatim-span grammars: which schemas qualify, the automaton, the GBNF text."""

from __future__ import annotations

import functools
import re

import pytest
from pydantic import BaseModel, Field

from langsynth.chains.spans import _suffix_automaton, flatten, span_fields, span_grammar
from langsynth.schemas import ActorFilmography, MedicalBilling


class Receipt(BaseModel):
    company: str | None = None
    total: float | None = None
    paid: bool = False
    items: list[str] = Field(default_factory=list)


class Dated(BaseModel):
    when: str = Field(pattern=r"^\d{4}$")


class Nested(BaseModel):
    receipt: Receipt


def _accepts(text: str, candidate: str) -> bool:
    states = _suffix_automaton(text)
    q = 0
    for ch in candidate:
        nxt = states[q].next.get(ch)
        if nxt is None:
            return False
        q = nxt
    return True


@pytest.mark.parametrize("text", ["abcbc", "aaaa", "TOTAL 9.00 SUBTOTAL 19.00 TOTAL"])
def test_the_automaton_accepts_exactly_the_substrings(text: str) -> None:
    substrings = {text[i:j] for i in range(len(text)) for j in range(i + 1, len(text) + 1)}
    assert all(_accepts(text, s) for s in substrings)
    assert not _accepts(text, text + text[0]) and not _accepts(text, "#")
    states = _suffix_automaton(text)

    @functools.cache
    def paths(q: int) -> int:
        return 1 + sum(paths(n) for n in states[q].next.values())

    assert paths(0) - 1 == len(substrings)  # no string outside the substrings
    assert len(states) <= 2 * len(text)


def test_flatten_joins_lines_and_drops_what_would_need_escapes() -> None:
    assert flatten('NO. 5,\n  JALAN 4/3,\n\tPUTRAJAYA "A\\B"') == "NO. 5, JALAN 4/3, PUTRAJAYA A B"


def test_flat_schemas_qualify_nested_and_constrained_ones_do_not() -> None:
    assert span_fields(Receipt.model_json_schema()) == {
        "company": "string",
        "total": "number",
        "paid": "boolean",
        "items": "strings",
    }
    assert span_fields(ActorFilmography.model_json_schema()) is not None  # lengths are fine
    assert span_fields(MedicalBilling.model_json_schema()) is None  # codes have patterns
    assert span_fields(Dated.model_json_schema()) is None  # a pattern: a copy may not fit
    assert span_fields(Nested.model_json_schema()) is None
    assert span_grammar(Nested.model_json_schema(), "text") is None


def test_the_grammar_lists_every_key_in_order_and_spans_for_text() -> None:
    grammar = span_grammar(Receipt.model_json_schema(), "RM 9.00\nNASI")
    assert grammar is not None
    root = grammar.splitlines()[0]
    assert re.findall(r'\\"(\w+)\\"', root) == ["company", "total", "paid", "items"]
    rules = dict(line.split(" ::= ", 1) for line in grammar.splitlines())
    assert rules["v-0"] == '("\\"" span "\\"") | "null"'
    assert '"[0-9]' not in rules["v-1"] and "[0-9]+" in rules["v-1"]
    assert rules["v-3"].startswith('"["') and "null" not in rules["v-3"]  # a list gets []
    # one rule per automaton state; the first characters of the span are the document's
    starts = sorted(re.findall(r'"(.)" sa-', rules["span"]))
    assert starts == sorted({c for c in "RM 9.00 NASI" if c.isalnum()})  # no ' ', '.'


def test_non_ascii_characters_are_escaped_in_the_grammar() -> None:
    grammar = span_grammar(Receipt.model_json_schema(), "José Müller")
    assert grammar is not None and "\\u00e9" in grammar and "é" not in grammar
