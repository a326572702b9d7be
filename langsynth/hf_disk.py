"""Hugging Face ``datasets`` on disk: the one lazy import of ``datasets``/``huggingface_hub``,
and reading a folder written by ``save_to_disk`` back as plain rows.

Both libraries are the optional extra ``langsynth[hf]``; without it, only what needs them
fails, with :class:`~langsynth.errors.MissingExtraError` saying what to install. Telemetry
of the Hub client is switched off before it is imported (``HF_HUB_DISABLE_TELEMETRY``).

A ``save_to_disk`` folder holds either one ``Dataset`` (``state.json``) or a ``DatasetDict``
(``dataset_dict.json`` and one such folder per split); rows come back as JSON-ready dicts,
with ``ClassLabel`` integers turned back into their names.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from langsynth.errors import DataFileError, MissingExtraError

DEFAULT_SPLIT = "train"


def _quiet_hub() -> None:
    # Read when huggingface_hub is first imported; the user's own setting wins.
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def _require(name: str, feature: str) -> ModuleType:
    _quiet_hub()
    try:
        return importlib.import_module(name)
    except ImportError:
        raise MissingExtraError(feature, "hf") from None


def require_datasets(feature: str = "Hugging Face datasets") -> ModuleType:
    """The ``datasets`` module, or :class:`MissingExtraError` naming ``langsynth[hf]``."""
    return _require("datasets", feature)


def require_hub(feature: str = "The Hugging Face Hub") -> ModuleType:
    """The ``huggingface_hub`` module, or :class:`MissingExtraError` naming ``langsynth[hf]``."""
    return _require("huggingface_hub", feature)


@contextmanager
def quiet_progress() -> Iterator[None]:
    """No ``datasets`` progress bars inside (the CLI prints its own summary)."""
    datasets = require_datasets()
    was_enabled = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()
    try:
        yield
    finally:
        if was_enabled:
            datasets.enable_progress_bars()


def saved_kind(path: str | Path) -> str | None:
    """``"dict"`` for a saved ``DatasetDict``, ``"dataset"`` for one ``Dataset``, else None."""
    p = Path(path)
    if (p / "dataset_dict.json").is_file():
        return "dict"
    if (p / "state.json").is_file() and (p / "dataset_info.json").is_file():
        return "dataset"
    return None


def saved_splits(path: str | Path) -> list[str]:
    """The split names of a saved ``DatasetDict`` (from its ``dataset_dict.json``)."""
    p = Path(path) / "dataset_dict.json"
    try:
        splits = json.loads(p.read_text(encoding="utf-8"))["splits"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataFileError(f"{p}: damaged dataset_dict.json ({exc}).") from None
    return [str(s) for s in splits]


def decode_value(value: Any, feature: Any) -> Any:
    """A stored value as plain JSON data: ClassLabel integers become their names."""
    datasets = require_datasets()
    if value is None:
        return None
    if isinstance(feature, datasets.ClassLabel):
        return None if value < 0 else feature.int2str(int(value))
    if isinstance(feature, datasets.List | datasets.LargeList):
        return [decode_value(v, feature.feature) for v in value]
    if isinstance(feature, dict) and isinstance(value, dict):
        return {k: decode_value(v, feature.get(k)) for k, v in value.items()}
    return value


def dataset_rows(dataset: Any, *, limit: int | None = None) -> list[dict[str, Any]]:
    """The rows of a ``datasets.Dataset`` as plain dicts (ClassLabel names, not integers)."""
    if limit is not None:
        dataset = dataset.select(range(min(limit, len(dataset))))
    features = dataset.features
    return [{k: decode_value(v, features.get(k)) for k, v in r.items()} for r in dataset.to_list()]


def read_saved(
    path: str | Path, *, split: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Rows of a folder written by ``save_to_disk``; for a ``DatasetDict`` the ``split``
    (default ``train``)."""
    p = Path(path)
    kind = saved_kind(p)
    if kind is None:
        raise DataFileError(
            f"{p} is a folder, but not a dataset written by save_to_disk (it has no "
            "dataset_dict.json or state.json); pass a .jsonl, .json, .csv or .parquet file, "
            "or such a folder."
        )
    if kind == "dict":
        splits = saved_splits(p)
        name = split or DEFAULT_SPLIT
        if name not in splits:
            raise DataFileError(
                f"{p} has no split {name!r}; its splits are {', '.join(splits)}. Pick one with "
                f"--split NAME, or read its folder, e.g. {p / splits[0]}."
            )
        target = p / name
    else:
        if split is not None:
            raise DataFileError(
                f"{p} holds one dataset, not a DatasetDict: there is no split to pick (drop "
                f"--split {split})."
            )
        target = p
    datasets = require_datasets(f"Reading {p}")
    try:
        dataset = datasets.load_from_disk(str(target))
    except Exception as exc:  # a damaged folder: say which, whatever datasets raised
        raise DataFileError(f"{target}: cannot read the saved dataset ({exc}).") from exc
    return dataset_rows(dataset, limit=limit)
