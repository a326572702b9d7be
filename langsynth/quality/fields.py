"""Which columns of a row hold content, and how their values become comparable text.

Shared by dedup, filters and inspection so that they agree on what a row "says":
bookkeeping columns that langsynth steps add (``duplicate_of``, ``score``, ...) and columns
whose names start with ``_`` are never content.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

# Columns added by langsynth steps (dedup, filter, judge); never compared as content.
BOOKKEEPING_COLUMNS = frozenset(
    {
        "duplicate_of",
        "duplicate_method",
        "duplicate_similarity",
        "filter_reason",
        "score",
        "score_expected",
        "comment",
        "judge_scores",
        "judge_error",
        "error",
        "judge_model",
        "split",
    }
)
# A string column whose values average at least this many characters, or this many words,
# is "long text" (reasons, descriptions, answers) rather than a short field (titles, names).
LONG_TEXT_CHARS = 40
LONG_TEXT_WORDS = 5


def content_fields(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Columns of ``rows`` (in first-seen order) that hold content, not bookkeeping."""
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            if key not in BOOKKEEPING_COLUMNS and not str(key).startswith("_"):
                seen.setdefault(str(key), None)
    return list(seen)


def check_columns(
    rows: Sequence[Mapping[str, Any]], names: Sequence[str] | None, what: str
) -> None:
    """Refuse column ``names`` that no row has, naming the known columns (``what`` says
    where the names came from, e.g. ``--fields``). Comparing an absent column would find
    every row empty, and alike."""
    from langsynth.errors import ConfigurationError

    if not names or not rows:
        return
    known: dict[str, None] = {}
    for row in rows:
        known.update(dict.fromkeys(row))
    missing = [n for n in names if n not in known]
    if missing:
        raise ConfigurationError(
            f"{what}: no column(s) {', '.join(missing)} in the input; its columns are "
            f"{', '.join(known)}."
        )


def _is_long(rows: Sequence[Mapping[str, Any]], field: str) -> bool | None:
    values = [v for r in rows if isinstance(v := r.get(field), str)]
    if not values:
        return None
    chars = sum(len(v) for v in values) / len(values)
    n_words = sum(len(v.split()) for v in values) / len(values)
    return chars >= LONG_TEXT_CHARS or n_words >= LONG_TEXT_WORDS


def long_text_fields(
    rows: Sequence[Mapping[str, Any]], fields: Sequence[str] | None = None
) -> list[str]:
    """String columns of long text: values average :data:`LONG_TEXT_CHARS` characters or
    :data:`LONG_TEXT_WORDS` words."""
    chosen = fields if fields is not None else content_fields(rows)
    return [f for f in chosen if _is_long(rows, f) is True]


def short_text_fields(
    rows: Sequence[Mapping[str, Any]], fields: Sequence[str] | None = None
) -> list[str]:
    """String columns that are not long text (titles, names, codes)."""
    chosen = fields if fields is not None else content_fields(rows)
    return [f for f in chosen if _is_long(rows, f) is False]


def value_text(value: Any) -> str:
    """A value as text: strings as they are, lists/dicts as compact JSON, ``None`` as ``""``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def row_text(row: Mapping[str, Any], fields: Sequence[str]) -> str:
    """The values of ``fields`` joined by newlines (the text near-duplicate checks compare)."""
    return "\n".join(value_text(row.get(f)) for f in fields)
