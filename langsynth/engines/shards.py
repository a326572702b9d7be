"""The on-disk side of a sharded Ray Data run: lock, manifest, resume state.

Beside the folder of shards ``OUT/`` lives ``OUT.run/`` as for every run: ``manifest.json``
(the keys of a local run's manifest, with ``sharded: true``), ``lock`` (held while a process
writes the run) and ``rejected/`` (the rejections, one file per worker). A resume reads the
ids already in the shards and the rejections; see :mod:`langsynth.engines.dataset`.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from langsynth._version import __version__
from langsynth.errors import (
    ConfigurationError,
    OutputExistsError,
    RunInputChangedError,
    RunLockedError,
)
from langsynth.results import Usage
from langsynth.runs.store import MANIFEST, now, run_dir_for

INPUT_KINDS = ("jsonl", "parquet")


def input_format(sources: Sequence[str], given: str | None = None) -> str:
    """``jsonl`` or ``parquet``: ``given``, else told by the file names (folders: their files)."""
    if given is not None:
        if given not in INPUT_KINDS:
            raise ConfigurationError(f"input format must be jsonl or parquet, not {given!r}.")
        return given
    kinds = set()
    for source in sources:
        path = Path(source)
        local_dir = "://" not in source and path.is_dir()
        names = [p.name for p in path.iterdir() if p.is_file()] if local_dir else [source]
        for name in names:
            if name.endswith((".jsonl", ".ndjson", ".jsonl.gz")):
                kinds.add("jsonl")
            elif name.endswith(".parquet"):
                kinds.add("parquet")
    if len(kinds) != 1:
        raise ConfigurationError(
            f"The Ray Data path reads JSONL or parquet (one of them); {', '.join(sources)} "
            f"holds {', '.join(sorted(kinds)) or 'neither'}. Name the format with "
            "input_format='jsonl' or 'parquet' (e.g. for a folder in object storage)."
        )
    return kinds.pop()


def lock_run(rundir: Path, out: Path, *, resume: bool, overwrite: bool) -> Any:
    if resume and overwrite:
        raise OutputExistsError("Use either resume or overwrite, not both.")
    existed = out.exists() and any(out.iterdir())
    if existed and not (resume or overwrite):
        raise OutputExistsError(
            f"{out} already holds shards. Use resume to continue that run, or overwrite to "
            "start over."
        )
    rundir.mkdir(parents=True, exist_ok=True)
    fh = (rundir / "lock").open("a+", encoding="utf-8")
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        raise RunLockedError(
            f"{out} is being written by another langsynth process; wait for it or choose "
            "another output."
        ) from None
    if overwrite or not resume:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(rundir / "rejected", ignore_errors=True)
        (rundir / MANIFEST).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    return fh


def read_previous(rundir: Path) -> dict[str, Any]:
    path = rundir / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def write_manifest(rundir: Path, manifest: Mapping[str, Any]) -> None:
    tmp = rundir / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n")
    os.replace(tmp, rundir / MANIFEST)


def check_identity(out: Path, old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> None:
    if not old:
        return
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            raise RunInputChangedError(
                f"Cannot resume {out}: its run had {key} = {old.get(key)!r}, this one has "
                f"{new.get(key)!r}. Resume with the same job and input, or overwrite."
            )


def new_manifest(
    step: Any,
    out: Path,
    fmt: str,
    sources: list[str],
    identity: dict[str, Any],
    previous: Mapping[str, Any],
) -> dict[str, Any]:
    return {
        "langsynth_version": __version__,
        "job": step.job,
        "identity": identity,
        "output": str(out),
        "format": fmt,
        "sharded": True,
        "params": step.manifest_params(),
        "started_at": previous.get("started_at", now()),
        "sessions": int(previous.get("sessions", 0)) + 1,
        "status": "running",
        "pid": os.getpid(),
        "counts": dict(previous.get("counts", {})),
        "usage": dict(previous.get("usage", {})),
        "elapsed_s": float(previous.get("elapsed_s", 0.0)),
        "model": step.model_spec(),
        "columns": {"input": list(step.input_columns), "output": list(step.output_columns)},
        "input": sources[0] if len(sources) == 1 else sources,
        "kind": "map",
        "lineage": _lineage(sources),
        **step.manifest_extra(),
    }


def _lineage(sources: list[str]) -> dict[str, Any]:
    """Where the input came from (the lineage of a single local input file), as a map run's."""
    from langsynth.lineage import read_lineage

    if len(sources) == 1 and Path(sources[0]).is_file():
        return read_lineage(sources[0])
    return {"generation": None, "steps": []}


def finish_manifest(
    rundir: Path,
    manifest: dict[str, Any],
    status: str,
    counts: Mapping[str, int],
    usage: Usage,
    elapsed: float,
    executor: dict[str, Any],
) -> None:
    totals = manifest.setdefault("counts", {})
    for key in ("rejected", "failed"):
        totals[key] = int(totals.get(key, 0)) + counts[key]
    totals["accepted"] = int(totals.get("accepted", 0)) + counts["accepted"]
    totals["attempts"] = int(totals.get("attempts", 0)) + counts["rows"] - counts["skipped"]
    all_usage = Usage.from_dict(manifest.get("usage"))
    all_usage.add(usage)
    lineage = dict(manifest.get("lineage") or {})
    entry = {
        "step": manifest["job"],
        "input": manifest.get("input"),
        "output": manifest["output"],
        "at": now(),
        "model": manifest.get("model"),
        "rows": totals["accepted"],
        "sharded": True,
    }
    earlier = [e for e in lineage.get("steps", []) if e.get("output") != manifest["output"]]
    lineage["steps"] = [*earlier, entry]  # a resumed run replaces its own entry
    manifest.update(
        lineage=lineage,
        usage=all_usage.to_dict(),
        elapsed_s=round(float(manifest.get("elapsed_s", 0.0)) + elapsed, 3),
        last_session={**counts, "elapsed_s": round(elapsed, 3), **usage.to_dict()},
        executor=executor,
        status=status,
        finished_at=now(),
    )
    manifest.pop("pid", None)
    write_manifest(rundir, manifest)


def done_ids(out: Path, fmt: str) -> set[str]:
    """The ids of the rows already in the shards (and in the rejections)."""
    from langsynth.datafile import read_rows

    done: set[str] = set()
    rejected = run_dir_for(out) / "rejected"
    paths = sorted(out.glob(f"part-*.{fmt}")) + sorted(rejected.glob("part-*.jsonl"))
    for path in paths:
        for row in read_rows(path):
            if row.get("id") is not None:
                done.add(str(row["id"]))
    return done
