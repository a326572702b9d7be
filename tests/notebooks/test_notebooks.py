"""Every tutorial notebook runs top to bottom on the embedded model (small size) and shows
what it promises.

A notebook fails the test if any cell raises, or if its key outputs are not there: each has
its checks below (a printed figure that must hold, a plot that must render). Durations are
written to ``out/test-timings/notebooks.json`` so the time each notebook takes is on record.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
TIMINGS = Path(__file__).resolve().parents[2] / "out" / "test-timings" / "notebooks.json"

pytestmark = pytest.mark.notebook


def _all_equal(*groups: str) -> bool:
    return len(set(groups)) == 1


# notebook -> (pattern that must appear in its outputs, check of the pattern's groups), and
# the number of plots it must render at least.
CHECKS: dict[str, tuple[list[tuple[str, Callable[..., bool]]], int]] = {
    "01_medical_billing_quickstart": (
        [
            (r"(\d+) records in [\d.]+s", lambda n: int(n) > 0),
            (r"distinct patient names: (\d+) of (\d+)", _all_equal),  # no duplicate names
            (r"legacy generator (failed|worked)", lambda _: True),  # the seed's code was run
            (r"report: \S+\.html \((\d+) KB, (\d+) plots\)", lambda kb, n: int(n) >= 3),
        ],
        0,
    ),
    "02_dataset_generator_and_extraction": (
        [
            (r"(\d+) texts in [\d.]+s", lambda n: int(n) > 0),
            (r"json_schema\s+(\d+)/(\d+) valid records", _all_equal),  # grammar: all valid
            (r"record F1 = ([\d.]+), exact = (True|False)", lambda f1, _: 0 <= float(f1) <= 1),
        ],
        1,
    ),
    "03_movie_recommendation_llm_judge": (
        [
            (r"judged (\d+) answers", lambda n: int(n) > 0),
            (r"kept (\d+) of (\d+) judged answers", lambda k, n: int(k) <= int(n)),
        ],
        1,
    ),
    "04_diversity_tinystories": (
        [(r"injected: (\d+)/(\d+) stories", lambda k, n: int(k) > 0)],
        1,
    ),
    "05_quality_pipeline_to_finetuning": (
        [
            (r"kept (\d+) of (\d+) rows", lambda k, n: 0 < int(k) <= int(n)),
            # no per-line issue; at the small size the only one is the file's size (< 10)
            (
                r"(?m)no issues: ready to upload|^\[\(0, '(\d+) examples; the fine-tuning API needs "
                r"at least 10'\)\]$",
                lambda n=None: n is None or int(n) < 10,
            ),
            (r"(?:train|all): (\d+) examples", lambda n: int(n) > 0),
        ],
        0,
    ),
    "06_benchmarking_extraction_chains": (
        [
            (r"(\d+) labelled texts", lambda n: int(n) > 0),
            # the grammar-constrained strategy parses every text and finds some of the fields
            (
                r"json_schema\s+micro F1 ([\d.]+)\s+parse rate ([\d.]+)",
                lambda f1, rate: float(f1) > 0 and float(rate) == 1.0,
            ),
        ],
        1,
    ),
}


def _outputs(nb: Any) -> tuple[str, int]:
    """All text a notebook printed or displayed, and how many images it rendered."""
    texts, images = [], 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                texts.append(out.get("text", ""))
            data = out.get("data", {})
            texts.append(data.get("text/plain", ""))
            images += "image/png" in data or "image/svg+xml" in data
    return "\n".join(t if isinstance(t, str) else "".join(t) for t in texts), images


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

    text, images = _outputs(nb)
    patterns, min_images = CHECKS[path.stem]
    for pattern, check in patterns:
        match = re.search(pattern, text)
        assert match, f"{path.name}: no output matches {pattern!r}"
        assert check(*match.groups()), f"{path.name}: {match.group(0)!r} fails its check"
    assert images >= min_images, f"{path.name}: {images} plots rendered, {min_images} expected"


def test_every_notebook_has_checks() -> None:
    assert {p.stem for p in NOTEBOOKS} == set(CHECKS)
