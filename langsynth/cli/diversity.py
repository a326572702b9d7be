"""Synthesis commands of seeds 002 and 004: ``stories``, ``textbook``, ``labeled``,
``instructions``, ``augment``, ``rules``. Each writes JSONL as rows are produced; rows that
fail a check go to ``<output>.rejected.jsonl`` with the reason.
"""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Protocol

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from langsynth._async import run_sync
from langsynth.cli._app import App, app, console

PANEL = "Diversity and synthesis (seeds 002, 004)"

ModelOpt = Annotated[
    str | None,
    typer.Option("--model", "-m", help="Model spec (local, local-large, openai:<m>, ...)."),
]
OutputOpt = Annotated[Path, typer.Option("--output", "-o", help="JSONL file to write.")]
SeedOpt = Annotated[
    int | None, typer.Option("--seed", help="Seed of every random draw (reproducible prompts).")
]
OverwriteOpt = Annotated[bool, typer.Option("--overwrite", help="Replace an existing output.")]
ResumeOpt = Annotated[
    bool, typer.Option("--resume", help="Keep the rows already in the output; add the rest.")
]
ConcurrencyOpt = Annotated[int, typer.Option("--concurrency", help="Parallel requests.")]


class _Result(Protocol):
    @property
    def ok(self) -> bool: ...

    def to_row(self) -> dict[str, Any]: ...

    def to_rejected_row(self) -> dict[str, Any]: ...


def rejected_path(output: Path) -> Path:
    """Where the rows that failed a check go: ``out.jsonl`` -> ``out.rejected.jsonl``."""
    return output.with_name(output.stem + ".rejected.jsonl")


def _existing(output: Path, overwrite: bool, resume: bool) -> list[dict[str, Any]]:
    """Rows already in ``output`` when resuming; ``[]`` after clearing it for a fresh run."""
    from langsynth.datafile import read_rows
    from langsynth.errors import ConfigurationError, OutputExistsError

    if output.suffix.lower() != ".jsonl":
        raise ConfigurationError(f"{output}: these commands write JSONL; name the file *.jsonl.")
    if overwrite and resume:
        raise ConfigurationError("Use either --overwrite or --resume, not both.")
    if output.exists() and output.stat().st_size > 0:
        if resume:
            return read_rows(output)
        if not overwrite:
            raise OutputExistsError(
                f"{output} exists. Pass --resume to add to it or --overwrite to replace it."
            )
    for path in (output, rejected_path(output)):
        if not resume:
            path.unlink(missing_ok=True)
    return []


def _chat_model(model: str | None, temperature: float, max_tokens: int) -> Any:
    from langsynth.llm import get_chat_model

    return get_chat_model(model, temperature=temperature, max_tokens=max_tokens)


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("rejected {task.fields[rejected]}"),
        TimeElapsedColumn(),
        console=console,
    )


def _consume(
    stream: Callable[[], AsyncIterator[tuple[bool, _Result]]],
    output: Path,
    n: int,
    what: str,
) -> tuple[list[dict[str, Any]], int, float]:
    """Write accepted rows to ``output`` and the others to the rejected file, as they come."""
    from langsynth.datafile import JsonlAppender

    kept: list[dict[str, Any]] = []
    rejected = 0
    start = time.perf_counter()

    async def run() -> None:
        nonlocal rejected
        with (
            JsonlAppender(output) as out,
            JsonlAppender(rejected_path(output)) as bad,
            _progress() as progress,
        ):
            task = progress.add_task(what, total=n, rejected=0)
            async for accepted, result in stream():
                if accepted:
                    row = result.to_row()
                    out.write(row)
                    kept.append(row)
                    progress.advance(task)
                else:
                    bad.write(result.to_rejected_row())
                    rejected += 1
                    progress.update(task, rejected=rejected)

    run_sync(run())
    if rejected == 0:
        rejected_path(output).unlink(missing_ok=True)
    return kept, rejected, time.perf_counter() - start


def _summary(
    output: Path,
    kept: int,
    wanted: int,
    rejected: int,
    elapsed: float,
    extra: Mapping[str, Any] | None = None,
) -> None:
    table = Table(title=f"{output}", show_header=False)
    table.add_row("kept", f"{kept} / {wanted}")
    table.add_row("rejected", f"{rejected}" + (f" -> {rejected_path(output)}" if rejected else ""))
    table.add_row("elapsed", f"{elapsed:.1f} s")
    for key, value in (extra or {}).items():
        table.add_row(key, str(value))
    console.print(table)
    if kept < wanted:
        console.print(
            f"[yellow]Only {kept} of {wanted} passed the checks within the attempt budget; "
            f"see {rejected_path(output)} for why, raise --max-attempts or use a larger model "
            "(--model local-large).[/]"
        )
        raise typer.Exit(1)


