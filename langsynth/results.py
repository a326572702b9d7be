"""What every step's result has in common: ``ok``, ``error``, ``to_row()``, and token usage.

The run engine (:mod:`langsynth.runs`) calls components row by row and only relies on this
protocol: it journals ``to_row()`` of accepted results, records rejected ones with their
``error`` and ``raw_output``, and adds ``usage`` to the run's counters. ``error`` is the one
name of the failure field everywhere (rows, rejections, results).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


@dataclass
class Usage:
    """Token counts of one or more model calls."""

    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    calls: int = 0

    def add(self, other: Usage) -> None:
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.cached_input_tokens += other.cached_input_tokens
        self.calls += other.calls

    @classmethod
    def of(cls, message: Any) -> Usage:
        """The usage a LangChain chat message reports (``usage_metadata``); one call."""
        meta = getattr(message, "usage_metadata", None) or {}
        details = meta.get("input_token_details") or {}
        return cls(
            input_tokens=int(meta.get("input_tokens") or 0),
            output_tokens=int(meta.get("output_tokens") or 0),
            cached_input_tokens=int(details.get("cache_read") or 0),
            calls=1,
        )

    @classmethod
    def of_completion(cls, usage: Any) -> Usage:
        """The usage of an OpenAI ``ChatCompletion`` (``prompt_tokens``, ``completion_tokens``,
        ``prompt_tokens_details.cached_tokens``; ``None`` counts nothing); one call."""
        details = getattr(usage, "prompt_tokens_details", None)
        return cls(
            input_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            output_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
            cached_input_tokens=int(getattr(details, "cached_tokens", 0) or 0),
            calls=1,
        )

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def to_dict(self) -> dict[str, int]:
        return {
            "input_tokens": self.input_tokens,
            "cached_input_tokens": self.cached_input_tokens,
            "output_tokens": self.output_tokens,
            "llm_calls": self.calls,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Usage:
        data = data if isinstance(data, dict) else {}
        return cls(
            input_tokens=int(data.get("input_tokens") or 0),
            output_tokens=int(data.get("output_tokens") or 0),
            cached_input_tokens=int(data.get("cached_input_tokens") or 0),
            calls=int(data.get("llm_calls") or data.get("calls") or 0),
        )


@runtime_checkable
class RowResult(Protocol):
    """The result of one row of a step. ``to_row()`` holds the step's output columns."""

    @property
    def ok(self) -> bool: ...

    @property
    def error(self) -> str | None: ...

    def to_row(self) -> dict[str, Any]: ...


def usage_of(result: Any) -> Usage:
    """A result's token usage, or none."""
    usage = getattr(result, "usage", None)
    return usage if isinstance(usage, Usage) else Usage()


def raw_output_of(result: Any) -> str:
    """What the model said for a result ("" when the result does not keep it)."""
    raw = getattr(result, "raw_output", None)
    return raw if isinstance(raw, str) else ""
