"""The public surface: one small list, every name real and documented, errors in one family."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

import langsynth


def test_all_names_import_from_the_module_the_list_names_and_are_documented() -> None:
    for name, module in langsynth._EXPORTS.items():
        obj = getattr(langsynth, name)
        assert obj is getattr(importlib.import_module(module), name), name
        assert inspect.getdoc(obj), f"{name} has no docstring"
    assert isinstance(langsynth.__version__, str)


def test_the_surface_stays_small() -> None:
    assert 20 <= len(langsynth.__all__) <= 32, len(langsynth.__all__)


def test_type_checking_imports_name_exactly_the_exported_names() -> None:
    """The lazy list and the imports type checkers read must not drift apart."""
    tree = ast.parse(Path(langsynth.__file__).read_text(encoding="utf-8"))
    typed: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for stmt in node.body:
                assert isinstance(stmt, ast.ImportFrom) and stmt.module
                typed.update({alias.name: stmt.module for alias in stmt.names})
    assert typed == langsynth._EXPORTS


def test_dir_is_the_public_list() -> None:
    assert dir(langsynth) == sorted(langsynth.__all__)


def test_unknown_attribute_raises() -> None:
    with pytest.raises(AttributeError, match="does_not_exist"):
        langsynth.does_not_exist  # noqa: B018


def test_errors_share_one_base() -> None:
    from langsynth import errors

    found = 0
    for name in dir(errors):
        obj = getattr(errors, name)
        if isinstance(obj, type) and obj.__module__ == errors.__name__:
            if obj is errors.RunInterrupted:  # a KeyboardInterrupt, so Ctrl-C handlers see it
                assert issubclass(obj, KeyboardInterrupt)
                continue
            found += 1
            assert issubclass(obj, langsynth.LangsynthError), name
    assert found >= 10
