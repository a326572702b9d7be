from __future__ import annotations

import importlib

import langsynth


def test_all_names_import_and_are_documented() -> None:
    for name in langsynth.__all__:
        obj = getattr(langsynth, name)
        if name == "__version__":
            assert isinstance(obj, str)
            continue
        assert getattr(obj, "__doc__", None), f"{name} has no docstring"


def test_from_import_star_matches_all() -> None:
    namespace: dict[str, object] = {}
    exec("from langsynth import *", namespace)
    assert set(langsynth.__all__) <= set(namespace)


def test_unknown_attribute_raises() -> None:
    mod = importlib.import_module("langsynth")
    try:
        mod.does_not_exist  # noqa: B018
    except AttributeError as exc:
        assert "does_not_exist" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


def test_errors_share_one_base() -> None:
    from langsynth import errors

    for name in dir(errors):
        obj = getattr(errors, name)
        if (
            isinstance(obj, type)
            and issubclass(obj, Exception)
            and obj.__module__ == errors.__name__
        ):
            assert issubclass(obj, langsynth.LangsynthError)
