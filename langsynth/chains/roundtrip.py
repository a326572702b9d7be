"""The round trip: records -> text (dataset generator) -> extraction -> field metrics.

It measures both directions at once: a value the text left out, or one the extractor got
wrong, shows up as a field mismatch. The per-record result doubles as a quality gate: keep
only the records whose round trip matches (:func:`round_trip_filter`).

>>> result = round_trip(records, "actor_filmography", llm)  # doctest: +SKIP
>>> result.report.micro.f1, result.report.record_exact  # doctest: +SKIP
>>> result.records_dataframe()  # doctest: +SKIP
>>> result.kept  # records whose text extracts back to the same record  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig
from pydantic import BaseModel

from langsynth.chains.extraction import Extraction, ExtractionChain
from langsynth.chains.text import DatasetGenerator
from langsynth.metrics import (
    ExtractionFailure,
    MetricsReport,
    RecordComparison,
    aggregate,
    compare_records,
    prediction_of,
    row_id,
)
from langsynth.results import Usage
from langsynth.runs import MapStep, RunResult, run_blocking
from langsynth.schemas import SchemaInfo, load_schema

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RoundTrip", "RoundTripResult", "RoundTripRow", "round_trip", "round_trip_filter"]


@dataclass
class RoundTripRow:
    """One record's trip: its text, what was extracted, and the comparison."""

    record: dict[str, Any]
    text: str | None
    text_missing: dict[str, list[Any]]
    text_attempts: int
    extraction: Extraction | None
    comparison: RecordComparison
    text_error: str | None = None
    text_usage: Usage = field(default_factory=Usage)
    min_f1: float | None = None

    @property
    def prediction(self) -> BaseModel | ExtractionFailure:
        if self.extraction is not None:
            return self.extraction.prediction
        return ExtractionFailure(self.text_error or "no text was generated")

    @property
    def passed(self) -> bool:
        """The quality gate: an exact match, or F1 >= ``min_f1`` when that is set."""
        if self.min_f1 is None:
            return self.comparison.exact
        return self.comparison.parsed and self.comparison.prf.f1 >= self.min_f1

    # the result protocol of the run engine
    @property
    def ok(self) -> bool:
        return self.extraction is not None and self.extraction.ok

    @property
    def error(self) -> str | None:
        pred = self.prediction
        return pred.error if isinstance(pred, ExtractionFailure) else None

    @property
    def raw_output(self) -> str:
        return self.extraction.raw_output if self.extraction is not None else ""

    @property
    def usage(self) -> Usage:
        total = Usage()
        total.add(self.text_usage)
        if self.extraction is not None:
            total.add(self.extraction.usage)
        return total

    def to_row(self) -> dict[str, Any]:
        """A labelled row (``text``, ``labels``) with the prediction and the verdict."""
        pred = self.prediction
        return {
            "text": self.text,
            "labels": self.record,
            "prediction": pred.model_dump(mode="json") if isinstance(pred, BaseModel) else None,
            "exact": self.comparison.exact,
            "f1": round(self.comparison.prf.f1, 4),
            "mismatches": self.comparison.mismatches,
            "passed": self.passed,
            "text_missing": self.text_missing,
            "text_attempts": self.text_attempts,
            "error": pred.error if isinstance(pred, ExtractionFailure) else None,
            "raw_output": pred.raw_output if isinstance(pred, ExtractionFailure) else None,
            "parsed_output": pred.parsed_output if isinstance(pred, ExtractionFailure) else None,
        }


