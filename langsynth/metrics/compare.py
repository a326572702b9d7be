"""Counting TP/FP/FN per field: one record against its gold record."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from langsynth.errors import ConfigurationError
from langsynth.metrics.values import (
    FailedPrediction,
    MatchMode,
    _canonical,
    _check_match,
    _is_null,
    is_list_field,
    similarity,
)
from langsynth.normalize import fold_for_match

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
    return match != "exact" and isinstance(value, str) and not fold_for_match(value)


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
    raise ConfigurationError(
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
    raise ConfigurationError(
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
