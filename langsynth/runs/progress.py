"""The progress bar of long runs (library and CLI alike), on stderr.

Shows the job, a bar, done/total, accepted/rejected/duplicates, records/s, tokens/s and
cost so far, elapsed time and ETA. Rich renders it in a terminal and in Jupyter.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from langsynth.runs.stats import RunStats


def progress_detail(stats: RunStats) -> str:
    """``rejected 2 · dup 1 · 0.41 rec/s · 24 tok/s · $0.0012``."""
    parts = [f"rejected {stats.rejected}"]
    if stats.duplicates:
        parts.append(f"dup {stats.duplicates}")
    parts.append(f"{stats.records_per_s:.2f} rec/s")
    parts.append(f"{stats.tokens_per_s:.0f} tok/s")
    if stats.cost_usd:
        text = f"${stats.cost_usd:.4f}"
        done = stats.accepted_this_session
        left = max(0, stats.requested - stats.completed)
        if done and left:  # at this session's cost per row
            text += f" (≈ ${stats.cost_usd + stats.cost_usd / done * left:.4f} in all)"
        parts.append(text)
    return " · ".join(parts)


class RunProgress:
    """A Rich progress bar driven by :class:`RunStats` updates."""

    def __init__(self, label: str, total: int, completed: int = 0) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress: Progress = Progress(
            SpinnerColumn(),
            TextColumn(f"[bold]{label}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._task: TaskID = self._progress.add_task(
            label, total=total, completed=completed, detail=""
        )

    def update(self, stats: RunStats) -> None:
        self._progress.update(self._task, completed=stats.completed, detail=progress_detail(stats))

    def __enter__(self) -> RunProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.stop()