@dataclass
class RoundTripResult:
    """All rows of a round trip (earlier sessions included), the metrics and the run."""

    schema: SchemaInfo
    rows: list[dict[str, Any]]
    report: MetricsReport
    comparisons: list[RecordComparison]
    run: RunResult

    @classmethod
    def from_run(cls, run: RunResult, schema: SchemaInfo, match: str) -> RoundTripResult:
        """Score the output rows of a round-trip run (what a resumed run kept included)."""
        comparisons = [
            compare_records(prediction_of(r), r["labels"], schema.model, match=match)
            for r in run.rows
        ]
        report = aggregate(comparisons, match=match)
        return cls(schema, run.rows, report, comparisons, run)

    @property
    def elapsed_s(self) -> float:
        return self.run.stats.elapsed_s

    @property
    def kept(self) -> list[dict[str, Any]]:
        """Records that passed the gate (in input order)."""
        return [r["labels"] for r in self.rows if r["passed"]]

    @property
    def dropped(self) -> list[dict[str, Any]]:
        return [r["labels"] for r in self.rows if not r["passed"]]

    def records_dataframe(self) -> pd.DataFrame:
        """One row per record: the fields, ``keep``, ``exact``, ``f1``, mismatches, text checks."""
        import pandas as pd

        rows = []
        for r, c in zip(self.rows, self.comparisons, strict=True):
            rows.append(
                {
                    "id": r["id"],
                    **r["labels"],
                    "keep": r["passed"],
                    "exact": c.exact,
                    "f1": c.prf.f1,
                    "tp": c.tp,
                    "fp": c.fp,
                    "fn": c.fn,
                    "mismatches": ",".join(c.mismatches),
                    "text_verified": not r["text_missing"] and r["text"] is not None,
                    "text_missing": ",".join(r["text_missing"]),
                    "text_attempts": r["text_attempts"],
                    "parsed": c.parsed,
                    "valid": c.valid,
                    "error": c.error,
                    "text": r["text"],
                }
            )
        return pd.DataFrame(rows)

    def to_hf_dataset(self) -> Any:
        """The labelled rows as a ``datasets.Dataset`` (see :meth:`RunResult.to_hf_dataset`)."""
        return self.run.to_hf_dataset()

    def fields_dataframe(self) -> pd.DataFrame:
        """One row per field: precision, recall, f1, support, tp, fp, fn."""
        frame: pd.DataFrame = self.report.fields_dataframe()
        return frame

    def labelled_rows(self) -> list[dict[str, Any]]:
        """``{"id", "text", "labels"}`` rows: a labelled extraction data set."""
        return [
            {"id": r["id"], "text": r["text"], "labels": r["labels"]}
            for r in self.rows
            if r["text"]
        ]

    def summary(self) -> dict[str, Any]:
        """The metrics object plus counts and cost of the run."""
        verified = sum(1 for r in self.rows if r["text"] is not None and not r["text_missing"])
        return {
            **self.report.to_dict(),
            "kept": len(self.kept),
            "text_verified": verified,
            "elapsed_s": round(self.elapsed_s, 3),
            "input_tokens": self.run.stats.usage.input_tokens,
            "output_tokens": self.run.stats.usage.output_tokens,
        }


