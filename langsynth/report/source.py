"""What a report reads: a run directory, the data file beside it, or any data file on its own.

:func:`load_source` accepts

- a run directory ``OUT.run/`` (``journal.jsonl``, ``rejected.jsonl``, ``manifest.json``; the
  first engine wrote ``records.jsonl`` instead of a journal, which is read too),
- an output file ``OUT`` with or without ``OUT.run/`` beside it (jsonl/json/csv/parquet),
- an export ``OUT`` that was split into ``OUT-stem.train.*`` / ``.validation.*`` files.

Whatever is absent becomes a note in :attr:`ReportSource.notes`, never an error: a report on
a bare CSV still shows its records, fields and diversity. Only a path that names nothing, or a
data file that cannot be read, raises :class:`~langsynth.errors.DataFileError`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langsynth.datafile import FORMATS, iter_jsonl, read_rows
from langsynth.errors import DataFileError, LangsynthError
from langsynth.export import card_path_for
from langsynth.lineage import read_lineage
from langsynth.runs import read_manifest, run_dir_for

RUN_SUFFIX = ".run"
SPLIT_ROLES = ("train", "validation")


@dataclass
class SplitPart:
    """One file of an export split."""

    role: str
    path: Path
    rows: list[dict[str, Any]]


@dataclass
class ReportSource:
    """Everything found for one report; ``notes`` says what was not found and why,
    ``remarks`` where something was found in an unusual place."""

    path: Path
    rows: list[dict[str, Any]] = field(default_factory=list)
    rows_from: Path | None = None
    data_file: Path | None = None
    run_dir: Path | None = None
    manifest: dict[str, Any] | None = None
    rejections: list[dict[str, Any]] | None = None  # None: no rejections file at all
    lineage: dict[str, Any] = field(default_factory=lambda: {"generation": None, "steps": []})
    parts: list[SplitPart] = field(default_factory=list)
    card: Path | None = None
    notes: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        base = self.data_file or (self.run_dir and _output_of(self.run_dir)) or self.path
        return Path(base).name


def _output_of(run_dir: Path) -> Path:
    """``out/x.csv.run`` -> ``out/x.csv``."""
    return run_dir.with_name(run_dir.name.removesuffix(RUN_SUFFIX))


def _is_run_dir(path: Path) -> bool:
    return path.is_dir() and (
        path.name.endswith(RUN_SUFFIX)
        or any((path / n).is_file() for n in ("manifest.json", "journal.jsonl", "records.jsonl"))
    )


def split_paths(output: Path) -> dict[str, Path]:
    """``out/x.jsonl`` -> ``{"train": out/x.train.jsonl, "validation": out/x.validation.jsonl}``
    (the names ``langsynth export --split`` writes)."""
    return {role: output.with_name(f"{output.stem}.{role}{output.suffix}") for role in SPLIT_ROLES}


def _split_base(path: Path) -> Path:
    """``x.train.jsonl`` / ``x.validation.jsonl`` -> ``x.jsonl``; other names unchanged."""
    stem = Path(path.stem)
    if stem.suffix.lstrip(".") in SPLIT_ROLES:
        return path.with_name(stem.stem + path.suffix)
    return path


def _journal_rows(run_dir: Path) -> tuple[list[dict[str, Any]], Path] | None:
    """Rows of the run's journal (the last entry per index), or ``None`` without a journal."""
    journal = run_dir / "journal.jsonl"
    if journal.is_file():
        by_index: dict[Any, dict[str, Any]] = {}
        for lineno, entry in iter_jsonl(journal):
            row = entry.get("row")
            if not isinstance(row, dict):
                raise DataFileError(
                    f"{journal}, line {lineno}: expected {{'i': ..., 'row': {{}}}}."
                )
            by_index[entry.get("i", lineno)] = row  # a resumed row replaces the earlier one
        ordered = sorted(by_index.items(), key=lambda kv: (not isinstance(kv[0], int), kv[0]))
        return [row for _, row in ordered], journal
    records = run_dir / "records.jsonl"  # the first engine's journal: one record a line
    if records.is_file():
        return [row for _, row in iter_jsonl(records)], records
    return None


def _rejections(run_dir: Path) -> list[dict[str, Any]] | None:
    """``{"i", "kind", "error", "raw_output"}`` per rejection (both journal formats)."""
    path = run_dir / "rejected.jsonl"
    if not path.is_file():
        return None
    out = []
    for _, entry in iter_jsonl(path):
        out.append(
            {
                "i": entry.get("i", entry.get("attempt")),
                "kind": entry.get("kind") or "",
                "error": entry.get("error") or entry.get("reason") or "",
                "raw_output": entry.get("raw_output", entry.get("raw")) or "",
                **{
                    k: v
                    for k, v in entry.items()
                    if k not in ("i", "attempt", "kind", "error", "reason", "raw_output", "raw")
                },
            }
        )
    return out


