"""Instruction and augmentation commands (seed 004): ``instructions self-instruct|reverse``,
``augment paraphrase|swap|backtranslate``, each one call to a step of the run engine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from langsynth.cli._app import App, app, console
from langsynth.cli._synthesis_common import (
    PANEL,
    ConcurrencyOpt,
    MaxAttemptsOpt,
    ModelOpt,
    OutputOpt,
    OverwriteOpt,
    ResumeOpt,
    SeedOpt,
    chat_model,
    diversity_line,
    input_rows,
    run_options,
    split_values,
    summary,
)

# --------------------------------------------------------------------------- instructions

instructions_app = App(
    help="Instruction data (seed 004): self-instruct and reverse instruction.",
    no_args_is_help=True,
)
app.add_typer(instructions_app, name="instructions", rich_help_panel=PANEL)


@instructions_app.command("self-instruct")
def self_instruct(
    n: Annotated[int, typer.Option("-n", "--n", help="New examples to keep.", min=1)] = 10,
    output: OutputOpt = Path("out/instructions.jsonl"),
    seeds: Annotated[
        Path | None, typer.Option(help="Seed tasks JSONL (instruction, input, response).")
    ] = None,
    model: ModelOpt = None,
    seed: SeedOpt = None,
    temperature: Annotated[float, typer.Option(help="Sampling temperature.")] = 0.9,
    max_tokens: Annotated[int, typer.Option(help="Max tokens per call.")] = 300,
    max_attempts: MaxAttemptsOpt = None,
    concurrency: ConcurrencyOpt = 4,
    overwrite: OverwriteOpt = False,
    resume: ResumeOpt = False,
) -> None:
    """Grow instruction_example records from a small seed set, with the Self-Instruct filters."""
    from langsynth.synthesis.instructions import SelfInstruct, load_seed_tasks

    options = run_options(output, overwrite, resume)
    generator = SelfInstruct(
        chat_model(model, temperature, max_tokens),
        load_seed_tasks(seeds),
        seed=seed,
        concurrency=concurrency,
    )
    result = generator.generate(n, max_attempts=max_attempts, **options)
    summary(result, n, {"diversity": diversity_line(result.rows, "instruction")}, "examples")


InputArg = Annotated[Path | None, typer.Argument(help="Input rows (JSONL, JSON, CSV or parquet).")]
TextOpt = Annotated[
    list[str] | None, typer.Option("--text", help="Text to process instead of a file (repeatable).")
]
FieldOpt = Annotated[str, typer.Option("--field", help="The text field of the input rows.")]


@instructions_app.command("reverse")
def reverse(
    input: InputArg = None,
    output: OutputOpt = Path("out/reverse_instructions.jsonl"),
    text: TextOpt = None,
    field: FieldOpt = "text",
    model: ModelOpt = None,
    temperature: Annotated[float, typer.Option(help="Sampling temperature.")] = 0.3,
    max_tokens: Annotated[int, typer.Option(help="Max tokens per instruction.")] = 80,
    concurrency: ConcurrencyOpt = 4,
    overwrite: OverwriteOpt = False,
    resume: ResumeOpt = False,
) -> None:
    """Reverse instruction: for each existing text, the instruction it answers (seed 004)."""
    from langsynth.synthesis.reverse import ReverseInstruction

    rows = input_rows(input, text, field)
    options = run_options(output, overwrite, resume)
    generator = ReverseInstruction(
        chat_model(model, temperature, max_tokens), text_field=field, concurrency=concurrency
    )
    result = generator.run(rows, **options)
    summary(result, len(rows), unit="examples")


# -------------------------------------------------------------------------------- augment

augment_app = App(
    help="Augmentation (seed 004): paraphrase, bias swaps, back-translation check.",
    no_args_is_help=True,
)
app.add_typer(augment_app, name="augment", rich_help_panel=PANEL)


@augment_app.command("paraphrase")
def paraphrase(
    input: InputArg = None,
    output: OutputOpt = Path("out/paraphrases.jsonl"),
    text: TextOpt = None,
    field: FieldOpt = "text",
    n: Annotated[int, typer.Option("-n", "--n", help="Paraphrases per text.", min=1)] = 3,
    kind: Annotated[str, typer.Option(help="What the texts are, for the prompt.")] = (
        "user request"
    ),
    model: ModelOpt = None,
    temperature: Annotated[float, typer.Option(help="Sampling temperature.")] = 0.8,
    max_tokens: Annotated[int, typer.Option(help="Max tokens per call.")] = 200,
    concurrency: ConcurrencyOpt = 4,
    overwrite: OverwriteOpt = False,
    resume: ResumeOpt = False,
) -> None:
    """Paraphrase each text n ways; every paraphrase becomes a row (other fields copied)."""
    from langsynth.synthesis.paraphrase import Paraphraser

    rows = input_rows(input, text, field)
    options = run_options(output, overwrite, resume)
    generator = Paraphraser(
        chat_model(model, temperature, max_tokens),
        n=n,
        kind=kind,
        text_field=field,
        concurrency=concurrency,
    )
    result = generator.run(rows, **options)
    done = len({r["source_index"] for r in result.rows})
    summary(result, len(rows) * n, {"texts with a paraphrase": f"{done} / {len(rows)}"})


@augment_app.command("swap")
def swap(
    input: InputArg = None,
    output: OutputOpt = Path("out/swapped.jsonl"),
    text: TextOpt = None,
    field: FieldOpt = "text",
    kinds: Annotated[
        str, typer.Option(help="Swaps to make: gender, occupation, name (comma-separated).")
    ] = "gender,occupation,name",
    seed: SeedOpt = None,
    include_original: Annotated[bool, typer.Option(help="Write each original row too.")] = True,
    overwrite: OverwriteOpt = False,
    resume: ResumeOpt = False,
) -> None:
    """Bias-mitigation swaps (Table 8-2 of seed 004), no LLM: one row per changed variant."""
    from langsynth.synthesis.augment import BiasSwapper

    rows = input_rows(input, text, field)
    options = run_options(output, overwrite, resume)
    swapper = BiasSwapper(
        kinds=split_values(kinds) or [],
        text_field=field,
        include_original=include_original,
        seed=seed,
    )
    result = swapper.run(rows, **options)
    changed = len({r["source_index"] for r in result.rows if r["augmentation"] != "original"})
    table = Table(title=str(output), show_header=False)
    table.add_row("input rows", str(len(rows)))
    table.add_row("rows with a swap", str(changed))
    table.add_row("rows written", str(len(result.rows)))
    console.print(table)
    if text:
        for row in result.rows:
            console.print(f"[dim]{row['augmentation']:>16}[/]  {row[field]}", highlight=False)


@augment_app.command("backtranslate")
def backtranslate(
    input: InputArg = None,
    output: OutputOpt = Path("out/backtranslated.jsonl"),
    text: TextOpt = None,
    field: FieldOpt = "text",
    pivot: Annotated[str, typer.Option(help="Language to translate into and back from.")] = (
        "Korean"
    ),
    threshold: Annotated[
        float, typer.Option(help="Keep items whose round trip has ROUGE-L >= this.")
    ] = 0.5,
    back_model: Annotated[
        str | None, typer.Option(help="Model that translates back (default: --model).")
    ] = None,
    keep_all: Annotated[
        bool, typer.Option(help="Write every row, with the verdict, instead of only kept ones.")
    ] = False,
    model: ModelOpt = None,
    temperature: Annotated[float, typer.Option(help="Sampling temperature.")] = 0.2,
    max_tokens: Annotated[int, typer.Option(help="Max tokens per translation.")] = 300,
    concurrency: ConcurrencyOpt = 4,
    overwrite: OverwriteOpt = False,
    resume: ResumeOpt = False,
) -> None:
    """Back-translation check: text -> pivot -> back; keep rows whose round trip stays similar."""
    from langsynth.synthesis.backtranslate import BackTranslator

    rows = input_rows(input, text, field)
    options = run_options(output, overwrite, resume)
    llm = chat_model(model, temperature, max_tokens)
    checker = BackTranslator(
        llm,
        pivot=pivot,
        threshold=threshold,
        back_llm=chat_model(back_model, temperature, max_tokens) if back_model else None,
        text_field=field,
        keep_all=keep_all,
        concurrency=concurrency,
    )
    result = checker.run(rows, **options)
    kept = sum(bool(r.get("kept")) for r in result.rows)
    summary(result, len(rows) if keep_all else kept, {"kept (round trip similar)": kept})
