"""The engine options of the commands that run steps (generate, text, extract, roundtrip).

``--engine local|ray|ray-data`` with ``--endpoints``, ``--ray-address``,
``--slots-per-endpoint``, ``--endpoint-model``; the library decides what they mean
(:class:`langsynth.engines.choice.EngineChoice`), this module only parses and prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from langsynth.cli._app import console, err_console
from langsynth.cli._options import kv_table, progress_bar

EngineOpt = Annotated[
    str,
    typer.Option(
        "--engine",
        help="Where the model calls run: local (this process), ray (Ray actors beside "
        "--endpoints), or ray-data for text/extract over large files (-o is then a folder "
        "of shards).",
        rich_help_panel="Scale-out",
    ),
]
EndpointsOpt = Annotated[
    str | None,
    typer.Option(
        help="OpenAI-compatible endpoints for --engine ray, comma-separated "
        "(http://host:port[/v1]).",
        rich_help_panel="Scale-out",
    ),
]
RayAddressOpt = Annotated[
    str | None,
    typer.Option(
        help="Ray cluster to join (default: RAY_ADDRESS, else a local Ray).",
        rich_help_panel="Scale-out",
    ),
]
SlotsPerEndpointOpt = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="Requests in flight per endpoint with --engine ray [default: 4].",
        rich_help_panel="Scale-out",
    ),
]
EndpointModelOpt = Annotated[
    str | None,
    typer.Option(
        help="Model name to request from the endpoints (default: the one they list).",
        rich_help_panel="Scale-out",
    ),
]


def endpoints_table(summary: Mapping[str, Any]) -> Table:
    """The per-endpoint counters of a Ray run (``RunResult.executor``)."""
    table = Table(title=f"Endpoints ({summary.get('alive', 0)} alive at the end)")
    columns = ("endpoint", "calls", "completed", "faults", "requests", "in tokens", "out tokens")
    for col in columns:
        if col == "endpoint":
            table.add_column(col, overflow="fold", min_width=24)
        else:
            table.add_column(col, justify="right")
    for row in summary.get("endpoints", []):
        url = str(row.get("url", "")).removeprefix("http://").removesuffix("/v1")
        if not row.get("alive", True):
            url += " [red](out)"
        table.add_row(
            url,
            *(
                str(row.get(key, 0))
                for key in (
                    "calls",
                    "completed",
                    "faults",
                    "requests",
                    "input_tokens",
                    "output_tokens",
                )
            ),
        )
    faults = [r for r in summary.get("endpoints", []) if r.get("last_fault")]
    if faults:
        table.caption = "; ".join(f"{r['url']}: {r['last_fault']}" for r in faults)[:500]
    return table


def engine_choice(
    engine: str,
    endpoints: str | None,
    ray_address: str | None,
    slots_per_endpoint: int | None,
    endpoint_model: str | None,
    model: str | None,
    *,
    sharded_ok: bool = False,
) -> Any:
    from langsynth.engines.choice import EngineChoice

    return EngineChoice.parse(
        engine,
        endpoints,
        ray_address=ray_address,
        slots_per_endpoint=slots_per_endpoint,
        endpoint_model=endpoint_model,
        model=model,
        sharded_ok=sharded_ok,
    )


def run_sharded(
    choice: Any, factory: Any, input: Path, output: Path, llm_kwargs: dict[str, Any], **kw: Any
) -> None:
    """--engine ray-data: Ray Data over INPUT into a folder of shards; prints its counts."""
    progress = progress_bar(factory.job)
    task = progress.add_task(factory.job, total=None, detail="")

    def on_batch(counts: dict[str, int]) -> None:
        progress.update(task, completed=counts["rows"], detail=f"failed {counts['failed']}")

    with progress:
        run = choice.run_sharded(factory, input, output, llm_kwargs, on_batch=on_batch, **kw)
    err_console.print(endpoints_table(run.executor))
    console.print(
        kv_table(
            f"{output}/ ({len(run.shards())} shards)",
            {**run.counts, **run.usage.to_dict(), "elapsed_s": round(run.elapsed_s, 1)},
        )
    )


def run_map_job(
    choice: Any,
    factory: Any,
    source: Path,
    output: Path,
    *,
    model: str | None,
    llm_kwargs: dict[str, Any],
    resume: bool,
    overwrite: bool,
) -> Any:
    """Run a map step over the file ``source`` as the engine options say: the run's result,
    or ``None`` for a sharded (ray-data) run, whose counts are printed here."""
    from langsynth.engines.choice import engine_step
    from langsynth.runs import check_output

    if choice.sharded:
        run_sharded(choice, factory, source, output, llm_kwargs, resume=resume, overwrite=overwrite)
        return None
    check_output(output, resume=resume, overwrite=overwrite)
    with engine_step(choice, factory, model=model, llm_kwargs=llm_kwargs) as (step, executor):
        result = step.run(
            source,
            output=output,
            resume=resume,
            overwrite=overwrite,
            progress=True,
            executor=executor,
        )
    print_endpoints(result)
    return result


def print_endpoints(result: Any) -> None:
    # stderr: stdout may carry --json
    if result.executor:
        err_console.print(endpoints_table(result.executor))
