"""How much diversity does vocabulary injection add? (TinyStories technique, seed 002)

Generates ``--n`` ``children_story`` records with vocabulary injection and ``--n`` with the
same prompt and temperature but no injection, then compares distinct-n, mean pairwise
similarity (MinHash Jaccard of word bigrams) and the share of stories that contain all the
drawn words. The baseline never sees the words: its share is what chance gives, and it uses
the same draws so the two columns are comparable.

    python benchmarks/diversity_vocabulary.py --model local --n 30

Writes the stories (``--out-dir``) and a JSON summary; prints a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from langsynth.datafile import write_rows
from langsynth.diversity.presence import contains_word
from langsynth.diversity.stories import StoryGenerator, StoryResult, has_dialogue
from langsynth.diversity.vocabulary import VocabularyDraw, load_vocabulary
from langsynth.llm import get_chat_model, model_spec_of
from langsynth.quality.diversity import distinct_n, mean_pairwise_similarity, tokens


def opening(text: str, words: int = 4) -> str:
    return " ".join(tokens(text)[:words])


def measure(
    results: list[StoryResult], draws: list[VocabularyDraw], elapsed: float
) -> dict[str, Any]:
    """Metrics of one condition; word presence is checked against the draws in both."""
    stories = [(r.record.story, d) for r, d in zip(results, draws, strict=True) if r.record]
    texts = [s for s, _ in stories]
    if not texts:
        return {"stories": 0}

    def share(pred: Any) -> float:
        return sum(1 for s, d in stories if pred(s, d)) / len(stories)

    all_words = share(lambda s, d: all(contains_word(s, w, p) for p, w in d.words.items()))
    with_dialogue = [(s, d) for s, d in stories if "dialogue" in d.features]
    openings = Counter(opening(t) for t in texts)
    top_opening, top_count = openings.most_common(1)[0]
    return {
        "stories": len(texts),
        "errors": sum(1 for r in results if r.record is None),
        "distinct_1": distinct_n(texts, 1),
        "distinct_2": distinct_n(texts, 2),
        "distinct_3": distinct_n(texts, 3),
        "mean_pairwise_similarity": mean_pairwise_similarity(texts),
        "all_drawn_words": all_words,
        "verb": share(lambda s, d: contains_word(s, d.verb, "verb")),
        "noun": share(lambda s, d: contains_word(s, d.noun, "noun")),
        "adjective": share(lambda s, d: contains_word(s, d.adjective, "adjective")),
        "dialogue_when_drawn": (
            sum(has_dialogue(s) for s, _ in with_dialogue) / len(with_dialogue)
            if with_dialogue
            else None
        ),
        "dialogue_any": sum(has_dialogue(t) for t in texts) / len(texts),
        "top_opening": top_opening,
        "top_opening_share": top_count / len(texts),
        "mean_words": statistics.fmean(len(tokens(t)) for t in texts),
        "mean_output_tokens": statistics.fmean(r.output_tokens for r in results if r.record),
        "truncated": sum(r.truncated for r in results),
        "elapsed_s": elapsed,
    }


ROWS = [
    ("distinct-1", "distinct_1", "{:.3f}"),
    ("distinct-2", "distinct_2", "{:.3f}"),
    ("distinct-3", "distinct_3", "{:.3f}"),
    (
        "mean pairwise similarity (MinHash Jaccard, word bigrams)",
        "mean_pairwise_similarity",
        "{:.3f}",
    ),
    ("stories containing all 3 drawn words", "all_drawn_words", "{:.0%}"),
    ("... the verb / noun / adjective", None, None),
    ("dialogue (quotes) when drawn / in any story", None, None),
    ("most common opening (first 4 words), share", None, None),
    ("mean words per story", "mean_words", "{:.0f}"),
    ("mean output tokens per story", "mean_output_tokens", "{:.0f}"),
    ("stories cut at max tokens", "truncated", "{}"),
    ("stories (failed calls)", None, None),
    ("elapsed (s)", "elapsed_s", "{:.0f}"),
]


def cell(m: dict[str, Any], label: str, key: str | None, fmt: str | None) -> str:
    if key is not None and fmt is not None:
        return fmt.format(m[key])
    if label.startswith("..."):
        return f"{m['verb']:.0%} / {m['noun']:.0%} / {m['adjective']:.0%}"
    if label.startswith("dialogue"):
        drawn = m["dialogue_when_drawn"]
        return f"{'-' if drawn is None else f'{drawn:.0%}'} / {m['dialogue_any']:.0%}"
    if label.startswith("most common"):
        return f'"{m["top_opening"]}" {m["top_opening_share"]:.0%}'
    return f"{m['stories']} ({m['errors']})"


def table(injected: dict[str, Any], baseline: dict[str, Any]) -> str:
    lines = [
        "| metric | with vocabulary injection | same prompt, no injection |",
        "| --- | --- | --- |",
    ]
    for label, key, fmt in ROWS:
        lines.append(
            f"| {label} | {cell(injected, label, key, fmt)} | {cell(baseline, label, key, fmt)} |"
        )
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    # No model seed: the baseline sends one prompt n times, a fixed seed would repeat one story.
    llm = get_chat_model(args.model, temperature=args.temperature, max_tokens=args.max_tokens)
    vocabulary = load_vocabulary()
    draws = vocabulary.draws(args.n, seed=args.seed)
    out: dict[str, Any] = {
        "model": model_spec_of(llm),
        "n": args.n,
        "seed": args.seed,
        "temperature": args.temperature,
        "max_tokens": args.max_tokens,
    }
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for name, inject in (("injected", True), ("baseline", False)):
        gen = StoryGenerator(
            llm, vocabulary=vocabulary, inject=inject, concurrency=args.concurrency
        )
        out[f"{name}_prompt_example"] = gen.prompt(draws[0])
        start = time.perf_counter()
        results = await gen.arun_many(draws)
        metrics = measure(results, draws, time.perf_counter() - start)
        out[name] = metrics
        write_rows(
            args.out_dir / f"stories_{name}.jsonl",
            [
                {**r.to_row(), "draw": d.to_dict(), "missing": r.missing, "error": r.error}
                for r, d in zip(results, draws, strict=True)
            ],
        )
        print(f"{name}: {metrics['stories']} stories in {metrics['elapsed_s']:.0f} s", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="local", help="model spec (default: local)")
    parser.add_argument("--n", type=int, default=30, help="stories per condition")
    parser.add_argument("--seed", type=int, default=1, help="seed of the word draws")
    parser.add_argument("--temperature", type=float, default=0.9)
    parser.add_argument("--max-tokens", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--out-dir", type=Path, default=Path("out/bench_diversity_vocabulary"))
    parser.add_argument(
        "--json",
        type=Path,
        default=None,
        help="write the summary here (default: OUT_DIR/summary.json)",
    )
    args = parser.parse_args()
    summary = asyncio.run(run(args))
    (args.json or args.out_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print()
    print(
        f"model {summary['model']}, n={args.n} per condition, temperature {args.temperature}, "
        f"max_tokens {args.max_tokens}, draw seed {args.seed}"
    )
    print()
    print(table(summary["injected"], summary["baseline"]))


if __name__ == "__main__":
    main()
