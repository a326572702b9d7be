"""Where a data file came from: the generating run's manifest and the steps applied since.

A run of the engine keeps ``OUT.run/manifest.json``. A generating run (a source: records,
stories, ...) *is* the origin; a run that maps rows (text, extract, judge, ...) records in its
manifest the lineage of its input plus one entry for itself. The quick steps that run without
the engine (``dedup``, ``filter``) write ``OUT.steps.json`` the same way. The data card of an
export and the report read this to say how many records were generated, rejected, marked as
duplicates, filtered, and how the judge scored them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from langsynth.errors import DataFileError


def run_dir_for(output: str | Path) -> Path:
    """The run directory of an output file: ``out.csv`` -> ``out.csv.run``."""
    p = Path(output)
    return p.with_name(p.name + ".run")


MANIFEST = "manifest.json"


def read_manifest(output: str | Path) -> dict[str, Any] | None:
    """The manifest of the run that wrote ``output``, if there is one."""
    path = run_dir_for(output) / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataFileError(f"{path}: damaged manifest ({exc.msg}).") from None
    return data if isinstance(data, dict) else None


def steps_path(output: str | Path) -> Path:
    """``out.jsonl`` -> ``out.jsonl.steps.json``."""
    p = Path(output)
    return p.with_name(p.name + ".steps.json")


def read_lineage(path: str | Path) -> dict[str, Any]:
    """``{"generation": manifest or None, "steps": [...]}`` known for the data file ``path``."""
    sidecar = steps_path(path)
    if sidecar.is_file():
        try:
            data = json.loads(sidecar.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DataFileError(f"{sidecar}: damaged lineage file ({exc.msg}).") from None
        if isinstance(data, dict):
            data.setdefault("generation", None)
            data.setdefault("steps", [])
            return data
    manifest = read_manifest(path)
    if manifest is None:
        return {"generation": None, "steps": []}
    if manifest.get("kind") == "map":  # a run over the rows of another file
        lineage = manifest.get("lineage") or {}
        return {"generation": lineage.get("generation"), "steps": list(lineage.get("steps", []))}
    return {"generation": manifest, "steps": []}


def record_step(
    output: str | Path, source: str | Path | None, step: str, details: Mapping[str, Any]
) -> Path:
    """Write ``output``'s lineage: ``source``'s lineage plus this step."""
    lineage = read_lineage(source) if source is not None else {"generation": None, "steps": []}
    entry = {
        "step": step,
        "input": str(source) if source is not None else None,
        "output": str(output),
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **dict(details),
    }
    lineage["steps"] = [*lineage.get("steps", []), entry]
    path = steps_path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(lineage, indent=2, ensure_ascii=False, default=str) + "\n")
    os.replace(tmp, path)
    return path


def last_step(lineage: Mapping[str, Any], step: str) -> dict[str, Any] | None:
    """The most recent entry of kind ``step`` in a lineage."""
    for entry in reversed(lineage.get("steps", [])):
        if entry.get("step") == step:
            return dict(entry)
    return None
