"""Writing a ``DatasetDict`` with ``save_to_disk`` (``export --format hf``), and rows to
datasets with the schema given by name too (the conversion itself is :mod:`langsynth.hf_dataset`).
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from langsynth import hf_dataset
from langsynth.errors import ConfigurationError
from langsynth.hf_disk import quiet_progress, saved_kind

# An hf export named like a row file is a mistake (it would be a folder called x.jsonl).
ROW_FILE_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".parquet", ".arrow")


def _schema(schema: Any) -> Any:
    if isinstance(schema, str):
        from langsynth.schemas import load_schema

        return load_schema(schema)
    return schema


def hf_features(rows: Sequence[Mapping[str, Any]], schema: Any = None) -> Any:
    """:func:`langsynth.hf_dataset.hf_features`, the schema also given by name."""
    return hf_dataset.hf_features(rows, _schema(schema))


def to_hf_dataset(rows: Sequence[Mapping[str, Any]], schema: Any = None) -> Any:
    """``rows`` as a ``datasets.Dataset`` with features from ``schema`` (a Pydantic model,
    a :class:`~langsynth.schemas.SchemaInfo` or a schema name), else inferred.

    >>> ds = to_hf_dataset([{"title": "Alien", "year": 1979}], "movie_recommendation")
    >>> ds.features["year"]
    Value('int64')
    """
    return hf_dataset.to_hf_dataset(rows, _schema(schema))


def to_hf_dataset_dict(parts: Mapping[str, Sequence[Mapping[str, Any]]], schema: Any = None) -> Any:
    """Named splits as a ``datasets.DatasetDict`` (see :func:`to_hf_dataset`)."""
    return hf_dataset.to_hf_dataset_dict(parts, _schema(schema))


schema_features = hf_dataset.schema_features


def save_dataset_dict(output: str | Path, dataset_dict: Any, *, readme: str | None = None) -> Path:
    """Write a ``DatasetDict`` with ``save_to_disk`` (plus ``README.md``) to ``output``.

    The folder is written beside ``output`` and then moved into place, so a failed export
    leaves the previous one whole. An existing ``output`` is replaced only if it is empty or
    itself a saved dataset; anything else is refused.
    """
    out = Path(output)
    check_output_folder(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # mkdir (not mkdtemp, which makes it 0700) so the folder gets the user's umask.
    tmp = out.with_name(f".{out.name}.{secrets.token_hex(4)}.tmp")
    tmp.mkdir()
    old = out.with_name(f".{out.name}.{secrets.token_hex(4)}.old")
    try:
        with quiet_progress():
            dataset_dict.save_to_disk(str(tmp))
        if readme is not None:
            (tmp / "README.md").write_text(readme, encoding="utf-8")
        if out.exists():
            os.replace(out, old)
        os.replace(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return out


def check_output_folder(output: str | Path) -> None:
    """Refuse an output that export must not replace: a file, or a folder that is not empty
    and not a saved dataset."""
    out = Path(output)
    if out.suffix.lower() in ROW_FILE_SUFFIXES or (out.exists() and not out.is_dir()):
        raise ConfigurationError(
            f"--format hf writes a folder (save_to_disk), not a file; name the output "
            f"{out.with_suffix('') if out.suffix else out}."
        )
    if out.is_dir() and any(out.iterdir()) and saved_kind(out) is None:
        raise ConfigurationError(
            f"{out} exists and is not a saved dataset; choose a new --output folder "
            "(export replaces only an earlier dataset folder)."
        )
