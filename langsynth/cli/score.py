"""``langsynth score`` and ``langsynth bench-extract``: field metrics of predictions, and
extraction strategies compared on one labelled file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from langsynth.cli._app import app, console, err_console
from langsynth.cli.roundtrip import (
    EXTRACT_MAX_TOKENS,
    ConcurrencyOpt,
    JsonOpt,
    MatchOpt,
    ModelOpt,
    SchemaOpt,
    _check_match,
    _check_strategy,
    _print_json,
    metrics_table,
)

# --------------------------------------------------------------------------- score


@app.command()
def score(
    schema: SchemaOpt,
    gold: Annotated[Path, typer.Option(help="Gold file: rows with an id and labels.")],
    pred: Annotated[Path, typer.Option(help="Predictions: rows with an id and a prediction.")],
    match: MatchOpt = "normalized",
    id_field: Annotated[str, typer.Option(help="The id column in both files.")] = "id",
    label_field: Annotated[str, typer.Option(help="The gold record column.")] = "labels",
    pred_field: Annotated[str, typer.Option(help="The predicted record column.")] = "prediction",
    as_json: JsonOpt = False,
) -> None:
    """Score predictions against gold labels field by field (no LLM involved).

    Rows are matched by id; a gold row without a prediction counts as a failed prediction.
    A field absent from a gold record is not annotated and not scored.
    """
    from langsynth.datafile import read_rows
    from langsynth.metrics import score_predictions
    from langsynth.schemas import load_schema

    _check_match(match)
    scored = score_predictions(
        read_rows(gold),
        read_rows(pred),
        load_schema(schema).model,
        match=match,
        id_field=id_field,
        label_field=label_field,
        pred_field=pred_field,
        gold_name=str(gold),
        pred_name=str(pred),
    )
    for warning in scored.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}")
    if as_json:
        _print_json(scored.report.to_dict())
    else:
        console.print(metrics_table(scored.report, f"{pred} vs {gold}"))


# --------------------------------------------------------------------------- bench-extract


@app.command("bench-extract")
def bench_extract(
    schema: SchemaOpt,
    data: Annotated[Path, typer.Option(help="Labelled texts: rows with a text and labels.")],
    text_field: Annotated[str, typer.Option(help="The column holding the text.")] = "text",
    label_field: Annotated[str, typer.Option(help="The gold record column.")] = "labels",
    strategies: Annotated[
        str, typer.Option(help="Comma-separated strategies to compare.")
    ] = "json_schema,tool_calling,parser,json_mode",
    limit: Annotated[int | None, typer.Option(min=1, help="Use the first N rows.")] = None,
    match: MatchOpt = "normalized",
    model: ModelOpt = None,
    max_tokens: Annotated[
        int, typer.Option(help="Max tokens per extraction.")
    ] = EXTRACT_MAX_TOKENS,
    concurrency: ConcurrencyOpt = 4,
    as_json: JsonOpt = False,
) -> None:
    """Run each extraction strategy on the same labelled rows and compare them.

    One row of metrics per strategy, with latency p50/p95 (seconds per text, measured by the
    client with CONCURRENCY requests in flight) and tokens.
    """
    from langsynth.chains.extraction import ExtractionChain, bench_strategy
    from langsynth.datafile import read_rows
    from langsynth.llm import get_chat_model
    from langsynth.metrics import labelled_texts
    from langsynth.schemas import load_schema

    _check_match(match)
    names = [s.strip() for s in strategies.split(",") if s.strip()]
    if not names:
        raise typer.BadParameter("--strategies is empty.")
    for name in names:
        _check_strategy(name)
    info = load_schema(schema)
    texts, golds = labelled_texts(
        read_rows(data, limit=limit),
        text_field=text_field,
        label_field=label_field,
        where=str(data),
    )
    llm = get_chat_model(model, temperature=0, max_tokens=max_tokens)
    results: dict[str, dict[str, Any]] = {}
    for name in names:
        err_console.print(f"[bold]{name}[/] on {len(texts)} texts ...")
        chain = ExtractionChain(info, llm, name)
        results[name] = bench_strategy(chain, texts, golds, match=match, concurrency=concurrency)
    if as_json:
        _print_json({"strategies": results})
        return
    table = Table(title=f"Extraction strategies on {data} ({len(texts)} rows, match={match})")
    columns = ("strategy", "parse", "valid", "exact", "micro F1", "macro F1", "p50 s", "p95 s")
    for col in (*columns, "out tok/row"):
        table.add_column(col, justify="left" if col == "strategy" else "right", no_wrap=True)
    for name, r in results.items():
        table.add_row(
            name,
            f"{r['parse_rate']:.2f}",
            f"{r['schema_valid_rate']:.2f}",
            f"{r['record_exact']:.2f}",
            f"[bold]{r['micro']['f1']:.3f}",
            f"{r['macro']['f1']:.3f}",
            f"{r['latency']['p50_s']:.1f}",
            f"{r['latency']['p95_s']:.1f}",
            f"{r['tokens']['output_per_row']:.0f}",
        )
    console.print(table)
    for name, r in results.items():
        if r["errors"]:
            reasons = "; ".join(f"{k} ({v})" for k, v in r["errors"].items())
            err_console.print(f"[yellow]{name} failures:[/] {reasons}")
