"""What the run engine talks to: admissions (driver-side checks) and executors (where calls run).

An *admission* decides, in completion order and on the driver, whether a valid result of a
source is new (e.g. not a duplicate); an *executor* runs a step's ``aprocess`` calls —
in this process (:class:`LocalExecutor`) or elsewhere (the Ray engine).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

# (kind, reason) of a valid result the source does not admit, e.g. ("duplicate", "...").
Verdict = tuple[str, str]


class Admission(Protocol):
    """A source's driver-side check of valid results, in completion order (e.g. dedup)."""

    def admit(self, result: Any) -> Verdict | None: ...


class AdmitAll:
    """Admits every valid result."""

    def admit(self, result: Any) -> Verdict | None:
        return None


class KeyAdmission:
    """Admits a valid result unless its key repeats an accepted row (or a forbidden one).

    ``key(row)`` is computed on ``result.to_row()``, the same form as the journal's rows,
    so rows kept from earlier sessions seed the check exactly. ``forbidden`` rows (e.g. the
    few-shot examples a small model likes to hand back verbatim) count as duplicates too.
    """

    def __init__(
        self,
        key: Callable[[Mapping[str, Any]], Any],
        existing: Iterable[Mapping[str, Any]],
        *,
        forbidden: Iterable[Mapping[str, Any]] = (),
        forbidden_reason: str = "copy of a forbidden row",
        on_admit: Callable[[Any], None] | None = None,
    ) -> None:
        self.key = key
        self.seen = {key(r) for r in existing}
        self.forbidden = {key(r) for r in forbidden} - self.seen
        self.forbidden_reason = forbidden_reason
        self.on_admit = on_admit

    def admit(self, result: Any) -> Verdict | None:
        key = self.key(result.to_row())
        if key in self.forbidden:
            return ("duplicate", self.forbidden_reason)
        if key in self.seen:
            return ("duplicate", "duplicate of an accepted record")
        self.seen.add(key)
        if self.on_admit is not None:
            self.on_admit(result)
        return None


class Executor(Protocol):
    """Where a step's calls run: ``await call(method, arg)`` = ``await step.<method>(arg)``.

    Optional: ``bind(step)`` (called before the run opens; an executor that runs its own
    copies of the step refuses one that differs) and ``summary()`` (stored in the manifest
    as ``executor`` and in ``RunResult.executor``, e.g. per-endpoint counters).
    """

    slots: int

    async def call(self, method: str, arg: Any) -> Any: ...


class LocalExecutor:
    """Calls the step in this process, at most ``slots`` at a time (the engine bounds it)."""

    def __init__(self, step: Any, slots: int) -> None:
        self.step = step
        self.slots = max(1, slots)

    async def call(self, method: str, arg: Any) -> Any:
        return await getattr(self.step, method)(arg)
