"""The run engine: every long job — generation until N, or one result per input row — runs here.

Two loops share one runner (:func:`langsynth._async.work_pool`), one store
(:class:`~langsynth.runs.store.RunStore`), one set of counters and one way to stop:

- :func:`run_map` calls a step once per input row not done yet;
- :func:`run_source` calls a step on attempt 0, 1, 2, ... (attempt ``i`` is
  ``step.aprocess(step.input_at(i))``) until ``n`` results were admitted (valid, and new by
  the step's own check, e.g. not a duplicate), the attempt cap or the fail-fast rule stops
  it, or a budget is used up.

Model calls (``aprocess``) go through an *executor* (in this process by default; the Ray
engine fans them out to actors). Admission, dedup, the journal and the counters stay here,
on the driver, so the guarantees do not depend on where the calls run. A fault that is not
about one row (server gone, bad key) ends the run as ``failed`` with what it finished kept;
Ctrl-C and SIGTERM end it as ``interrupted`` the same way; resume continues from the journal.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langsynth._async import WAIT, work_pool
from langsynth.errors import LangsynthError, RunFailedError
from langsynth.lineage import read_lineage
from langsynth.results import Usage, usage_of
from langsynth.runs.progress import RunProgress
from langsynth.runs.protocols import Executor, LocalExecutor, Verdict
from langsynth.runs.result import RunResult
from langsynth.runs.stats import Budget, CostFn, RunStats
from langsynth.runs.store import RunStore, fingerprint, now


@dataclass
class RunOptions:
    """How a run is carried out (the keyword arguments of ``run`` / ``generate``)."""

    output: str | Path | None = None
    resume: bool = False
    overwrite: bool = False
    concurrency: int | None = None
    progress: bool = False
    on_progress: Callable[[RunStats], None] | None = None
    on_result: Callable[[int, Any], None] | None = None
    budget: Budget | None = None
    executor: Executor | None = None
    params: Mapping[str, Any] = field(default_factory=dict)  # extra manifest params
    source: str | Path | None = None  # the input file, for the manifest and lineage


@dataclass
class _Session:
    """What both loops share while a run is open."""

    job: str
    options: RunOptions
    stats: RunStats
    store: RunStore | None
    cost: CostFn | None
    usage_before: Usage
    cost_before: float
    executor: Executor
    progress: RunProgress | None = None
    rejected: list[dict[str, Any]] = field(default_factory=list)
    executor_summary: Any = None
    stop: str = ""
    started: float = field(default_factory=time.perf_counter)

    def count_usage(self, result: Any) -> None:
        self.stats.add_usage(usage_of(result), self.cost)
        self.stats.retries += max(0, int(getattr(result, "attempts", 1) or 1) - 1)
        latency = getattr(result, "latency_s", None)
        if isinstance(latency, int | float):
            self.stats.latencies_s.append(float(latency))

    def reject(self, index: int, row: dict[str, Any]) -> None:
        self.rejected.append({"i": index, **row})
        if self.store is not None:
            self.store.reject(index, row)

    def tick(self) -> None:
        self.stats.elapsed_s = time.perf_counter() - self.started
        if self.options.budget is not None and not self.stop:
            why = self.options.budget.exceeded(self.stats, self.usage_before, self.cost_before)
            if why:
                self.stop = "budget:" + why
        if self.progress is not None:
            self.progress.update(self.stats)
        if self.options.on_progress is not None:
            self.options.on_progress(self.stats)


def _open(
    step: Any,
    job: str,
    options: RunOptions,
    *,
    requested: int,
    identity: dict[str, Any],
    fields: Sequence[str] | None,
    ordered: bool,
    kind: str,
) -> _Session:
    bind = getattr(options.executor, "bind", None)
    if callable(bind):  # an executor with its own copies of the step checks they agree
        bind(step)
    params = {**step.manifest_params(), **dict(options.params)}
    store = None
    if options.output is not None:
        store = RunStore(options.output, job=job, fields=fields, ordered=ordered)
        store.open(
            params=params, resume=options.resume, overwrite=options.overwrite, identity=identity
        )
        store.manifest.update(
            requested=requested,
            model=step.model_spec(),
            columns={"input": list(step.input_columns), "output": list(step.output_columns)},
            input=str(options.source) if options.source is not None else None,
            kind=kind,
        )
        if kind == "map":  # where the input came from, for the data card and the report
            origin = read_lineage(options.source) if options.source is not None else None
            store.manifest["lineage"] = origin or {"generation": None, "steps": []}
        store.manifest.update(step.manifest_extra())
        store.write_manifest()
    previous = store.previous if store is not None else {}
    cost = step.cost_fn()
    stats = RunStats(job=job, requested=requested, cost_usd=0.0 if cost else None)
    slots = int(options.concurrency or getattr(step, "concurrency", None) or 4)
    executor = options.executor or LocalExecutor(step, slots)
    return _Session(
        job=job,
        options=options,
        stats=stats,
        store=store,
        cost=cost,
        usage_before=Usage.from_dict(previous.get("usage")),
        cost_before=float(previous.get("cost_usd") or 0.0),
        executor=executor,
    )


# finalize(status) -> (status, message, manifest updates): runs before the store closes.
Finalize = Callable[[str], tuple[str, str, dict[str, Any]]]


async def _drive(
    session: _Session,
    next_item: Callable[[], Any],
    method: str,
    arg_of: Callable[[int], Any],
    done: Callable[[int, Any], None],
    finalize: Finalize,
    total: int,
) -> tuple[str, str]:
    """Run the pool with progress; close the store whatever happens. Returns status, message."""
    store = session.store
    status, message = "interrupted", ""
    updates: dict[str, Any] = {}
    if session.options.progress:
        session.progress = RunProgress(session.job, total, session.stats.completed)

    async def work(index: int) -> Any:
        return await session.executor.call(method, arg_of(index))

    try:
        if session.progress is not None:
            session.progress.__enter__()
        executor = session.executor
        if isinstance(executor, LocalExecutor):  # e.g. warm the server's slot caches
            prepare = getattr(executor.step, "aprepare", None)
            if callable(prepare):
                started = time.perf_counter()
                await prepare(executor.slots)
                session.stats.setup_s = time.perf_counter() - started
        await work_pool(next_item, work, done, slots=session.executor.slots)
        status = "budget" if session.stop.startswith("budget:") else "complete"
    except asyncio.CancelledError:
        status = "interrupted"
        raise
    except LangsynthError as exc:
        status = "failed"
        updates["error"] = str(exc)
        kept = session.stats.accepted
        where = f"in {store.output}; rerun with --resume to continue" if store else "so far"
        raise RunFailedError(
            f"{str(exc).splitlines()[0]} Kept {kept} rows {where}.",
            cause=exc,
            kept=kept,
            output=store.output if store else None,
        ) from exc
    except BaseException as exc:
        status = "failed"
        updates["error"] = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        session.stats.elapsed_s = time.perf_counter() - session.started
        if session.progress is not None:
            session.progress.__exit__(None, None, None)
        status, message, more = finalize(status)
        updates.update(more)
        if message:
            updates["message"] = message
        describe = getattr(session.executor, "summary", None)
        if callable(describe):  # e.g. per-endpoint counters of a fleet
            session.executor_summary = describe()
            updates["executor"] = session.executor_summary
        if store is not None:
            session.stats.add_to_totals(store.manifest)
            updates["last_session"] = session.stats.summary(store.manifest.get("model"))
            store.close(status=status, updates=updates)
    return status, message


def _result(
    session: _Session, rows: list[dict[str, Any]], status: str, message: str, results: list[Any]
) -> RunResult:
    store = session.store
    return RunResult(
        job=session.job,
        rows=rows,
        stats=session.stats,
        status=status,
        message=message,
        rejected=session.rejected,
        results=results,
        output=store.output if store is not None else None,
        manifest=store.manifest if store is not None else None,
        executor=session.executor_summary,
    )


def _budget_message(session: _Session, have: int, want: int) -> str:
    why = session.stop.removeprefix("budget:")
    return f"Stopped with {have} of {want}: {why}; resume with a larger budget to continue."


# --------------------------------------------------------------------------- map jobs


async def run_map(step: Any, rows: Sequence[Mapping[str, Any]], options: RunOptions) -> RunResult:
    """One result per input row; rows already in the journal are skipped on resume."""
    rows = list(rows)
    step.check_rows(rows)
    identity = {"job": step.job, **step.identity(), "inputs": fingerprint(rows)}
    session = _open(
        step,
        step.job,
        options,
        requested=len(rows),
        identity=identity,
        fields=None,
        ordered=True,
        kind="map",
    )
    store = session.store
    done_before = store.done_indices() if store is not None else set()
    session.stats.accepted = len(store.entries) if store is not None else 0
    session.stats.completed = len(done_before)
    pending = iter([i for i in range(len(rows)) if i not in done_before])
    results: dict[int, Any] = {}
    in_memory: dict[int, list[dict[str, Any]]] = {}

    def next_item() -> int | None:
        return None if session.stop else next(pending, None)

    def done(index: int, result: Any) -> None:
        stats = session.stats
        stats.attempts += 1
        stats.completed += 1
        session.count_usage(result)
        results[index] = result
        if result.ok or step.keep_failed:
            out = step.output_rows(index, rows[index], result)
            if store is not None:
                store.add(index, out)
            else:
                in_memory[index] = out
            stats.accepted += len(out)  # output rows, as resume counts them (paraphrase: n)
            stats.accepted_this_session += 1  # inputs, the unit of ``completed`` (for the ETA)
            stats.failed += 0 if result.ok else 1
        else:
            stats.rejected += 1
            session.reject(index, step.rejected_row(index, rows[index], result))
        if options.on_result is not None:
            options.on_result(index, result)
        session.tick()

    def finalize(status: str) -> tuple[str, str, dict[str, Any]]:
        updates: dict[str, Any] = {}
        if store is not None:  # this step joins its input's lineage
            lineage = dict(store.manifest.get("lineage") or {})
            entry = {
                "step": step.job,
                "input": store.manifest.get("input"),
                "output": str(store.output),
                "at": now(),
                "model": store.manifest.get("model"),
                "rows": len(store.entries),
                **step.step_summary(store.rows),
            }
            earlier = [e for e in lineage.get("steps", []) if e.get("output") != str(store.output)]
            lineage["steps"] = [*earlier, entry]  # a resumed run replaces its own entry
            updates["lineage"] = lineage
        if status == "budget":
            return status, _budget_message(session, session.stats.completed, len(rows)), updates
        return status, "", updates

    status, message = await _drive(
        session,
        next_item,
        "aprocess",
        lambda i: step.input_of(rows[i]),
        done,
        finalize,
        len(rows),
    )
    if store is not None:
        out_rows = store.rows
    else:
        out_rows = [r for i in sorted(in_memory) for r in in_memory[i]]
    return _result(session, out_rows, status, message, [results[i] for i in sorted(results)])


# --------------------------------------------------------------------------- sources


async def run_source(
    step: Any,
    n: int,
    options: RunOptions,
    *,
    max_attempts: int | None = None,
    fail_fast_after: int = 12,
) -> RunResult:
    """Attempts 0, 1, 2, ... until ``n`` admitted results (see the module docstring)."""
    identity = {"job": step.job, **step.identity()}
    session = _open(
        step,
        step.job,
        options,
        requested=n,
        identity=identity,
        fields=step.output_columns or None,
        ordered=False,
        kind="source",
    )
    store = session.store
    existing = store.rows if store is not None else []
    admission = step.admission(existing)
    accepted: list[dict[str, Any]] = []
    results: list[Any] = []
    need = max(0, n - len(existing))
    cap = max_attempts if max_attempts is not None else 3 * need + 10
    state = {
        "next": store.max_index() + 1 if store is not None else 0,
        "in_flight": 0,
        "streak": 0,
        "admitted": 0,
    }
    session.stats.accepted = session.stats.completed = len(existing)

    drawn: dict[int, Any] = {}

    def draw(index: int) -> Any:
        drawn[index] = step.input_at(index)
        return drawn[index]

    def next_item() -> int | object | None:
        if session.stop or state["admitted"] >= need:
            return None
        if state["admitted"] + state["in_flight"] >= need:
            return WAIT  # enough may be on the way; start more only if one fails
        if session.stats.attempts + state["in_flight"] >= cap:
            session.stop = session.stop or "cap"
            return None
        index = state["next"]
        state["next"] += 1
        state["in_flight"] += 1
        return index

    def done(index: int, result: Any) -> None:
        stats = session.stats
        state["in_flight"] -= 1
        drawn_input = drawn.pop(index, None)
        row = drawn_input if isinstance(drawn_input, Mapping) else {}
        stats.attempts += 1
        session.count_usage(result)
        verdict: Verdict | None
        if not result.ok:
            verdict = ("invalid", str(result.error or "invalid"))
        elif state["admitted"] >= need:
            verdict = ("surplus", "not needed: N records were already accepted")
        else:
            verdict = admission.admit(result)
        if verdict is None:
            out = step.output_rows(index, row, result)
            if store is not None:
                store.add(index, out)
            accepted.extend(out)
            results.append(result)
            state["admitted"] += 1
            state["streak"] = 0
            stats.accepted += 1
            stats.completed += 1
            stats.accepted_this_session += 1
        else:
            kind, reason = verdict
            state["streak"] += 1
            if kind in ("duplicate", "surplus"):
                stats.duplicates += kind == "duplicate"
            else:
                stats.rejected += 1
            rejected = step.rejected_row(index, row, result)
            session.reject(index, {**rejected, "kind": kind, "error": reason})
            if not state["admitted"] and state["streak"] >= fail_fast_after:
                session.stop = session.stop or "fail_fast"
        if options.on_result is not None:
            options.on_result(index, result)
        session.tick()

    def finalize(status: str) -> tuple[str, str, dict[str, Any]]:
        have = len(existing) + state["admitted"]
        updates = {"next_index": state["next"]}
        if status == "budget":
            return status, _budget_message(session, have, n), updates
        if status != "complete" or have >= n:
            return status, "", updates
        last = session.rejected[-1]["error"] if session.rejected else "no attempts"
        why = (
            f"{fail_fast_after} attempts in a row produced no valid record"
            if session.stop == "fail_fast"
            else f"the attempt cap ({cap}) was reached"
        )
        message = (
            f"Stopped with {have} of {n}: {why}. Last rejection: {last}. What was accepted "
            "is kept; check the rejections, loosen the schema or examples, try a larger "
            "model, or raise --max-attempts."
        )
        return "incomplete", message, updates

    status, message = await _drive(session, next_item, "aprocess", draw, done, finalize, n)
    rows = store.rows if store is not None else accepted
    return _result(session, rows, status, message, results)
