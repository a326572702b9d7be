"""Rule checks before any model reads a row: what a small model judges badly and code does not.

A 1.5B judge is a poor judge of arithmetic, formats and spelling (is 154.80 more than 154.20?
is "ABC123" an ICD-10 code? does the story say "jump"?), and those are the defects planted in
synthetic data most often. So, before the checklist:

- **schema rules**: a row whose fields are a schema's (given, or a built-in one recognised by
  its field names) is validated with Pydantic; a broken rule scores 1;
- **empty fields**: a record shown as the response with an empty value scores at most 2
  (a movie without a reason);
- **required words**: a request that asks to use quoted words ("uses the words "jump" and
  "ball"") and a response that lacks one scores at most 2;
- **stated constraints** (:mod:`langsynth.judge.constraints`): a length, a language or a
  quantity the request or the user's criteria state, broken by the response: at most 2.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from langsynth.judge.constraints import broken_constraints, request_sentences
from langsynth.schemas import SchemaInfo, builtin_schemas

# Score a row gets when a rule fails: a broken schema rule is wrong data (1); an empty field
# or a missing required word is a response that misses a stated requirement (at most 2).
SCHEMA_RULE_SCORE = 1.0
REQUIREMENT_CAP = 2.0


@dataclass(frozen=True)
class RuleProblem:
    """A rule a row breaks, and the highest score it may then get."""

    rule: str  # "schema", "empty field", "required words", "length", "language", "quantity"
    message: str
    cap: float


def infer_schema(row: Mapping[str, Any]) -> SchemaInfo | None:
    """The built-in schema all of whose fields the row has (the one with most fields)."""
    columns = set(row)
    matches = [
        info
        for info in builtin_schemas().values()
        if len(info.fields) >= 2 and set(info.fields) <= columns
    ]
    return max(matches, key=lambda info: len(info.fields), default=None)


def record_problems(record: Mapping[str, Any], info: SchemaInfo) -> str | None:
    """Why ``record`` breaks ``info``'s rules (``field: message; ...``), or ``None``.

    Only the schema's fields are validated, and a missing field is not a problem here (the
    course's movie answers have no ``genre``); cross-field rules run when all fields are there.
    """
    fields = {k: v for k, v in record.items() if k in info.model.model_fields}
    if not fields:
        return None
    try:
        info.model.model_validate(fields)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', ())) or 'record'}: {e.get('msg')}"
            for e in exc.errors()
            if e.get("type") != "missing"
        ]
        return "; ".join(problems) or None
    return None


def empty_fields(record: Mapping[str, Any]) -> list[str]:
    """Fields of a record whose value is empty (``""``, whitespace, ``[]``, ``{}``)."""
    return [
        str(k)
        for k, v in record.items()
        if (isinstance(v, str) and not v.strip()) or (isinstance(v, list | dict) and not v)
    ]


# A request names words to use: a cue ("use", "include", "단어", ...) and quoted words.
_CUE_RE = re.compile(
    r"\b(?:use|uses|using|include|includes|including|contain|contains|containing|mention)\b"
    r"|단어|낱말|넣어|포함|사용",
    re.IGNORECASE,
)
_QUOTED_RE = re.compile(r"[\"“”'‘’「『]([^\"“”'‘’」』\n]{1,40})[\"“”'‘’」』]")


def required_words(request: str) -> list[str]:
    """Quoted words a request asks the response to use (``[]`` if it asks for none).

    >>> required_words('Write a story that uses the words "jump", "ball" and "happy".')
    ['jump', 'ball', 'happy']
    >>> required_words('Translate "good morning" into French.')
    []
    """
    words: list[str] = []
    for sentence in request_sentences(request):
        if not _CUE_RE.search(sentence):
            continue
        for match in _QUOTED_RE.finditer(sentence):
            word = match.group(1).strip()
            # a quoted word, not a quoted sentence (those are texts to work on)
            if word and len(word.split()) <= 3 and word not in words:
                words.append(word)
    return words


def missing_required_words(request: str, response: str) -> list[str]:
    """The words the request asks for that the response does not use (any inflection)."""
    from langsynth.synthesis.presence import contains_word

    out = []
    for word in required_words(request):
        # Korean and other scripts: the stem as a substring (particles attach to it)
        present = contains_word(response, word) if word.isascii() else word in response
        if not present:
            out.append(word)
    return out


def rule_problems(
    request: str,
    response: str,
    record: Mapping[str, Any] | None,
    info: SchemaInfo | None,
    criteria: Sequence[str] = (),
) -> list[RuleProblem]:
    """Every rule the row breaks (schema rules, empty fields, required words, constraints the
    request or ``criteria`` state)."""
    problems = []
    if record is not None and info is not None:
        broken = record_problems(record, info)
        if broken:
            problems.append(RuleProblem("schema", broken, SCHEMA_RULE_SCORE))
    if record is not None:
        empty = empty_fields(record)
        if empty:
            problems.append(
                RuleProblem("empty field", f"empty: {', '.join(empty)}", REQUIREMENT_CAP)
            )
    missing = missing_required_words(request, response)
    if missing:
        problems.append(
            RuleProblem(
                "required words", f"missing: {', '.join(repr(w) for w in missing)}", REQUIREMENT_CAP
            )
        )
    for stated in broken_constraints(request, response, criteria):
        problems.append(RuleProblem(stated.kind, stated.message, REQUIREMENT_CAP))
    return problems
