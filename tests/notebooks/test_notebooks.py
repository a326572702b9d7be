"""Every tutorial notebook runs top to bottom on the embedded model (small size).

A notebook fails the test if any cell raises. Durations are written to
``out/test-timings/notebooks.json`` so the time each notebook takes is on record.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
TIMINGS = Path(__file__).resolve().parents[2] / "out" / "test-timings" / "notebooks.json"

pytestmark = pytest.mark.notebook


def test_notebooks_exist() -> None:
    assert NOTEBOOKS, "no notebooks found in notebooks/"


def test_notebooks_are_committed_without_outputs() -> None:
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            assert not cell.get("outputs"), f"{path.name} has outputs; strip them"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path, tmp_path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    os.environ["LANGSYNTH_NOTEBOOK_SIZE"] = "small"
    client = NotebookClient(
        nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError with the failing cell's traceback
    elapsed = time.perf_counter() - start
    TIMINGS.parent.mkdir(parents=True, exist_ok=True)
    timings = json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}
    timings[path.stem] = round(elapsed, 1)
    TIMINGS.write_text(json.dumps(timings, indent=2, sort_keys=True) + "\n")
