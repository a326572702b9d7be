"""Assemble the report: read the source, compute each section, fill the HTML template."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from langsynth import __version__
from langsynth.quality.inspection import inspect_rows
from langsynth.report.checks import (
    duplicates_section,
    judge_section,
    roundtrip_section,
    split_section,
)
from langsynth.report.data import diversity_section, fields_section
from langsynth.report.markup import Section, esc
from langsynth.report.run import records_section, rejections_section, run_section
from langsynth.report.source import RUN_SUFFIX, ReportSource, load_source


@dataclass
class Report:
    """A rendered report: its HTML, its sections, and what it could not show."""

    source: ReportSource
    sections: list[Section]
    html: str
    missing: list[str] = field(default_factory=list)

    @property
    def remarks(self) -> list[str]:
        """Where the report found something in an unusual place (e.g. a journal, not OUT)."""
        return list(self.source.remarks)

    def write(self, path: str | Path) -> Path:
        """Write the HTML atomically (temp file, then rename), with the usual file mode."""
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(self.html, encoding="utf-8")
            os.replace(tmp, out)
        finally:
            tmp.unlink(missing_ok=True)
        return out


def default_report_path(path: str | Path) -> Path:
    """``out/x.csv`` or ``out/x.csv.run`` -> ``out/x.report.html``."""
    p = Path(path)
    if p.name.endswith(RUN_SUFFIX):
        p = p.with_name(p.name.removesuffix(RUN_SUFFIX))
    return p.with_name(p.stem + ".report.html")


def resolve_schema(schema: Any, src: ReportSource) -> Any:
    """``schema`` if given (name, ``file.py:Class``, model or SchemaInfo), else the manifest's
    schema when it is a built-in name. A file or module named by a manifest is never imported:
    a run directory may come from someone else, and importing runs its code."""
    from langsynth.schemas import BUILTIN, load_schema

    if schema is not None:
        return load_schema(schema)
    name = (src.manifest or {}).get("schema")
    if isinstance(name, str) and name in BUILTIN:
        return BUILTIN[name]
    if name:
        src.notes.append(
            f"The run's schema {name!r} is not built in and was not imported (pass --schema "
            "to use it): pools, dedup fields and schema validation are left out."
        )
    return None


def _template() -> str:
    return (resources.files("langsynth.report") / "template.html").read_text(encoding="utf-8")


def _summary(sections: list[Section]) -> str:
    items = "".join(
        f'<li><a href="#{esc(s.id)}">{esc(s.title)}</a><b>{esc(s.badge)}</b></li>'
        for s in sections
        if s.badge
    )
    return f'<ul class="summary">{items}</ul>' if items else ""


def render(src: ReportSource, sections: list[Section], missing: list[str]) -> str:
    """The whole page."""
    nav = "".join(f'<a href="#{esc(s.id)}">{esc(s.title)}</a>' for s in sections)
    where = src.rows_from or src.run_dir or src.path
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    missing_html = ""
    if missing:
        items = "".join(f"<li>{esc(m)}</li>" for m in missing)
        missing_html = (
            f'<details class="missing-list" open><summary>Not in this report ({len(missing)})'
            f"</summary><ul>{items}</ul></details>"
        )
    body = (
        f"<header><h1>Data report: {esc(src.title)}</h1>"
        f'<div class="meta">{esc(where)} · written {esc(now)} by langsynth {esc(__version__)}'
        f"</div>{_summary(sections)}{missing_html}"
        + "".join(f'<p class="remark">{esc(r)}</p>' for r in src.remarks)
        + "</header>"
        f'<nav aria-label="sections">{nav}</nav><main>'
        + "".join(s.to_html() for s in sections)
        + "</main><footer>One self-contained file: no scripts, fonts or styles are loaded from "
        "elsewhere.</footer>"
    )
    page = _template()
    for marker, value in (
        ("@@VERSION@@", esc(__version__)),
        ("@@TITLE@@", esc(f"{src.title} · langsynth report")),
    ):
        page = page.replace(marker, value)
    return page.replace("@@BODY@@", body, 1)


def make_report(path: str | Path, *, schema: Any = None) -> Report:
    """Read ``path`` (a run directory or a data file) and render its report (not written)."""
    src = load_source(path)
    info = resolve_schema(schema, src)
    rows = src.rows
    # Coverage (which needs the pools) is computed once, by the diversity section.
    inspection = inspect_rows(rows)
    sections = [
        run_section(src),
        records_section(src),
        rejections_section(src),
        fields_section(inspection, rows),
        duplicates_section(rows, info),
        judge_section(inspection, rows),
        roundtrip_section(rows, src.lineage, info),
        diversity_section(inspection, rows, info),
        split_section(src),
    ]
    missing = list(dict.fromkeys([*src.notes, *(m for s in sections for m in s.missing)]))
    return Report(src, sections, render(src, sections, missing), missing)


def build_report(
    path: str | Path, out_html: str | Path | None = None, *, schema: Any = None
) -> Path:
    """Write the self-contained HTML report of ``path``; returns the file written.

    ``path``: a run directory (``OUT.run``), a run's output file, or any jsonl/json/csv/parquet
    data file. ``out_html`` defaults to ``OUT-stem.report.html`` beside the data.

    >>> build_report("out/bills.csv")  # doctest: +SKIP
    PosixPath('out/bills.report.html')
    """
    report = make_report(path, schema=schema)
    return report.write(out_html if out_html is not None else default_report_path(path))
