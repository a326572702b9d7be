"""Row-parallel jobs over large files with Ray Data: sharded output, the same rows and manifest.

Two ways to run a map step (text, extract, round trip, ...) on Ray; which to use:

- :class:`~langsynth.engines.executor.RayExecutor` with ``step.run(rows, executor=...)``
  (``--engine ray``): the run engine on the driver reads the input, journals every row,
  writes one output file in input order, and resumes row by row. The driver holds the
  input and the output in memory and writes every row itself: the choice up to a few
  million rows, and the only one for generation (exactly N needs one place that dedups).
- :func:`run_dataset` (this module): for inputs larger than the driver should hold, or
  spread over many files or object storage. Ray Data streams the input in blocks
  (``read_text`` for JSONL — each line parsed as is, so the rows are exactly what a local
  run reads — or ``read_parquet``), ``map_batches`` runs the same step objects in Ray
  workers, and each worker writes its own shards under the output directory
  (``part-*.jsonl``, or ``part-*.parquet`` per batch) with the writers of a local run; the
  driver only sees per-batch counts. The model calls still go through one
  :class:`~langsynth.engines.ray.RayActorPool`, in an actor of its own, so endpoint health,
  retries elsewhere and the per-endpoint counters are the same as with ``--engine ray``.

Rows of the sharded output are not in input order; each keeps the input's ``id`` (or, for a
row without one, a digest of its content), which is also how ``resume=True`` skips the rows
already written (at batch granularity: a batch lands in a shard whole or not at all). Rows
that failed and are not kept (``keep_failed``) go to ``OUTPUT.run/rejected/``; the manifest
(``OUTPUT.run/manifest.json``) has the same keys as a local run's, with ``sharded: true``.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langsynth.datafile import JsonlAppender, write_rows
from langsynth.engines.endpoints import Endpoint, parse_endpoints
from langsynth.engines.ray import RayActorPool, import_ray, init_ray
from langsynth.engines.ray_worker import ComponentFactory, endpoint_chat_model
from langsynth.engines.shards import (
    check_identity,
    done_ids,
    finish_manifest,
    lock_run,
    new_manifest,
    read_previous,
    write_manifest,
)
from langsynth.engines.shards import (
    input_format as detect_input_format,
)
from langsynth.errors import (
    ConfigurationError,
    LangsynthError,
    RunFailedError,
)
from langsynth.results import Usage, usage_of
from langsynth.runs.signals import graceful_signals
from langsynth.runs.store import run_dir_for

FORMATS = ("jsonl", "parquet")
COUNTS = ("rows", "accepted", "failed", "rejected", "skipped")


class PoolActor:
    """The run's one actor pool, in a Ray actor of its own, called by every data worker."""

    def __init__(
        self, factory: ComponentFactory, endpoints: list[Endpoint], options: dict[str, Any]
    ) -> None:
        self.pool = RayActorPool(factory, endpoints, **options)

    async def start(self) -> dict[str, str | None]:
        await self.pool.start()
        return dict(self.pool.models)

    async def call(self, method: str, arg: Any) -> Any:
        return await self.pool.call(method, arg)

    def summary(self) -> dict[str, Any]:
        return self.pool.summary()

    async def close(self) -> None:
        await self.pool.aclose()


