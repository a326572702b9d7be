"""What a run returns: the output rows, this session's rejections and counters, the status."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langsynth.runs.stats import RunStats

if TYPE_CHECKING:
    import pandas as pd
    from pydantic import BaseModel

STATUSES = ("complete", "incomplete", "budget", "interrupted", "failed")


@dataclass
class RunResult:
    """The rows a run produced (earlier sessions included when it resumed) and how it went.

    ``status`` is ``complete``, ``incomplete`` (the attempt cap or fail-fast stopped it before
    N; ``message`` says why and what to try), or ``budget`` (a cost/token budget stopped it;
    resume continues). ``results`` are this session's result objects (e.g. ``JudgeResult``),
    in input order for map jobs; ``rejected`` this session's rejection rows.
    """

    job: str
    rows: list[dict[str, Any]]
    stats: RunStats
    status: str = "complete"
    message: str = ""
    rejected: list[dict[str, Any]] = field(default_factory=list)
    results: list[Any] = field(default_factory=list, repr=False)
    output: Path | None = None
    manifest: dict[str, Any] | None = field(default=None, repr=False)
    model: type[BaseModel] | None = field(default=None, repr=False)
    executor: Any = field(default=None, repr=False)  # the executor's summary (e.g. endpoints)

    @property
    def complete(self) -> bool:
        return self.status == "complete"

    @property
    def records(self) -> list[BaseModel]:
        """The rows as records of the run's schema (generation runs)."""
        if self.model is None:
            raise AttributeError(f"a {self.job} run has no record schema; use .rows")
        return [self.model.model_validate(r) for r in self.rows]

    def to_dicts(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.rows]

    def to_dataframe(self) -> pd.DataFrame:
        import pandas as pd

        columns = list(self.model.model_fields) if self.model is not None else None
        return pd.DataFrame(self.rows, columns=columns)

    def to_hf_dataset(self) -> Any:
        """The rows as a Hugging Face ``datasets.Dataset``, with features from the run's schema
        (``ClassLabel`` for ``Literal``/enum fields, lists, nullable fields) where it has one;
        needs ``pip install 'langsynth[hf]'``."""
        from langsynth.hf_dataset import to_hf_dataset

        return to_hf_dataset(self.rows, self.model)

    def summary(self, model: str | None = None) -> dict[str, Any]:
        """The counters of this session plus status and output (``--summary-json``)."""
        data = self.stats.summary(model)
        data.update(status=self.status, output=str(self.output) if self.output else None)
        if self.message:
            data["message"] = self.message
        return data
