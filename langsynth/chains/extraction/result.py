"""What one extraction produced: the record or the failure, raw output, tokens, latency."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from langsynth.chains.structured import Usage

__all__ = ["Extraction", "ExtractionFailure"]


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
        """``prediction`` (the record; for a failure the JSON it parsed, or null), ``error``,
        ``raw_output``: JSON-serialisable."""
        if self.record is not None:
            prediction: dict[str, Any] | None = self.record.model_dump(mode="json")
        else:
            prediction = self.failure.parsed_output if self.failure is not None else None
        return {"prediction": prediction, "error": self.error, "raw_output": self.raw_output}
