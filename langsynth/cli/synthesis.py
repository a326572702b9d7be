"""Synthesis commands of seeds 002 and 004: ``stories``, ``textbook``, ``labeled``,
``instructions``, ``augment``, ``rules``. Each is one call to a step of the run engine:
rows are journalled as they are produced, rows that fail a check go to
``OUTPUT.run/rejected.jsonl`` with the reason, and ``--resume`` continues a run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from langsynth.cli._app import App, app, console

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


def _chat_model(model: str | None, temperature: float, max_tokens: int) -> Any:
    from langsynth.llm import get_chat_model

    return get_chat_model(model, temperature=temperature, max_tokens=max_tokens)


def _split(values: str | None) -> list[str] | None:
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


def _summary(
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


def _diversity_line(rows: Sequence[Mapping[str, Any]], field: str) -> str:
    from langsynth.quality.diversity import distinct_n, mean_pairwise_similarity

    texts = [str(r.get(field, "")) for r in rows if r.get(field)]
    if len(texts) < 2:
        return "-"
    return (
        f"distinct-2 {distinct_n(texts, 2):.3f}, "
        f"mean pairwise similarity {mean_pairwise_similarity(texts):.3f}"
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


def _run_options(output: Path, overwrite: bool, resume: bool) -> dict[str, Any]:
    from langsynth.runs import check_output

    check_output(output, resume=resume, overwrite=overwrite)
    return {"output": output, "overwrite": overwrite, "resume": resume, "progress": True}


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
    max_attempts: MaxAttemptsOpt = None,
    keep_unverified: Annotated[
        bool, typer.Option(help="Keep stories that miss drawn words.")
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
    from langsynth.errors import ConfigurationError
    from langsynth.synthesis.hierarchical import HierarchicalStoryGenerator
    from langsynth.synthesis.stories import StoryGenerator
    from langsynth.vocabulary import load_vocabulary

    if hierarchical and not inject:
        raise ConfigurationError("--hierarchical builds on the drawn words; drop --no-inject.")
    options = _run_options(output, overwrite, resume)
    vocabulary = load_vocabulary(
        verbs=verbs,
        nouns=nouns,
        adjectives=adjectives,
        features=_split(features),
        min_features=min_features,
        max_features=max_features,
    )
    llm = _chat_model(model, temperature, max_tokens)
    generator: StoryGenerator
    if hierarchical:
        generator = HierarchicalStoryGenerator(
            llm,
            vocabulary=vocabulary,
            seed=seed,
            strict=not keep_unverified,
            concurrency=concurrency,
        )
    else:
        generator = StoryGenerator(
            llm,
            vocabulary=vocabulary,
            seed=seed,
            strict=not keep_unverified,
            inject=inject,
            max_retries=max_retries,
            concurrency=concurrency,
        )
    result = generator.generate(n, max_attempts=max_attempts, **options)
    _summary(result, n, {"diversity": _diversity_line(result.rows, "story")}, "stories")


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
    max_attempts: MaxAttemptsOpt = None,
    concurrency: ConcurrencyOpt = 4,
    overwrite: OverwriteOpt = False,
    resume: ResumeOpt = False,
) -> None:
    """Textbook excerpts per topic x audience (phi-1 "Textbooks Are All You Need", seed 002).

    Checks: 1-2 code snippets of at most 10 lines that parse and define and call a function,
    no text after the code, at most 2 paragraphs.
    """
    from langsynth.synthesis.textbook import AUDIENCES, TOPICS, TextbookGenerator

    options = _run_options(output, overwrite, resume)
    chosen = _split(audiences)
    generator = TextbookGenerator(
        _chat_model(model, temperature, max_tokens),
        audiences={a: AUDIENCES.get(a, a) for a in chosen} if chosen else None,
        topics=_split(topics) or TOPICS,
        seed=seed,
        strict=require_checks,
        concurrency=concurrency,
    )
    result = generator.generate(n, max_attempts=max_attempts, **options)
    _summary(result, n, unit="excerpts")


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
    resume: ResumeOpt = False,
) -> None:
    """Label-seeded classification data (seed 002): balanced texts, each with its label.

    One attempt per (label, topic) request, so the labels stay balanced; resume with the
    same --seed continues the same requests.
    """
    from collections import Counter

    from langsynth.synthesis.labels import LabeledTextGenerator, balanced_requests
    from langsynth.vocabulary import load_vocabulary

    options = _run_options(output, overwrite, resume)
    topic_list = load_vocabulary().nouns if topics == "vocabulary" else _split(topics)
    requests = balanced_requests(n, _split(labels) or [], topics=topic_list, seed=seed)
    generator = LabeledTextGenerator(
        _chat_model(model, temperature, max_tokens),
        domain=domain,
        label_name=label_name,
        concurrency=concurrency,
    )
    result = generator.run(requests, **options)
    counts = dict(Counter(str(r["label"]) for r in result.rows))
    _summary(result, n, {"per label": counts}, "texts")


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

    options = _run_options(output, overwrite, resume)
    generator = SelfInstruct(
        _chat_model(model, temperature, max_tokens),
        load_seed_tasks(seeds),
        seed=seed,
        concurrency=concurrency,
    )
    result = generator.generate(n, max_attempts=max_attempts, **options)
    _summary(result, n, {"diversity": _diversity_line(result.rows, "instruction")}, "examples")


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

    rows = _input_rows(input, text, field)
    options = _run_options(output, overwrite, resume)
    generator = ReverseInstruction(
        _chat_model(model, temperature, max_tokens), text_field=field, concurrency=concurrency
    )
    result = generator.run(rows, **options)
    _summary(result, len(rows), unit="examples")


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

    rows = _input_rows(input, text, field)
    options = _run_options(output, overwrite, resume)
    generator = Paraphraser(
        _chat_model(model, temperature, max_tokens),
        n=n,
        kind=kind,
        text_field=field,
        concurrency=concurrency,
    )
    result = generator.run(rows, **options)
    done = len({r["source_index"] for r in result.rows})
    _summary(result, len(rows) * n, {"texts with a paraphrase": f"{done} / {len(rows)}"})


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

    rows = _input_rows(input, text, field)
    options = _run_options(output, overwrite, resume)
    swapper = BiasSwapper(
        kinds=_split(kinds) or [], text_field=field, include_original=include_original, seed=seed
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

    rows = _input_rows(input, text, field)
    options = _run_options(output, overwrite, resume)
    llm = _chat_model(model, temperature, max_tokens)
    checker = BackTranslator(
        llm,
        pivot=pivot,
        threshold=threshold,
        back_llm=_chat_model(back_model, temperature, max_tokens) if back_model else None,
        text_field=field,
        keep_all=keep_all,
        concurrency=concurrency,
    )
    result = checker.run(rows, **options)
    kept = sum(bool(r.get("kept")) for r in result.rows)
    _summary(result, len(rows) if keep_all else kept, {"kept (round trip similar)": kept})


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
    resume: ResumeOpt = False,
) -> None:
    """Rule-based synthesis without an LLM (seed 004): a template filled by Faker and rules."""
    from langsynth.synthesis.rules import RuleSynthesis

    options = _run_options(output, overwrite, resume)
    result = RuleSynthesis(template, seed=seed, with_text=with_text).generate(n, **options)
    elapsed = result.stats.elapsed_s
    table = Table(title=str(output), show_header=False)
    table.add_row("rows", str(len(result.rows)))
    table.add_row("elapsed", f"{elapsed:.2f} s ({n / max(elapsed, 1e-9):,.0f} rows/s)")
    console.print(table)