class RoundTrip(MapStep):
    """Run records through text generation and extraction and score them field by field.

    ``run(records, output=..., resume=...)`` returns a :class:`RoundTripResult`; with
    ``output`` the labelled rows are journalled (a resumed run scores all of them).

    Args:
        schema: the records' schema (name, ``file.py:Class``, model class, ...).
        llm: writes the texts (a temperature around 0.7 reads naturally).
        extract_llm: extracts the records back (default ``llm``; temperature 0 is best).
        strategy: the extraction strategy (``json_schema``, ``tool_calling``, ``parser``,
            ``json_mode``).
        verify: make the dataset generator check every value is in the text and regenerate.
        preferences: text preferences, e.g. ``{"style": "news report"}``.
        max_attempts: texts per record at most when verifying.
        match: ``exact``, ``normalized`` or ``fuzzy`` (see :mod:`langsynth.metrics`).
        min_f1: gate on record F1 instead of an exact match.
        concurrency: records in flight.
        examples: few-shot examples for the extractor.
    """

    job: ClassVar[str] = "roundtrip"
    output_columns = (
        "id",
        "text",
        "labels",
        "prediction",
        "exact",
        "f1",
        "mismatches",
        "passed",
        "text_missing",
        "text_attempts",
        "error",
        "raw_output",
        "parsed_output",
    )

    def __init__(
        self,
        schema: str | type[BaseModel] | SchemaInfo,
        llm: BaseChatModel,
        *,
        extract_llm: BaseChatModel | None = None,
        strategy: str = "json_schema",
        verify: bool = False,
        preferences: Mapping[str, Any] | None = None,
        max_attempts: int = 3,
        match: str = "normalized",
        min_f1: float | None = None,
        concurrency: int = 4,
        examples: Sequence[Any] = (),
    ) -> None:
        self.info = load_schema(schema)
        self.model = self.info.model
        self.llm = llm
        self.match = match
        self.min_f1 = min_f1
        self.concurrency = max(1, concurrency)
        self.texts = DatasetGenerator(
            llm,
            preferences,
            verify=verify,
            max_attempts=max_attempts,
            skip_fields=self.info.text_fields,
        )
        self.extractor = ExtractionChain(self.info, extract_llm or llm, strategy, examples=examples)

    def manifest_params(self) -> dict[str, Any]:
        return {
            "model": self.model_spec(),
            "extract_model": self.extractor.model_spec(),
            "strategy": self.extractor.strategy,
            "verify": self.texts.verify,
            "preferences": self.texts.preferences,
            "match": self.match,
            "min_f1": self.min_f1,
        }

    def manifest_extra(self) -> dict[str, Any]:
        return {"schema": self.info.name, "fields": self.info.fields}

    def identity(self) -> dict[str, Any]:
        return {"schema": self.info.name, "strategy": self.extractor.strategy}

    def rows_of(self, inputs: Sequence[Any]) -> list[Mapping[str, Any]]:
        return [r.model_dump(mode="json") if isinstance(r, BaseModel) else r for r in inputs]

    def step_summary(self, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """The round trip's figures over every output row, for the data card and the report."""
        comparisons = [
            compare_records(prediction_of(r), r["labels"], self.model, match=self.match)
            for r in rows
        ]
        report = aggregate(comparisons, match=self.match).to_dict()
        keep = ("n", "parse_rate", "schema_valid_rate", "record_exact", "micro", "macro")
        return {k: report[k] for k in keep} | {"kept": sum(bool(r.get("passed")) for r in rows)}

    def input_of(self, row: Mapping[str, Any]) -> Any:
        return self.info.record_of(row)

    def output_rows(self, index: int, row: Mapping[str, Any], result: Any) -> list[dict[str, Any]]:
        return [{"id": row_id(row, index), **result.to_row()}]

    async def aprocess(self, input: Any, config: RunnableConfig | None = None) -> RoundTripRow:
        record = dict(input)
        written = await self.texts.aprocess(record, config)
        text = written.text
        extraction = await self.extractor.aprocess(text, config) if text else None
        pred: Any = (
            extraction.prediction
            if extraction is not None
            else ExtractionFailure(written.error or "no text was generated")
        )
        return RoundTripRow(
            record=record,
            text=text,
            text_missing=written.missing,
            text_attempts=written.attempts,
            extraction=extraction,
            comparison=compare_records(pred, record, self.model, match=self.match),
            text_error=written.error,
            text_usage=written.usage,
            min_f1=self.min_f1,
        )

    async def arun(  # type: ignore[override]
        self, rows: Sequence[Any] | str | Path, **options: Any
    ) -> RoundTripResult:
        """Round-trip ``rows`` (records, or rows holding them); see :meth:`MapStep.run`."""
        return RoundTripResult.from_run(await super().arun(rows, **options), self.info, self.match)

    def run(  # type: ignore[override]
        self, rows: Sequence[Any] | str | Path, **options: Any
    ) -> RoundTripResult:
        """Round-trip ``rows``; journalled and resumable with ``output`` (see ``MapStep.run``)."""
        return run_blocking(self.arun(rows, **options), options.get("output"))


def round_trip(
    records: Sequence[Any],
    schema: str | type[BaseModel] | SchemaInfo,
    llm: BaseChatModel,
    **options: Any,
) -> RoundTripResult:
    """Round-trip a list of records; ``options`` are those of :class:`RoundTrip`."""
    return RoundTrip(schema, llm, **options).run(records)


def round_trip_filter(
    records: Sequence[Any],
    schema: str | type[BaseModel] | SchemaInfo,
    llm: BaseChatModel,
    **options: Any,
) -> tuple[list[dict[str, Any]], RoundTripResult]:
    """The quality gate: ``(kept records, result)``; kept = round trip matched.

    By default a record passes when its text extracts back to exactly the same record
    (normalized match); pass ``min_f1=0.8`` to accept near misses. ``result.dropped`` and
    ``result.records_dataframe()`` (column ``keep``) say what was dropped and why.
    """
    result = round_trip(records, schema, llm, **options)
    return result.kept, result