def row_key(row: Mapping[str, Any]) -> str:
    """A row's id in the sharded output: its ``id``, else a digest of its content."""
    value = row.get("id")
    if value is not None:
        return str(value)
    text = json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class StepBatches:
    """The ``map_batches`` worker: one batch of input rows -> shards + one row of counts.

    It builds its own copy of the step (for ``input_of``, ``output_rows``, the checks); the
    step's ``aprocess`` runs in the pool's actors beside the endpoints.
    """

    def __init__(
        self,
        factory: ComponentFactory,
        pool: Any,
        endpoint: Endpoint,
        model: str | None,
        llm_kwargs: dict[str, Any],
        output: str,
        kind: str,
        fmt: str,
        done: Any,
    ) -> None:
        ray = import_ray()
        self.ray = ray
        self.step = factory(endpoint_chat_model(endpoint, model, llm_kwargs))
        self.pool = pool
        self.output = Path(output)
        self.kind = kind
        self.fmt = fmt
        self.done: frozenset[str] = ray.get(done) if done is not None else frozenset()
        self.name = uuid.uuid4().hex[:12]
        self.batches = 0
        self.out: JsonlAppender | None = None  # opened with the first rows: no empty shards
        self.rejects: JsonlAppender | None = None

    def _rows(self, batch: Any) -> list[dict[str, Any]]:
        if self.kind == "jsonl":  # read_text: one line per row, parsed as a local run does
            rows = []
            for line in batch.column("text").to_pylist():
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise ConfigurationError(f"An input line is not a JSON object: {line[:80]}")
                rows.append(row)
            return rows
        return list(batch.to_pylist())

    def __call__(self, batch: Any) -> dict[str, list[Any]]:
        """Process one batch; a fault that is not about a row (every endpoint down, a bad
        input row) is reported in the counts row, with the rows finished before it written."""
        counts = dict.fromkeys(COUNTS, 0)
        usage = Usage()
        error = ("", "")
        try:
            rows = self._rows(batch)
            keys = [row_key(r) for r in rows]
            todo = [(k, r) for k, r in zip(keys, rows, strict=True) if k not in self.done]
            counts["rows"], counts["skipped"] = len(rows), len(rows) - len(todo)
            self.step.check_rows([r for _, r in todo])
            refs = [self.pool.call.remote("aprocess", self.step.input_of(r)) for _, r in todo]
        except LangsynthError as exc:
            return _counts(counts, usage, (type(exc).__name__, str(exc)))
        results: list[Any] = []
        for ref in refs:
            try:
                results.append(self.ray.get(ref))
            except LangsynthError as exc:  # Ray's wrapper subclasses the error it carries
                cause = getattr(exc, "cause", None) or exc
                if not error[0]:
                    error = (type(cause).__name__, str(cause))
                results.append(None)
        self._collect(todo, results, counts, usage)
        return _counts(counts, usage, error)

    def _collect(
        self,
        todo: list[tuple[str, dict[str, Any]]],
        results: list[Any],
        counts: dict[str, int],
        usage: Usage,
    ) -> None:
        written: list[dict[str, Any]] = []
        rejected: list[dict[str, Any]] = []
        for (key, row), result in zip(todo, results, strict=True):
            if result is None:  # not done: a resume redoes it
                continue
            usage.add(usage_of(result))
            if result.ok or self.step.keep_failed:
                # The row's id (or digest) stands in for its index: ids are how a resume
                # knows what is done, so every output row carries one.
                out = self.step.output_rows(key, row, result)
                written.extend({"id": key, **r} if "id" not in r else r for r in out)
                counts["accepted"] += 1
                counts["failed"] += 0 if result.ok else 1
            else:
                counts["rejected"] += 1
                rejected.append({"id": key, **self.step.rejected_row(key, row, result)})
        self._write(written, rejected)

    def _write(self, written: list[dict[str, Any]], rejected: list[dict[str, Any]]) -> None:
        if written:
            if self.fmt == "jsonl":
                if self.out is None:
                    self.out = JsonlAppender(self.output / f"part-{self.name}.jsonl")
                self.out.write_many(written)
            else:
                write_rows(self.output / f"part-{self.name}-{self.batches:05d}.parquet", written)
                self.batches += 1
        if rejected:
            if self.rejects is None:
                where = run_dir_for(self.output) / "rejected" / f"part-{self.name}.jsonl"
                self.rejects = JsonlAppender(where)
            self.rejects.write_many(rejected)


def _counts(counts: dict[str, int], usage: Usage, error: tuple[str, str]) -> dict[str, list[Any]]:
    """The one-row batch a worker returns: counts, usage, and the error type and message."""
    return {
        **{k: [v] for k, v in counts.items()},
        **{k: [v] for k, v in usage.to_dict().items()},
        "error_type": [error[0]],
        "error": [error[1]],
    }


@dataclass
class DatasetRun:
    """What :func:`run_dataset` did: counts of this session, the manifest, the endpoints."""

    output: Path
    status: str
    counts: dict[str, int]
    usage: Usage
    elapsed_s: float
    manifest: dict[str, Any] = field(repr=False)
    executor: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def complete(self) -> bool:
        return self.status == "complete"

    def shards(self) -> list[Path]:
        """The output's shard files."""
        return sorted(p for p in self.output.glob("part-*") if p.is_file())


