"""Measure another checkout of langsynth (e.g. ``main``) on the server this benchmark started.

A before/after comparison needs both trees on the same server in the same minutes: on a shared
2-core machine two runs a few minutes apart differ more than a change does. A benchmark runs
this tree in-process or through :func:`run_in_tree`, and the other tree through
:func:`run_in_tree`: a child process with ``PYTHONPATH=tree`` imports the benchmark module
and calls one of its functions with a JSON job; the chat model comes from :func:`endpoint_llm`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

_CHILD = """
import importlib, json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import langsynth
job = json.loads(sys.stdin.read())
fn = getattr(importlib.import_module(job.pop("module")), job.pop("function"))
out = fn(job)
out["langsynth_tree"] = str(Path(langsynth.__file__).resolve().parents[1])
print(json.dumps(out))
"""


def endpoint_llm(job: dict[str, Any], **kwargs: Any) -> Any:
    """The chat model of a job's endpoint (``base``, ``key``, ``name``), tagged as the embedded
    ``local`` model so the generator treats the server as llama.cpp (cache warm-up)."""
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    return ChatOpenAI(
        base_url=job["base"],
        api_key=SecretStr(job["key"]),
        model=job["name"],
        timeout=600,
        max_retries=1,
        metadata={"langsynth_spec": "local"},
        **kwargs,
    )


def run_in_tree(tree: Path, module: str, function: str, job: dict[str, Any]) -> dict[str, Any]:
    """``module.function(job)`` of ``benchmarks/`` with the ``langsynth`` of checkout ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    # The job holds the server's key: it goes through stdin, not the command line.
    done = subprocess.run(
        # -P: no current directory on sys.path, so the langsynth imported is ``tree``'s
        [sys.executable, "-P", "-c", _CHILD, str(HERE)],
        input=json.dumps({**job, "module": module, "function": function}),
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module}.{function} with {tree} failed:\n{done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if Path(result["langsynth_tree"]) != tree.resolve():
        got = result["langsynth_tree"]
        raise RuntimeError(f"the child imported langsynth from {got}, not from {tree}")
    return result
