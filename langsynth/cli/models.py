"""``langsynth models`` and ``langsynth serve``: the embedded model and model settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from langsynth.cli._app import app, console

if TYPE_CHECKING:
    from langsynth.local import LocalServer


@app.command()
def models(
    assemble: Annotated[
        bool, typer.Option("--assemble", help="Assemble the embedded GGUF files now.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Show the configured models and whether the embedded models are installed and assembled."""
    from langsynth.llm import DEFAULT_JUDGE_MODEL, DEFAULT_MODEL, Settings
    from langsynth.model_files import EMBEDDED_MODELS, ensure_model, model_status

    settings = Settings.from_env()
    rows = []
    for model in EMBEDDED_MODELS.values():
        if assemble:
            try:
                ensure_model(model, settings.cache_dir)
            except Exception as exc:  # show the reason in the table, keep going
                console.print(f"[yellow]{model.spec}:[/] {exc}")
        rows.append(model_status(model, settings.cache_dir))
    configured = {
        "model": settings.model or f"{DEFAULT_MODEL} (default)",
        "judge_model": settings.judge_model or f"{DEFAULT_JUDGE_MODEL} (default)",
        "base_url": settings.base_url,
        "openai_api_key": "set" if settings.openai_api_key else "not set",
        "langsynth_api_key": "set" if settings.api_key else "not set",
        "local_model_override": str(settings.local_model_path)
        if settings.local_model_path
        else None,
        "local_url": settings.local_url,
    }
    if as_json:
        console.print_json(json.dumps({"configured": configured, "embedded": rows}))
        return
    table = Table(title="Embedded models")
    for col in ("spec", "model", "parts", "assembled", "path / install"):
        table.add_column(col)
    for row in rows:
        parts = f"{row['parts_installed']}/{row['parts']}"
        where = row["path"] if row["parts_installed"] == row["parts"] else row["install"]
        table.add_row(row["spec"], row["title"], parts, "yes" if row["assembled"] else "no", where)
    console.print(table)
    conf = Table(title="Configuration (environment / .env)")
    conf.add_column("setting")
    conf.add_column("value")
    for key, value in configured.items():
        conf.add_row(key, str(value) if value is not None else "-")
    console.print(conf)


@app.command()
def serve(
    model: Annotated[
        str, typer.Option("--model", "-m", help="local, local-large or a path to a .gguf file.")
    ] = "local",
    parallel: Annotated[int | None, typer.Option(help="Parallel slots (per replica).")] = None,
    ctx: Annotated[int | None, typer.Option(help="Context tokens per slot.")] = None,
    threads: Annotated[
        int | None,
        typer.Option(help="CPU threads in all (default: cores), split between replicas."),
    ] = None,
    port: Annotated[
        int, typer.Option(help="Port on 127.0.0.1 (0 = a free one); replicas take the next ones.")
    ] = 0,
    replicas: Annotated[
        int, typer.Option("--replicas", "-k", help="How many servers to start (for --endpoints).")
    ] = 1,
) -> None:
    """Run the embedded llama.cpp server(s) in the foreground and print their URLs.

    Other tools (or a second terminal) can then use them, e.g.
    LANGSYNTH_LOCAL_URL=<url> langsynth generate ...; with --replicas K, K servers on one
    machine and one OpenAI base URL per line, for --endpoints of a scale-out run.
    """
    from langsynth.engines.local_fleet import embedded_server_config
    from langsynth.replicas import endpoints_line, replica_configs, start_replicas, stop_replicas

    config, path = embedded_server_config(model, parallel=parallel, ctx=ctx, threads=threads)
    configs = replica_configs(config, replicas, port=port)
    servers = start_replicas(configs)
    try:
        if replicas == 1:
            _announce_one(servers[0], Path(path).name, model)
        else:
            console.print(
                f"[green]serving[/] {Path(path).name} x{replicas} "
                f"({configs[0].threads} threads, {config.parallel} slots each)"
            )
            for server in servers:
                print(server.openai_base_url, flush=True)  # plain lines, for scripts
            print(f"--endpoints {endpoints_line(servers)}", flush=True)
            console.print(f"logs: {servers[0].log_path.parent if servers[0].log_path else '-'}")
            console.print("Ctrl-C to stop")
        _serve_until_stopped(servers)
    except KeyboardInterrupt:
        console.print("stopping")
    finally:
        stop_replicas(servers)


def _announce_one(server: LocalServer, name: str, model: str) -> None:
    console.print(f"[green]serving[/] {name} on {server.base_url}")
    console.print(f"OpenAI base URL: {server.openai_base_url}  (no API key needed)")
    env_var = "LANGSYNTH_LOCAL_LARGE_URL" if model == "local-large" else "LANGSYNTH_LOCAL_URL"
    console.print(f"use it from langsynth: export {env_var}={server.base_url}")
    console.print(f"log: {server.log_path}   Ctrl-C to stop")


def _serve_until_stopped(servers: list[LocalServer]) -> None:
    """Wait while any server runs; one that dies is reported, the last one's death raises."""
    from langsynth.replicas import wait_replicas

    left = len(servers)

    def on_exit(server: LocalServer) -> None:
        nonlocal left
        left -= 1
        if left == 0:
            server.check_alive()  # raises ServerDiedError with the log tail
        console.print(
            f"[yellow]{server.openai_base_url} stopped[/] (log: {server.log_path}); "
            f"{left} still serving"
        )

    wait_replicas(servers, on_exit=on_exit)