def _split_parts(base: Path) -> list[SplitPart]:
    parts = []
    for role, path in split_paths(base).items():
        if path.is_file():
            parts.append(SplitPart(role, path, read_rows(path)))
    return parts


def _locate(path: Path) -> tuple[Path | None, Path | None]:
    """(data file, run directory) that ``path`` stands for."""
    if path.is_dir():
        if not _is_run_dir(path):
            raise DataFileError(
                f"{path}: a directory that is not a run directory (no manifest.json or "
                "journal.jsonl); pass the run's OUT.run directory or a data file."
            )
        output = _output_of(path) if path.name.endswith(RUN_SUFFIX) else None
        return (output if output is not None and output.is_file() else None), path
    if path.suffix.lower() not in FORMATS:
        raise DataFileError(
            f"{path}: not a data file or run directory; give a .jsonl, .json, .csv or .parquet "
            "file, or the OUT.run directory of a run."
        )
    run_dir = run_dir_for(path)
    found_run = run_dir if _is_run_dir(run_dir) else None
    if path.is_file():
        return path, found_run
    if found_run is not None or any(p.is_file() for p in split_paths(path).values()):
        return None, found_run
    raise DataFileError(f"{path}: file does not exist (and no {run_dir.name} directory beside it).")


def load_source(path: str | Path) -> ReportSource:
    """Find and read everything a report can show about ``path`` (see the module docstring)."""
    p = Path(path)
    data_file, run_dir = _locate(p)
    src = ReportSource(path=p, data_file=data_file, run_dir=run_dir)
    base = _split_base(data_file or (_output_of(run_dir) if run_dir else p))
    parts = _split_parts(base)
    if data_file is not None:
        src.rows, src.rows_from = read_rows(data_file), data_file
    elif run_dir is not None and (journal := _journal_rows(run_dir)) is not None:
        src.rows, src.rows_from = journal
        src.remarks.append(
            f"The output file {_output_of(run_dir).name} is not there (yet): records are read "
            f"from the run's {journal[1].name}."
        )
    elif parts:
        for part in parts:
            src.rows.extend({**r, "split": part.role} for r in part.rows)
        src.rows_from = base
    else:
        src.notes.append(f"No records: {run_dir} has neither an output file nor a journal.")
    if parts and not (len(parts) == 1 and parts[0].path == data_file):
        src.parts = parts
    card = card_path_for(base)
    src.card = card if card.is_file() else None

    output = data_file or (_output_of(run_dir) if run_dir else None)
    damaged = False
    if run_dir is not None:  # the sections say what a run directory lacks
        try:
            src.manifest = read_manifest(_output_of(run_dir))
        except DataFileError as exc:
            damaged = True
            src.notes.append(f"The run manifest cannot be read: {exc}")
        src.rejections = _rejections(run_dir)
    if output is not None:
        try:
            src.lineage = read_lineage(output)
        except LangsynthError as exc:
            if not damaged:  # read_lineage reads the same manifest
                src.notes.append(f"The lineage of {output.name} cannot be read: {exc}")
    if src.manifest is None and src.lineage.get("generation"):
        src.manifest = dict(src.lineage["generation"])
        origin = _generation_run_dir(output, src.lineage)
        if origin is not None and src.rejections is None:
            src.rejections = _rejections(origin)
            src.remarks.append(
                f"Run manifest and rejections are those of the generating run ({origin}); "
                "the steps since are listed under Run."
            )
    return src


def _generation_run_dir(output: Path | None, lineage: dict[str, Any]) -> Path | None:
    """The run directory of the file the first quality step read (the generator's output),
    looked up beside ``output`` and then as recorded."""
    steps = lineage.get("steps") or []
    source = steps[0].get("input") if steps else None
    if not source or output is None:
        return None
    for candidate in (output.parent / Path(source).name, Path(source)):
        if _is_run_dir(run_dir_for(candidate)):
            return run_dir_for(candidate)
    return None


def load_card_text(src: ReportSource) -> str | None:
    """The data card's Markdown, if there is one beside the data."""
    if src.card is None:
        return None
    return src.card.read_text(encoding="utf-8")


def manifest_json(manifest: dict[str, Any] | None) -> str:
    """The manifest pretty-printed (for the raw view of the report)."""
    return json.dumps(manifest or {}, indent=2, ensure_ascii=False, default=str)
