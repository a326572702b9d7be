"""How values are made comparable: numbers, dates, normalized text, ANLS; nulls and lists."""

from __future__ import annotations

import datetime as dt
import math
import re
import types
import typing
import unicodedata
from collections.abc import Hashable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel

from langsynth.errors import ConfigurationError
from langsynth.normalize import fold_for_match

MatchMode = Literal["exact", "normalized", "fuzzy"]
MATCH_MODES: tuple[str, ...] = ("exact", "normalized", "fuzzy")
ANLS_THRESHOLD = 0.5


@runtime_checkable
class FailedPrediction(Protocol):
    """What a failed extraction looks like to the metrics (e.g. ``ExtractionFailure``).

    ``parsed_output`` holds the JSON object the model produced if it parsed but did not
    validate against the schema, else ``None`` (nothing parsed).
    """

    @property
    def parsed_output(self) -> Mapping[str, Any] | None: ...

    @property
    def error(self) -> str: ...


# --------------------------------------------------------------------------- normalization

_CURRENCY = "$€£¥₩₹₽¢"
_CURRENCY_CODES = r"(?:usd|eur|gbp|jpy|krw|inr|cad|aud|chf|us\$)"
_NUMBER_RE = re.compile(
    rf"^(?P<sign>[-+])?\s*(?:{_CURRENCY_CODES}\s*)?[{re.escape(_CURRENCY)}]?\s*(?P<sign2>[-+])?"
    r"(?P<num>(?:\d{1,3}(?:[,  _']\d{3})+|\d+)(?:\.\d+)?|\.\d+)"
    rf"\s*(?:{_CURRENCY_CODES}|[{re.escape(_CURRENCY)}])?$",
    re.IGNORECASE,
)
_LEADING_ZERO_ID = re.compile(r"^0\d+$")

_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%m-%d-%Y",
    "%d.%m.%Y",
    "%B %d %Y",
    "%b %d %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%Y년 %m월 %d일",
)
_DATE_SHAPE = re.compile(r"\d{1,4}[-/.년 ]\s*\d{1,2}|[a-z]{3,}\s+\d{1,2}|\d{1,2}\s+[a-z]{3,}", re.I)


def parse_number(value: Any) -> Decimal | None:
    """A number as a :class:`~decimal.Decimal`, or ``None`` if ``value`` does not read as one.

    Accepts ints, floats, decimals and strings such as ``"$1,500.00"``, ``"1 500"``,
    ``"USD 20"``. Digit strings with a leading zero (``"007"``) are identifiers, not numbers.
    Booleans are not numbers.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).strip()
    if _LEADING_ZERO_ID.match(text):
        return None
    m = _NUMBER_RE.match(text)
    if m is None:
        return None
    digits = re.sub(r"[,  _']", "", m.group("num"))
    try:
        number = Decimal(digits)
    except InvalidOperation:
        return None
    if "-" in (m.group("sign") or "", m.group("sign2") or ""):
        number = -number
    return number


def parse_date(value: Any) -> dt.date | None:
    """A date from a ``date``/``datetime`` or a string in a common format, else ``None``.

    Month-first ``MM/DD/YYYY`` wins over day-first when both read as valid dates.
    A datetime with a time of day other than midnight is not reduced to a date.
    """
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time(0) else None
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = " ".join(unicodedata.normalize("NFKC", value).replace(",", " ").split())
    if not text or not _DATE_SHAPE.search(text):
        return None
    text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text, flags=re.I)
    iso = text.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} \d", text) else text
    try:
        parsed = dt.datetime.fromisoformat(iso)
    except ValueError:
        parsed = None
    if parsed is not None:
        return parsed.date() if parsed.time() == dt.time(0) else None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _canonical(value: Any, match: str) -> Hashable:
    """The key two values share exactly when they match under ``exact``/``normalized``."""
    if match == "exact":
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, dict):
            return tuple(sorted((str(k), _canonical(v, match)) for k, v in value.items()))
        if isinstance(value, list | tuple):
            return tuple(_canonical(v, match) for v in value)
        if isinstance(value, BaseModel):
            return _canonical(value.model_dump(), match)
        return value if isinstance(value, Hashable) else repr(value)
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, dict):
        return ("obj", tuple(sorted((str(k), _canonical(v, match)) for k, v in value.items())))
    if isinstance(value, list | tuple):
        return ("list", tuple(_canonical(v, match) for v in value))
    if isinstance(value, bool):
        return ("bool", value)
    number = parse_number(value)
    if number is not None:
        return ("num", number.normalize() if number != 0 else Decimal(0))
    date = parse_date(value)
    if date is not None:
        return ("date", date.isoformat())
    if isinstance(value, dt.datetime | dt.time):
        return ("str", value.isoformat())
    if isinstance(value, str):
        normalized = fold_for_match(value)
        # "$500.00" whose edge punctuation hid a number: try again on the trimmed text.
        number = parse_number(normalized)
        if number is not None:
            return ("num", number.normalize() if number != 0 else Decimal(0))
        return ("str", normalized)
    return ("str", fold_for_match(str(value)))


def anls(pred: str, gold: str, threshold: float = ANLS_THRESHOLD) -> float:
    """Average Normalized Levenshtein Similarity of two strings (0 when too different)."""
    from rapidfuzz.distance import Levenshtein

    if not pred and not gold:
        return 1.0
    distance = Levenshtein.normalized_distance(pred, gold)
    return 1.0 - distance if distance < threshold else 0.0


def similarity(pred: Any, gold: Any, match: MatchMode | str = "normalized") -> float:
    """How well one non-null value matches another: 1.0 or 0.0, or an ANLS score for ``fuzzy``."""
    _check_match(match)
    if match != "fuzzy":
        return 1.0 if _canonical(pred, match) == _canonical(gold, match) else 0.0
    key_p, key_g = _canonical(pred, "normalized"), _canonical(gold, "normalized")
    if key_p == key_g:
        return 1.0
    if (
        isinstance(key_p, tuple)
        and isinstance(key_g, tuple)
        and key_p[0] == "str"
        and key_g[0] == "str"
    ):
        return anls(str(key_p[1]), str(key_g[1]))
    return 0.0


def _check_match(match: str) -> None:
    if match not in MATCH_MODES:
        raise ConfigurationError(
            f"Unknown match mode {match!r}; use one of {', '.join(MATCH_MODES)}."
        )


def _is_null(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple | set) and len(value) == 0


def is_list_field(model: type[BaseModel], name: str) -> bool:
    """Whether the schema declares ``name`` as a list (``list[str]``, ``list[str] | None``, ...)."""
    info = model.model_fields.get(name)
    if info is None:
        return False
    return _is_list_annotation(info.annotation)


def _is_list_annotation(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (list, set, tuple, frozenset):
        return True
    if origin is typing.Union or origin is types.UnionType:
        return any(
            _is_list_annotation(arg) for arg in typing.get_args(annotation) if arg is not type(None)
        )
    if origin is typing.Annotated:
        return _is_list_annotation(typing.get_args(annotation)[0])
    return annotation in (list, set, tuple, frozenset)
