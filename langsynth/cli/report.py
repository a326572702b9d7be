"""``langsynth report``: one self-contained HTML page about a run or a data file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from langsynth.cli._app import app, console


@app.command()
def report(
    path: Annotated[
        Path,
        typer.Argument(
            help="A run's output file (OUT, with OUT.run/ beside it), the OUT.run directory, "
            "or any .jsonl/.json/.csv/.parquet data file."
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="HTML file to write (default: OUT-stem.report.html)."),
    ] = None,
    schema: Annotated[
        str | None,
        typer.Option(
            help="The rows' schema (default: the run's, if built in). Gives pools for "
            "coverage, dedup fields and schema-checked round-trip scores."
        ),
    ] = None,
) -> None:
    """Write an HTML report: run manifest, records, rejections, fields, duplicates, judge
    scores, round-trip F1, diversity and export split, in one file that needs no network.

    What the input cannot tell (no run directory, no judge scores, ...) is listed in the
    report and printed here, instead of failing.
    """
    from langsynth.report import default_report_path, make_report

    result = make_report(path, schema=schema)
    written = result.write(output if output is not None else default_report_path(path))
    table = Table(title=f"Report of {path}", show_header=True)
    table.add_column("section", style="bold")
    table.add_column("shows")
    for section in result.sections:
        table.add_row(section.title, escape(section.badge or ("-" if section.missing else "yes")))
    console.print(table)
    for remark in result.remarks:
        console.print(f"[cyan]note:[/] {escape(remark)}", highlight=False)
    for note in result.missing:
        console.print(f"[yellow]not in the report:[/] {escape(note)}", highlight=False)
    console.print(f"wrote [bold]{escape(str(written))}[/]", highlight=False)
