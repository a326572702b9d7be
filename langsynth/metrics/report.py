"""Aggregating comparisons: micro/macro/per-field P/R/F1, exact, parse and valid rates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from langsynth.errors import ConfigurationError
from langsynth.metrics.compare import (
    PRF,
    FieldCounts,
    FieldScore,
    RecordComparison,
    _ratio,
    _schema_model,
    compare_records,
)
from langsynth.metrics.values import MatchMode, _check_match

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
        raise ConfigurationError(
            f"{len(preds)} predictions for {len(golds)} gold records; align them by id first "
            "(a missing prediction is None)."
        )
    _check_match(match)
    model = _schema_model(schema)
    comparisons = [
        compare_records(p, g, model, match=match) for p, g in zip(preds, golds, strict=True)
    ]
    return aggregate(comparisons, match=match)
