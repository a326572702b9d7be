"""Does the judge separate good from bad? The seed's plain judge prompt vs langsynth's default.

The labelled check of ``tests/integration/test_judge.py``: 8 answers to "Recommend one horror
movie.", 4 horror films and 4 films of other genres. Each prompt judges all 8; the script
prints the mean score of each group (the judge's digit, and the probability-weighted score
where the server reports log-probabilities) and the gap between them.

    python benchmarks/judge_prompts.py                       # embedded 1.5B judge
    python benchmarks/judge_prompts.py --judge-model openai:gpt-4o-mini --language en
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from langsynth.chains.judge import LANGUAGES, PointwiseJudge
from langsynth.llm import model_spec_of

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import chat_model, judge_spec

DATA = Path(__file__).resolve().parents[1] / "tests" / "integration" / "judge_labelled.jsonl"
REQUEST = "Recommend one horror movie."


class SeedPromptJudge(PointwiseJudge):
    """The course exercise's judge prompt (seed 000), translated: no scale, no anchors."""

    def system_prompt(self) -> str:
        criteria = "\n".join(f"- {c}" for c in self.rubric.criteria)
        return (
            "Your role is to evaluate model answers automatically. Look at the input prompt and "
            f"the model's answer and evaluate it against the criteria.\nCriteria:\n{criteria}\n"
            'Output format (JSON): {"score": 1-5, "comment": "the reason for the score ('
            f'{LANGUAGES[self.language]}, 1-3 sentences)"}}'
        )


SEED_CRITERIA = (
    "Does it fit the user's request (e.g. 'horror movie')?",
    "Does it include all required items (title, year, reason)?",
    "Is the reason logical and convincing?",
)


def score_groups(judge: PointwiseJudge, rows: list[dict[str, Any]]) -> dict[str, Any]:
    items = [
        (REQUEST, json.dumps({k: v for k, v in r.items() if k != "fits"}, ensure_ascii=False))
        for r in rows
    ]
    start = time.perf_counter()
    results = judge.judge(items)
    elapsed = time.perf_counter() - start
    out: dict[str, Any] = {"seconds": round(elapsed, 1)}
    for label, want in (("fitting", True), ("not_fitting", False)):
        group = [res for res, row in zip(results, rows, strict=True) if row["fits"] is want]
        out[label] = {
            "scores": [res.score for res in group],
            "mean": round(statistics.fmean(res.score or 0 for res in group), 2),
            "mean_weighted": round(statistics.fmean(res.expected_score or 0 for res in group), 2),
        }
    out["gap"] = round(out["fitting"]["mean"] - out["not_fitting"]["mean"], 2)
    out["gap_weighted"] = round(
        out["fitting"]["mean_weighted"] - out["not_fitting"]["mean_weighted"], 2
    )
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--judge-model", default=None)
    parser.add_argument("--language", default="ko", choices=sorted(LANGUAGES))
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--threads", type=int, default=None, help="embedded server threads")
    return parser


def run(args: argparse.Namespace) -> dict[str, Any]:
    rows = [json.loads(line) for line in DATA.read_text().splitlines()]
    llm = chat_model(
        judge_spec(args.judge_model),
        args.concurrency,
        threads=args.threads,
        temperature=0.0,
        max_tokens=320,
    )
    common = {"schema": "movie_recommendation", "language": args.language}
    return {
        "judge_model": model_spec_of(llm),
        "seed_prompt": score_groups(
            SeedPromptJudge(
                llm, criteria=SEED_CRITERIA, examples=(), concurrency=args.concurrency, **common
            ),
            rows,
        ),
        "langsynth_default": score_groups(
            PointwiseJudge(llm, concurrency=args.concurrency, **common), rows
        ),
    }


def to_markdown(report: dict[str, Any]) -> str:
    lines = [
        f'Judge `{report["judge_model"]}`; 8 answers to "{REQUEST}" (4 horror films, 4 other '
        "genres). A useful judge scores the fitting group higher (gap > 0).",
        "",
        "| prompt | fitting: mean (weighted) | not fitting: mean (weighted) | gap (weighted) | s |",
        "| --- | --- | --- | --- | --- |",
    ]
    for key, label in (("seed_prompt", "seed 000's prompt"), ("langsynth_default", "langsynth")):
        r = report[key]
        lines.append(
            f"| {label} | {r['fitting']['mean']} ({r['fitting']['mean_weighted']}) | "
            f"{r['not_fitting']['mean']} ({r['not_fitting']['mean_weighted']}) | "
            f"{r['gap']} ({r['gap_weighted']}) | {r['seconds']} |"
        )
    return "\n".join(lines)


def main() -> None:
    report = run(build_parser().parse_args())
    print(json.dumps(report, indent=2))
    print(to_markdown(report))


if __name__ == "__main__":
    main()