def _diversity_line(rows: Sequence[Mapping[str, Any]], field: str) -> str:
    from langsynth.quality.diversity import distinct_n, mean_pairwise_similarity

    texts = [str(r.get(field, "")) for r in rows if r.get(field)]
    if len(texts) < 2:
        return "-"
    return (
        f"distinct-2 {distinct_n(texts, 2):.3f}, "
        f"mean pairwise similarity {mean_pairwise_similarity(texts):.3f}"
    )


def _split(values: str | None) -> list[str] | None:
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


# ------------------------------------------------------------------------------- stories


@app.command(rich_help_panel=PANEL)
def stories(
    n: Annotated[int, typer.Option("-n", "--n", help="Stories to keep.", min=1)] = 10,
    output: OutputOpt = Path("out/stories.jsonl"),
    model: ModelOpt = None,
    seed: SeedOpt = None,
    temperature: Annotated[float, typer.Option(help="Sampling temperature.")] = 0.9,
    max_tokens: Annotated[int, typer.Option(help="Max tokens per story.")] = 300,
    hierarchical: Annotated[
        bool, typer.Option(help="Summary -> sentence -> story, and check the sentence appears.")
    ] = False,
    inject: Annotated[
        bool, typer.Option(help="Inject drawn words and features (off: the plain baseline).")
    ] = True,
    verbs: Annotated[Path | None, typer.Option(help="Verb list (one a line).")] = None,
    nouns: Annotated[Path | None, typer.Option(help="Noun list.")] = None,
    adjectives: Annotated[Path | None, typer.Option(help="Adjective list.")] = None,
    features: Annotated[
        str | None, typer.Option(help="Feature names to draw from (comma-separated).")
    ] = None,
    min_features: Annotated[int, typer.Option(help="Fewest features per story.")] = 1,
    max_features: Annotated[int, typer.Option(help="Most features per story.")] = 2,
    max_retries: Annotated[
        int, typer.Option(help="Re-ask with the same words when a story misses one.")
    ] = 0,
    max_attempts: Annotated[
        int | None, typer.Option(help="Give up after this many stories (default 3 x n).")
    ] = None,
    keep_unverified: Annotated[
        bool, typer.Option(help="Keep stories that miss drawn words (one attempt per draw).")
    ] = False,
    concurrency: ConcurrencyOpt = 4,
    overwrite: OverwriteOpt = False,
    resume: ResumeOpt = False,
) -> None:
    """Children's stories with vocabulary injection (TinyStories, seed 002).

    Each story draws one verb, noun and adjective from shipped child-vocabulary lists and a
    random subset of features (dialogue, plot twist, bad ending, moral, foreshadowing,
    conflict). Records are ``children_story``; a story is kept if it uses all its words.
    """
    from langsynth.synthesis.hierarchical import HierarchicalStoryGenerator
    from langsynth.synthesis.stories import StoryGenerator
    from langsynth.vocabulary import load_vocabulary

    if hierarchical and not inject:
        from langsynth.errors import ConfigurationError

        raise ConfigurationError("--hierarchical builds on the drawn words; drop --no-inject.")
    existing = _existing(output, overwrite, resume)
    vocabulary = load_vocabulary(
        verbs=verbs,
        nouns=nouns,
        adjectives=adjectives,
        features=_split(features),
        min_features=min_features,
        max_features=max_features,
    )
    llm = _chat_model(model, temperature, max_tokens)
    todo = n - len(existing)
    # A resumed run continues with other draws than the ones already used.
    run_seed = None if seed is None else seed + len(existing)
    generator: StoryGenerator | HierarchicalStoryGenerator
    if hierarchical:
        generator = HierarchicalStoryGenerator(llm, vocabulary=vocabulary, concurrency=concurrency)
    else:
        generator = StoryGenerator(
            llm,
            vocabulary=vocabulary,
            inject=inject,
            max_retries=max_retries,
            concurrency=concurrency,
        )

    def stream() -> AsyncIterator[tuple[bool, Any]]:
        draws = vocabulary.iter_draws(run_seed)
        accept: Callable[[Any], bool] = (
            (lambda r: r.record is not None) if keep_unverified or not inject else (lambda r: r.ok)
        )
        return generator.aiter_until(
            draws, todo, accept, max_attempts=max_attempts, concurrency=concurrency
        )

    kept, rejected, elapsed = (
        _consume(stream, output, todo, "stories") if todo > 0 else ([], 0, 0.0)
    )
    all_rows = existing + kept
    _summary(
        output,
        len(all_rows),
        n,
        rejected,
        elapsed,
        {"diversity (kept stories)": _diversity_line(all_rows, "story")},
    )


