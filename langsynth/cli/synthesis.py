"""Synthesis commands of seeds 002 and 004 that make new rows: ``stories``, ``textbook``,
``labeled``, ``rules`` (``instructions`` and ``augment`` are in :mod:`langsynth.cli.augment`).
Each is one call to a step of the run engine: rows are journalled as they are produced, rows
that fail a check go to ``OUTPUT.run/rejected.jsonl`` with the reason, and ``--resume``
continues a run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from langsynth.cli._app import app, console
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
    run_options,
    split_values,
    summary,
)

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
        int,
        typer.Option(help="Re-ask with the same words when a story misses one (or the sentence)."),
    ] = 0,
    min_words: Annotated[
        int | None,
        typer.Option(help="Re-ask (then reject) a story with fewer words [default: 20]; 0: off."),
    ] = None,
    max_attempts: MaxAttemptsOpt = None,
    keep_unverified: Annotated[
        bool, typer.Option(help="Keep stories that miss drawn words or are short.")
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
    from langsynth.synthesis.stories import DEFAULT_MIN_WORDS, StoryGenerator
    from langsynth.vocabulary import load_vocabulary

    if hierarchical and not inject:
        raise ConfigurationError("--hierarchical builds on the drawn words; drop --no-inject.")
    options = run_options(output, overwrite, resume)
    vocabulary = load_vocabulary(
        verbs=verbs,
        nouns=nouns,
        adjectives=adjectives,
        features=split_values(features),
        min_features=min_features,
        max_features=max_features,
    )
    llm = chat_model(model, temperature, max_tokens)
    extra: dict[str, Any] = {} if hierarchical else {"inject": inject}
    kind = HierarchicalStoryGenerator if hierarchical else StoryGenerator
    generator = kind(
        llm,
        vocabulary=vocabulary,
        seed=seed,
        strict=not keep_unverified,
        max_retries=max_retries,
        min_words=DEFAULT_MIN_WORDS if min_words is None else min_words,
        concurrency=concurrency,
        **extra,
    )
    result = generator.generate(n, max_attempts=max_attempts, **options)
    summary(result, n, {"diversity": diversity_line(result.rows, "story")}, "stories")


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

    options = run_options(output, overwrite, resume)
    chosen = split_values(audiences)
    generator = TextbookGenerator(
        chat_model(model, temperature, max_tokens),
        audiences={a: AUDIENCES.get(a, a) for a in chosen} if chosen else None,
        topics=split_values(topics) or TOPICS,
        seed=seed,
        strict=require_checks,
        concurrency=concurrency,
    )
    result = generator.generate(n, max_attempts=max_attempts, **options)
    summary(result, n, unit="excerpts")


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

    options = run_options(output, overwrite, resume)
    topic_list = load_vocabulary().nouns if topics == "vocabulary" else split_values(topics)
    requests = balanced_requests(n, split_values(labels) or [], topics=topic_list, seed=seed)
    generator = LabeledTextGenerator(
        chat_model(model, temperature, max_tokens),
        domain=domain,
        label_name=label_name,
        concurrency=concurrency,
    )
    result = generator.run(requests, **options)
    counts = dict(Counter(str(r["label"]) for r in result.rows))
    summary(result, n, {"per label": counts}, "texts")


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

    options = run_options(output, overwrite, resume)
    result = RuleSynthesis(template, seed=seed, with_text=with_text).generate(n, **options)
    elapsed = result.stats.elapsed_s
    table = Table(title=str(output), show_header=False)
    table.add_row("rows", str(len(result.rows)))
    table.add_row("elapsed", f"{elapsed:.2f} s ({n / max(elapsed, 1e-9):,.0f} rows/s)")
    console.print(table)
