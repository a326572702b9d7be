"""The benchmark scripts keep working: every one runs with tiny sizes (``run_all.py --quick``).

The quick run writes into a temporary folder, never over ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import importlib
import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks"


@pytest.fixture(scope="module")
def run_all():  # type: ignore[no-untyped-def]
    # The scripts import each other as top-level modules (common, quality, ...): drop them
    # afterwards so they cannot shadow anything else in the test session.
    loaded = set(sys.modules)
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module("run_all")
    finally:
        sys.path.remove(str(BENCH))
        for name in set(sys.modules) - loaded:
            if (
                getattr(sys.modules[name], "__file__", "")
                and str(BENCH) in sys.modules[name].__file__
            ):
                del sys.modules[name]


def test_every_benchmark_parses_its_full_and_quick_arguments(run_all) -> None:  # type: ignore[no-untyped-def]
    for bench in run_all.BENCHMARKS:
        module = importlib.import_module(bench.name)
        for argv in (bench.full, bench.quick):
            args = module.build_parser().parse_args(shlex.split(argv))
            for option in bench.takes:  # run_all passes these through
                assert hasattr(args, option), (bench.name, option)
        assert callable(module.run) and callable(module.to_markdown)


@pytest.mark.integration
def test_quick_run_of_every_benchmark_writes_its_section(tmp_path: Path, run_all) -> None:  # type: ignore[no-untyped-def]
    results = tmp_path / "RESULTS.md"
    official = BENCH / "RESULTS.md"
    before = official.read_bytes() if official.exists() else None
    proc = subprocess.run(
        [sys.executable, str(BENCH / "run_all.py"), "--quick", "--results", str(results)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=1800,  # seven benchmarks, two embedded models, on a 2-core CI machine
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    store = json.loads(results.with_suffix(".json").read_text())
    default = [b for b in run_all.BENCHMARKS if not b.extra]
    assert sorted(store["sections"]) == sorted(b.name for b in default)
    text = results.read_text()
    for bench in default:
        entry = store["sections"][bench.name]
        assert "error" not in entry, entry.get("traceback")
        assert bench.title in text and entry["command"] in text
        assert "| --- |" in entry["markdown"]  # each section has its table
    speed = store["sections"]["generation_speed"]["result"]
    assert all(level["langsynth"]["records"] > 0 for level in speed["levels"])
    quality = store["sections"]["quality"]["result"]["schemas"]
    assert all(q["valid"] > 0 and q.get("judge", {}).get("judged") for q in quality)
    assert official.exists() is (before is not None)
    if before is not None:
        assert official.read_bytes() == before