# ------------------------------------------------------------------------------ textbook


@app.command(rich_help_panel=PANEL)
def textbook(
    n: Annotated[int, typer.Option("-n", "--n", help="Excerpts to keep.", min=1)] = 6,
    output: OutputOpt = Path("out/textbook.jsonl"),
    model: ModelOpt = None,
    seed: SeedOpt = None,
    temperature: Annotated[float, typer.Option(help="Sampling temperature.")] = 0.7,
    max_tokens: Annotated[int, typer.Option(help="Max tokens per excerpt.")] = 450,
    topics: Annotated[
        str | None, typer.Option(help="Topics: comma-separated or a file (one a line).")
    ] = None,
    audiences: Annotated[
        str | None,
        typer.Option(
            help="Audiences (default: high-school student, CS undergraduate, PhD student)."
        ),
    ] = None,
    require_checks: Annotated[
        bool, typer.Option(help="Keep only excerpts that meet the seed's checkable constraints.")
    ] = True,
    max_attempts: Annotated[int | None, typer.Option(help="Give up after this many.")] = None,
    concurrency: ConcurrencyOpt = 4,
    overwrite: OverwriteOpt = False,
    resume: ResumeOpt = False,
) -> None:
    """Textbook excerpts per topic x audience (phi-1 "Textbooks Are All You Need", seed 002).

    Checks: 1-2 code snippets of at most 10 lines that parse and define and call a function,
    no text after the code, at most 2 paragraphs.
    """
    from langsynth.synthesis.textbook import AUDIENCES, TOPICS, TextbookGenerator
    from langsynth.synthesis.textbook import topic_audience_grid as grid

    existing = _existing(output, overwrite, resume)
    llm = _chat_model(model, temperature, max_tokens)
    generator = TextbookGenerator(llm, concurrency=concurrency)
    todo = n - len(existing)
    budget = max_attempts if max_attempts is not None else 3 * max(todo, 0)
    requests = grid(
        budget,
        topics=_split(topics) or TOPICS,
        audiences=_split(audiences) or tuple(AUDIENCES),
        seed=None if seed is None else seed + len(existing),
    )

    def stream() -> AsyncIterator[tuple[bool, Any]]:
        accept: Callable[[Any], bool] = (
            (lambda r: r.ok) if require_checks else (lambda r: r.record is not None)
        )
        return generator.aiter_until(
            iter(requests), todo, accept, max_attempts=budget, concurrency=concurrency
        )

    kept, rejected, elapsed = _consume(stream, output, todo, "excerpts") if todo > 0 else ([], 0, 0)
    _summary(output, len(existing) + len(kept), n, rejected, elapsed)


# ------------------------------------------------------------------------------- labeled


