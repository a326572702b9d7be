"""Where a data file came from: the generation manifest and the quality steps applied since.

Every quality command (``judge``, ``dedup``, ``filter``) writes ``OUT.steps.json`` beside
its output: the lineage of its input (the generator's ``INPUT.run/manifest.json`` and the
input's own ``.steps.json``) plus one entry for itself with its settings and counts. The
data card of an export reads this to say how many records were generated, rejected,
marked as duplicates, filtered, and how the judge scored them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from langsynth.errors import DataFileError


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
    from langsynth.runs import read_manifest

    return {"generation": read_manifest(path), "steps": []}


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