def run_dataset(
    factory: ComponentFactory,
    source: str | Path | Sequence[str | Path],
    output: str | Path,
    endpoints: str | Sequence[str | Endpoint],
    *,
    fmt: str = "jsonl",
    input_format: str | None = None,
    slots_per_endpoint: int = 4,
    model: str | None = None,
    llm_kwargs: Mapping[str, Any] | None = None,
    ray_address: str | None = None,
    batch_size: int | None = None,
    workers: int = 2,
    resume: bool = False,
    overwrite: bool = False,
    on_batch: Callable[[dict[str, int]], None] | None = None,
    **pool_options: Any,
) -> DatasetRun:
    """Run a map step over ``source`` with Ray Data into shards under ``output`` (see module).

    Args:
        factory: ``factory(llm) -> step`` of a map step (e.g.
            ``step_factory("extract", schema=..., strategy="json_schema")``).
        source: JSONL or parquet file(s) or folder(s) (local paths, or any filesystem Ray
            Data reads, e.g. ``s3://``; all of one format).
        output: the folder of shards; ``fmt`` is ``jsonl`` or ``parquet``.
        input_format: ``jsonl`` or ``parquet`` (default: told by the file names).
        batch_size: rows per batch (default: twice the slots of all endpoints, at least 16);
            a batch is written as one unit. ``workers``: data workers (each sends a batch at
            a time to the pool, which keeps every endpoint's slots busy).
        resume / overwrite: continue the run that wrote ``output`` / start over.
        on_batch: called with the counts of each finished batch (a progress display).
        llm_kwargs, model, slots_per_endpoint, ray_address, pool_options: as for
            :class:`~langsynth.engines.executor.RayExecutor`.
    """
    if fmt not in FORMATS:
        raise ConfigurationError(f"fmt must be one of {', '.join(FORMATS)}, not {fmt!r}.")
    sources = [str(s) for s in ([source] if isinstance(source, str | Path) else source)]
    kind = detect_input_format(sources, input_format)
    out = Path(output)
    if out.suffix in (".jsonl", ".json", ".parquet", ".csv"):
        raise ConfigurationError(
            f"{out} names a file; the sharded output is a folder (e.g. {out.with_suffix('')}/)."
        )
    rundir = run_dir_for(out)
    endpoint_list = parse_endpoints(endpoints, slots=slots_per_endpoint, model=model)
    kwargs = dict(llm_kwargs or {})
    init_ray(ray_address)
    ray = import_ray()
    _quiet_data(ray)
    lock = lock_run(rundir, out, resume=resume, overwrite=overwrite)
    pool = None
    started = time.perf_counter()
    try:
        previous = read_previous(rundir) if resume else {}
        step = factory(endpoint_chat_model(endpoint_list[0], model, kwargs))
        identity = {"job": step.job, **step.identity(), "input": sources}
        check_identity(out, previous.get("identity"), identity)
        remote = ray.remote(PoolActor).options(num_cpus=0, max_concurrency=1_000_000)
        pool = remote.remote(factory, endpoint_list, {"llm_kwargs": kwargs, **pool_options})
        try:
            models = ray.get(pool.start.remote())
        except ray.exceptions.RayTaskError as exc:  # e.g. every endpoint down: say just that
            if isinstance(exc.cause, LangsynthError):
                raise exc.cause from None
            raise
        served = model or next((m for m in models.values() if m), None)
        if served != model:  # the step's manifest names the model the endpoints serve
            step = factory(endpoint_chat_model(endpoint_list[0], served, kwargs))
        manifest = new_manifest(step, out, fmt, sources, identity, previous)
        write_manifest(rundir, manifest)
        done = done_ids(out, fmt) if resume else set()
        capacity = sum(e.slots for e in endpoint_list)
        data = ray.data.read_text(sources) if kind == "jsonl" else ray.data.read_parquet(sources)
        batches = data.map_batches(
            StepBatches,
            fn_constructor_kwargs={
                "factory": factory,
                "pool": pool,
                "endpoint": endpoint_list[0],
                "model": served,
                "llm_kwargs": kwargs,
                "output": str(out),
                "kind": kind,
                "fmt": fmt,
                "done": ray.put(frozenset(done)) if done else None,
            },
            batch_size=batch_size or max(16, 2 * capacity),
            batch_format="pyarrow",
            compute=ray.data.ActorPoolStrategy(min_size=1, max_size=max(1, workers)),
            num_cpus=0.1,  # they wait on the endpoints; leave the CPUs to reading
        )
        counts = dict.fromkeys(COUNTS, 0)
        usage = Usage()
        status = "failed"
        try:
            with graceful_signals():  # SIGTERM ends it as Ctrl-C does: manifest "interrupted"
                failure = _consume(batches, counts, usage, on_batch)
            if failure is not None:
                raise RunFailedError(
                    f"{str(failure).splitlines()[0]} Kept {counts['accepted']} rows in {out} "
                    "this session; rerun with resume to continue.",
                    cause=failure,
                    kept=counts["accepted"],
                    output=out,
                ) from failure
            status = "complete"
        except KeyboardInterrupt:
            status = "interrupted"
            raise
        finally:
            elapsed = time.perf_counter() - started
            executor = {"engine": "ray-data", "model": served, **ray.get(pool.summary.remote())}
            finish_manifest(rundir, manifest, status, counts, usage, elapsed, executor)
        return DatasetRun(out, status, counts, usage, elapsed, manifest, executor)
    finally:
        if pool is not None:
            ray.get(pool.close.remote())
            ray.kill(pool)
        fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
        lock.close()


# --------------------------------------------------------------------------- helpers


def _quiet_data(ray: Any) -> None:
    """No Ray Data progress bars or per-operator logs: the caller shows its own progress."""
    import logging

    ray.data.DataContext.get_current().enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    # Its only news is that the bars are off, which we asked for.
    logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)


def _consume(
    batches: Any,
    counts: dict[str, int],
    usage: Usage,
    on_batch: Callable[[dict[str, int]], None] | None,
) -> LangsynthError | None:
    """Add up the workers' counts rows; the first error a worker reports ends the run."""
    from langsynth import errors

    for summary in batches.iter_batches(batch_size=None, batch_format="pandas"):
        for row in summary.to_dict("records"):
            for key in COUNTS:
                counts[key] += int(row[key])
            usage.add(Usage.from_dict(row))
            if on_batch is not None:
                on_batch(dict(counts))
            if row["error"]:
                kind = getattr(errors, str(row["error_type"]), None)
                if not (isinstance(kind, type) and issubclass(kind, LangsynthError)):
                    kind = LangsynthError
                return kind(str(row["error"]))
    return None
