"""What one extraction produced: the record or the failure, raw output, tokens, latency."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from langsynth.metrics import ExtractionFailure
from langsynth.results import Usage

__all__ = ["Extraction", "ExtractionFailure"]


@dataclass
class Extraction:
    """The result for one text: the record or the failure, raw output, tokens, latency.

    The row protocol of the run engine: :attr:`ok`, :attr:`error`, :attr:`raw_output`,
    :attr:`usage` and :meth:`to_row` (columns ``prediction, error, raw_output``).
    """

    record: BaseModel | None
    failure: ExtractionFailure | None
    raw_output: str = ""
    usage: Usage = field(default_factory=Usage)
    latency_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.record is not None

    @property
    def error(self) -> str | None:
        """Why no valid record came out (``None`` when :attr:`ok`)."""
        return self.failure.error if self.failure is not None else None

    @property
    def prediction(self) -> BaseModel | ExtractionFailure:
        """The record, or the failure (what the chain's ``invoke`` returns)."""
        if self.record is not None:
            return self.record
        assert self.failure is not None
        return self.failure

    def to_row(self) -> dict[str, Any]:
        """``prediction`` (the record, or null), ``error``, ``raw_output`` and
        ``parsed_output`` (the JSON a failed answer parsed to): JSON-serialisable."""
        failure = self.failure
        return {
            "prediction": self.record.model_dump(mode="json") if self.record is not None else None,
            "error": failure.error if failure is not None else None,
            "raw_output": self.raw_output if failure is not None else None,
            "parsed_output": failure.parsed_output if failure is not None else None,
        }
