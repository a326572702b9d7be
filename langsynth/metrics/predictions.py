"""Prediction files: what a failed prediction is, how prediction rows are read, joined and scored.

An extraction run writes ``{"id", "prediction", "error", "raw_output", "parsed_output"}``
rows (``prediction`` is null when the text yielded no valid record); a gold file has
``{"id", "text", "labels"}`` rows. :func:`score_predictions` joins the two by id — a gold row
without a prediction counts as a failed prediction — and scores them with
:func:`~langsynth.metrics.score_dataset`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from langsynth.errors import DataFileError
from langsynth.metrics.report import MetricsReport, score_dataset


@dataclass
class ExtractionFailure:
    """A text that yielded no valid record: the reason and what the model said.

    ``parsed_output`` is the JSON object the model produced when it parsed but did not
    validate against the schema (the metrics score its values), else ``None``.
    """

    error: str
    raw_output: str = ""
    parsed_output: dict[str, Any] | None = None
    strategy: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "error": self.error,
            "raw_output": self.raw_output,
            "parsed_output": self.parsed_output,
            "strategy": self.strategy,
        }


def row_id(row: Mapping[str, Any], index: int, id_field: str = "id") -> Any:
    """The id of a row: its ``id_field`` value, else its position."""
    value = row.get(id_field)
    return index if value is None else value


def prediction_of(
    row: Mapping[str, Any] | None, pred_field: str = "prediction"
) -> Mapping[str, Any] | ExtractionFailure:
    """The prediction held by a predictions-file row: the record, or the failure it records."""
    if row is None:
        return ExtractionFailure(error="no prediction for this id")
    value = row.get(pred_field)
    if isinstance(value, Mapping):
        return value
    parsed = row.get("parsed_output")
    return ExtractionFailure(
        error=str(row.get("error") or "no prediction"),
        raw_output=str(row.get("raw_output") or ""),
        parsed_output=dict(parsed) if isinstance(parsed, Mapping) else None,
    )


def gold_records(
    rows: Sequence[Mapping[str, Any]], label_field: str = "labels", where: str = "gold"
) -> list[dict[str, Any]]:
    """The gold record of each row (its ``label_field`` object); a clear error if one lacks it."""
    golds = []
    for i, row in enumerate(rows, start=1):
        labels = row.get(label_field)
        if not isinstance(labels, Mapping):
            raise DataFileError(
                f"{where}, row {i}: no {label_field!r} object with the gold record; pass "
                "--label-field NAME."
            )
        golds.append(dict(labels))
    return golds


def labelled_texts(
    rows: Sequence[Mapping[str, Any]],
    *,
    text_field: str = "text",
    label_field: str = "labels",
    where: str = "data",
) -> tuple[list[str], list[dict[str, Any]]]:
    """The texts and gold records of a labelled data set, with clear errors for bad rows."""
    texts = []
    for i, row in enumerate(rows, start=1):
        if not isinstance(row.get(text_field), str):
            raise DataFileError(f"{where}, row {i}: no text in {text_field!r}; pass --text-field.")
        texts.append(str(row[text_field]))
    return texts, gold_records(rows, label_field, where)


@dataclass
class ScoredPredictions:
    """The report of a gold/predictions join, and what did not line up."""

    report: MetricsReport
    unmatched: int = 0  # predictions whose id is not in the gold file
    missing: int = 0  # gold rows without a prediction (scored as failed)
    warnings: list[str] = field(default_factory=list)


def score_predictions(
    gold_rows: Sequence[Mapping[str, Any]],
    pred_rows: Sequence[Mapping[str, Any]],
    schema: type[BaseModel] | None = None,
    *,
    match: str = "normalized",
    id_field: str = "id",
    label_field: str = "labels",
    pred_field: str = "prediction",
    gold_name: str = "gold",
    pred_name: str = "predictions",
) -> ScoredPredictions:
    """Join predictions to gold rows by id and score them field by field."""
    golds = gold_records(gold_rows, label_field, gold_name)
    by_id: dict[str, Mapping[str, Any]] = {}
    for i, row in enumerate(pred_rows):
        key = str(row_id(row, i, id_field))
        if key in by_id:
            raise DataFileError(f"{pred_name}: id {key!r} appears twice; ids must be unique.")
        by_id[key] = row
    gold_ids = [str(row_id(r, i, id_field)) for i, r in enumerate(gold_rows)]
    preds = [prediction_of(by_id.get(key), pred_field) for key in gold_ids]
    unmatched = len(set(by_id) - set(gold_ids))
    missing = sum(1 for key in gold_ids if key not in by_id)
    warnings = []
    if unmatched:
        warnings.append(f"{unmatched} predictions have ids not in {gold_name}")
    if missing:
        warnings.append(f"{missing} gold rows have no prediction (scored as failed)")
    report = score_dataset(preds, golds, schema, match=match)
    return ScoredPredictions(report, unmatched, missing, warnings)
