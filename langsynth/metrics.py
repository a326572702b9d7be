"""Field-level comparison of predicted and gold records: the one comparison used everywhere.

The round trip, ``langsynth score``, ``langsynth bench-extract``, the benchmarks and the notebooks
all score through this module, so one set of rules decides what counts as right.

>>> from langsynth.metrics import compare_records, score_dataset
>>> gold = {"Actor": "Tom Hanks", "Film": ["Big", "Splash"]}
>>> pred = {"Actor": "tom hanks", "Film": ["Big"]}
>>> c = compare_records(pred, gold)
>>> (c.tp, c.fp, c.fn)
(2.0, 0.0, 1.0)
>>> score_dataset([pred], [gold]).micro.recall
0.6666666666666666

Match modes (``match=``):

- ``exact``: Python equality (``500 == 500.0``; strings byte for byte).
- ``normalized`` (default): strings are NFKC-normalized, casefolded, whitespace collapsed and edge
  punctuation trimmed; values that read as numbers are compared as decimals after removing
  currency symbols, codes (``RM``, ``S$``, ``USD``) and thousands separators (``"$1,500.00"``
  equals ``1500``); values that read
  as dates are compared as ISO dates (``"03/05/2024"`` equals ``"2024-03-05"``).
- ``fuzzy``: ANLS on the normalized strings: ``1 - normalized Levenshtein distance`` when that
  distance is below 0.5, else 0. Numbers and dates still match exactly (as in ``normalized``):
  ``50`` is not 67 % of ``500``.

Counting rules, per field of the schema:

- scalar field: both null: not counted; equal: TP; a value where the gold is null: FP;
  null where the gold has a value: FN; both present and different: FP + FN.
  With ``fuzzy``, a pair of similarity ``s`` counts ``s`` TP, ``1 - s`` FP and ``1 - s`` FN.
- list field: set semantics over normalized items (duplicates collapse): each item in both is a
  TP, each predicted item not in the gold an FP, each gold item not predicted an FN. With
  ``fuzzy``, items are paired greedily by best similarity and each pair counts as a scalar does.
- null means ``None``, a blank string, or an empty list; outside ``exact`` also a string of
  only punctuation (it normalizes to nothing), so a list item ``","`` is not a value.
- a field absent from the gold mapping (as opposed to present with null or ``[]``) is *not
  annotated*: it is not scored at all for that record, whatever was predicted.
- a failed prediction (nothing parsed) counts as all-null: every gold value is an FN. It is never
  dropped from the totals and never counts as record-exact. A prediction that parsed but does
  not validate against the schema is scored on the values it has and lowers the schema-valid rate.

Report (:class:`MetricsReport`): micro P/R/F1 pooled over all fields' counts; macro P/R/F1 the
mean of the per-field values over fields that have any count; per-field P/R/F1 and support
(TP + FN, the number of gold values); record-level exact rate (no FP and no FN in any scored
field); parse rate; schema-valid rate. A ratio whose denominator is 0 is 0.0.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import types
import typing
import unicodedata
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ValidationError

MatchMode = Literal["exact", "normalized", "fuzzy"]
MATCH_MODES: tuple[str, ...] = ("exact", "normalized", "fuzzy")
ANLS_THRESHOLD = 0.5

__all__ = [
    "ANLS_THRESHOLD",
    "MATCH_MODES",
    "PRF",
    "FailedPrediction",
    "FieldCounts",
    "FieldScore",
    "MatchMode",
    "MetricsReport",
    "RecordComparison",
    "aggregate",
    "anls",
    "compare_records",
    "is_list_field",
    "normalize_text",
    "parse_date",
    "parse_number",
    "score_dataset",
    "similarity",
]


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
# Codes and prefixes as printed on receipts: "RM 9.00" (ringgit), "S$12", "Rp 15.000" is not
# covered (dot thousands); longer alternatives first so "rmb" is not read as "rm" + "b".
_CURRENCY_CODES = (
    r"(?:usd|eur|gbp|jpy|krw|inr|cad|aud|chf|myr|sgd|hkd|nzd|cny|rmb|idr|php|thb|"
    r"us\$|s\$|hk\$|a\$|c\$|nz\$|rm|rp)"
)
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


def normalize_text(value: str) -> str:
    """NFKC, casefold, collapse whitespace, trim punctuation and quotes at both ends."""
    text = unicodedata.normalize("NFKC", value).casefold()
    text = " ".join(text.split())
    return _strip_edge_punctuation(text)


def _strip_edge_punctuation(text: str) -> str:
    start, end = 0, len(text)
    while start < end and _is_edge_punct(text[start]):
        start += 1
    while end > start and _is_edge_punct(text[end - 1]):
        end -= 1
    return text[start:end].strip()


def _is_edge_punct(ch: str) -> bool:
    # Currency symbols are symbols (S*), not punctuation (P*): "$5" keeps its "$".
    return unicodedata.category(ch).startswith("P") or ch.isspace()


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
        normalized = normalize_text(value)
        # "$500.00" whose edge punctuation hid a number: try again on the trimmed text.
        number = parse_number(normalized)
        if number is not None:
            return ("num", number.normalize() if number != 0 else Decimal(0))
        return ("str", normalized)
    return ("str", normalize_text(str(value)))


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
        raise ValueError(f"Unknown match mode {match!r}; use one of {', '.join(MATCH_MODES)}.")


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


# --------------------------------------------------------------------------- counting


@dataclass
class FieldCounts:
    """True positives, false positives and false negatives of one field (possibly fractional)."""

    tp: float = 0.0
    fp: float = 0.0
    fn: float = 0.0

    def __iadd__(self, other: FieldCounts) -> FieldCounts:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        return self

    @property
    def counted(self) -> bool:
        return (self.tp + self.fp + self.fn) > 0

    @property
    def exact(self) -> bool:
        return self.fp == 0 and self.fn == 0


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else 0.0


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1."""

    precision: float
    recall: float
    f1: float

    @classmethod
    def from_counts(cls, counts: FieldCounts) -> PRF:
        p = _ratio(counts.tp, counts.tp + counts.fp)
        r = _ratio(counts.tp, counts.tp + counts.fn)
        return cls(p, r, _ratio(2 * p * r, p + r))

    def to_dict(self) -> dict[str, float]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1}


