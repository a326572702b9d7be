"""``langsynth dedup``, ``langsynth filter`` and ``langsynth inspect``: quality without an LLM."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from langsynth.cli._app import app, console
from langsynth.cli._options import (
    InputSplitOption,
    check_columns,
    default_sidecar,
    kv_table,
    schema_for,
    split_list,
)
from langsynth.quality.duplicates import DEFAULT_FUZZY_THRESHOLD, DEFAULT_THRESHOLD

FieldsOption = Annotated[
    list[str] | None,
    typer.Option("--fields", help="Columns compared (comma-separated or repeated)."),
]


@app.command()
def dedup(
    input: Annotated[
        Path,
        typer.Option("--input", "-i", help="Rows: .jsonl/.json/.csv/.parquet or a dataset folder."),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Kept rows (duplicates dropped).")],
    fields: FieldsOption = None,
    key: Annotated[
        list[str] | None,
        typer.Option(
            help="Columns for exact matching (default: the schema's dedup fields, "
            "else --fields, else all)."
        ),
    ] = None,
    fuzzy_fields: Annotated[
        list[str] | None,
        typer.Option(
            help="Short columns for fuzzy matching (default: the schema's short "
            "dedup fields, e.g. title)."
        ),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            min=0.01,
            max=1.0,
            help=f"MinHash/Jaccard threshold (word 3-grams) [default: {DEFAULT_THRESHOLD}].",
        ),
    ] = None,
    fuzzy_threshold: Annotated[
        float | None,
        typer.Option(
            min=1,
            max=100,
            help=f"rapidfuzz ratio threshold, 0-100 [default: {DEFAULT_FUZZY_THRESHOLD:g}].",
        ),
    ] = None,
    method: Annotated[
        list[str] | None, typer.Option(help="exact, minhash, fuzzy (default: all).")
    ] = None,
    schema: Annotated[
        str | None, typer.Option(help="Schema for defaults (default: from the input's run).")
    ] = None,
    marked: Annotated[
        Path | None,
        typer.Option(help="Also write every row with duplicate_of/method/similarity columns."),
    ] = None,
    report: Annotated[Path | None, typer.Option(help="Write clusters and counts as JSON.")] = None,
    show: Annotated[int, typer.Option(help="Clusters to print.")] = 10,
    split: InputSplitOption = None,
) -> None:
    """Mark and drop exact, near (MinHash LSH) and fuzzy duplicates; the first one stays.

    The defaults catch a one-word edit of a 20-word sentence (Jaccard of word 3-grams 0.71)
    but not two different sentences filled from one template.
    """
    from langsynth.datafile import read_rows, write_rows
    from langsynth.lineage import read_lineage, record_step
    from langsynth.quality.duplicates import dedup as run_dedup

    rows = read_rows(input, split=split)
    result = run_dedup(
        rows,
        schema=schema_for(schema, read_lineage(input)),
        key_fields=split_list(key),
        text_fields=split_list(fields),
        fuzzy_fields=split_list(fuzzy_fields),
        methods=split_list(method),
        threshold=threshold,
        fuzzy_threshold=fuzzy_threshold,
    )
    write_rows(output, result.kept)
    if marked is not None:
        write_rows(marked, result.rows)
    summary = result.summary()
    record_step(output, input, "dedup", summary)
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        payload = {**summary, "clusters": [c.to_dict() for c in result.clusters]}
        report.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")

    console.print(
        kv_table(
            "Dedup",
            {
                "rows": summary["rows"],
                "kept": summary["kept"],
                "duplicates": summary["duplicates"],
                **{f"  by {k}": v for k, v in summary["by_method"].items()},
                "clusters": summary["clusters"],
                "exact key": ", ".join(summary["settings"]["key_fields"]) or "-",
                "near-dup text": ", ".join(summary["settings"]["text_fields"]) or "-",
                "fuzzy": ", ".join(summary["settings"]["fuzzy_fields"]) or "-",
            },
        )
    )
    if result.clusters and show:
        preview = result.settings["text_fields"] or result.settings["key_fields"]
        table = Table(title=f"Duplicate clusters (first {min(show, len(result.clusters))})")
        for col in ("kept row", "duplicates", "how", "kept text"):
            table.add_column(col, overflow="fold")
        for c in result.clusters[:show]:
            text = " | ".join(str(rows[c.keep].get(f, ""))[:60] for f in preview[:2])
            how = ", ".join(f"{m} {s:.2f}" for m, s in zip(c.methods, c.similarities, strict=True))
            table.add_row(str(c.keep), ", ".join(map(str, c.duplicates)), how, text)
        console.print(table)
    console.print(f"wrote {summary['kept']} rows to {output}")


@app.command(name="filter")
def filter_command(
    input: Annotated[
        Path,
        typer.Option("--input", "-i", help="Rows: .jsonl/.json/.csv/.parquet or a dataset folder."),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Rows that pass every filter.")],
    scrub_pii: Annotated[
        bool,
        typer.Option(
            "--scrub-pii",
            help="Replace PII with [EMAIL], [PHONE], ... instead of dropping the row.",
        ),
    ] = False,
    strip_html: Annotated[
        bool, typer.Option("--strip-html", help="Remove HTML remnants instead of dropping.")
    ] = False,
    fields: Annotated[
        list[str] | None,
        typer.Option("--fields", help="Text columns for the length/repetition checks."),
    ] = None,
    min_words: Annotated[int, typer.Option(help="Fewer words in a text column: too short.")] = 3,
    max_words: Annotated[int, typer.Option(help="More words in a text column: too long.")] = 150,
    max_repeated: Annotated[
        float, typer.Option(help="Max share of repeated word 3-grams in a text.")
    ] = 0.3,
    rejected: Annotated[
        Path | None,
        typer.Option(help="Write removed rows with filter_reason (default: OUT.rejected.*)."),
    ] = None,
    show: Annotated[int, typer.Option(help="Removed rows to print.")] = 5,
    split: InputSplitOption = None,
) -> None:
    """Drop rows that fail the Self-Instruct heuristics, empty fields, HTML remnants or PII.

    Heuristics (seed 004): too short/long, repetitive n-grams, an output that only echoes the
    input, the same instruction with different responses.
    """
    from langsynth.datafile import read_rows, write_rows
    from langsynth.lineage import read_lineage, record_step
    from langsynth.quality.filters import filter_rows

    rows = read_rows(input, split=split)
    text_fields = split_list(fields)
    check_columns(rows, text_fields, "--fields")
    if text_fields is None:
        info = schema_for(None, read_lineage(input))
        if info is not None and info.text_fields:
            text_fields = list(info.text_fields)
    result = filter_rows(
        rows,
        scrub_pii_fields=scrub_pii,
        strip_html_fields=strip_html,
        text_fields=text_fields,
        min_words=min_words,
        max_words=max_words,
        max_repeated_fraction=max_repeated,
    )
    write_rows(output, result.kept)
    removed = result.removed
    rejected_path = rejected or default_sidecar(output, "rejected")
    if removed:
        write_rows(rejected_path, removed)
    summary = result.summary()
    record_step(output, input, "filter", summary)
    console.print(
        kv_table(
            "Filter",
            {
                "rows": summary["rows"],
                "kept": summary["kept"],
                "removed": summary["removed"],
                **{f"  {k}": v for k, v in summary["removed_by"].items()},
                **{f"cleaned ({k})": v for k, v in summary["cleaned"].items()},
            },
        )
    )
    if removed and show:
        table = Table(title=f"Removed rows (first {min(show, len(removed))})")
        table.add_column("reason", overflow="fold")
        table.add_column("row", overflow="fold")
        for row in removed[:show]:
            content = {k: v for k, v in row.items() if k != "filter_reason"}
            table.add_row(str(row["filter_reason"]), json.dumps(content, ensure_ascii=False)[:160])
        console.print(table)
    console.print(f"wrote {summary['kept']} rows to {output}")
    if removed:
        console.print(f"removed rows with reasons: {rejected_path}")


@app.command()
def inspect(
    file: Annotated[
        Path, typer.Argument(help="Rows: .jsonl/.json/.csv/.parquet or a dataset folder.")
    ],
    plot: Annotated[Path | None, typer.Option(help="Write a PNG of the distributions.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    fields: Annotated[list[str] | None, typer.Option(help="Columns to describe.")] = None,
    text_fields: Annotated[
        list[str] | None, typer.Option(help="Text columns for diversity (default: long ones).")
    ] = None,
    schema: Annotated[
        str | None,
        typer.Option(help="Schema whose attribute pools the rows were drawn from (coverage)."),
    ] = None,
    split: InputSplitOption = None,
) -> None:
    """Per-field statistics, text diversity (distinct-n, pairwise similarity), judge scores.

    With `--schema`, also per-attribute coverage: how many of the values each hint pool could
    give a field the rows actually take.
    """
    from langsynth.datafile import read_rows
    from langsynth.quality.inspection import inspect_rows, plot_inspection
    from langsynth.schemas import load_schema

    rows = read_rows(file, split=split)
    chosen, texts = split_list(fields), split_list(text_fields)
    check_columns(rows, chosen, "--fields")
    check_columns(rows, texts, "--text-fields")
    info = load_schema(schema) if schema else None
    pools = info.pools if info else None
    if texts is None and info:
        texts = [f for f in info.text_fields if any(f in r for r in rows)] or None
    report = inspect_rows(rows, fields=chosen, text_fields=texts, pools=pools)
    if plot is not None:
        plot_inspection(report, plot)
    if as_json:
        print(report.to_json())
        return
    table = Table(title=f"{file} — {report.rows} rows")
    for col in ("field", "type", "null", "distinct", "length (chars) min/median/max", "top values"):
        table.add_column(col, overflow="fold")
    for f in report.fields:
        length = f"{f.length.min}/{f.length.median:g}/{f.length.max}" if f.length else "-"
        if f.numeric:
            length = f"value {f.numeric['min']:g}/{f.numeric['median']:g}/{f.numeric['max']:g}"
        top = ", ".join(f"{v[:24]} ({c})" for v, c in f.top_values[:3])
        table.add_row(f.name, f.type, f"{f.null_rate:.0%}", str(f.distinct), length, top)
    console.print(table)
    for t in report.texts:
        console.print(
            kv_table(
                f"Diversity of {t.name}",
                {
                    "distinct-1 / -2 / -3": f"{t.distinct_1} / {t.distinct_2} / {t.distinct_3}",
                    "mean pairwise similarity (edit ratio)": t.mean_similarity,
                    "mean pairwise Jaccard (MinHash, word bigrams)": t.mean_jaccard,
                    "max pairwise similarity": f"{t.max_similarity} (rows {t.most_similar_pair})",
                    "rows compared": t.compared_rows,
                },
            )
        )
    if report.coverage:
        cov = Table(title="Attribute coverage (distinct values vs the pool drawn from)")
        for col in ("field", "distinct", "values", "pool", "coverage", "top value"):
            cov.add_column(col, overflow="fold")
        for c in report.coverage:
            cov.add_row(
                c.field,
                str(c.distinct),
                str(c.count),
                str(c.pool_size) if c.pool_size is not None else "-",
                f"{c.share:.0%}" if c.share is not None else "-",
                f"{str(c.top_value)[:30]} ({c.top_share:.0%})" if c.count else "-",
            )
        console.print(cov)
    if report.scores is not None:
        s = report.scores
        dist = "  ".join(f"{k}: {v}" for k, v in s.distribution.items())
        console.print(
            kv_table(
                "Judge scores",
                {"judged": s.count, "missing": s.missing, "mean": s.mean, "distribution": dist},
            )
        )
    if plot is not None:
        console.print(f"plot: {plot}")
