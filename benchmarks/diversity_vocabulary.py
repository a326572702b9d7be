"""How much diversity does vocabulary injection add? (TinyStories technique, seed 002)

Generates ``--n`` ``children_story`` records with vocabulary injection and ``--n`` with the
same prompt and temperature but no injection, then compares distinct-n, mean pairwise
similarity (MinHash Jaccard of word bigrams) and the share of stories that contain all the
drawn words. The baseline never sees the words: its share is what chance gives, and it uses
the same draws so the two columns are comparable.

Distinct-n falls as a corpus grows, and injected stories come out longer, so the table also
gives distinct-n and similarity on the first ``--match-words`` words of every story
(length-matched).

    python benchmarks/diversity_vocabulary.py --model local --n 30

Writes the stories and ``summary.json`` to ``--out-dir`` and prints a Markdown table;
``--from-dir DIR`` prints the table again from an earlier run's files.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from langsynth.datafile import read_rows, write_rows
from langsynth.llm import get_chat_model, model_spec_of
from langsynth.normalize import words as tokens
from langsynth.quality.diversity import distinct_n, mean_pairwise_similarity
from langsynth.synthesis.presence import contains_word
from langsynth.synthesis.stories import StoryGenerator, StoryResult, has_dialogue
from langsynth.vocabulary import VocabularyDraw, load_vocabulary

CONDITIONS = (("injected", True), ("baseline", False))


def story_row(result: StoryResult, draw: VocabularyDraw) -> dict[str, Any]:
    """What is kept of one story: the record, its draw and what it cost."""
    return {
        **result.to_row(),
        "draw": draw.to_dict(),
        "missing": result.missing,
        "output_tokens": result.output_tokens,
        "truncated": result.truncated,
        "error": result.error,
    }


def measure(rows: list[dict[str, Any]], elapsed: float, match_words: int) -> dict[str, Any]:
    """Metrics of one condition; word presence is checked against the draws in both."""
    stories = [(r["story"], VocabularyDraw.from_dict(r["draw"])) for r in rows if r.get("story")]
    texts = [s for s, _ in stories]
    if not texts:
        return {"stories": 0, "errors": len(rows)}
    matched = [" ".join(tokens(t)[:match_words]) for t in texts]

    def share(pred: Callable[[str, VocabularyDraw], bool]) -> float:
        return sum(1 for s, d in stories if pred(s, d)) / len(stories)

    with_dialogue = [s for s, d in stories if "dialogue" in d.features]
    top_opening, top_count = Counter(" ".join(tokens(t)[:4]) for t in texts).most_common(1)[0]
    return {
        "stories": len(texts),
        "errors": sum(1 for r in rows if not r.get("story")),
        "distinct_1": distinct_n(texts, 1),
        "distinct_2": distinct_n(texts, 2),
        "distinct_3": distinct_n(texts, 3),
        "mean_pairwise_similarity": mean_pairwise_similarity(texts),
        "match_words": match_words,
        "distinct_2_matched": distinct_n(matched, 2),
        "distinct_3_matched": distinct_n(matched, 3),
        "mean_pairwise_similarity_matched": mean_pairwise_similarity(matched),
        "distinct_words": len({w for t in texts for w in tokens(t)}),
        "distinct_words_matched": len({w for t in matched for w in tokens(t)}),
        "all_drawn_words": share(
            lambda s, d: all(contains_word(s, w, p) for p, w in d.words.items())  # type: ignore[arg-type]
        ),
        "verb": share(lambda s, d: contains_word(s, d.verb, "verb")),
        "noun": share(lambda s, d: contains_word(s, d.noun, "noun")),
        "adjective": share(lambda s, d: contains_word(s, d.adjective, "adjective")),
        "dialogue_when_drawn": (
            sum(map(has_dialogue, with_dialogue)) / len(with_dialogue) if with_dialogue else None
        ),
        "dialogue_any": sum(map(has_dialogue, texts)) / len(texts),
        "top_opening": top_opening,
        "top_opening_share": top_count / len(texts),
        "mean_words": statistics.fmean(len(tokens(t)) for t in texts),
        "mean_output_tokens": statistics.fmean(r["output_tokens"] for r in rows if r.get("story")),
        "truncated": sum(bool(r.get("truncated")) for r in rows),
        "elapsed_s": elapsed,
    }


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def table(injected: dict[str, Any], baseline: dict[str, Any]) -> str:
    """The Markdown comparison table."""
    k = injected["match_words"]
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("distinct-1 / 2 / 3, whole stories", lambda m: "{:.3f} / {:.3f} / {:.3f}".format(
            m["distinct_1"], m["distinct_2"], m["distinct_3"])),
        ("**distinct-2**, whole stories", lambda m: f"{m['distinct_2']:.3f}"),
        (f"**distinct-2**, first {k} words of each story (length-matched)",
         lambda m: f"{m['distinct_2_matched']:.3f}"),
        (f"distinct-3, first {k} words of each story", lambda m: f"{m['distinct_3_matched']:.3f}"),
        ("**mean pairwise similarity** (MinHash Jaccard of word bigrams), whole stories",
         lambda m: f"{m['mean_pairwise_similarity']:.3f}"),
        (f"mean pairwise similarity, first {k} words",
         lambda m: f"{m['mean_pairwise_similarity_matched']:.3f}"),
        (f"distinct words in the corpus, whole / first {k} words",
         lambda m: f"{m['distinct_words']} / {m['distinct_words_matched']}"),
        ("**stories containing all 3 drawn words**", lambda m: _pct(m["all_drawn_words"])),
        ("stories containing the verb / noun / adjective",
         lambda m: f"{_pct(m['verb'])} / {_pct(m['noun'])} / {_pct(m['adjective'])}"),
        ("dialogue (quotes): stories that drew it / all stories",
         lambda m: f"{_pct(m['dialogue_when_drawn'])} / {_pct(m['dialogue_any'])}"),
        ("most common opening (first 4 words)",
         lambda m: f'"{m["top_opening"]}" ({_pct(m["top_opening_share"])})'),
        ("mean words / output tokens per story",
         lambda m: f"{m['mean_words']:.0f} / {m['mean_output_tokens']:.0f}"),
        ("stories cut at max_tokens (loops)", lambda m: str(m["truncated"])),
        ("stories (failed calls)", lambda m: f"{m['stories']} ({m['errors']})"),
        ("elapsed, s (shared server)", lambda m: f"{m['elapsed_s']:.0f}"),
    ]  # fmt: skip
    lines = [
        "| metric | with vocabulary injection | same prompt, no injection |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {label} | {fn(injected)} | {fn(baseline)} |" for label, fn in rows]
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    # No model seed: the baseline sends one prompt n times, a fixed seed would repeat one story.
    llm = get_chat_model(args.model, temperature=args.temperature, max_tokens=args.max_tokens)
    vocabulary = load_vocabulary()
    draws = vocabulary.draws(args.n, seed=args.seed)
    summary: dict[str, Any] = {
        "model": model_spec_of(llm),
        "n": args.n,
        "seed": args.seed,
        "temperature": args.temperature,
        "max_tokens": args.max_tokens,
    }
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for name, inject in CONDITIONS:
        gen = StoryGenerator(
            llm, vocabulary=vocabulary, inject=inject, concurrency=args.concurrency
        )
        summary[f"{name}_prompt_example"] = gen.prompt(draws[0])
        start = time.perf_counter()
        results = (await gen.arun(draws)).results
        elapsed = time.perf_counter() - start
        rows = [story_row(r, d) for r, d in zip(results, draws, strict=True)]
        write_rows(args.out_dir / f"stories_{name}.jsonl", rows)
        summary[f"{name}_elapsed_s"] = elapsed
        summary[name] = measure(rows, elapsed, args.match_words)
        print(f"{name}: {summary[name]['stories']} stories in {elapsed:.0f} s", flush=True)
    return summary


def recompute(from_dir: Path, match_words: int) -> dict[str, Any]:
    """The summary of an earlier run, recomputed from its stories."""
    summary: dict[str, Any] = json.loads((from_dir / "summary.json").read_text())
    for name, _ in CONDITIONS:
        rows = read_rows(from_dir / f"stories_{name}.jsonl")
        summary[name] = measure(rows, float(summary[f"{name}_elapsed_s"]), match_words)
    return summary


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--model", default="local", help="model spec (default: local)")
    parser.add_argument("--n", type=int, default=30, help="stories per condition")
    parser.add_argument("--seed", type=int, default=1, help="seed of the word draws")
    parser.add_argument("--temperature", type=float, default=0.9)
    parser.add_argument("--max-tokens", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--match-words", type=int, default=40, help="length-matched prefix")
    parser.add_argument("--out-dir", type=Path, default=Path("out/bench_diversity_vocabulary"))
    parser.add_argument("--from-dir", type=Path, default=None, help="re-table an earlier run")
    return parser


def to_markdown(summary: dict[str, Any]) -> str:
    """The run's settings and the comparison table."""
    return (
        f"model {summary['model']}, n={summary['n']} per condition, temperature "
        f"{summary['temperature']}, max_tokens {summary['max_tokens']}, draw seed "
        f"{summary['seed']}\n\n" + table(summary["injected"], summary["baseline"])
    )


def main() -> None:
    args = build_parser().parse_args()
    if args.from_dir is not None:
        summary = recompute(args.from_dir, args.match_words)
    else:
        summary = asyncio.run(run(args))
        (args.out_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print()
    print(to_markdown(summary))


if __name__ == "__main__":
    main()
