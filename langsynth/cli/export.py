"""``langsynth export``: CSV/JSONL/parquet or fine-tuning files, a split, and a data card."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from langsynth.cli._app import app, console
from langsynth.cli._options import kv_table, schema_for
from langsynth.quality.duplicates import DEFAULT_THRESHOLD


@app.command()
def export(
    file: Annotated[Path, typer.Argument(help="Rows: .jsonl/.json/.csv/.parquet.")],
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help="csv, jsonl, parquet, openai-chat or alpaca."),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output file.")],
    split: Annotated[
        float | None,
        typer.Option(
            min=0.01,
            max=1.0,
            help="Train fraction, e.g. 0.9: writes OUT.train.* and "
            "OUT.validation.*, duplicates never across.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the split.")] = 0,
    schema: Annotated[
        str | None, typer.Option(help="The rows' schema (default: from the input's run).")
    ] = None,
    system: Annotated[
        str | None,
        typer.Option(help="System message for openai-chat (default: the schema's persona)."),
    ] = None,
    user_field: Annotated[str | None, typer.Option(help="Column used as the user turn.")] = None,
    assistant_field: Annotated[
        str | None, typer.Option(help="Column used as the assistant turn.")
    ] = None,
    user_template: Annotated[
        str | None,
        typer.Option(
            help="User turn made from a record's fields, e.g. 'Recommend one {genre} "
            "movie.' (the record as JSON is the answer)."
        ),
    ] = None,
    keep_duplicates: Annotated[
        bool, typer.Option(help="Keep duplicates (still never split across train/validation).")
    ] = False,
    threshold: Annotated[
        float | None,
        typer.Option(
            min=0.01,
            max=1.0,
            help="Near-duplicate threshold, as for `langsynth dedup` "
            f"[default: {DEFAULT_THRESHOLD}].",
        ),
    ] = None,
    roundtrip: Annotated[
        Path | None, typer.Option(help="Round-trip report (JSON) to cite in the data card.")
    ] = None,
    card: Annotated[bool, typer.Option(help="Write the Markdown data card.")] = True,
) -> None:
    """Export rows for training or testing, with a data card (Markdown) beside the output.

    openai-chat output is checked against what OpenAI's fine-tuning API accepts.
    """
    from langsynth.datafile import read_rows
    from langsynth.export import PairSpec, export_rows
    from langsynth.lineage import read_lineage

    rows = read_rows(file)
    lineage = read_lineage(file)
    info = schema_for(schema, lineage)
    rt = None
    if roundtrip is not None:
        rt = json.loads(roundtrip.read_text(encoding="utf-8"))
    result = export_rows(
        rows,
        output,
        fmt,
        split=split,
        seed=seed,
        drop_duplicates=not keep_duplicates,
        dedup_kwargs={"threshold": threshold},
        pairs=PairSpec(user_field, assistant_field, user_template, system),
        schema=info,
        lineage=lineage,
        roundtrip=rt,
        card=card,
    )
    values: dict[str, object] = dict(result.counts)
    for path, role, n in result.files:
        values[f"{role}: {path}"] = n
    if result.card is not None:
        values["data card"] = str(result.card)
    console.print(kv_table(f"Export ({fmt})", values))
