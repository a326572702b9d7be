"""Small helpers the quality, judge and export commands share (no heavy imports)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

# The commands check their column options with the library's own check.
from langsynth.quality.fields import check_columns as check_columns

if TYPE_CHECKING:
    from rich.progress import Progress

    from langsynth.schemas import SchemaInfo


# For every command that reads `--input` through read_rows: the split of a DatasetDict folder.
InputSplitOption = Annotated[
    str | None,
    typer.Option(
        "--split",
        help="Split to read when the input is a DatasetDict folder (save_to_disk) "
        "[default: train].",
    ),
]


def progress_bar(label: str, *, detail: str = "{task.fields[detail]}") -> Progress:
    """The progress bar of long commands, on stderr: label, bar, n/N, detail, elapsed, ETA.

    Tasks must be added with the fields ``detail`` names (``detail=""`` by default).
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from langsynth.cli._app import err_console

    return Progress(
        SpinnerColumn(),
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(detail),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
    )


def split_list(values: Sequence[str] | None) -> list[str] | None:
    """``--fields a,b --fields c`` -> ``["a", "b", "c"]``; ``None`` when not given."""
    if not values:
        return None
    out = [v.strip() for value in values for v in value.split(",") if v.strip()]
    return out or None


def schema_for(
    schema: str | None, lineage: Mapping[str, Any], *, required: bool = False
) -> SchemaInfo | None:
    """``--schema`` if given, else the schema recorded by the generator run of the input."""
    from langsynth.errors import SchemaError
    from langsynth.schemas import load_schema

    if schema:
        return load_schema(schema)
    generation = lineage.get("generation") or {}
    name = generation.get("schema")
    if name:
        try:
            return load_schema(str(name))
        except SchemaError:
            return None
    if required:
        raise SchemaError("Cannot tell the schema of the input; pass --schema NAME.")
    return None


def kv_table(title: str, values: Mapping[str, Any]) -> Table:
    table = Table(title=title, show_header=False)
    table.add_column("metric", style="bold")
    table.add_column("value", justify="right")
    for key, value in values.items():
        table.add_row(str(key), "-" if value is None else str(value))
    return table


def default_sidecar(output: Path, tag: str) -> Path:
    """``out/x.jsonl`` + ``kept`` -> ``out/x.kept.jsonl``."""
    return output.with_name(f"{output.stem}.{tag}{output.suffix}")
