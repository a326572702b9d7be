"""``langsynth schemas``: list the built-in schemas and their fields."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from langsynth.cli._app import app, console


@app.command()
def schemas(
    name: Annotated[
        str | None, typer.Argument(help="Show one schema (name, file.py:Class or module:Class).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON Schema(s).")] = False,
) -> None:
    """List the built-in record schemas with their fields."""
    from langsynth.schemas import builtin_schemas, describe_fields, load_schema

    infos = [load_schema(name)] if name else list(builtin_schemas().values())
    if as_json:
        console.print_json(json.dumps({i.name: i.model.model_json_schema() for i in infos}))
        return
    for info in infos:
        table = Table(title=f"{info.name}  ({info.model.__name__})", caption=info.description)
        table.add_column("field", style="bold")
        table.add_column("type")
        table.add_column("description")
        for row in describe_fields(info.model):
            table.add_row(row["field"], row["type"], row["description"])
        console.print(table)
