"""Reading and writing row files (JSONL, JSON, CSV, parquet) with errors that name file and line.

Every command that takes ``--input`` reads through :func:`read_rows`, which also reads a
folder written by Hugging Face datasets' ``save_to_disk`` (:mod:`langsynth.hf_disk`, with
the ``langsynth[hf]`` extra); every command that
writes rows uses :func:`write_rows` (atomic: temp file + rename) or
:class:`JsonlAppender` (one flushed line per row, for output written as it is produced).
Lists and objects inside CSV cells are stored as JSON and decoded on reading.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from langsynth.errors import DataFileError

FORMATS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".parquet": "parquet",
}


def file_format(path: str | Path) -> str:
    """``jsonl``, ``json``, ``csv`` or ``parquet`` from the file suffix."""
    suffix = Path(path).suffix.lower()
    try:
        return FORMATS[suffix]
    except KeyError:
        raise DataFileError(
            f"{path}: unsupported file type {suffix or '(none)'!r}; use .jsonl, .json, .csv "
            "or .parquet (or a folder written by save_to_disk)."
        ) from None


def iter_jsonl(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, object)`` for each non-blank line of a JSONL file."""
    p = Path(path)
    try:
        fh = p.open(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(f"{p}: file does not exist.") from None
    with fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataFileError(
                    f"{p}, line {lineno}: not valid JSON ({exc.msg}, column {exc.colno})."
                ) from None
            if not isinstance(obj, dict):
                raise DataFileError(
                    f"{p}, line {lineno}: expected a JSON object, got {type(obj).__name__}."
                )
            yield lineno, obj


def _decode_cell(value: str) -> Any:
    text = value.strip()
    if text[:1] in ("[", "{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return value
    return value


def _plain(value: Any) -> Any:
    """numpy/pandas scalars and arrays to plain Python; NaN to None."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def read_rows(
    path: str | Path, *, limit: int | None = None, split: str | None = None
) -> list[dict[str, Any]]:
    """Read rows from JSONL, JSON (a list of objects), CSV, parquet, or a folder written by
    ``save_to_disk`` (a ``Dataset``, or a ``DatasetDict``: its ``split``, default ``train``).
    """
    p = Path(path)
    if p.is_dir():
        from langsynth.hf_disk import read_saved

        return read_saved(p, split=split, limit=limit)
    fmt = file_format(p)
    if not p.is_file():
        raise DataFileError(f"{p}: file does not exist.")
    if split is not None:
        raise DataFileError(
            f"{p} is a file: a split ({split!r}) can only be picked from a dataset folder "
            "written by save_to_disk."
        )
    rows: list[dict[str, Any]]
    if fmt == "jsonl":
        rows = []
        for _, obj in iter_jsonl(p):
            rows.append(obj)
            if limit is not None and len(rows) >= limit:
                break
        return rows
    if fmt == "json":
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DataFileError(f"{p}, line {exc.lineno}: not valid JSON ({exc.msg}).") from None
        if isinstance(data, dict):
            data = [data]
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise DataFileError(f"{p}: expected a JSON list of objects.")
        rows = data
    elif fmt == "csv":
        with p.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            rows = []
            for lineno, row in enumerate(reader, start=2):
                if None in row:
                    raise DataFileError(f"{p}, line {lineno}: more cells than header columns.")
                rows.append({k: _decode_cell(v) if v != "" else None for k, v in row.items()})
    else:
        import pandas as pd

        try:
            frame = pd.read_parquet(p)
        except Exception as exc:
            raise DataFileError(f"{p}: cannot read parquet ({exc}).") from exc
        rows = [{str(k): _plain(v) for k, v in r.items()} for r in frame.to_dict(orient="records")]
    return rows[:limit] if limit is not None else rows


def _columns(rows: Sequence[Mapping[str, Any]], fields: Sequence[str] | None) -> list[str]:
    if fields is not None:
        return list(fields)
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(str(key), None)
    return list(seen)


def _csv_cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def _dumps(row: Mapping[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False, default=str)


def _new_temp_file(path: Path) -> Path:
    """An empty temp file beside ``path``, created with the user's umask (``mkstemp`` would
    make it 0600, and the renamed output would keep that mode)."""
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return tmp
    raise DataFileError(f"{path}: cannot create a temporary file beside it.")


def write_rows(
    path: str | Path, rows: Iterable[Mapping[str, Any]], *, fields: Sequence[str] | None = None
) -> Path:
    """Write rows in the format given by the suffix, atomically (temp file, then rename)."""
    p = Path(path)
    fmt = file_format(p)
    data = [dict(r) for r in rows]
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = _new_temp_file(p)
    try:
        if fmt == "jsonl":
            tmp.write_text("".join(_dumps(r) + "\n" for r in data), encoding="utf-8")
        elif fmt == "json":
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
        elif fmt == "csv":
            buf = io.StringIO()
            writer = csv.DictWriter(buf, fieldnames=_columns(data, fields), extrasaction="ignore")
            writer.writeheader()
            for r in data:
                writer.writerow({k: _csv_cell(v) for k, v in r.items()})
            tmp.write_text(buf.getvalue(), encoding="utf-8")
        else:
            import pandas as pd

            frame = pd.DataFrame(data, columns=_columns(data, fields) or None)
            frame.to_parquet(tmp, index=False)
        os.replace(tmp, p)
    finally:
        tmp.unlink(missing_ok=True)
    return p


class JsonlAppender:
    """Append rows to a JSONL file, one flushed line each, so a crash loses nothing finished."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = self.path.open("a", encoding="utf-8")

    def write(self, row: Mapping[str, Any]) -> None:
        self.write_many([row])

    def write_many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Append several rows in one write (a group lands, or is torn, together)."""
        self._fh.write("".join(_dumps(r) + "\n" for r in rows))
        self._fh.flush()

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()

    def __enter__(self) -> JsonlAppender:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class CsvAppender:
    """Append rows to a CSV file with a fixed header, one flushed line each."""

    def __init__(self, path: str | Path, fields: Sequence[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists() or self.path.stat().st_size == 0
        self._fh = self.path.open("a", encoding="utf-8", newline="")
        self._writer = csv.DictWriter(self._fh, fieldnames=list(fields), extrasaction="ignore")
        if new:
            self._writer.writeheader()
            self._fh.flush()

    def write(self, row: Mapping[str, Any]) -> None:
        self._writer.writerow({k: _csv_cell(v) for k, v in row.items()})
        self._fh.flush()

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()

    def __enter__(self) -> CsvAppender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
