"""Does a text carry a record's values? Value presence with the formats people write.

Numbers match any written form of the same amount (``500``, ``$500.00``, ``500.0``), dates
common renderings, strings whole words after :func:`~langsynth.normalize.fold_for_match`;
list items are checked one by one. The dataset generator verifies its texts with
:func:`missing_values`; the round trip reports what a text left out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from langsynth.metrics import parse_date, parse_number
from langsynth.normalize import fold_for_match, fold_typography


def as_plain(fields: Any) -> Any:
    """A record, mapping or list as plain JSON-like values."""
    if isinstance(fields, BaseModel):
        return fields.model_dump(mode="json")
    if isinstance(fields, Mapping):
        return {str(k): as_plain(v) for k, v in fields.items()}
    if isinstance(fields, list | tuple):
        return [as_plain(v) for v in fields]
    if isinstance(fields, dt.date):
        return fields.isoformat()
    return fields


_NUMBER_IN_TEXT = re.compile(
    r"(?<![\w.])[-+]?(?:[$€£¥₩]\s?)?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d])"
)
_DATE_RENDERINGS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "{m}/{d}/%Y",
    "%d/%m/%Y",
    "%B {d}, %Y",
    "%B {d} %Y",
    "{d} %B %Y",
    "%b {d}, %Y",
    "%b. {d}, %Y",
    "{d} %b %Y",
    "%B {d}th, %Y",
)


def _contains(haystack: str, needle: str) -> bool:
    if not needle:
        return True
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack) is not None


def _numbers_in(text: str) -> set[Any]:
    found = set()
    for m in _NUMBER_IN_TEXT.finditer(text):
        number = parse_number(m.group(0).replace(" ", ""))
        if number is not None:
            found.add(number.normalize())
    return found


def value_in_text(value: Any, text: str) -> bool:
    """Whether one scalar value appears in ``text`` (case, whitespace and number formats aside).

    Numbers match any written form of the same amount (``500``, ``$500.00``, ``500.0``);
    dates match common renderings (``2024-03-05``, ``03/05/2024``, ``March 5, 2024``);
    strings match as whole words after NFKC/casefold and trimming edge punctuation.
    ``None``, blanks and booleans cannot be checked and count as present.
    """
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    hay = fold_typography(text)
    number = parse_number(value)
    if number is not None and number.normalize() in _numbers_in(hay):
        return True
    date = parse_date(value)
    if date is not None:
        for fmt in _DATE_RENDERINGS:
            rendered = date.strftime(
                fmt.replace("{m}", str(date.month)).replace("{d}", str(date.day))
            )
            if _contains(hay, fold_typography(rendered)):
                return True
    needle = fold_for_match(str(value))
    return _contains(hay, needle)


def _leaves(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield from _leaves(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list | tuple | set):
        for i, item in enumerate(value):
            if isinstance(item, Mapping):
                yield from _leaves(item, f"{path}[{i}]" if path else f"[{i}]")
            else:
                yield from _leaves(item, path)
    else:
        yield (path or "value", value)


def missing_values(fields: Any, text: str, *, skip: Sequence[str] = ()) -> dict[str, list[Any]]:
    """The field values that do not appear in ``text``, by field (list items one by one).

    ``skip`` names fields not to check (free-text fields that are paraphrased, not quoted).
    """
    missing: dict[str, list[Any]] = {}
    for path, value in _leaves(as_plain(fields), ""):
        if path.split(".")[-1].split("[")[0] in skip or path in skip:
            continue
        if not value_in_text(value, text):
            missing.setdefault(path, []).append(value)
    return missing
