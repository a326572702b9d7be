"""Counters of a run, and the budget that may stop it.

One :class:`RunStats` per session is updated by the engine as results arrive; the manifest
keeps the totals over all sessions of a run (:meth:`RunStats.add_to_totals`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from langsynth.results import Usage

# Model spec + usage -> cost in USD (None: price unknown). Set by the step (see pricing).
CostFn = Callable[[Usage], float | None]


@dataclass
class Budget:
    """Stop a run cleanly when it has spent this much (resume continues it).

    ``max_cost_usd`` needs a known price for the model; ``max_tokens`` counts input and
    output tokens of every call, retries included.
    """

    max_cost_usd: float | None = None
    max_tokens: int | None = None

    def exceeded(self, stats: RunStats, totals_before: Usage, cost_before: float) -> str:
        """Why the budget is used up ("" when it is not), counting earlier sessions too."""
        tokens = totals_before.total_tokens + stats.usage.total_tokens
        if self.max_tokens is not None and tokens >= self.max_tokens:
            return f"the token budget ({self.max_tokens:,} tokens) is used up ({tokens:,})"
        if self.max_cost_usd is not None and stats.cost_usd is not None:
            cost = cost_before + stats.cost_usd
            if cost >= self.max_cost_usd:
                return f"the cost budget (${self.max_cost_usd:.4f}) is used up (${cost:.4f})"
        return ""


@dataclass
class RunStats:
    """Counters of one session of a run (``usage`` includes retries and rejected attempts)."""

    job: str = ""
    requested: int = 0  # rows wanted in all (N for a source; inputs for a map job)
    accepted: int = 0  # rows in the output, earlier sessions included
    rejected: int = 0  # invalid or failed (this session)
    duplicates: int = 0  # valid but not new (this session)
    failed: int = 0  # map jobs: rows in the output whose result failed (kept with its error)
    attempts: int = 0  # units of work finished this session
    completed: int = 0  # progress: records accepted (sources) or input rows done (map jobs)
    retries: int = 0
    usage: Usage = field(default_factory=Usage)
    elapsed_s: float = 0.0
    setup_s: float = 0.0  # once per session before the work (e.g. warming a server's caches)
    latencies_s: list[float] = field(default_factory=list)
    cost_usd: float | None = 0.0
    accepted_this_session: int = 0

    @property
    def valid(self) -> int:
        """Alias of ``accepted`` (records that passed every check)."""
        return self.accepted

    @property
    def records_per_s(self) -> float:
        return self.accepted_this_session / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def tokens_per_s(self) -> float:
        return self.usage.output_tokens / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def add_usage(self, usage: Usage, cost: CostFn | None) -> None:
        self.usage.add(usage)
        if cost is not None and self.cost_usd is not None:
            spent = cost(usage)
            self.cost_usd = None if spent is None else self.cost_usd + spent

    def summary(self, model: str | None = None) -> dict[str, Any]:
        """The ``--summary-json`` object of this session."""
        return {
            "job": self.job,
            "requested": self.requested,
            "valid": self.accepted,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "failed": self.failed,
            "attempts": self.attempts,
            "retries": self.retries,
            "llm_calls": self.usage.calls,
            "elapsed_s": round(self.elapsed_s, 3),
            "records_per_s": round(self.records_per_s, 4),
            "input_tokens": self.usage.input_tokens,
            "cached_input_tokens": self.usage.cached_input_tokens,
            "output_tokens": self.usage.output_tokens,
            "tokens_per_s": round(self.tokens_per_s, 2),
            "cost_usd": None if self.cost_usd is None else round(self.cost_usd, 6),
            "model": model,
        }

    def add_to_totals(self, manifest: dict[str, Any]) -> None:
        """Add this session's counters to a manifest's totals (``counts``, ``usage``, ...)."""
        counts = manifest.setdefault("counts", {})
        for key in ("rejected", "duplicates", "failed", "attempts", "retries"):
            counts[key] = int(counts.get(key, 0)) + int(getattr(self, key))
        counts["accepted"] = self.accepted
        usage = Usage.from_dict(manifest.get("usage"))
        usage.add(self.usage)
        manifest["usage"] = usage.to_dict()
        manifest["elapsed_s"] = round(float(manifest.get("elapsed_s", 0.0)) + self.elapsed_s, 3)
        if self.cost_usd is None:
            manifest["cost_usd"] = None
        elif manifest.get("cost_usd", 0.0) is not None:
            manifest["cost_usd"] = round(float(manifest.get("cost_usd") or 0.0) + self.cost_usd, 6)
