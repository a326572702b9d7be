"""What the synthesis commands share: options, input rows, the summary table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from langsynth.cli._app import console

if TYPE_CHECKING:
    from langsynth.runs import RunResult

PANEL = "Diversity and synthesis (seeds 002, 004)"

ModelOpt = Annotated[
    str | None,
    typer.Option("--model", "-m", help="Model spec (local, local-large, openai:<m>, ...)."),
]
OutputOpt = Annotated[Path, typer.Option("--output", "-o", help="File to write (.jsonl, ...).")]
SeedOpt = Annotated[
    int | None, typer.Option("--seed", help="Seed of every random draw (reproducible prompts).")
]
OverwriteOpt = Annotated[bool, typer.Option("--overwrite", help="Replace an existing output.")]
ResumeOpt = Annotated[bool, typer.Option("--resume", help="Continue the run that wrote OUTPUT.")]
ConcurrencyOpt = Annotated[int, typer.Option("--concurrency", help="Parallel requests.")]
MaxAttemptsOpt = Annotated[
    int | None, typer.Option(help="Give up after this many attempts (default 3 x n + 10).")
]


def chat_model(model: str | None, temperature: float, max_tokens: int) -> Any:
    from langsynth.llm import get_chat_model

    return get_chat_model(model, temperature=temperature, max_tokens=max_tokens)


def split_values(values: str | None) -> list[str] | None:
    """A comma-separated list, or the lines of a file (``#`` comments skipped)."""
    if values is None:
        return None
    path = Path(values)
    if path.is_file():
        return [
            ln.strip()
            for ln in path.read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("#")
        ]
    return [v.strip() for v in values.split(",") if v.strip()]


def summary(
    result: RunResult, wanted: int, extra: Mapping[str, Any] | None = None, unit: str = "rows"
) -> None:
    """The run's table; exit 1 (with the reason) when fewer than ``wanted`` were kept."""
    from langsynth.runs import run_dir_for

    stats = result.stats
    rejected = len(result.rejected)
    table = Table(title=f"{result.output}", show_header=False)
    table.add_row(f"{unit} kept", f"{len(result.rows)} / {wanted}")
    run_dir = run_dir_for(result.output) if result.output is not None else None
    where = f" -> {run_dir / 'rejected.jsonl'}" if rejected and run_dir else ""
    table.add_row("rejected (this session)", f"{rejected}{where}")
    table.add_row("elapsed", f"{stats.elapsed_s:.1f} s")
    table.add_row("output tokens", str(stats.usage.output_tokens))
    for key, value in (extra or {}).items():
        table.add_row(key, str(value))
    console.print(table)
    if len(result.rows) < wanted:
        reason = result.message or "some inputs failed their checks"
        console.print(
            f"[yellow]Only {len(result.rows)} of {wanted} kept. {reason} (or raise "
            "--max-attempts, use a larger model: --model local-large).[/]"
        )
        raise typer.Exit(1)


def diversity_line(rows: Sequence[Mapping[str, Any]], field: str) -> str:
    from langsynth.quality.diversity import distinct_n, mean_pairwise_similarity

    texts = [str(r.get(field, "")) for r in rows if r.get(field)]
    if len(texts) < 2:
        return "-"
    return (
        f"distinct-2 {distinct_n(texts, 2):.3f}, "
        f"mean pairwise similarity {mean_pairwise_similarity(texts):.3f}"
    )


def input_rows(input: Path | None, text: list[str] | None, field: str) -> list[dict[str, Any]]:
    from langsynth.datafile import read_rows
    from langsynth.errors import ConfigurationError

    if text:
        return [{field: t} for t in text]
    if input is None:
        raise ConfigurationError("Give an input file (JSONL/CSV/...) or --text.")
    rows = read_rows(input)
    missing = [i for i, r in enumerate(rows, start=1) if not isinstance(r.get(field), str)]
    if missing:
        raise ConfigurationError(
            f"{input}: row {missing[0]} has no text field {field!r}; choose it with --field."
        )
    return rows


def run_options(output: Path, overwrite: bool, resume: bool) -> dict[str, Any]:
    from langsynth.runs import check_output

    check_output(output, resume=resume, overwrite=overwrite)
    return {"output": output, "overwrite": overwrite, "resume": resume, "progress": True}
