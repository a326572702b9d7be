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

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel

from langsynth._async import bounded_map, run_sync
from langsynth.chains.extraction import Extraction, ExtractionChain, ExtractionFailure
from langsynth.chains.structured import Usage
from langsynth.chains.text import DatasetGenerator
from langsynth.metrics import MetricsReport, RecordComparison, aggregate, compare_records
from langsynth.schemas import SchemaInfo, load_schema

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RoundTrip", "RoundTripResult", "RoundTripRow", "round_trip", "round_trip_filter"]


@dataclass
class RoundTripRow:
    """One record's trip: its text, what was extracted, and the comparison."""

    index: int
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

    def to_dict(self) -> dict[str, Any]:
        """A labelled row (``id``, ``text``, ``labels``) with the prediction and the verdict."""
        pred = self.prediction
        row: dict[str, Any] = {
            "id": self.index,
            "text": self.text,
            "labels": self.record,
            "prediction": pred.model_dump(mode="json") if isinstance(pred, BaseModel) else None,
            "exact": self.comparison.exact,
            "f1": round(self.comparison.prf.f1, 4),
            "mismatches": self.comparison.mismatches,
            "passed": self.passed,
            "text_missing": self.text_missing,
            "text_attempts": self.text_attempts,
        }
        if isinstance(pred, ExtractionFailure):
            row["error"] = pred.error
            row["raw_output"] = pred.raw_output
        return row


@dataclass
class RoundTripResult:
    """All rows of a round trip, the aggregate metrics and the cost."""

    schema: SchemaInfo
    rows: list[RoundTripRow]
    report: MetricsReport
    elapsed_s: float = 0.0
    text_usage: Usage = field(default_factory=Usage)
    extraction_usage: Usage = field(default_factory=Usage)

    @property
    def kept(self) -> list[dict[str, Any]]:
        """Records that passed the gate (in input order)."""
        return [r.record for r in self.rows if r.passed]

    @property
    def dropped(self) -> list[dict[str, Any]]:
        return [r.record for r in self.rows if not r.passed]

    def records_dataframe(self) -> pd.DataFrame:
        """One row per record: the fields, ``keep``, ``exact``, ``f1``, mismatches, text checks."""
        import pandas as pd

        rows = []
        for r in self.rows:
            c = r.comparison
            rows.append(
                {
                    "id": r.index,
                    **r.record,
                    "keep": r.passed,
                    "exact": c.exact,
                    "f1": c.prf.f1,
                    "tp": c.tp,
                    "fp": c.fp,
                    "fn": c.fn,
                    "mismatches": ",".join(c.mismatches),
                    "text_verified": not r.text_missing and r.text is not None,
                    "text_missing": ",".join(r.text_missing),
                    "text_attempts": r.text_attempts,
                    "parsed": c.parsed,
                    "valid": c.valid,
                    "error": c.error,
                    "text": r.text,
                }
            )
        return pd.DataFrame(rows)

    def fields_dataframe(self) -> pd.DataFrame:
        """One row per field: precision, recall, f1, support, tp, fp, fn."""
        frame: pd.DataFrame = self.report.fields_dataframe()
        return frame

    def labelled_rows(self) -> list[dict[str, Any]]:
        """``{"id", "text", "labels"}`` rows: a labelled extraction data set."""
        return [{"id": r.index, "text": r.text, "labels": r.record} for r in self.rows if r.text]

    def summary(self) -> dict[str, Any]:
        """The metrics object plus counts and cost of the run."""
        verified = sum(1 for r in self.rows if r.text is not None and not r.text_missing)
        return {
            **self.report.to_dict(),
            "kept": len(self.kept),
            "text_verified": verified,
            "elapsed_s": round(self.elapsed_s, 3),
            "text_tokens": self.text_usage.output_tokens,
            "extraction_tokens": self.extraction_usage.output_tokens,
        }


def _record_dict(record: Any, model: type[BaseModel]) -> dict[str, Any]:
    if isinstance(record, BaseModel):
        return record.model_dump(mode="json")
    if isinstance(record, Mapping):
        return {k: record[k] for k in model.model_fields if k in record}
    raise TypeError(f"A record must be a mapping or a Pydantic model, got {type(record).__name__}.")


class RoundTrip:
    """Run records through text generation and extraction and score them field by field.

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
        self.match = match
        self.min_f1 = min_f1
        self.concurrency = max(1, concurrency)
        self.texts = DatasetGenerator(
            llm,
            preferences,
            verify=verify,
            max_attempts=max_attempts,
            concurrency=self.concurrency,
            skip_fields=self.info.text_fields,
        )
        self.extractor = ExtractionChain(self.info, extract_llm or llm, strategy, examples=examples)

    async def _one(self, index: int, record: dict[str, Any]) -> RoundTripRow:
        written = await self.texts.aone(record)
        text = written["text"]
        extraction = await self.extractor.aextract(text) if text else None
        pred: Any = (
            extraction.prediction
            if extraction is not None
            else ExtractionFailure(written["error"] or "no text was generated")
        )
        comparison = compare_records(pred, record, self.model, match=self.match)
        usage = written["usage"]
        return RoundTripRow(
            index=index,
            record=record,
            text=text,
            text_missing=written["missing"],
            text_attempts=written["attempts"],
            extraction=extraction,
            comparison=comparison,
            text_error=written["error"],
            text_usage=Usage(usage["input_tokens"], usage["output_tokens"]),
            min_f1=self.min_f1,
        )

    async def arun(
        self,
        records: Sequence[Any],
        *,
        on_row: Callable[[RoundTripRow], None] | None = None,
    ) -> RoundTripResult:
        """Round-trip ``records`` (dicts or Pydantic records); ``on_row`` fires per record."""
        plain = [_record_dict(r, self.model) for r in records]
        started = time.perf_counter()
        done = await bounded_map(
            self._one,
            plain,
            concurrency=self.concurrency,
            on_result=None if on_row is None else lambda _, row: on_row(row),
        )
        text_usage, extraction_usage = Usage(), Usage()
        for r in done:
            text_usage.add(r.text_usage)
            if r.extraction is not None:
                extraction_usage.add(r.extraction.usage)
        return RoundTripResult(
            schema=self.info,
            rows=done,
            report=aggregate([r.comparison for r in done], match=self.match),
            elapsed_s=time.perf_counter() - started,
            text_usage=text_usage,
            extraction_usage=extraction_usage,
        )

    def run(
        self,
        records: Sequence[Any],
        *,
        on_row: Callable[[RoundTripRow], None] | None = None,
    ) -> RoundTripResult:
        """Synchronous :meth:`arun` (also inside Jupyter)."""
        return run_sync(self.arun(records, on_row=on_row))


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