@dataclass(frozen=True)
class FieldScore:
    """Per-field precision/recall/F1 with support (the number of gold values)."""

    name: str
    counts: FieldCounts
    prf: PRF

    @property
    def support(self) -> float:
        return self.counts.tp + self.counts.fn

    def to_dict(self) -> dict[str, float]:
        support = self.support
        return {
            **self.prf.to_dict(),
            "support": int(support) if float(support).is_integer() else support,
        }


@dataclass
class RecordComparison:
    """One predicted record compared with its gold record.

    ``fields`` maps each *scored* field (annotated in the gold) to its counts; ``mismatches``
    lists the fields with an FP or FN. ``parsed``/``valid`` describe the prediction.
    """

    fields: dict[str, FieldCounts]
    parsed: bool
    valid: bool
    error: str | None = None

    @property
    def tp(self) -> float:
        return sum(c.tp for c in self.fields.values())

    @property
    def fp(self) -> float:
        return sum(c.fp for c in self.fields.values())

    @property
    def fn(self) -> float:
        return sum(c.fn for c in self.fields.values())

    @property
    def exact(self) -> bool:
        """True when the prediction parsed and no scored field has an FP or FN."""
        return self.parsed and all(c.exact for c in self.fields.values())

    @property
    def mismatches(self) -> list[str]:
        return [name for name, c in self.fields.items() if not c.exact]

    @property
    def prf(self) -> PRF:
        total = FieldCounts()
        for c in self.fields.values():
            total += c
        return PRF.from_counts(total)


def _is_null_in(value: Any, match: str) -> bool:
    """Null, or (outside ``exact``) a string of only punctuation, which normalizes to ""."""
    if _is_null(value):
        return True
    return match != "exact" and isinstance(value, str) and not normalize_text(value)


def _scalar_counts(pred: Any, gold: Any, match: str) -> FieldCounts:
    pred_null, gold_null = _is_null_in(pred, match), _is_null_in(gold, match)
    if pred_null and gold_null:
        return FieldCounts()
    if gold_null:
        return FieldCounts(fp=1.0)
    if pred_null:
        return FieldCounts(fn=1.0)
    s = similarity(pred, gold, match)
    return FieldCounts(tp=s, fp=1.0 - s, fn=1.0 - s)


def _as_items(value: Any, match: str) -> list[Any]:
    if _is_null(value):
        return []
    if isinstance(value, list | tuple | set | frozenset):
        return [v for v in value if not _is_null_in(v, match)]
    return [] if _is_null_in(value, match) else [value]


