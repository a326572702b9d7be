"""A generation run on disk: records written as accepted, a manifest, resume after a crash.

Beside the output file ``out.csv`` lives ``out.csv.run/``:

- ``records.jsonl`` — the journal: every accepted record, one flushed line each; the source
  of truth for ``--resume`` (the output file is rewritten from it when a run resumes);
- ``rejected.jsonl`` — every rejected attempt with its raw output and reason;
- ``manifest.json`` — schema, model, parameters, counts, status, what the data card needs.

CSV and JSONL outputs grow record by record too; parquet cannot be appended, so it is
written from the journal when the run ends (also on Ctrl-C or an error).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from langsynth import __version__
from langsynth.chains.generator import Rejection, RunStats
from langsynth.datafile import (
    CsvAppender,
    JsonlAppender,
    file_format,
    iter_jsonl,
    write_rows,
)
from langsynth.errors import DataFileError, OutputExistsError
from langsynth.schemas import SchemaInfo


def run_dir_for(output: str | Path) -> Path:
    """The run directory of an output file: ``out.csv`` -> ``out.csv.run``."""
    p = Path(output)
    return p.with_name(p.name + ".run")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def read_manifest(output: str | Path) -> dict[str, Any] | None:
    """The manifest of the run that wrote ``output``, if there is one."""
    path = run_dir_for(output) / "manifest.json"
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataFileError(f"{path}: damaged manifest ({exc.msg}).") from None
    return data if isinstance(data, dict) else None


class RunStore:
    """Persists one generation run; see the module docstring for the layout.

    >>> store = RunStore("out/bills.csv", load_schema("medical_billing"))  # doctest: +SKIP
    >>> kept = store.open(requested=20, params={}, overwrite=True)  # doctest: +SKIP
    """

    def __init__(self, output: str | Path, schema: SchemaInfo) -> None:
        self.output = Path(output)
        self.format = file_format(self.output)
        self.schema = schema
        self.dir = run_dir_for(self.output)
        self.journal_path = self.dir / "records.jsonl"
        self.rejected_path = self.dir / "rejected.jsonl"
        self.manifest_path = self.dir / "manifest.json"
        self.manifest: dict[str, Any] = {}
        self.records: list[BaseModel] = []
        self._journal: JsonlAppender | None = None
        self._rejects: JsonlAppender | None = None
        self._out: JsonlAppender | CsvAppender | None = None
        self._previous: dict[str, Any] = {}

    # ------------------------------------------------------------------ opening

    def open(
        self,
        *,
        requested: int,
        params: Mapping[str, Any],
        resume: bool = False,
        overwrite: bool = False,
    ) -> list[BaseModel]:
        """Start (or resume) the run; returns the records kept from earlier sessions."""
        old = read_manifest(self.output)
        exists = self.output.exists() or self.dir.exists()
        if exists and not (resume or overwrite):
            raise OutputExistsError(
                f"{self.output} already exists. Use --resume to continue that run up to N "
                "records, or --overwrite to start over."
            )
        if resume and old is not None:
            if old.get("schema") != self.schema.name:
                raise OutputExistsError(
                    f"{self.output} was generated with schema {old.get('schema')!r}, not "
                    f"{self.schema.name!r}; resume with the same schema or use another output."
                )
            self.records = self._load_journal()
            self._previous = old
        elif resume and self.output.exists():
            raise OutputExistsError(
                f"{self.output} exists but has no run directory ({self.dir.name}) to resume "
                "from; use --overwrite to start over or choose another output."
            )
        else:
            if self.dir.exists():
                shutil.rmtree(self.dir)
            self.output.unlink(missing_ok=True)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.manifest = {
            "langsynth_version": __version__,
            "schema": self.schema.name,
            "schema_class": self.schema.model.__name__,
            "fields": self.schema.fields,
            "output": str(self.output),
            "format": self.format,
            "requested": requested,
            "params": dict(params),
            "started_at": self._previous.get("started_at", _now()),
            "sessions": int(self._previous.get("sessions", 0)) + 1,
            "status": "running",
            "next_index": int(self._previous.get("next_index", 0)),
            "totals": dict(self._previous.get("totals", {})),
        }
        self._write_manifest()
        # The output mirrors the journal; rewriting it repairs a crash between the two writes.
        self._rewrite_output()
        self._journal = JsonlAppender(self.journal_path)
        self._rejects = JsonlAppender(self.rejected_path)
        if self.format == "jsonl":
            self._out = JsonlAppender(self.output)
        elif self.format == "csv":
            self._out = CsvAppender(self.output, self.schema.fields)
        return list(self.records)

    def _load_journal(self) -> list[BaseModel]:
        records: list[BaseModel] = []
        if not self.journal_path.is_file():
            return records
        for lineno, row in iter_jsonl(self.journal_path):
            try:
                records.append(self.schema.model.model_validate(row))
            except ValidationError as exc:
                raise DataFileError(
                    f"{self.journal_path}, line {lineno}: record does not match "
                    f"{self.schema.model.__name__} ({exc.error_count()} errors)."
                ) from None
        return records

    def _rewrite_output(self) -> None:
        rows = [r.model_dump(mode="json") for r in self.records]
        if rows or self.format == "parquet":
            write_rows(self.output, rows, fields=self.schema.fields)

    # ------------------------------------------------------------------ writing

    def add_record(self, record: BaseModel) -> None:
        row = record.model_dump(mode="json")
        assert self._journal is not None
        self._journal.write(row)  # journal first: it is what resume trusts
        if self._out is not None:
            self._out.write(row)
        self.records.append(record)

    def add_rejection(self, rejection: Rejection) -> None:
        assert self._rejects is not None
        self._rejects.write(rejection.to_dict())

    def close(self, stats: RunStats, *, status: str, next_index: int, model: str) -> None:
        """Flush files, write parquet output, and record counts and status in the manifest."""
        for handle in (self._journal, self._rejects, self._out):
            if handle is not None:
                handle.close()
        if self.format == "parquet":
            self._rewrite_output()
        totals = self.manifest["totals"]
        session = stats.summary(model)
        for key in (
            "rejected",
            "duplicates",
            "attempts",
            "retries",
            "llm_calls",
            "input_tokens",
            "cached_input_tokens",
            "output_tokens",
        ):
            totals[key] = int(totals.get(key, 0)) + int(session.get(key) or 0)
        totals["elapsed_s"] = round(float(totals.get("elapsed_s", 0.0)) + stats.elapsed_s, 3)
        totals["valid"] = len(self.records)
        self.manifest.update(
            status=status,
            model=model,
            finished_at=_now(),
            next_index=next_index,
            last_session=session,
        )
        self._write_manifest()

    def _write_manifest(self) -> None:
        tmp = self.manifest_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self.manifest, indent=2, ensure_ascii=False, default=str) + "\n")
        os.replace(tmp, self.manifest_path)
