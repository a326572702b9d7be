"""The import graph has no upward arrow: the layers contract of pyproject.toml holds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_layers_contract_is_kept() -> None:
    # In a process of its own: import-linter reconfigures logging, which would silence the
    # loggers other tests capture.
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-1000:]


def test_no_module_is_over_450_lines() -> None:
    sizes = {
        str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
        for p in (ROOT / "langsynth").rglob("*.py")
    }
    assert not {p: n for p, n in sizes.items() if n > 450}, "split these modules by concept"
