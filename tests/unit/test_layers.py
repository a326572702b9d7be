"""The import graph has no upward arrow: the layers contract of pyproject.toml holds."""

from __future__ import annotations

import logging
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_layers_contract_is_kept(capsys: object) -> None:
    from importlinter import cli

    # lint_imports configures logging with dictConfig, which disables every logger that
    # exists already (langsynth's): later tests that check a warning would see nothing.
    loggers = [
        lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger)
    ]
    disabled = [lg.disabled for lg in loggers]
    try:
        code = cli.lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    finally:
        for logger, was in zip(loggers, disabled, strict=True):
            logger.disabled = was
    assert code == 0, "an import points up the layers: run `lint-imports` to see which"


def test_no_module_is_over_450_lines() -> None:
    sizes = {
        str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
        for p in (ROOT / "langsynth").rglob("*.py")
    }
    assert not {p: n for p, n in sizes.items() if n > 450}, "split these modules by concept"
