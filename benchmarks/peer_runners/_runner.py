"""What the peer runner scripts share; they run in the peer's own virtualenv (stdlib + pydantic).

Each ``run_<tool>.py`` is started by ``benchmarks/peers.py`` as
``<venv>/bin/python run_<tool>.py CONFIG.json RESULT.json``. CONFIG holds the job (server URL,
model name, N, concurrency, temperature, max tokens, the prompt, the schema file and class);
the script builds the tool's objects (untimed set-up), runs the job (timed) and writes RESULT:
the records as the tool returned them, the job's start and end (epoch seconds), the wall time,
the tool's errors and versions. A tool that fails writes its error instead of records; the
benchmark scores whatever comes back with langsynth's own Pydantic model.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

# A job: called once, timed; returns (records as dicts or raw text, notes for the report).
Job = Callable[[], tuple[list[Any], dict[str, Any]]]


def load_schema(config: dict[str, Any]) -> type[BaseModel]:
    """The schema class from its file: the very model langsynth validates with."""
    spec = importlib.util.spec_from_file_location("peer_schema", config["schema_file"])
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load schema file {config['schema_file']}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["peer_schema"] = module
    spec.loader.exec_module(module)
    model: type[BaseModel] = getattr(module, config["schema_class"])
    return model


def as_record(value: Any) -> Any:
    """A returned record as JSON-serialisable data (a model becomes a dict, text stays text)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return value
    return repr(value)


def versions(dists: list[str]) -> dict[str, str]:
    out = {}
    for dist in dists:
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def main(build: Callable[[dict[str, Any], type[BaseModel]], Job]) -> int:
    """Run a tool's job from the command line and write its RESULT file (never raises)."""
    config_path, result_path = Path(sys.argv[1]), Path(sys.argv[2])  # before a job edits argv
    config = json.loads(config_path.read_text())
    result: dict[str, Any] = {"versions": versions(config.get("dists", []))}
    started = ended = None
    try:
        job = build(config, load_schema(config))
        started = time.time()
        records, notes = job()
        ended = time.time()
        result.update(records=[as_record(r) for r in records], notes=notes, error=None)
    except BaseException as exc:  # the tool's failure is the result, with its traceback
        ended = time.time()
        result.update(
            records=[],
            notes={},
            error=f"{type(exc).__name__}: {exc}"[:2000],
            traceback=traceback.format_exc()[-4000:],
        )
    result.update(job_started=started, job_ended=ended)
    result["wall_s"] = round(ended - started, 3) if started is not None else None
    result_path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return 0 if result["error"] is None else 1
