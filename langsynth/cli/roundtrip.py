"""``langsynth text | extract | score | bench-extract | roundtrip``: round-trip fidelity.

records --text--> texts --extract--> predictions --score--> field metrics; ``roundtrip`` does
all of it in one go, ``bench-extract`` compares extraction strategies on a labelled file.
With ``--json`` each prints its result object as JSON on stdout, otherwise Rich tables.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from langsynth.cli._app import app, console, err_console
from langsynth.cli._engine import (
    EndpointModelOpt,
    EndpointsOpt,
    EngineOpt,
    RayAddressOpt,
    SlotsPerEndpointOpt,
    engine_choice,
    print_endpoints,
    run_map_job,
)
from langsynth.cli._options import kv_table

if TYPE_CHECKING:
    from langsynth.metrics import MetricsReport

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
OverwriteOpt = Annotated[bool, typer.Option(help="Replace the output and its run directory.")]
ResumeOpt = Annotated[bool, typer.Option(help="Continue the run that wrote the output.")]

EXTRACT_MAX_TOKENS = 512
TEXT_MAX_TOKENS = 400


# --------------------------------------------------------------------------- helpers


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
    resume: ResumeOpt = False,
    engine: EngineOpt = "local",
    endpoints: EndpointsOpt = None,
    ray_address: RayAddressOpt = None,
    slots_per_endpoint: SlotsPerEndpointOpt = None,
    endpoint_model: EndpointModelOpt = None,
) -> None:
    """Write a natural text for each record (seed 001's DatasetGenerator).

    Each output row holds id, text, labels (the record), preferences, verified (every value
    appears in the text), missing (values absent from it), attempts and error. Rows are
    journalled as they finish; --resume continues an interrupted run. --engine ray spreads
    the rows over --endpoints; --engine ray-data also reads and writes in parallel (OUTPUT
    is then a folder of JSONL shards, for inputs too large for one process).
    """
    from langsynth.chains.text import text_summary
    from langsynth.engines.factories import step_factory
    from langsynth.schemas import load_schema

    choice = engine_choice(
        engine, endpoints, ray_address, slots_per_endpoint, endpoint_model, model, sharded_ok=True
    )
    info = load_schema(schema)
    factory = step_factory(
        "text",
        preferences=_parse_preferences(preferences),
        verify=verify,
        max_attempts=max_attempts,
        concurrency=concurrency,
        schema=info,
    )
    llm_kwargs = {"temperature": temperature, "max_tokens": max_tokens}
    result = run_map_job(
        choice,
        factory,
        input,
        output,
        model=model,
        llm_kwargs=llm_kwargs,
        resume=resume,
        overwrite=overwrite,
    )
    if result is None:  # sharded: printed already
        return
    summary = text_summary(result.rows)
    if as_json:
        _print_json(summary)
        return
    console.print(kv_table(f"{output}: texts of {info.name}", summary))


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
    resume: ResumeOpt = False,
    engine: EngineOpt = "local",
    endpoints: EndpointsOpt = None,
    ray_address: RayAddressOpt = None,
    slots_per_endpoint: SlotsPerEndpointOpt = None,
    endpoint_model: EndpointModelOpt = None,
) -> None:
    """Extract one SCHEMA record from each text; writes {"id", "prediction", ...} rows.

    A text that yields no valid record gets "prediction": null with "error", "raw_output" and
    "parsed_output" (the JSON it produced, if any). If the input rows carry "labels" (as the
    output of `langsynth text` does), the metrics against them are printed too. --engine ray
    spreads the texts over --endpoints; --engine ray-data writes a folder of shards instead
    (large inputs; no metrics printed).
    """
    from langsynth.datafile import read_rows
    from langsynth.engines.factories import step_factory
    from langsynth.metrics import prediction_of, score_dataset, score_predictions
    from langsynth.schemas import load_schema

    _check_strategy(strategy)
    choice = engine_choice(
        engine, endpoints, ray_address, slots_per_endpoint, endpoint_model, model, sharded_ok=True
    )
    info = load_schema(schema)
    factory = step_factory(
        "extract", schema=info, strategy=strategy, text_field=text_field, concurrency=concurrency
    )
    llm_kwargs = {"temperature": 0, "max_tokens": max_tokens}
    result = run_map_job(
        choice,
        factory,
        input,
        output,
        model=model,
        llm_kwargs=llm_kwargs,
        resume=resume,
        overwrite=overwrite,
    )
    if result is None:  # sharded: printed already
        return
    rows = read_rows(input)
    labelled = bool(rows) and all(isinstance(r.get("labels"), dict) for r in rows)
    if labelled:
        report = score_predictions(rows, result.rows, info.model).report
        data: dict[str, Any] = report.to_dict()
    else:
        preds = [prediction_of(r) for r in result.rows]
        report = score_dataset(preds, [{}] * len(preds), info.model)
        data = {k: report.to_dict()[k] for k in ("n", "parse_rate", "schema_valid_rate")}
    if as_json:
        _print_json(data)
    elif labelled:
        console.print(metrics_table(report, f"{output} vs labels in {input}"))
    else:
        console.print(
            f"{output}: {report.n} texts · parse rate {report.parse_rate:.3f} · "
            f"schema-valid rate {report.schema_valid_rate:.3f}"
        )


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
    resume: ResumeOpt = False,
    engine: EngineOpt = "local",
    endpoints: EndpointsOpt = None,
    ray_address: RayAddressOpt = None,
    slots_per_endpoint: SlotsPerEndpointOpt = None,
    endpoint_model: EndpointModelOpt = None,
) -> None:
    """Generate N records, write a text for each, extract them back and score field by field.

    Records come from the record generator (or --records); texts from the dataset generator
    (--verify regenerates texts that leave values out); extraction uses --strategy. With -o
    every step is journalled (the generated records in OUTPUT.run/generated.jsonl) and --resume
    continues an interrupted round trip. The output rows form a labelled data set for
    `langsynth bench-extract`. --engine ray runs both stages on --endpoints.
    """
    from langsynth.datafile import read_rows
    from langsynth.engines.choice import engine_step
    from langsynth.engines.factories import step_factory
    from langsynth.runs import check_output, run_dir_for
    from langsynth.schemas import load_schema

    _check_match(match)
    _check_strategy(strategy)
    choice = engine_choice(
        engine, endpoints, ray_address, slots_per_endpoint, endpoint_model, model
    )
    info = load_schema(schema)
    prefs = _parse_preferences(preferences)
    if output is not None:
        check_output(output, resume=resume, overwrite=overwrite)
    if records is not None:
        chosen: list[dict[str, Any]] = read_rows(records, limit=n)
    else:
        records_factory = step_factory("generate", schema=info, concurrency=concurrency, seed=seed)
        gen_kwargs = {"temperature": 0.9, "max_tokens": 512, "seed": seed}
        with engine_step(choice, records_factory, model=model, llm_kwargs=gen_kwargs) as (
            gen,
            executor,
        ):
            generated = gen.generate(
                n,
                output=run_dir_for(output) / "generated.jsonl" if output is not None else None,
                resume=resume,
                overwrite=overwrite,
                progress=True,
                executor=executor,
            )
        if not generated.complete:
            err_console.print(f"[yellow]warning:[/] {generated.message}")
        chosen = generated.rows
    factory = step_factory(
        "roundtrip",
        schema=info,
        extract_settings={"temperature": 0, "max_tokens": EXTRACT_MAX_TOKENS},
        strategy=strategy,
        verify=verify,
        preferences=prefs,
        max_attempts=max_attempts,
        match=match,
        min_f1=min_f1,
        concurrency=concurrency,
    )
    text_kwargs = {"temperature": 0.7, "max_tokens": TEXT_MAX_TOKENS, "seed": seed}
    with engine_step(choice, factory, model=model, llm_kwargs=text_kwargs) as (trip, executor):
        result = trip.run(
            chosen,
            output=output,
            resume=resume,
            overwrite=overwrite,
            progress=True,
            executor=executor,
        )
    print_endpoints(result.run)
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
