"""The Typer application object and what every command shares (consoles, error exit)."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from langsynth._version import __version__
from langsynth.errors import LangsynthError, RunInterrupted

console = Console()
err_console = Console(stderr=True)


def _guard(func: Callable[..., Any]) -> Callable[..., Any]:
    """A command whose run was interrupted says what it kept and exits 130 (SIGINT) / 143.

    Typer turns a bare ``KeyboardInterrupt`` into exit 130 before :func:`main` sees it, so
    the message is printed here, around each command.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RunInterrupted as exc:
            err_console.print(f"[yellow]{escape(str(exc) or 'interrupted')}[/]", soft_wrap=True)
            raise typer.Exit(128 + exc.signum) from None

    return wrapper


class App(typer.Typer):
    """``typer.Typer`` whose commands report interrupted runs (see :func:`_guard`)."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
        register = super().command(*args, **kwargs)
        return lambda func: register(_guard(func))


app = App(
    name="langsynth",
    help="Schema-typed synthetic data with LangChain: generate, round-trip, judge, dedup, export.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)


def _version(value: bool) -> None:
    if value:
        console.print(f"langsynth {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


def main() -> None:
    """Console-script entry point: runs the app, turning langsynth errors into clean messages."""
    try:
        app()
    except LangsynthError as exc:
        err_console.print(
            f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True
        )
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print("[yellow]interrupted[/]")
        sys.exit(130)