@app.command(rich_help_panel=PANEL)
def labeled(
    labels: Annotated[str, typer.Option(help="Class labels, comma-separated.")] = (
        "positive,negative"
    ),
    n: Annotated[int, typer.Option("-n", "--n", help="Texts to write (balanced).", min=2)] = 10,
    output: OutputOpt = Path("out/labeled.jsonl"),
    domain: Annotated[str, typer.Option(help="What to write.")] = "product review",
    label_name: Annotated[str, typer.Option(help="What the label is.")] = "sentiment",
    topics: Annotated[
        str | None,
        typer.Option(
            help="Topic per text: 'vocabulary' (shipped nouns), comma-separated, or a file."
        ),
    ] = "vocabulary",
    model: ModelOpt = None,
    seed: SeedOpt = None,
    temperature: Annotated[float, typer.Option(help="Sampling temperature.")] = 0.9,
    max_tokens: Annotated[int, typer.Option(help="Max tokens per text.")] = 120,
    concurrency: ConcurrencyOpt = 4,
    overwrite: OverwriteOpt = False,
) -> None:
    """Label-seeded classification data (seed 002): balanced texts, each with its label."""
    from langsynth.synthesis.labels import LabeledTextGenerator, balanced_requests
    from langsynth.vocabulary import load_vocabulary

    _existing(output, overwrite, False)
    topic_list = load_vocabulary().nouns if topics == "vocabulary" else _split(topics)
    requests = balanced_requests(n, _split(labels) or [], topics=topic_list, seed=seed)
    llm = _chat_model(model, temperature, max_tokens)
    generator = LabeledTextGenerator(
        llm, domain=domain, label_name=label_name, concurrency=concurrency
    )

    def stream() -> AsyncIterator[tuple[bool, Any]]:
        # One attempt per request: a replacement would break the label balance.
        return generator.aiter_until(
            iter(requests), n, lambda r: r.ok, max_attempts=n, concurrency=concurrency
        )

    kept, rejected, elapsed = _consume(stream, output, n, "texts")
    counts: dict[str, int] = {}
    for row in kept:
        counts[row["label"]] = counts.get(row["label"], 0) + 1
    _summary(output, len(kept), n, rejected, elapsed, {"per label": counts})


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
    max_attempts: Annotated[int | None, typer.Option(help="Give up after this many.")] = None,
    concurrency: ConcurrencyOpt = 4,
    overwrite: OverwriteOpt = False,
    resume: ResumeOpt = False,
) -> None:
    """Grow instruction_example records from a small seed set, with the Self-Instruct filters."""
    from langsynth.schemas.instruction_example import InstructionExample
    from langsynth.synthesis.instructions import SelfInstruct, load_seed_tasks

    existing = _existing(output, overwrite, resume)
    llm = _chat_model(model, temperature, max_tokens)
    generator = SelfInstruct(
        llm,
        load_seed_tasks(seeds),
        seed=None if seed is None else seed + len(existing),
        concurrency=concurrency,
    )
    generator.generated.extend(InstructionExample.model_validate(r) for r in existing)
    todo = n - len(existing)

    def stream() -> AsyncIterator[tuple[bool, Any]]:
        return generator.aiter_accepted(todo, max_attempts=max_attempts, concurrency=concurrency)

    kept, rejected, elapsed = (
        _consume(stream, output, todo, "instructions") if todo > 0 else ([], 0, 0.0)
    )
    _summary(
        output,
        len(existing) + len(kept),
        n,
        rejected,
        elapsed,
        {"diversity (instructions)": _diversity_line(existing + kept, "instruction")},
    )


def _input_rows(input: Path | None, text: list[str] | None, field: str) -> list[dict[str, Any]]:
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
) -> None:
    """Reverse instruction: for each existing text, the instruction it answers (seed 004)."""
    from langsynth.synthesis.instructions import ReverseInstruction

    rows = _input_rows(input, text, field)
    _existing(output, overwrite, False)
    generator = ReverseInstruction(
        _chat_model(model, temperature, max_tokens), text_field=field, concurrency=concurrency
    )

    def stream() -> AsyncIterator[tuple[bool, Any]]:
        return generator.aiter_until(
            iter(rows), len(rows), lambda r: r.ok, max_attempts=len(rows), concurrency=concurrency
        )

    kept, rejected, elapsed = _consume(stream, output, len(rows), "texts")
    _summary(output, len(kept), len(rows), rejected, elapsed)


# -------------------------------------------------------------------------------- augment

augment_app = App(
    help="Augmentation (seed 004): paraphrase, bias swaps, back-translation check.",
    no_args_is_help=True,
)
app.add_typer(augment_app, name="augment", rich_help_panel=PANEL)


class _Wrapped:
    """Adapts an augmentation result to the writer: one input row -> several output rows."""

    def __init__(self, ok: bool, rows: list[dict[str, Any]], rejected: dict[str, Any]) -> None:
        self.ok = ok
        self.rows = rows
        self.rejected = rejected


