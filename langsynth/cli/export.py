"""``langsynth export``: CSV/JSONL/parquet, fine-tuning files or a Hugging Face dataset, a
split, and a data card; ``langsynth push-to-hub``: upload an hf export to the Hub."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from langsynth.cli._app import app, console
from langsynth.cli._options import kv_table, schema_for, split_list
from langsynth.quality.duplicates import DEFAULT_THRESHOLD


@app.command()
def export(
    file: Annotated[
        Path, typer.Argument(help="Rows: .jsonl/.json/.csv/.parquet or a dataset folder.")
    ],
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="csv, jsonl, parquet, openai-chat, alpaca, or hf (a Hugging Face dataset "
            "folder: save_to_disk + README.md dataset card).",
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output file (hf: folder).")],
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
    card: Annotated[
        bool, typer.Option(help="Write the Markdown data card (hf: always, as README.md).")
    ] = True,
    push_to_hub: Annotated[
        str | None,
        typer.Option(help="hf: also upload the folder to this Hub dataset repo (HF_TOKEN)."),
    ] = None,
    private: Annotated[bool, typer.Option(help="hf: a new Hub repo is private.")] = False,
    license_id: Annotated[
        str | None,
        typer.Option("--license", help="hf: the card's license id, e.g. cc-by-4.0 [unknown]."),
    ] = None,
    language: Annotated[
        list[str] | None,
        typer.Option(help="hf: the card's languages (default: guessed from the scripts)."),
    ] = None,
    task_category: Annotated[
        list[str] | None,
        typer.Option(help="hf: the card's Hub task categories (default: from the columns)."),
    ] = None,
    pretty_name: Annotated[str | None, typer.Option(help="hf: the card's pretty_name.")] = None,
) -> None:
    """Export rows for training or testing, with a data card (Markdown) beside the output.

    openai-chat output is checked against what OpenAI's fine-tuning API accepts; hf writes a
    DatasetDict (train, and validation with --split) that load_from_disk, load_dataset and
    the Hub read, with features from the schema.
    """
    from langsynth.datafile import read_rows
    from langsynth.export import CardMetadata, PairSpec, export_rows
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
        card_metadata=CardMetadata(
            license=license_id,
            languages=split_list(language),
            task_categories=split_list(task_category),
            pretty_name=pretty_name,
        ),
        push_to_hub=push_to_hub,
        private=private,
    )
    values: dict[str, object] = dict(result.counts)
    for path, role, n in result.files:
        values[f"{role}: {path}"] = n
    if result.card is not None:
        values["data card"] = str(result.card)
    console.print(kv_table(f"Export ({fmt})", values))
    if result.hub_url is not None:
        console.print(f"pushed to {result.hub_url}", soft_wrap=True)


@app.command(name="push-to-hub")
def push_to_hub_command(
    repo: Annotated[str, typer.Argument(help="Hub dataset repo: NAME or OWNER/NAME.")],
    input: Annotated[
        Path, typer.Option("--input", "-i", help="A folder written by `export --format hf`.")
    ],
    private: Annotated[bool, typer.Option(help="Create the repo as private.")] = False,
) -> None:
    """Upload an `export --format hf` folder to the Hugging Face Hub as a dataset repo.

    The token is read from HF_TOKEN (environment or .env) and never printed.
    """
    from langsynth.export import push_to_hub

    url = push_to_hub(input, repo, private=private)
    console.print(f"pushed {input} to {url}", soft_wrap=True)
