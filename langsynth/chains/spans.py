"""Verbatim-span grammars: a JSON answer whose text values can only be copied from the document.

Small models asked to "copy the value exactly" still shorten, complete, reformat or invent
values (on OCR'd receipts the 0.5B model cut addresses to one line and took a cashier's name
for the company). On a llama.cpp server the answer can be constrained during decoding by a
GBNF grammar; :func:`span_grammar` builds one per document in which every plain string field
(and every item of a list of strings) is a *substring of the document* (whitespace, line
breaks included, read as one space), or ``null``. A value printed over several lines is then
one span, joined by single spaces, exactly as annotators of key-information benchmarks
(SROIE) join them. Numbers, booleans and enums keep their JSON types.

The substrings are the paths of the document's suffix automaton (at most ``2n`` states), so
the grammar has one rule per state and one alternative per transition.

Only flat schemas qualify (:func:`span_fields`): string, number, integer, boolean, enum and
list-of-string fields. A string with a ``format`` or a ``pattern`` is left out
(``date`` fields must be ISO, not a copy), and so are nested objects: the caller then uses the
schema's ordinary JSON grammar.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["flatten", "span_fields", "span_grammar"]

_STARTS = "#$£€¥₹(+-@&*'"
MAX_ITEMS = 20  # list items when the schema sets no maxItems: no endless lists
_NUMBER = '"-"? [0-9]+ ("." [0-9]+)?'
_INTEGER = '"-"? [0-9]+'
# Small models like to quote numbers ("271037"); a quoted digit string is accepted too
# (Pydantic converts it), as :func:`langsynth.chains.extraction.numbers_as_digits` does.
_QUOTED = '"\\"" {0} "\\""'


def flatten(text: str) -> str:
    """The document as one line: every run of whitespace (line breaks too) becomes one space.

    Quotes, backslashes and control characters would need JSON escapes inside a value; they
    are read as spaces too (a value never spans them).
    """
    cleaned = "".join(" " if ch in '"\\' or ord(ch) < 32 else ch for ch in text)
    return " ".join(cleaned.split())


@dataclass
class _State:
    length: int
    link: int
    next: dict[str, int]


def _suffix_automaton(text: str) -> list[_State]:
    """The minimal automaton of all substrings of ``text`` (Blumer et al.; linear time)."""
    states = [_State(0, -1, {})]
    last = 0
    for ch in text:
        cur = len(states)
        states.append(_State(states[last].length + 1, -1, {}))
        p = last
        while p != -1 and ch not in states[p].next:
            states[p].next[ch] = cur
            p = states[p].link
        if p == -1:
            states[cur].link = 0
        else:
            q = states[p].next[ch]
            if states[p].length + 1 == states[q].length:
                states[cur].link = q
            else:
                clone = len(states)
                states.append(_State(states[p].length + 1, states[q].link, dict(states[q].next)))
                while p != -1 and states[p].next.get(ch) == q:
                    states[p].next[ch] = clone
                    p = states[p].link
                states[q].link = clone
                states[cur].link = clone
        last = cur
    return states


def _gbnf_literal(ch: str) -> str:
    """A GBNF string literal for one character of a JSON string (ASCII-escaped)."""
    code = ord(ch)
    if ch == '"':
        return '"\\""'
    if ch == "\\":
        return '"\\\\"'
    if 32 <= code < 127:
        return json.dumps(ch)
    return f'"\\u{code:04x}"' if code <= 0xFFFF else f'"\\U{code:08x}"'


def _automaton_rules(text: str) -> list[str]:
    """Rules ``span`` (a non-empty substring of ``text``) and ``sa-N`` (its continuations)."""
    states = _suffix_automaton(text)
    rules = []
    for i, state in enumerate(states):
        alts = [f"{_gbnf_literal(ch)} sa-{target}" for ch, target in sorted(state.next.items())]
        if i == 0:
            # A value starts with a letter, a digit or a sign that opens one ("#12", "$5",
            # "(M)"): the 0.5B model otherwise filled lists with "," and "." items until
            # max_tokens, and started names with the space before them.
            starts = [
                f"{_gbnf_literal(ch)} sa-{target}"
                for ch, target in sorted(state.next.items())
                if ch.isalnum() or ch in _STARTS
            ]
            rules.append("span ::= " + (" | ".join(starts) if starts else '"?"'))
        else:
            body = " | ".join(alts)
            rules.append(f"sa-{i} ::= ({body})?" if body else f'sa-{i} ::= ""')
    return rules


def _kind(prop: Mapping[str, Any]) -> tuple[str, bool]:
    """(kind, nullable) of a property: string, number, integer, boolean, enum, strings, other."""
    options = list(prop.get("anyOf", [prop]))
    nullable = any(o.get("type") == "null" for o in options)
    options = [o for o in options if o.get("type") != "null"]
    if len(options) != 1:
        return "other", nullable
    node = options[0]
    if "enum" in node or "const" in node:
        return "enum", nullable
    kind = node.get("type")
    if kind == "string":
        constrained = "format" in node or "pattern" in node  # lengths: Pydantic checks them
        return ("other" if constrained else "string"), nullable
    if kind in ("number", "integer", "boolean"):
        return str(kind), nullable
    if kind == "array":
        items = node.get("items", {})
        item_kind, _ = _kind(items)
        return ("strings" if item_kind == "string" else "other"), nullable
    return "other", nullable


def span_fields(schema: Mapping[str, Any]) -> dict[str, str] | None:
    """``{field: kind}`` if every property of ``schema`` fits a span grammar, else ``None``.

    At least one field must be a string or a list of strings (else there is nothing to copy).
    """
    props = schema.get("properties")
    if schema.get("type", "object") != "object" or not isinstance(props, Mapping) or not props:
        return None
    kinds = {}
    for name, prop in props.items():
        kind, _ = _kind(prop)
        if kind == "other":
            return None
        kinds[name] = kind
    if not any(k in ("string", "strings") for k in kinds.values()):
        return None
    return kinds


def _value_rule(prop: Mapping[str, Any], kind: str) -> str:
    _, nullable = _kind(prop)
    if kind == "string":
        body = '"\\"" span "\\""'
    elif kind == "strings":
        # A list gets "[]" when nothing is found; null only if the schema allows it.
        item = '"\\"" span "\\""'
        node = next(o for o in prop.get("anyOf", [prop]) if o.get("type") == "array")
        more = max(int(node.get("maxItems", MAX_ITEMS)) - 1, 0)
        body = f'"[" ({item} ("," ws {item}){{0,{more}}})? "]"'
        return f'({body}) | "null"' if nullable else body
    elif kind in ("number", "integer"):
        digits = _NUMBER if kind == "number" else _INTEGER
        body = f"({digits}) | {_QUOTED.format('(' + digits + ')')}"
    elif kind == "boolean":
        body = '"true" | "false"'
    else:  # enum
        options = next(o for o in prop.get("anyOf", [prop]) if o.get("type") != "null")
        values = options.get("enum", [options.get("const")])
        body = " | ".join(_gbnf_json(v) for v in values)
    # An absent value is always allowed, nullable or not: "null" is the honest answer for a
    # field the document does not give, and Pydantic reports it if the schema needs a value.
    return f'({body}) | "null"'


def _gbnf_json(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=True)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def span_grammar(schema: Mapping[str, Any], document: str) -> str | None:
    """A GBNF grammar for one JSON object of ``schema`` whose strings are spans of ``document``.

    Keys come in the schema's order, all of them; ``None`` if the schema does not qualify
    (see :func:`span_fields`) or the document is empty.
    """
    kinds = span_fields(schema)
    text = flatten(document)
    if kinds is None or not text:
        return None
    props = schema["properties"]
    parts = []
    rules = []
    for i, (name, kind) in enumerate(kinds.items()):
        key = _gbnf_json(name)
        sep = '"," ws' if i else ""
        parts.append(f'{sep} {key} ":" ws v-{i}'.strip())
        rules.append(f"v-{i} ::= {_value_rule(props[name], kind)}")
    root = 'root ::= "{" ' + " ".join(parts) + ' "}"'
    # One optional space after ":" and ",", the model's own way of writing JSON: denied its
    # '": "' token, Qwen2.5 0.5B answered null for the first field of every receipt.
    ws = 'ws ::= " "?'
    return "\n".join([root, *rules, ws, *_automaton_rules(text)]) + "\n"
