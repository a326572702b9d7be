"""Rule checks before any model reads a row: what a small model judges badly and code does not.

A 1.5B judge is a poor judge of arithmetic, formats and spelling (is 154.80 more than 154.20?
is "ABC123" an ICD-10 code? does the story say "jump"?), and those are the defects planted in
synthetic data most often. So, before the checklist:

- **schema rules**: a row whose fields are a schema's (given, or a built-in one recognised by
  its field names) is validated with Pydantic; a broken rule scores 1;
- **empty fields**: a record shown as the response with an empty value scores at most 2
  (a movie without a reason);
- **placeholders**: a field holding its own name or a template filler instead of a value
  (``patient_name: "Patient Name"``, ``title: "<title>"``, "Lorem ipsum", "TBD"): at most 2;
- **one asked, several given**: a request for one thing ("one movie", "하나", "한 편") and a
  record whose name-like field lists several that its other fields talk about one by one
  (``title: "Before Sunrise, The Notebook"``, each named in the reason): at most 2;
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
from langsynth.normalize import words
from langsynth.schemas import SchemaInfo, builtin_schemas

# Score a row gets when a rule fails: a broken schema rule is wrong data (1); an empty field
# or a missing required word is a response that misses a stated requirement (at most 2).
SCHEMA_RULE_SCORE = 1.0
REQUIREMENT_CAP = 2.0


# Each rule's name in a judge comment, per comment language.
RULE_NAMES = {
    "ko": {
        "schema": "스키마 규칙 위반",
        "empty field": "빈 항목",
        "placeholder": "값 대신 자리표시자",
        "count": "하나를 요청했는데 여러 개",
        "required words": "요청한 단어 누락",
        "length": "요청한 길이와 다름",
        "language": "요청한 언어가 아님",
        "quantity": "요청한 수치와 다름",
        "audience": "요청한 독자에게 너무 어려움",
    },
    "en": {
        "schema": "breaks a schema rule",
        "empty field": "an empty field",
        "placeholder": "a placeholder instead of a value",
        "count": "several given where one is asked for",
        "required words": "misses words the request asks for",
        "length": "not the length the request asks for",
        "language": "not in the requested language",
        "quantity": "states a quantity other than the request's",
        "audience": "too hard for the reader the request names",
    },
}


@dataclass(frozen=True)
class RuleProblem:
    """A rule a row breaks, and the highest score it may then get."""

    rule: str  # a key of RULE_NAMES
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


# Words a template filler is made of, besides the field's own name ("Your Name", "Full Name",
# "Example title", "TBD"); articles do not count either way ("A" is a grade, not a filler).
_FILLER = {
    "your", "full", "first", "last", "example", "sample", "placeholder", "insert", "enter",
    "tbd", "todo", "xxx", "string", "here",
}  # fmt: skip
_ARTICLES = {"the", "a", "an"}


def placeholder_fields(record: Mapping[str, Any]) -> list[str]:
    """Fields of a record whose text is a placeholder, not a value: only the field's own name
    and filler words (``patient_name: "Patient Name"``, ``title: "[Title]"``, ``"TBD"``), or
    "lorem ipsum"."""
    out = []
    for key, value in record.items():
        if not isinstance(value, str):
            continue
        core = set(words(value)) - _ARTICLES
        own = set(words(str(key).replace("_", " ")))
        if (core and core <= own | _FILLER) or "lorem ipsum" in value.casefold():
            out.append(f"{key}={value!r}")
    return out


# A request for exactly one thing: "one movie", "a single book", "just one", "하나", "한 편";
# not "one sentence" / "one word" (lengths, checked as constraints) or "one of".
_ONE_RE = re.compile(
    r"\b(?:a single|just one|only one|one)\b(?!\s+(?:of|sentences?|words?|more|another)\b)"
    r"|하나|한\s?(?:편|권|곡|개|가지|곳|작품|명|종류)",
    re.IGNORECASE,
)
_LIST_SEP = re.compile(r"\s*[,/;、·]\s*")


def listed_names(record: Mapping[str, Any]) -> list[str]:
    """The parts of a short field that lists several things, each of which another field of
    the record names by itself (``title: "A, B"`` with "A" and "B" in the reason)."""
    texts = {k: v for k, v in record.items() if isinstance(v, str)}
    for key, value in texts.items():
        parts = [p for p in _LIST_SEP.split(value.strip()) if len(p) >= 2]
        if len(parts) < 2 or len(value) > 80:
            continue
        # elsewhere, without the field's value as a whole ("Romeo and Juliet" named entire)
        other = " ".join(v.replace(value, " ") for k, v in texts.items() if k != key)
        if all(part in other for part in parts):
            return parts
    return []


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
    found: list[str] = []
    for sentence in request_sentences(request):
        if not _CUE_RE.search(sentence):
            continue
        for match in _QUOTED_RE.finditer(sentence):
            word = match.group(1).strip()
            # a quoted word, not a quoted sentence (those are texts to work on)
            if word and len(word.split()) <= 3 and word not in found:
                found.append(word)
    return found


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
        filler = placeholder_fields(record)
        if filler:
            problems.append(
                RuleProblem("placeholder", f"placeholder: {', '.join(filler)}", REQUIREMENT_CAP)
            )
        several = listed_names(record) if _ONE_RE.search(request) else []
        if several:
            message = f"one asked, {len(several)} given: {', '.join(several)}"
            problems.append(RuleProblem("count", message, REQUIREMENT_CAP))
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