def _write_augmented(
    output: Path, results: AsyncIterator[_Wrapped], total: int, what: str
) -> tuple[int, int, int, float]:
    from langsynth.datafile import JsonlAppender

    written = kept_inputs = rejected = 0
    start = time.perf_counter()

    async def run() -> None:
        nonlocal written, kept_inputs, rejected
        with (
            JsonlAppender(output) as out,
            JsonlAppender(rejected_path(output)) as bad,
            _progress() as progress,
        ):
            task = progress.add_task(what, total=total, rejected=0)
            async for wrapped in results:
                for row in wrapped.rows:
                    out.write(row)
                    written += 1
                if wrapped.ok:
                    kept_inputs += 1
                else:
                    bad.write(wrapped.rejected)
                    rejected += 1
                progress.update(task, advance=1, rejected=rejected)

    run_sync(run())
    if rejected == 0:
        rejected_path(output).unlink(missing_ok=True)
    return written, kept_inputs, rejected, time.perf_counter() - start


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
) -> None:
    """Paraphrase each text n ways; every paraphrase becomes a row (other fields copied)."""
    from langsynth.synthesis.augment import Paraphraser, rows_with

    rows = _input_rows(input, text, field)
    _existing(output, overwrite, False)
    generator = Paraphraser(
        _chat_model(model, temperature, max_tokens), n=n, kind=kind, concurrency=concurrency
    )

    async def results() -> AsyncIterator[_Wrapped]:
        async for index, result in generator.aiter_results([r[field] for r in rows]):
            out = [
                rows_with(rows[index], field, p, augmentation="paraphrase", source_index=index)
                for p in result.paraphrases
            ]
            reason = result.error or "no usable paraphrase"
            yield _Wrapped(result.ok, out, {**rows[index], "reason": reason})

    written, kept, rejected, elapsed = _write_augmented(output, results(), len(rows), "texts")
    _summary(output, kept, len(rows), rejected, elapsed, {"rows written": written})


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
) -> None:
    """Bias-mitigation swaps (Table 8-2 of seed 004), no LLM: one row per changed variant."""
    from langsynth.datafile import write_rows
    from langsynth.synthesis.augment import bias_variants, rows_with

    rows = _input_rows(input, text, field)
    _existing(output, overwrite, False)
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    changed = 0
    for index, row in enumerate(rows):
        if include_original:
            out.append(
                rows_with(row, field, row[field], augmentation="original", source_index=index)
            )
        variants = bias_variants(row[field], kinds=_split(kinds) or [], rng=rng)
        changed += bool(variants)
        out.extend(
            rows_with(row, field, swapped, augmentation=f"swap:{kind}", source_index=index)
            for kind, swapped in variants.items()
        )
    write_rows(output, out)
    table = Table(title=str(output), show_header=False)
    table.add_row("input rows", str(len(rows)))
    table.add_row("rows with a swap", str(changed))
    table.add_row("rows written", str(len(out)))
    console.print(table)
    if text:
        for row in out:
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
) -> None:
    """Back-translation check: text -> pivot -> back; keep rows whose round trip stays similar."""
    from langsynth.synthesis.augment import BackTranslator

    rows = _input_rows(input, text, field)
    _existing(output, overwrite, False)
    llm = _chat_model(model, temperature, max_tokens)
    back = _chat_model(back_model, temperature, max_tokens) if back_model else None
    checker = BackTranslator(
        llm, pivot=pivot, threshold=threshold, back_llm=back, concurrency=concurrency
    )

    async def results() -> AsyncIterator[_Wrapped]:
        async for index, result in checker.aiter_results([r[field] for r in rows]):
            row = {**rows[index], **result.to_dict()}
            yield _Wrapped(result.kept, [row] if result.kept or keep_all else [], row)

    written, kept, rejected, elapsed = _write_augmented(output, results(), len(rows), "texts")
    _summary(output, kept, len(rows), rejected, elapsed, {"rows written": written})


# ---------------------------------------------------------------------------------- rules


@app.command(rich_help_panel=PANEL)
def rules(
    template: Annotated[
        str, typer.Argument(help="Rule template (credit_card_transaction).")
    ] = "credit_card_transaction",
    n: Annotated[int, typer.Option("-n", "--n", help="Rows to write.", min=1)] = 100,
    output: OutputOpt = Path("out/rules.jsonl"),
    seed: SeedOpt = None,
    with_text: Annotated[
        bool, typer.Option("--text", help="Add a 'text' column: the row in the template's form.")
    ] = False,
    overwrite: OverwriteOpt = False,
) -> None:
    """Rule-based synthesis without an LLM (seed 004): a template filled by Faker and rules."""
    from langsynth.datafile import JsonlAppender
    from langsynth.synthesis.rules import get_template

    rule = get_template(template)
    _existing(output, overwrite, False)
    start = time.perf_counter()
    with JsonlAppender(output) as out:
        for row in rule.iter_rows(n, seed):
            out.write({**row, "text": rule.render(row)} if with_text else row)
    elapsed = time.perf_counter() - start
    table = Table(title=str(output), show_header=False)
    table.add_row("rows", str(n))
    table.add_row("elapsed", f"{elapsed:.2f} s ({n / max(elapsed, 1e-9):,.0f} rows/s)")
    console.print(table)
