"""A run on disk: the journal, the rejections, the manifest, the lock, and the output mirror.

Beside an output file ``out.jsonl`` lives ``out.jsonl.run/``:

- ``journal.jsonl`` — one flushed line per output row, ``{"i": index, "row": {...}}``; the
  source of truth for resume (the output file is rewritten from it);
- ``rejected.jsonl`` — every attempt that is not in the output, ``{"i", "kind", "error",
  "raw_output", ...}`` (invalid answers, duplicates, rows that failed a check);
- ``manifest.json`` — job, schema, model, parameters, status, counts, token usage, cost,
  timing, sessions, lineage (written atomically);
- ``lock`` — held with ``flock`` while a process writes the run, so a second process is
  refused instead of interleaving lines; the kernel releases it when the holder dies.

A ``kill -9`` in the middle of a write can leave a torn last line; it is dropped (with a
warning) when the run is opened again. CSV and JSONL outputs grow row by row; JSON and
parquet are written when the run closes. The output is rewritten from the journal on
close and on resume, in input order for map jobs, so it always matches the journal.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from langsynth._version import __version__
from langsynth.datafile import CsvAppender, JsonlAppender, file_format, write_rows
from langsynth.errors import (
    DataFileError,
    OutputExistsError,
    RunInputChangedError,
    RunLockedError,
)
from langsynth.lineage import MANIFEST, read_manifest, run_dir_for

log = logging.getLogger(__name__)

JOURNAL = "journal.jsonl"
REJECTED = "rejected.jsonl"
LOCK = "lock"


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def check_output(output: str | Path, *, resume: bool = False, overwrite: bool = False) -> None:
    """Fail early (before any model call) if ``output`` exists and may not be written."""
    path = Path(output)
    file_format(path)
    if resume and overwrite:
        raise OutputExistsError("Use either resume or overwrite, not both.")
    if (path.exists() or (run_dir_for(path) / JOURNAL).exists()) and not (resume or overwrite):
        raise OutputExistsError(
            f"{path} already exists. Use --resume to continue that run, or --overwrite to "
            "start over."
        )


def fingerprint(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Count and sha256 of input rows, so a resume can tell the input changed."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps(row, sort_keys=True, ensure_ascii=False, default=str).encode())
        digest.update(b"\n")
    return {"count": len(rows), "sha256": digest.hexdigest()}


def read_journal_lines(path: Path) -> list[dict[str, Any]]:
    """The JSON objects of a journal file; a torn last line (no newline) is cut off the file."""
    if not path.is_file():
        return []
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    if end < len(data):
        log.warning(
            "%s: dropped a torn last line (%d bytes) left by an interrupted write",
            path,
            len(data) - end,
        )
        with path.open("r+b") as fh:
            fh.truncate(end)
        data = data[:end]
    out: list[dict[str, Any]] = []
    for lineno, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataFileError(
                f"{path}, line {lineno}: damaged journal line ({exc.msg}); remove that line "
                "or start over with --overwrite."
            ) from None
        if not isinstance(obj, dict):
            raise DataFileError(f"{path}, line {lineno}: expected a JSON object.")
        out.append(obj)
    return out


class RunStore:
    """Persists one run; see the module docstring for the layout.

    >>> store = RunStore("out/judged.jsonl", job="judge")  # doctest: +SKIP
    >>> store.open(params={}, resume=False, overwrite=True)  # doctest: +SKIP
    """

    def __init__(
        self,
        output: str | Path,
        *,
        job: str,
        fields: Sequence[str] | None = None,
        ordered: bool = False,
    ) -> None:
        self.output = Path(output)
        self.format = file_format(self.output)
        self.job = job
        self.fields = list(fields) if fields else None
        self.ordered = ordered  # map jobs: output in input order
        self.dir = run_dir_for(self.output)
        self.journal_path = self.dir / JOURNAL
        self.rejected_path = self.dir / REJECTED
        self.manifest_path = self.dir / MANIFEST
        self.manifest: dict[str, Any] = {}
        self.entries: list[tuple[int, dict[str, Any]]] = []  # (input index, row)
        self.rejected_indices: set[int] = set()
        self.previous: dict[str, Any] = {}
        self._lock_fh: IO[str] | None = None
        self._journal: JsonlAppender | None = None
        self._rejects: JsonlAppender | None = None
        self._out: JsonlAppender | CsvAppender | None = None

    # ------------------------------------------------------------------ opening

    def _acquire_lock(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        fh = (self.dir / LOCK).open("a+", encoding="utf-8")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise RunLockedError(
                f"{self.output} is being written by another langsynth process (pid {holder}); "
                "wait for it to finish, stop it, or choose another output."
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._lock_fh = fh

    def _release_lock(self) -> None:
        if self._lock_fh is not None:
            fcntl.flock(self._lock_fh.fileno(), fcntl.LOCK_UN)
            self._lock_fh.close()
            self._lock_fh = None

    def _clear(self) -> None:
        for name in (JOURNAL, REJECTED, MANIFEST):
            (self.dir / name).unlink(missing_ok=True)
        self.output.unlink(missing_ok=True)

    def open(
        self,
        *,
        params: Mapping[str, Any],
        resume: bool = False,
        overwrite: bool = False,
        identity: Mapping[str, Any] | None = None,
    ) -> None:
        """Start a run, or continue the one on disk (``resume``).

        ``identity`` (job, schema, input fingerprint, ...) must equal the stored one for a
        resume; otherwise :class:`RunInputChangedError` says what differs.
        """
        if resume and overwrite:
            raise OutputExistsError("Use either resume or overwrite, not both.")
        existed = self.output.exists() or self.journal_path.exists()
        self._acquire_lock()
        try:
            old = read_manifest(self.output)
            if existed and not (resume or overwrite):
                raise OutputExistsError(
                    f"{self.output} already exists. Use --resume to continue that run, or "
                    "--overwrite to start over."
                )
            if resume and old is None and self.output.exists():
                raise OutputExistsError(
                    f"{self.output} exists but has no run directory ({self.dir.name}) to resume "
                    "from; use --overwrite to start over or choose another output."
                )
            if resume and old is not None:
                self._check_identity(old.get("identity") or {}, dict(identity or {}))
                self.previous = old
                self._load()
            else:
                self._clear()
            self.manifest = {
                "langsynth_version": __version__,
                "job": self.job,
                "identity": dict(identity or {}),
                "output": str(self.output),
                "format": self.format,
                "params": dict(params),
                "started_at": self.previous.get("started_at", now()),
                "sessions": int(self.previous.get("sessions", 0)) + 1,
                "status": "running",
                "pid": os.getpid(),
                "next_index": int(self.previous.get("next_index", 0)),
                "counts": dict(self.previous.get("counts", {})),
                "usage": dict(self.previous.get("usage", {})),
                "elapsed_s": float(self.previous.get("elapsed_s", 0.0)),
            }
            if "cost_usd" in self.previous:
                self.manifest["cost_usd"] = self.previous["cost_usd"]
            self.write_manifest()
            self._rewrite_output()
            self._journal = JsonlAppender(self.journal_path)
            self._rejects = JsonlAppender(self.rejected_path)
            if self.format == "jsonl":
                self._out = JsonlAppender(self.output)
            elif self.format == "csv" and self.fields:
                self._out = CsvAppender(self.output, self.fields)
        except BaseException:
            self._release_lock()
            raise

    def _check_identity(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                raise RunInputChangedError(
                    f"Cannot resume {self.output}: its run had {key} = {old.get(key)!r}, this "
                    f"one has {new.get(key)!r}. Resume with the same job and input, or use "
                    "--overwrite (or another output) to start a new run."
                )

    def _load(self) -> None:
        for line in read_journal_lines(self.journal_path):
            row = line.get("row")
            if not isinstance(row, dict) or not isinstance(line.get("i"), int):
                raise DataFileError(f"{self.journal_path}: a line lacks its 'i' or 'row'.")
            self.entries.append((line["i"], row))
        for line in read_journal_lines(self.rejected_path):
            if isinstance(line.get("i"), int):
                self.rejected_indices.add(line["i"])

    # ------------------------------------------------------------------ state

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The output rows so far (input order for map jobs, acceptance order otherwise)."""
        entries = sorted(self.entries, key=lambda e: e[0]) if self.ordered else self.entries
        return [row for _, row in entries]

    def done_indices(self) -> set[int]:
        """Input indices that have a result (in the output or among the rejections)."""
        return {i for i, _ in self.entries} | self.rejected_indices

    def max_index(self) -> int:
        """The highest index used so far, -1 if none."""
        return max(self.done_indices(), default=-1)

    # ------------------------------------------------------------------ writing

    def add(self, index: int, rows: Iterable[Mapping[str, Any]]) -> None:
        """Journal the output rows of input/attempt ``index`` (one write), then mirror them."""
        assert self._journal is not None, "open() the run first"
        items = [dict(r) for r in rows]
        self._journal.write_many([{"i": index, "row": r} for r in items])
        for row in items:
            self.entries.append((index, row))
            if self._out is not None:
                self._out.write(row)
            elif self.format == "csv":
                self.fields = list(row)
                self._out = CsvAppender(self.output, self.fields)
                self._out.write(row)

    def reject(self, index: int, row: Mapping[str, Any]) -> None:
        assert self._rejects is not None, "open() the run first"
        self._rejects.write({"i": index, **row})
        self.rejected_indices.add(index)

    def _rewrite_output(self) -> None:
        rows = self.rows
        if rows or self.format in ("parquet", "json"):
            write_rows(self.output, rows, fields=self.fields)

    def write_manifest(self) -> None:
        tmp = self.manifest_path.with_name(MANIFEST + ".tmp")
        tmp.write_text(json.dumps(self.manifest, indent=2, ensure_ascii=False, default=str) + "\n")
        os.replace(tmp, self.manifest_path)

    def close(self, *, status: str, updates: Mapping[str, Any]) -> None:
        """Flush the files, rewrite the output from the journal, finish the manifest, unlock."""
        try:
            for handle in (self._journal, self._rejects, self._out):
                if handle is not None:
                    handle.close()
            self._journal = self._rejects = self._out = None
            self._rewrite_output()
            self.manifest.update(updates)
            self.manifest.update(status=status, finished_at=now())
            self.manifest.pop("pid", None)
            self.write_manifest()
        finally:
            self._release_lock()
