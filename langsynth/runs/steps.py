"""The two kinds of step the run engine runs, and their one batch verb each.

- :class:`MapStep`: one result per input row (text, extract, judge, round trip, augment...).
  ``step.run(rows, output=..., resume=...)``; ``rows`` may be a path to a data file.
- :class:`SourceStep`: a map step that also makes new rows until N are admitted (records,
  stories, instructions...): ``step.generate(n, output=..., resume=...)``; attempt ``i``
  is ``aprocess(input_at(i))``.

Both are LangChain ``Runnable``s for single calls (``invoke``/``ainvoke``; ``batch`` works
too) and go through the engine for many, so a notebook gets the journal, resume, the lock,
clean Ctrl-C/SIGTERM and the manifest exactly as the CLI does. Without ``output`` a run
stays in memory (nothing on disk, nothing to resume).

A step declares ``job`` (its name in manifests), ``input_columns`` and ``output_columns``;
each call returns a result with ``ok``, ``error`` and ``to_row()`` (see
:mod:`langsynth.results`) and raises only for faults that are not about the row.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, TypedDict, TypeVar, Unpack

from langchain_core.runnables import Runnable, RunnableConfig

from langsynth._async import run_sync
from langsynth.errors import ConfigurationError, RunInterrupted
from langsynth.results import Usage, raw_output_of
from langsynth.runs.engine import RunOptions, run_map, run_source
from langsynth.runs.protocols import Admission, AdmitAll
from langsynth.runs.result import RunResult
from langsynth.runs.signals import graceful_signals
from langsynth.runs.stats import Budget, CostFn, RunStats
from langsynth.runs.store import read_manifest
from langsynth.specs import is_local_spec, model_spec_of

T = TypeVar("T")


def run_blocking(coro: Coroutine[Any, Any, T], output: str | Path | None) -> T:
    """Run an engine coroutine from sync code; Ctrl-C/SIGTERM become :class:`RunInterrupted`."""
    with graceful_signals():
        try:
            return run_sync(coro)
        except KeyboardInterrupt as exc:
            signum = getattr(exc, "signum", 2)
            manifest = read_manifest(output) if output is not None else None
            kept = int(((manifest or {}).get("counts") or {}).get("accepted", 0))
            where = f"kept {kept} rows in {output}; rerun with --resume to continue"
            raise RunInterrupted(
                f"interrupted: {where}" if output is not None else "interrupted",
                signum=signum,
                kept=kept,
                output=output,
            ) from None


class _StepBase:
    """What both kinds of step share: naming, manifest, cost."""

    job: ClassVar[str] = "step"
    input_columns: tuple[str, ...] = ()
    output_columns: tuple[str, ...] = ()
    concurrency: int = 4
    llm: Any = None

    def model_spec(self) -> str | None:
        """The spec of the model the step calls (recorded in the manifest)."""
        return model_spec_of(self.llm) if self.llm is not None else None

    def manifest_params(self) -> dict[str, Any]:
        """The step's settings, recorded in the manifest (override to add yours)."""
        return {}

    def manifest_extra(self) -> dict[str, Any]:
        """Top-level manifest entries (e.g. ``schema``, ``fields``)."""
        return {}

    def identity(self) -> dict[str, Any]:
        """What must not change between the sessions of one run (checked on resume)."""
        return {}

    def step_summary(self, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """Figures of the output rows recorded in the lineage (e.g. the judge's mean score)."""
        return {}

    def cost_fn(self) -> CostFn | None:
        """Usage -> USD for the step's model; ``None`` when the price is unknown."""
        spec = self.model_spec()
        if is_local_spec(spec):
            return _free
        try:
            from langsynth.pricing import cost_of
        except ImportError:  # pragma: no cover - pricing is part of the package
            return None
        if spec is None:
            return None

        def cost(usage: Usage) -> float | None:
            return cost_of(usage, spec)

        return cost if cost(Usage(input_tokens=1)) is not None else None


def _free(usage: Usage) -> float:
    return 0.0


class RunKwargs(TypedDict, total=False):
    """The options every run takes (see :meth:`MapStep.run`)."""

    output: str | Path | None
    resume: bool
    overwrite: bool
    concurrency: int | None
    progress: bool
    on_progress: Callable[[RunStats], None] | None
    on_result: Callable[[int, Any], None] | None
    budget: Budget | None
    executor: Any
    params: Mapping[str, Any]


def _options(kwargs: RunKwargs, source: str | Path | None = None) -> RunOptions:
    if kwargs.get("resume") and kwargs.get("output") is None:
        raise ConfigurationError("resume needs an output: the run on disk to continue.")
    return RunOptions(**kwargs, source=source)


class MapStep(_StepBase, Runnable[Any, Any]):
    """A step with one result per input row. Subclasses implement :meth:`aprocess`.

    ``aprocess(input)`` returns the row's result and never raises for a bad row;
    ``invoke``/``ainvoke`` return the same by default (a step may return something more
    natural from them, as the extraction chain returns the record itself).

    ``keep_failed``: a failed result still makes an output row (with its ``error``), as for
    extraction (the scores count it) — or, when False, goes to the rejections only.
    """

    job: ClassVar[str] = "map"
    keep_failed: bool = True

    async def aprocess(self, input: Any, config: RunnableConfig | None = None) -> Any:
        """The result of one input (what the run engine calls for each row)."""
        raise NotImplementedError

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        return await self.aprocess(input, config)

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        return run_sync(self.ainvoke(input, config))

    def rows_of(self, inputs: Sequence[Any]) -> list[Mapping[str, Any]]:
        """Input rows from what the caller passed (default: rows as given)."""
        return list(inputs)

    def input_of(self, row: Mapping[str, Any]) -> Any:
        """The step input made from an input row (default: the row)."""
        return row

    def output_rows(self, index: int, row: Mapping[str, Any], result: Any) -> list[dict[str, Any]]:
        """The output rows of input row ``index`` (default: the row plus the result's columns)."""
        return [{**row, **result.to_row()}]

    def rejected_row(self, index: int, row: Mapping[str, Any], result: Any) -> dict[str, Any]:
        return {"kind": "failed", "error": result.error, "raw_output": raw_output_of(result)}

    def check_rows(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Fail before any model call when an input column is missing."""
        for i, row in enumerate(rows, start=1):
            missing = [c for c in self.input_columns if c not in row]
            if missing:
                raise ConfigurationError(
                    f"input row {i} has no column {', '.join(map(repr, missing))} "
                    f"({type(self).__name__} reads {', '.join(self.input_columns)}); its "
                    f"columns are {', '.join(map(str, row)) or 'none'}."
                )

    async def arun(
        self, rows: Sequence[Any] | str | Path, **options: Unpack[RunKwargs]
    ) -> RunResult:
        """Run the step over ``rows`` (or the rows of a data file); see :meth:`run`."""
        source = rows if isinstance(rows, str | Path) else None
        if isinstance(rows, str | Path):
            from langsynth.datafile import read_rows

            inputs: Sequence[Any] = read_rows(rows)
        else:
            inputs = rows
        return await run_map(self, self.rows_of(inputs), _options(options, source))

    def run(self, rows: Sequence[Any] | str | Path, **options: Unpack[RunKwargs]) -> RunResult:
        """Run the step over every row: one result per row, journalled when ``output`` is set.

        Args:
            rows: input rows, or a path to a JSONL/JSON/CSV/parquet file.
            output: write the rows here as they finish (with ``OUTPUT.run/``: journal,
                rejections, manifest, lock); ``None`` keeps everything in memory.
            resume: continue the run that wrote ``output`` (rows done are skipped).
            overwrite: replace ``output`` and its run directory.
            concurrency: calls in flight (default: the step's ``concurrency``).
            progress: show a progress bar on stderr.
            on_progress / on_result: callbacks as counters change / as each row finishes.
            budget: stop cleanly at a cost or token budget (resume continues).
            executor: where the calls run (default: this process; see the Ray engine).
        """
        return run_blocking(self.arun(rows, **options), options.get("output"))


class SourceStep(MapStep):
    """A map step that can also make new rows: attempt 0, 1, 2, ... until N are admitted.

    Subclasses implement :meth:`input_at` (the input of attempt ``index``, drawn from the
    step's seed, so the same index gives the same prompt) besides :meth:`aprocess`, and may
    override :meth:`admission` (driver-side checks such as dedup). ``run(rows)`` still maps
    the step over given inputs (e.g. explicit hints or draws), one attempt each.
    """

    job: ClassVar[str] = "generate"

    def input_at(self, index: int) -> Any:
        """The input of attempt ``index`` (computed where the run is driven)."""
        raise NotImplementedError

    def admission(self, existing: Sequence[Mapping[str, Any]]) -> Admission:
        """The check of valid results for one run, seeded with rows kept from earlier sessions."""
        return AdmitAll()

    async def agenerate(
        self,
        n: int,
        *,
        max_attempts: int | None = None,
        fail_fast_after: int = 12,
        **options: Unpack[RunKwargs],
    ) -> RunResult:
        """Generate until ``n`` rows are admitted; see :meth:`generate`."""
        return await run_source(
            self,
            n,
            _options(options),
            max_attempts=max_attempts,
            fail_fast_after=fail_fast_after,
        )

    async def aestimate(self, n: int, *, pilot: int = 4, **options: Any) -> dict[str, Any]:
        """Generate a pilot of ``pilot`` rows (in memory), then project tokens, time and cost
        for ``n``: ``{"n", "input_tokens", "output_tokens", "cost_usd", "elapsed_s",
        "pilot_records"}`` (``cost_usd`` is ``None`` when the model's price is unknown)."""
        from langsynth.pricing import project

        options.pop("output", None)
        options.pop("resume", None)
        result = await self.agenerate(min(pilot, n), **options)
        stats = result.stats
        # The set-up (e.g. warming the server's caches) is paid once, not per record.
        work_s = max(0.0, stats.elapsed_s - stats.setup_s)
        projection = project(stats.usage, work_s, len(result.rows), n, self.model_spec())
        projection["elapsed_s"] = round(projection["elapsed_s"] + stats.setup_s, 3)
        return projection

    def estimate(self, n: int, *, pilot: int = 4, **options: Any) -> dict[str, Any]:
        """What ``generate(n)`` would cost, from a pilot of a few rows (see :meth:`aestimate`).

        >>> gen.estimate(1000, pilot=4)  # doctest: +SKIP
        {'n': 1000, 'input_tokens': ..., 'output_tokens': ..., 'cost_usd': ..., ...}
        """
        return run_blocking(self.aestimate(n, pilot=pilot, **options), None)

    def generate(
        self,
        n: int,
        *,
        max_attempts: int | None = None,
        fail_fast_after: int = 12,
        **options: Unpack[RunKwargs],
    ) -> RunResult:
        """Generate until ``n`` rows are admitted (valid, new); journalled when ``output`` is set.

        Args:
            n: rows wanted in all (a resumed run counts what it kept).
            output, resume, overwrite, concurrency, progress, on_progress, on_result, budget,
                executor: as for :meth:`MapStep.run`.
            max_attempts: cap on attempts this session (default ``3 * missing + 10``).
            fail_fast_after: stop when this many attempts in a row gave nothing while no
                row was admitted yet (a broken prompt or model).
        """
        coro = self.agenerate(
            n, max_attempts=max_attempts, fail_fast_after=fail_fast_after, **options
        )
        return run_blocking(coro, options.get("output"))
