"""What the judge reads: a request and the response to it, built from any row users have.

The judge always sees the request. A row gives it as a ``request``/``prompt``/``instruction``/
... column (Alpaca's ``input`` is appended), with a ``response``/``output``/... column or the
record's other fields as the response; a bare record answers its schema's request template
("Recommend one {genre} movie.") or "Generate one realistic {subject} record.".

Pairwise judging pairs rows of two files (row i with row i of ``against``) or consecutive rows
of one file (2k with 2k+1): :func:`pair_rows`, :func:`pairwise_triples`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from langsynth.errors import ConfigurationError, JudgeInputError
from langsynth.judge.rubrics import GENERIC_RUBRIC, Rubric

PROMPT_FIELDS = ("prompt", "instruction", "question", "request", "query", "input")
RESPONSE_FIELDS = ("response", "output", "answer", "completion")


@dataclass(frozen=True)
class JudgeItem:
    """One thing to judge: the request and the response that answers it."""

    request: str
    response: str
    record: Mapping[str, Any] | None = None  # the record's fields, when the response is one


def as_text(value: Any) -> str:
    """A string as is; a record or other value as compact JSON (non-ASCII kept)."""
    if isinstance(value, str):
        return value
    if isinstance(value, BaseModel):
        return json.dumps(value.model_dump(mode="json"), ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, default=str)


def content_columns(row: Mapping[str, Any]) -> dict[str, Any]:
    """The row without bookkeeping columns (``score``, ``_origin``, ...)."""
    from langsynth.quality.fields import BOOKKEEPING_COLUMNS

    return {
        k: v for k, v in row.items() if k not in BOOKKEEPING_COLUMNS and not str(k).startswith("_")
    }


def annotate(record: Mapping[str, Any], glossary: Mapping[str, Mapping[str, str]]) -> dict:
    """The record with coded values explained: ``"J20.9"`` -> ``"J20.9 (acute bronchitis)"``."""
    out = dict(record)
    for name, meanings in glossary.items():
        value = out.get(name)
        if isinstance(value, str) and value in meanings:
            out[name] = f"{value} ({meanings[value]})"
    return out


def as_row(value: Any) -> dict[str, Any]:
    """A data row for the run engine from a row, a record, a ``(request, response)`` pair or a
    JudgeItem: a pair becomes ``{"request": ..., **record}`` or ``{"request", "response"}``.
    """
    if isinstance(value, JudgeItem):
        if value.record is not None and "request" not in value.record:
            return {"request": value.request, **value.record}
        return {"request": value.request, "response": value.response}
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple | list) and len(value) == 2:
        request, response = value
        if isinstance(response, BaseModel):
            response = response.model_dump(mode="json")
        if isinstance(response, Mapping) and "request" not in response:
            return {"request": as_text(request), **response}
        return {"request": as_text(request), "response": as_text(response)}
    raise JudgeInputError(
        f"cannot judge a {type(value).__name__}: pass rows (dicts or Pydantic models), "
        "(request, response) pairs or JudgeItems"
    )


def to_item(
    value: Any,
    *,
    rubric: Rubric = GENERIC_RUBRIC,
    subject: str = "record",
    prompt_field: str | None = None,
    response_field: str | None = None,
    glossary: Mapping[str, Mapping[str, str]] | None = None,
) -> JudgeItem:
    """Turn a row, a record, a ``(request, response)`` pair or a JudgeItem into a JudgeItem.

    ``glossary`` (a schema's code meanings) is applied to the record shown to the judge.
    """
    if isinstance(value, JudgeItem):
        return value
    if isinstance(value, tuple | list) and len(value) == 2:
        response = value[1]
        record = response if isinstance(response, Mapping) else None
        if record is not None and glossary:
            response = annotate(record, glossary)
        return JudgeItem(as_text(value[0]), as_text(response), record)
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    if not isinstance(value, Mapping):
        raise JudgeInputError(
            f"cannot judge a {type(value).__name__}: pass a row (dict or Pydantic model), "
            "a (request, response) pair or a JudgeItem"
        )
    row = content_columns(value)
    lower = {str(k).lower(): k for k in row}
    for given, what in ((prompt_field, "prompt"), (response_field, "response")):
        if given is not None and given not in row:
            raise ConfigurationError(
                f"The {what} column {given!r} is not in the row; columns: {', '.join(row)}."
            )
    p_key = prompt_field or next((lower[n] for n in PROMPT_FIELDS if n in lower), None)
    r_key = response_field or next((lower[n] for n in RESPONSE_FIELDS if n in lower), None)
    if p_key is not None and r_key is not None:
        request = as_text(row[p_key])
        input_key = lower.get("input")
        if input_key is not None and input_key not in (p_key, r_key) and row[input_key]:
            request += "\n\n" + as_text(row[input_key])  # Alpaca: instruction + input
        return JudgeItem(request, as_text(row[r_key]))
    if p_key is not None:  # a request column with the record's fields
        record = {k: v for k, v in row.items() if k != p_key}
        shown = annotate(record, glossary) if glossary else record
        return JudgeItem(as_text(row[p_key]), as_text(shown), record)
    request = f"Generate one realistic {subject} record."
    shown = row
    fields = rubric.request_fields
    if rubric.request_template and all(row.get(f) not in (None, "") for f in fields):
        request = rubric.request_template.format(**{f: row[f] for f in fields})
        shown = {k: v for k, v in row.items() if k not in fields}
    record = dict(row)
    if glossary:
        shown = annotate(shown, glossary)
    return JudgeItem(request, as_text(shown), record)


# --------------------------------------------------------------------------- pairing


def pair_rows(
    rows: Sequence[Mapping[str, Any]], against: Sequence[Mapping[str, Any]] | None = None
) -> list[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """Candidates to compare: row i with row i of ``against``, else rows 2k with 2k+1."""
    if against is not None:
        if len(against) < len(rows):
            raise ConfigurationError(
                f"The second file has {len(against)} rows for {len(rows)} first candidates; "
                "pairwise judging compares row i of one with row i of the other."
            )
        pairs = list(zip(rows, against[: len(rows)], strict=True))
    else:
        if len(rows) % 2:
            raise ConfigurationError(
                f"{len(rows)} rows: consecutive rows are compared (2k with 2k+1), so the last "
                "row has no partner; give an even number of rows or a second file (--against)."
            )
        pairs = [(rows[i], rows[i + 1]) for i in range(0, len(rows), 2)]
    if not pairs:
        raise ConfigurationError("No pairs to compare: give a second file or at least two rows.")
    return pairs


def pairwise_triples(
    pairs: Sequence[tuple[Any, Any]],
    *,
    rubric: Rubric = GENERIC_RUBRIC,
    subject: str = "record",
    request: str | None = None,
) -> list[tuple[str, str, str]]:
    """``(request, first response, second response)`` of each pair, for :class:`PairwiseJudge`.

    The request is ``request`` if given, else the first candidate's.
    """
    triples = []
    for first, second in pairs:
        a = to_item(first, rubric=rubric, subject=subject)
        b = to_item(second, rubric=rubric, subject=subject)
        triples.append((request or a.request, a.response, b.response))
    return triples
