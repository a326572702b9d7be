"""The import graph has no upward arrow: the layers contract of pyproject.toml holds."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_layers_contract_is_kept(capsys: object) -> None:
    from importlinter import cli

    code = cli.lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    assert code == 0, "an import points up the layers: run `lint-imports` to see which"


def test_no_module_is_over_450_lines() -> None:
    sizes = {
        str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
        for p in (ROOT / "langsynth").rglob("*.py")
    }
    assert not {p: n for p, n in sizes.items() if n > 450}, "split these modules by concept"
