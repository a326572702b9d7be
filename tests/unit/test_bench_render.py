"""`benchmarks/run_all.py --render`: a stored section is replaced only when its file changed."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run_all():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("run_all", ROOT / "benchmarks" / "run_all.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("run_all", module)  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def test_a_stored_section_is_replaced_only_when_its_text_changed(tmp_path: Path) -> None:
    run_all = _run_all()
    path = tmp_path / "judge_quality.md"
    path.write_text("# Judge quality\n\nGap 1.77.\n")
    entry = run_all.stored_entry("judge_quality", path)
    assert entry is not None and entry["markdown"] == "Gap 1.77."
    os.utime(path, (2_000_000_000, 2_000_000_000))  # a fresh checkout: newer, same text
    assert not run_all._changed("judge_quality", path, entry)
    path.write_text("# Judge quality\n\nGap 1.83.\n")
    assert run_all._changed("judge_quality", path, entry)
