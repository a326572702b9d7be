"""The benchmark scripts' own logic: run_all's stored sections, judge_quality's repeats."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _script(name: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def test_a_stored_section_is_replaced_only_when_its_text_changed(tmp_path: Path) -> None:
    run_all = _script("run_all")
    path = tmp_path / "judge_quality.md"
    path.write_text("# Judge quality\n\nGap 1.77.\n")
    entry = run_all.stored_entry("judge_quality", path)
    assert entry is not None and entry["markdown"] == "Gap 1.77."
    os.utime(path, (2_000_000_000, 2_000_000_000))  # a fresh checkout: newer, same text
    assert not run_all._changed("judge_quality", path, entry)
    path.write_text("# Judge quality\n\nGap 1.83.\n")
    assert run_all._changed("judge_quality", path, entry)


def test_repeated_judge_runs_report_their_spread_and_the_items_that_moved() -> None:
    jq = _script("judge_quality")

    def run(gap: float, scores: list[int]) -> dict:  # type: ignore[type-arg]
        overall = {"gap": gap, "pairwise": 0.9, "spearman": 0.7, "min_task_gap": None}
        rows = [{"id": f"x-{i}", "score": s} for i, s in enumerate(scores)]
        return {"score": {"overall": overall}, "seconds": 10.0, "rows": rows}

    assert "repeats" not in jq.with_repeats([run(1.5, [5, 2])])
    merged = jq.with_repeats([run(1.5, [5, 2, 4]), run(2.0, [5, 3, 4])])
    assert merged["score"]["overall"]["gap"] == 1.5  # the first run's table
    repeats = merged["repeats"]
    assert (
        repeats["n"] == 2 and repeats["changed_items"] == ["x-1"] and repeats["gap"] == [1.5, 2.0]
    )
    line = jq.spread_line("langsynth", repeats, 3)
    assert "gap 1.75 (1.50-2.00)" in line and "1 of 3 items changed" in line
    assert "min task gap" not in line  # no value in any run
