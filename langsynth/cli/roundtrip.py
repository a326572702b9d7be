"""``langsynth text | extract | score | bench-extract | roundtrip``: round-trip fidelity.

records --text--> texts --extract--> predictions --score--> field metrics; ``roundtrip`` does
all of it in one go, ``bench-extract`` compares extraction strategies on a labelled file.
With ``--json`` each prints its result object as JSON on stdout, otherwise Rich tables.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from langsynth.cli._app import app, console, err_console
from langsynth.cli._options import progress_bar

if TYPE_CHECKING:
    from rich.progress import TaskID

    from langsynth.metrics import MetricsReport
    from langsynth.schemas import SchemaInfo

SchemaArg = Annotated[
    str,
    typer.Argument(help="Built-in name (see `langsynth schemas`), file.py:Class or module:Class."),
]
SchemaOpt = Annotated[
    str,
    typer.Option("--schema", "-s", help="Built-in name, file.py:Class or module:Class."),
]
ModelOpt = Annotated[
    str | None,
    typer.Option("--model", "-m", help="Model spec (default: LANGSYNTH_MODEL or local)."),
]
ConcurrencyOpt = Annotated[int, typer.Option(min=1, help="Requests in flight.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]
MatchOpt = Annotated[
    str, typer.Option("--match", help="Field matching: exact, normalized or fuzzy (ANLS).")
]
OverwriteOpt = Annotated[bool, typer.Option(help="Replace the output file if it exists.")]

EXTRACT_MAX_TOKENS = 512
TEXT_MAX_TOKENS = 400


# --------------------------------------------------------------------------- helpers


def _check_output(path: Path, overwrite: bool) -> None:
    from langsynth.errors import OutputExistsError

    if path.exists() and path.stat().st_size > 0:
        if not overwrite:
            raise OutputExistsError(f"{path} exists; pass --overwrite to replace it.")
        path.unlink()


def _check_match(match: str) -> None:
    from langsynth.metrics import MATCH_MODES

    if match not in MATCH_MODES:
        raise typer.BadParameter(f"--match must be one of {', '.join(MATCH_MODES)}, not {match!r}.")


def _check_strategy(strategy: str) -> None:
    from langsynth.chains.extraction import STRATEGIES

    if strategy not in STRATEGIES:
        raise typer.BadParameter(
            f"unknown strategy {strategy!r}; use one of {', '.join(STRATEGIES)}."
        )


def _parse_preferences(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(
            f'--preferences must be a JSON object such as \'{{"style": "informal"}}\' ({exc.msg}).'
        ) from None
    if not isinstance(value, dict):
        raise typer.BadParameter("--preferences must be a JSON object.")
    return value


def _row_id(row: Mapping[str, Any], index: int, id_field: str = "id") -> Any:
    value = row.get(id_field)
    return index if value is None else value


def _records_from_rows(
    rows: Sequence[Mapping[str, Any]], info: SchemaInfo, path: Path, label_field: str = "labels"
) -> list[dict[str, Any]]:
    """Records of ``info`` from rows: ``row[label_field]`` if it is an object, else the row."""
    from langsynth.errors import DataFileError

    records = []
    for i, row in enumerate(rows, start=1):
        nested = row.get(label_field)
        source: Mapping[str, Any] = nested if isinstance(nested, dict) else row
        record = {k: source[k] for k in info.fields if k in source}
        if not record:
            raise DataFileError(
                f"{path}, row {i}: none of the fields of {info.name} ({', '.join(info.fields)}) "
                f"is in the row or in its {label_field!r} object."
            )
        records.append(record)
    return records


def metrics_table(report: MetricsReport, title: str) -> Table:
    """Per-field P/R/F1 and support, then micro/macro and the rates."""
    table = Table(title=title)
    for col in ("field", "precision", "recall", "f1", "support"):
        table.add_column(col, justify="left" if col == "field" else "right")
    for name, score in report.fields.items():
        table.add_row(
            name,
            f"{score.prf.precision:.3f}",
            f"{score.prf.recall:.3f}",
            f"{score.prf.f1:.3f}",
            f"{score.support:g}",
        )
    table.add_section()
    for label, prf in (("micro", report.micro), ("macro", report.macro)):
        table.add_row(
            f"[bold]{label}", f"{prf.precision:.3f}", f"{prf.recall:.3f}", f"[bold]{prf.f1:.3f}", ""
        )
    table.caption = (
        f"n={report.n} · parse rate {report.parse_rate:.3f} · schema-valid rate "
        f"{report.schema_valid_rate:.3f} · record exact {report.record_exact:.3f} · "
        f"match={report.match}"
    )
    return table


def _print_json(data: Any) -> None:
    # plain print: Rich would wrap long lines and colour the output.
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


# --------------------------------------------------------------------------- text


@app.command()
def text(
    schema: SchemaArg,
    input: Annotated[
        Path, typer.Option("--input", "-i", help="Records (.jsonl/.csv/.json/.parquet).")
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Texts, .jsonl.")],
    preferences: Annotated[
        str | None,
        typer.Option(help='Text preferences as JSON, e.g. \'{"style": "informal"}\'.'),
    ] = None,
    verify: Annotated[
        bool, typer.Option(help="Regenerate texts that leave out a field value.")
    ] = False,
    max_attempts: Annotated[int, typer.Option(min=1, help="Texts per record with --verify.")] = 3,
    model: ModelOpt = None,
    temperature: Annotated[float, typer.Option(help="Sampling temperature.")] = 0.7,
    max_tokens: Annotated[int, typer.Option(help="Max tokens per text.")] = TEXT_MAX_TOKENS,
    concurrency: ConcurrencyOpt = 4,
    as_json: JsonOpt = False,
    overwrite: OverwriteOpt = False,
) -> None:
    """Write a natural text for each record (seed 001's DatasetGenerator).

    Each output row holds id, text, labels (the record), preferences, verified (every value
    appears in the text), missing (values absent from it) and attempts. Rows are appended as
    they finish.
    """
    from langsynth._async import run_sync
    from langsynth.chains.text import DatasetGenerator
    from langsynth.datafile import JsonlAppender, read_rows
    from langsynth.llm import get_chat_model
    from langsynth.schemas import load_schema

    info = load_schema(schema)
    prefs = _parse_preferences(preferences)
    rows = read_rows(input)
    records = _records_from_rows(rows, info, input)
    ids = [_row_id(r, i) for i, r in enumerate(rows)]
    _check_output(output, overwrite)
    llm = get_chat_model(model, temperature=temperature, max_tokens=max_tokens)
    gen = DatasetGenerator(
        llm,
        prefs,
        verify=verify,
        max_attempts=max_attempts,
        concurrency=concurrency,
        skip_fields=info.text_fields,
    )
    missing_fields: Counter[str] = Counter()
    counts = {"verified": 0, "failed": 0, "attempts": 0, "output_tokens": 0}
    progress = progress_bar(f"text {info.name}")
    task = progress.add_task("text", total=len(records), detail="")
    with JsonlAppender(output) as out, progress:

        def on_result(index: int, row: dict[str, Any]) -> None:
            counts["verified"] += bool(row["verified"])
            counts["failed"] += row["text"] is None
            counts["attempts"] += row["attempts"]
            counts["output_tokens"] += row["usage"]["output_tokens"]
            missing_fields.update(row["missing"])
            out.write(
                {
                    "id": ids[index],
                    "text": row["text"],
                    "labels": row["fields"],
                    "preferences": row["preferences"],
                    "verified": row["verified"],
                    "missing": row["missing"],
                    "attempts": row["attempts"],
                    **({"error": row["error"]} if row["error"] else {}),
                }
            )
            progress.update(task, advance=1, detail=f"verified {counts['verified']}")

        run_sync(gen.agenerate(records, on_result=on_result))
    summary = {
        "n": len(records),
        "verified": counts["verified"],
        "verified_rate": counts["verified"] / len(records) if records else 0.0,
        "failed": counts["failed"],
        "attempts": counts["attempts"],
        "missing_fields": dict(missing_fields),
        "output_tokens": counts["output_tokens"],
    }
    if as_json:
        _print_json(summary)
        return
    table = Table(title=f"{output}: texts of {info.name}", show_header=False)
    table.add_column("metric", style="bold")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        table.add_row(key, shown)
    console.print(table)


# --------------------------------------------------------------------------- extract


@app.command()
def extract(
    schema: SchemaOpt,
    input: Annotated[Path, typer.Option("--input", "-i", help="Texts (.jsonl/.csv/...).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Predictions, .jsonl.")],
    text_field: Annotated[str, typer.Option(help="The column holding the text.")] = "text",
    strategy: Annotated[
        str, typer.Option(help="json_schema, tool_calling, parser or json_mode.")
    ] = "json_schema",
    model: ModelOpt = None,
    max_tokens: Annotated[
        int, typer.Option(help="Max tokens per extraction.")
    ] = EXTRACT_MAX_TOKENS,
    concurrency: ConcurrencyOpt = 4,
    as_json: JsonOpt = False,
    overwrite: OverwriteOpt = False,
) -> None:
    """Extract one SCHEMA record from each text; writes {"id", "prediction"} rows.

    A text that yields no valid record gets "prediction": null with "error", "raw_output" and
    "parsed_output" (the JSON it produced, if any). If the input rows carry "labels" (as the
    output of `langsynth text` does), the metrics against them are printed too.
    """
    from langsynth._async import run_sync
    from langsynth.chains.extraction import ExtractionChain
    from langsynth.datafile import JsonlAppender, read_rows
    from langsynth.errors import DataFileError
    from langsynth.llm import get_chat_model
    from langsynth.metrics import score_dataset
    from langsynth.schemas import load_schema

    _check_strategy(strategy)
    info = load_schema(schema)
    rows = read_rows(input)
    for i, row in enumerate(rows, start=1):
        if not isinstance(row.get(text_field), str):
            raise DataFileError(
                f"{input}, row {i}: no text in column {text_field!r}; pass --text-field NAME."
            )
    _check_output(output, overwrite)
    llm = get_chat_model(model, temperature=0, max_tokens=max_tokens)
    chain = ExtractionChain(info, llm, strategy)
    predictions: list[Any] = [None] * len(rows)
    progress = progress_bar(f"extract {info.name} ({strategy})")
    task = progress.add_task("extract", total=len(rows), detail="")
    failed = 0
    with JsonlAppender(output) as out, progress:

        def on_result(index: int, extraction: Any) -> None:
            nonlocal failed
            predictions[index] = extraction.prediction
            row: dict[str, Any] = {"id": _row_id(rows[index], index)}
            if extraction.ok:
                row["prediction"] = extraction.record.model_dump(mode="json")
            else:
                failed += 1
                row.update({"prediction": None, **extraction.failure.to_dict()})
                row.pop("strategy", None)
            out.write(row)
            progress.update(task, advance=1, detail=f"failed {failed}")

        run_sync(
            chain.aextract_many(
                [r[text_field] for r in rows], concurrency=concurrency, on_result=on_result
            )
        )
    labelled = bool(rows) and all(isinstance(r.get("labels"), dict) for r in rows)
    if labelled:
        report = score_dataset(predictions, [r["labels"] for r in rows], info.model)
        data: dict[str, Any] = report.to_dict()
    else:
        report = score_dataset(predictions, [{} for _ in rows], info.model)
        data = {k: report.to_dict()[k] for k in ("n", "parse_rate", "schema_valid_rate")}
    if as_json:
        _print_json(data)
    elif labelled:
        console.print(metrics_table(report, f"{output} vs labels in {input}"))
    else:
        console.print(
            f"{output}: {len(rows)} texts · parse rate {report.parse_rate:.3f} · "
            f"schema-valid rate {report.schema_valid_rate:.3f}"
        )


# --------------------------------------------------------------------------- score


def _prediction_of(row: Mapping[str, Any] | None, pred_field: str) -> Any:
    from langsynth.chains.extraction import ExtractionFailure

    if row is None:
        return None
    value = row.get(pred_field)
    if isinstance(value, dict):
        return value
    parsed = row.get("parsed_output")
    return ExtractionFailure(
        error=str(row.get("error") or "no prediction"),
        raw_output=str(row.get("raw_output") or ""),
        parsed_output=parsed if isinstance(parsed, dict) else None,
    )


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
    from langsynth.errors import DataFileError
    from langsynth.metrics import score_dataset
    from langsynth.schemas import load_schema

    _check_match(match)
    info = load_schema(schema)
    gold_rows = read_rows(gold)
    pred_rows = read_rows(pred)
    golds = []
    for i, row in enumerate(gold_rows, start=1):
        labels = row.get(label_field)
        if not isinstance(labels, dict):
            raise DataFileError(
                f"{gold}, row {i}: no {label_field!r} object with the gold record; pass "
                "--label-field NAME."
            )
        golds.append(labels)
    by_id: dict[str, Mapping[str, Any]] = {}
    for i, row in enumerate(pred_rows):
        key = str(_row_id(row, i, id_field))
        if key in by_id:
            raise DataFileError(f"{pred}: id {key!r} appears twice; ids must be unique.")
        by_id[key] = row
    gold_ids = [str(_row_id(r, i, id_field)) for i, r in enumerate(gold_rows)]
    preds = [_prediction_of(by_id.get(key), pred_field) for key in gold_ids]
    unmatched = len(set(by_id) - set(gold_ids))
    missing = sum(1 for key in gold_ids if key not in by_id)
    if unmatched:
        err_console.print(f"[yellow]warning:[/] {unmatched} predictions have ids not in {gold}")
    if missing:
        err_console.print(
            f"[yellow]warning:[/] {missing} gold rows have no prediction (scored as failed)"
        )
    report = score_dataset(preds, golds, info.model, match=match)
    if as_json:
        _print_json(report.to_dict())
    else:
        console.print(metrics_table(report, f"{pred} vs {gold}"))


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
    from langsynth.errors import DataFileError
    from langsynth.llm import get_chat_model
    from langsynth.schemas import load_schema

    _check_match(match)
    names = [s.strip() for s in strategies.split(",") if s.strip()]
    if not names:
        raise typer.BadParameter("--strategies is empty.")
    for name in names:
        _check_strategy(name)
    info = load_schema(schema)
    rows = read_rows(data, limit=limit)
    texts, golds = [], []
    for i, row in enumerate(rows, start=1):
        if not isinstance(row.get(text_field), str):
            raise DataFileError(f"{data}, row {i}: no text in {text_field!r}; pass --text-field.")
        if not isinstance(row.get(label_field), dict):
            raise DataFileError(
                f"{data}, row {i}: no {label_field!r} object; pass --label-field NAME."
            )
        texts.append(row[text_field])
        golds.append(row[label_field])
    llm = get_chat_model(model, temperature=0, max_tokens=max_tokens)
    results: dict[str, dict[str, Any]] = {}
    progress = progress_bar(f"bench-extract {info.name}")
    with progress:
        for name in names:
            task = progress.add_task(name, total=len(texts), detail=name)

            def advance(_index: int, _result: object, task: TaskID = task) -> None:
                progress.update(task, advance=1)

            chain = ExtractionChain(info, llm, name)
            results[name] = bench_strategy(
                chain, texts, golds, match=match, concurrency=concurrency, on_result=advance
            )
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


# --------------------------------------------------------------------------- roundtrip


@app.command()
def roundtrip(
    schema: SchemaArg,
    n: Annotated[int, typer.Option("-n", "--n", min=1, help="Number of records.")],
    verify: Annotated[
        bool, typer.Option(help="Regenerate texts that leave out a field value.")
    ] = False,
    strategy: Annotated[
        str, typer.Option(help="Extraction: json_schema, tool_calling, parser or json_mode.")
    ] = "json_schema",
    records: Annotated[
        Path | None,
        typer.Option(help="Use these records (first N) instead of generating them."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Write labelled rows (text, labels, prediction, verdict), .jsonl.",
        ),
    ] = None,
    preferences: Annotated[str | None, typer.Option(help="Text preferences as JSON.")] = None,
    match: MatchOpt = "normalized",
    min_f1: Annotated[
        float | None, typer.Option(help="Keep records with F1 >= this (default: exact match).")
    ] = None,
    max_attempts: Annotated[int, typer.Option(min=1, help="Texts per record with --verify.")] = 3,
    model: ModelOpt = None,
    concurrency: ConcurrencyOpt = 4,
    seed: Annotated[int | None, typer.Option(help="Seed for record hints and the model.")] = None,
    summary_json: Annotated[
        Path | None, typer.Option(help="Write metrics, counts and tokens as JSON here.")
    ] = None,
    as_json: JsonOpt = False,
    overwrite: OverwriteOpt = False,
) -> None:
    """Generate N records, write a text for each, extract them back and score field by field.

    Records come from the record generator (or --records); texts from the dataset generator
    (--verify regenerates texts that leave values out); extraction uses --strategy.
    The output rows form a labelled data set for `langsynth bench-extract`.
    """
    from langsynth._async import run_sync
    from langsynth.chains.roundtrip import RoundTrip, RoundTripRow
    from langsynth.datafile import JsonlAppender, read_rows
    from langsynth.llm import get_chat_model
    from langsynth.schemas import load_schema

    _check_match(match)
    _check_strategy(strategy)
    info = load_schema(schema)
    prefs = _parse_preferences(preferences)
    if output is not None:
        _check_output(output, overwrite)
    if records is not None:
        chosen = _records_from_rows(read_rows(records, limit=n), info, records)
    else:
        chosen = _generate_records(info, n, model, concurrency, seed)
    text_llm = get_chat_model(model, temperature=0.7, max_tokens=TEXT_MAX_TOKENS, seed=seed)
    extract_llm = get_chat_model(model, temperature=0, max_tokens=EXTRACT_MAX_TOKENS, seed=seed)
    trip = RoundTrip(
        info,
        text_llm,
        extract_llm=extract_llm,
        strategy=strategy,
        verify=verify,
        preferences=prefs,
        max_attempts=max_attempts,
        match=match,
        min_f1=min_f1,
        concurrency=concurrency,
    )
    progress = progress_bar(f"roundtrip {info.name}")
    task = progress.add_task("roundtrip", total=len(chosen), detail="")
    passed = 0
    appender = JsonlAppender(output) if output is not None else None
    try:
        with progress:

            def on_row(row: RoundTripRow) -> None:
                nonlocal passed
                passed += row.passed
                if appender is not None:
                    appender.write(row.to_dict())
                progress.update(task, advance=1, detail=f"matched {passed}")

            result = run_sync(trip.arun(chosen, on_row=on_row))
    finally:
        if appender is not None:
            appender.close()
    summary = {**result.summary(), "strategy": strategy, "verify": verify, "schema": info.name}
    if summary_json is not None:
        summary_json.parent.mkdir(parents=True, exist_ok=True)
        summary_json.write_text(json.dumps(summary, indent=2) + "\n")
    if as_json:
        _print_json(result.report.to_dict())
    else:
        console.print(metrics_table(result.report, f"Round trip of {info.name} ({strategy})"))
    err_console.print(
        f"kept {len(result.kept)}/{len(result.rows)} records whose round trip matched · texts "
        f"with every value {summary['text_verified']}/{len(result.rows)} · "
        f"{result.elapsed_s:.0f} s" + (f" · rows in {output}" if output else "")
    )


def _generate_records(
    info: SchemaInfo, n: int, model: str | None, concurrency: int, seed: int | None
) -> list[dict[str, Any]]:
    from langsynth._async import run_sync
    from langsynth.chains.generator import RecordGenerator
    from langsynth.llm import get_chat_model

    llm = get_chat_model(model, temperature=0.9, max_tokens=512, seed=seed)
    gen = RecordGenerator(info, llm, concurrency=concurrency, seed=seed)
    progress = progress_bar(f"generate {info.name}")
    task = progress.add_task("generate", total=n, detail="")
    with progress:
        result = run_sync(
            gen.agenerate(n, on_progress=lambda s: progress.update(task, completed=s.valid))
        )
    if not result.complete:
        err_console.print(f"[yellow]warning:[/] {result.message}")
    if not result.records:
        from langsynth.errors import GenerationError

        raise GenerationError(f"No {info.name} records were generated: {result.message}")
    return result.to_dicts()
