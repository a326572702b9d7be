"""``langsynth generate``: N schema-typed records, written as they are accepted."""

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
    endpoints_table,
    engine_choice,
)

if TYPE_CHECKING:
    from pydantic import BaseModel


def preview_table(records: list[BaseModel], title: str, limit: int = 5) -> Table:
    """The first ``limit`` records as a Rich table."""
    table = Table(title=title, show_lines=False)
    rows = [r.model_dump(mode="json") for r in records[:limit]]
    columns = list(rows[0]) if rows else []
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(
            *(
                json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else str(v)
                for v in row.values()
            )
        )
    return table


def summary_table(summary: dict[str, Any], title: str = "Run summary") -> Table:
    table = Table(title=title, show_header=False)
    table.add_column("metric", style="bold")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        table.add_row(key, str(value))
    return table


@app.command()
def generate(
    schema: Annotated[
        str,
        typer.Argument(
            help="Built-in name (see `langsynth schemas`), file.py:Class or module:Class."
        ),
    ],
    n: Annotated[int, typer.Option("-n", "--n", min=1, help="Number of valid, unique records.")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Output file: .csv, .jsonl or .parquet.")
    ],
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help="Model spec (default: LANGSYNTH_MODEL or local)."),
    ] = None,
    examples: Annotated[
        Path | None, typer.Option(help="Few-shot examples, JSONL (default: the schema's own).")
    ] = None,
    zero_shot: Annotated[bool, typer.Option(help="Use no few-shot examples.")] = False,
    subject: Annotated[str | None, typer.Option(help="The prompt's {subject}.")] = None,
    extra: Annotated[str | None, typer.Option(help="The prompt's {extra} instruction.")] = None,
    persona: Annotated[str | None, typer.Option(help="System prompt (a persona).")] = None,
    temperature: Annotated[float, typer.Option(help="Sampling temperature.")] = 0.9,
    max_tokens: Annotated[int, typer.Option(help="Max output tokens per record.")] = 512,
    concurrency: Annotated[int, typer.Option(min=1, help="Requests in flight.")] = 4,
    seed: Annotated[int | None, typer.Option(help="Seed for hints and the model.")] = None,
    pool: Annotated[
        list[str] | None,
        typer.Option(
            help="Attribute pool FIELD=a,b,c | FIELD=faker:name | FIELD=range:1:9. Repeatable."
        ),
    ] = None,
    pools: Annotated[Path | None, typer.Option(help="Attribute pools from a JSON file.")] = None,
    default_pools: Annotated[
        bool, typer.Option(help="Use the schema's default attribute pools.")
    ] = True,
    vocabulary: Annotated[
        bool,
        typer.Option(
            help="Vocabulary injection (TinyStories): each prompt must use a drawn verb, noun "
            "and adjective and have drawn story features."
        ),
    ] = False,
    avoid_recent: Annotated[
        int, typer.Option(help="Recent records shown as do-not-repeat (small models copy them).")
    ] = 0,
    max_retries: Annotated[int, typer.Option(help="Retries of an invalid record.")] = 2,
    max_attempts: Annotated[
        int | None, typer.Option(help="Cap on record attempts (default 3*N+10).")
    ] = None,
    method: Annotated[
        str, typer.Option(help="Structured output: auto, json_schema, function_calling.")
    ] = "auto",
    pin_hints: Annotated[
        bool | None,
        typer.Option(
            "--pin-hints/--no-pin-hints",
            help="Fix hints that are field values in the record's grammar instead of the "
            "prompt (default: on for the embedded model).",
        ),
    ] = None,
    resume: Annotated[
        bool, typer.Option(help="Continue the run that wrote OUTPUT up to N.")
    ] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace OUTPUT and its run directory.")] = False,
    summary_json: Annotated[
        Path | None, typer.Option(help="Write the run summary (counts, speed, tokens) as JSON.")
    ] = None,
    preview: Annotated[int, typer.Option(help="Rows to show when done (0: none).")] = 5,
    estimate: Annotated[
        bool,
        typer.Option(
            help="Generate a pilot, print the projected tokens, time and cost for N, stop."
        ),
    ] = False,
    pilot: Annotated[int, typer.Option(min=1, help="Records in the --estimate pilot.")] = 4,
    max_cost: Annotated[
        float | None, typer.Option(help="Stop cleanly once the run has cost this many USD.")
    ] = None,
    max_tokens_total: Annotated[
        int | None, typer.Option(help="Stop cleanly after this many input + output tokens.")
    ] = None,
    engine: EngineOpt = "local",
    endpoints: EndpointsOpt = None,
    ray_address: RayAddressOpt = None,
    slots_per_endpoint: SlotsPerEndpointOpt = None,
    endpoint_model: EndpointModelOpt = None,
) -> None:
    """Generate N valid, unique records of SCHEMA with a few-shot prompt on an LLM.

    Records are appended to OUTPUT as they are accepted (the run directory OUTPUT.run/ keeps
    a journal, the rejections with raw model output, and a manifest). Ctrl-C or SIGTERM keeps
    every accepted record; --resume continues the same run.

    With --engine ray --endpoints URL1,URL2,... the model calls and validation run in Ray
    actors beside each endpoint; dedup, the journal and resume stay here, so a run may be
    resumed with either engine.
    """
    from langsynth.engines.choice import engine_step
    from langsynth.engines.factories import step_factory
    from langsynth.pools import load_pools, merge_pools, parse_pool
    from langsynth.schemas import load_schema

    choice = engine_choice(
        engine, endpoints, ray_address, slots_per_endpoint, endpoint_model, model
    )
    info = load_schema(schema)
    user_pools = merge_pools(
        load_pools(pools) if pools else None, dict(parse_pool(p) for p in pool or [])
    )
    if vocabulary:
        from langsynth.vocabulary import vocabulary_pools

        user_pools = merge_pools(vocabulary_pools(info.text_fields, info.fields), user_pools)
    factory = step_factory(
        "generate",
        schema=info,
        examples=[] if zero_shot else examples,
        subject=subject,
        extra=extra,
        persona=persona,
        pools=user_pools,
        default_pools=default_pools,
        avoid_recent=avoid_recent,
        max_retries=max_retries,
        concurrency=concurrency,
        seed=seed,
        method=method,
        pin_hints=pin_hints,
    )
    budget = None
    if max_cost is not None or max_tokens_total is not None:
        from langsynth.runs import Budget

        budget = Budget(max_cost_usd=max_cost, max_tokens=max_tokens_total)
    llm_kwargs = {"temperature": temperature, "max_tokens": max_tokens, "seed": seed}
    with engine_step(choice, factory, model=model, llm_kwargs=llm_kwargs) as (gen, executor):
        if estimate:
            projection = gen.estimate(n, pilot=pilot, progress=True, executor=executor)
        else:
            result = gen.generate(
                n,
                output=output,
                resume=resume,
                overwrite=overwrite,
                max_attempts=max_attempts,
                budget=budget,
                progress=True,
                executor=executor,
            )
    if estimate:
        if summary_json is not None:
            summary_json.parent.mkdir(parents=True, exist_ok=True)
            summary_json.write_text(json.dumps({"estimate": projection}, indent=2) + "\n")
        console.print(summary_table(projection, title=f"Estimate for {n} records"))
        return
    summary = result.summary(gen.model_spec())
    if summary_json is not None:
        summary_json.parent.mkdir(parents=True, exist_ok=True)
        summary_json.write_text(json.dumps(summary, indent=2) + "\n")
    console.print(summary_table(summary))
    if result.executor:
        console.print(endpoints_table(result.executor))
    if preview and result.rows:
        title = f"{output} — first {min(preview, len(result.rows))} of {len(result.rows)}"
        console.print(preview_table(result.records, title, preview))
    if not result.complete:
        err_console.print(f"[yellow]warning:[/] {result.message}")
        raise typer.Exit(1)