def _unique(items: Iterable[Any], match: str) -> list[Any]:
    seen: set[Hashable] = set()
    out = []
    for item in items:
        key = _canonical(item, "normalized" if match == "fuzzy" else match)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _list_counts(pred: Any, gold: Any, match: str) -> FieldCounts:
    pred_items = _unique(_as_items(pred, match), match)
    gold_items = _unique(_as_items(gold, match), match)
    if match != "fuzzy":
        pred_keys = {_canonical(v, match) for v in pred_items}
        gold_keys = {_canonical(v, match) for v in gold_items}
        common = len(pred_keys & gold_keys)
        return FieldCounts(
            tp=float(common),
            fp=float(len(pred_keys) - common),
            fn=float(len(gold_keys) - common),
        )
    pairs = sorted(
        (
            (similarity(p, g, "fuzzy"), i, j)
            for i, p in enumerate(pred_items)
            for j, g in enumerate(gold_items)
        ),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used_p: set[int] = set()
    used_g: set[int] = set()
    counts = FieldCounts()
    for s, i, j in pairs:
        if s <= 0 or i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        counts += FieldCounts(tp=s, fp=1.0 - s, fn=1.0 - s)
    counts.fp += len(pred_items) - len(used_p)
    counts.fn += len(gold_items) - len(used_g)
    return counts


def _as_mapping(record: Any) -> Mapping[str, Any]:
    if isinstance(record, BaseModel):
        return record.model_dump()
    if isinstance(record, Mapping):
        return record
    raise TypeError(
        f"A gold record must be a mapping or a Pydantic model, got {type(record).__name__}."
    )


def _prediction(
    pred: Any, model: type[BaseModel] | None
) -> tuple[Mapping[str, Any], bool, bool, str | None]:
    """(values, parsed, valid, error) of a prediction in any accepted form."""
    if pred is None:
        return {}, False, False, "no prediction"
    if isinstance(pred, BaseModel):
        return pred.model_dump(), True, True, None
    if isinstance(pred, FailedPrediction) and not isinstance(pred, Mapping):
        parsed = pred.parsed_output
        if parsed is None:
            return {}, False, False, pred.error
        return parsed, True, False, pred.error
    if isinstance(pred, Mapping):
        if model is None:
            return pred, True, True, None
        try:
            model.model_validate(dict(pred))
        except ValidationError as exc:
            from langsynth.schemas import format_validation_error

            return pred, True, False, format_validation_error(exc)[1]
        return pred, True, True, None
    raise TypeError(
        "A prediction must be a mapping, a Pydantic model, a failure object or None, "
        f"got {type(pred).__name__}."
    )


def _schema_model(schema: Any) -> type[BaseModel] | None:
    if schema is None:
        return None
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return schema
    from langsynth.schemas import load_schema

    return load_schema(schema).model


def compare_records(
    pred: Any,
    gold: Mapping[str, Any] | BaseModel,
    schema: Any = None,
    *,
    match: MatchMode | str = "normalized",
) -> RecordComparison:
    """Compare one prediction with one gold record, field by field.

    ``pred``: a dict, a Pydantic record, a failure object (``ExtractionFailure``) or ``None``.
    ``gold``: a dict (absent keys are not annotated) or a Pydantic record.
    ``schema``: a model class, a built-in name or ``file.py:Class``; it decides which fields are
    scored, which are lists, and whether a dict prediction is schema-valid. Without it the gold's
    keys are scored and lists are recognized by value.
    """
    _check_match(match)
    model = _schema_model(schema)
    gold_map = _as_mapping(gold)
    values, parsed, valid, error = _prediction(pred, model)
    names: Sequence[str] = list(model.model_fields) if model is not None else list(gold_map)
    fields: dict[str, FieldCounts] = {}
    for name in names:
        if name not in gold_map:
            continue  # not annotated
        gold_value = gold_map[name]
        pred_value = values.get(name)
        as_list = (
            is_list_field(model, name)
            if model is not None
            else isinstance(gold_value, list | tuple) or isinstance(pred_value, list | tuple)
        )
        fields[name] = (
            _list_counts(pred_value, gold_value, match)
            if as_list
            else _scalar_counts(pred_value, gold_value, match)
        )
    return RecordComparison(fields=fields, parsed=parsed, valid=valid, error=error)


# --------------------------------------------------------------------------- report


@dataclass
class MetricsReport:
    """Aggregate metrics of a data set. ``to_dict()`` gives the JSON printed by the CLI."""

    n: int
    parse_rate: float
    schema_valid_rate: float
    record_exact: float
    micro: PRF
    macro: PRF
    fields: dict[str, FieldScore]
    match: str = "normalized"
    records: list[RecordComparison] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """``n``, ``parse_rate``, ``schema_valid_rate``, ``record_exact``, ``micro``, ``macro``,
        ``fields`` {name: {precision, recall, f1, support}}."""
        return {
            "n": self.n,
            "parse_rate": self.parse_rate,
            "schema_valid_rate": self.schema_valid_rate,
            "record_exact": self.record_exact,
            "micro": self.micro.to_dict(),
            "macro": self.macro.to_dict(),
            "fields": {name: score.to_dict() for name, score in self.fields.items()},
        }

    def fields_dataframe(self) -> Any:
        """One row per field: precision, recall, f1, support, tp, fp, fn (a pandas DataFrame)."""
        import pandas as pd

        rows = [
            {
                "field": name,
                **score.prf.to_dict(),
                "support": score.support,
                "tp": score.counts.tp,
                "fp": score.counts.fp,
                "fn": score.counts.fn,
            }
            for name, score in self.fields.items()
        ]
        columns = ["field", "precision", "recall", "f1", "support", "tp", "fp", "fn"]
        return pd.DataFrame(rows, columns=columns)

    def records_dataframe(self) -> Any:
        """One row per record: parsed, valid, exact, tp, fp, fn, f1, mismatched fields, error."""
        import pandas as pd

        rows = [
            {
                "parsed": c.parsed,
                "valid": c.valid,
                "exact": c.exact,
                "tp": c.tp,
                "fp": c.fp,
                "fn": c.fn,
                "f1": c.prf.f1,
                "mismatches": ",".join(c.mismatches),
                "error": c.error,
            }
            for c in self.records
        ]
        columns = ["parsed", "valid", "exact", "tp", "fp", "fn", "f1", "mismatches", "error"]
        return pd.DataFrame(rows, columns=columns)


def aggregate(
    comparisons: Sequence[RecordComparison], *, match: str = "normalized"
) -> MetricsReport:
    """Pool record comparisons into a :class:`MetricsReport`."""
    n = len(comparisons)
    totals: dict[str, FieldCounts] = {}
    for c in comparisons:
        for name, counts in c.fields.items():
            totals.setdefault(name, FieldCounts())
            totals[name] += counts
    micro_counts = FieldCounts()
    for counts in totals.values():
        micro_counts += counts
    scores = {
        name: FieldScore(name, counts, PRF.from_counts(counts)) for name, counts in totals.items()
    }
    counted = [s.prf for s in scores.values() if s.counts.counted]
    macro = (
        PRF(
            sum(p.precision for p in counted) / len(counted),
            sum(p.recall for p in counted) / len(counted),
            sum(p.f1 for p in counted) / len(counted),
        )
        if counted
        else PRF(0.0, 0.0, 0.0)
    )
    return MetricsReport(
        n=n,
        parse_rate=_ratio(sum(c.parsed for c in comparisons), n),
        schema_valid_rate=_ratio(sum(c.valid for c in comparisons), n),
        record_exact=_ratio(sum(c.exact for c in comparisons), n),
        micro=PRF.from_counts(micro_counts),
        macro=macro,
        fields=scores,
        match=match,
        records=list(comparisons),
    )


def score_dataset(
    preds: Sequence[Any],
    golds: Sequence[Mapping[str, Any] | BaseModel],
    schema: Any = None,
    *,
    match: MatchMode | str = "normalized",
) -> MetricsReport:
    """Compare predictions with gold records pairwise and aggregate (see module docstring).

    ``preds`` and ``golds`` are aligned by position; use ``None`` for a missing prediction.
    """
    if len(preds) != len(golds):
        raise ValueError(
            f"{len(preds)} predictions for {len(golds)} gold records; align them by id first "
            "(a missing prediction is None)."
        )
    _check_match(match)
    model = _schema_model(schema)
    comparisons = [
        compare_records(p, g, model, match=match) for p, g in zip(preds, golds, strict=True)
    ]
    return aggregate(comparisons, match=match)
