"""Does the judge separate good from bad? A labelled benchmark, per task and overall.

The items are in ``benchmarks/data/judge/`` (written by hand, see its README): 6 tasks
(Korean and English movie recommendations, medical billing records with planted
inconsistencies, instruction/response pairs, Korean product descriptions, children's stories
with required words), 16 items each, half bad, each with a human label and a 1-5 target.

For each judge and each criteria mode it reports, per task and overall:

- **gap**: mean score of the good items minus that of the bad ones (1-5 scale);
- **pairwise accuracy**: the share of (good, bad) pairs of the same task where the good one
  scores higher (ties count half);
- **Spearman** correlation of the scores with the 1-5 targets.

Judges: ``plain`` is the course's judge prompt (seed 000: "evaluate the answer against the
criteria, JSON {score, comment}"), one call per item on the same model; ``langsynth`` is
:class:`langsynth.judge.PointwiseJudge` as a user gets it. Criteria modes: ``builtin`` (the
schema's rubric) and ``user`` (the task's one-line, ``;``-separated criteria, as typed after
``--criteria``). A ``length`` row (longer = better, no model) shows the items are not
separable by length. Pairwise judging (:class:`~langsynth.judge.PairwiseJudge`) compares a
good and a bad answer to the same request in both orders: agreement between the orders, and
accuracy on the pairs whose orders agree.

    python benchmarks/judge_quality.py                                 # local-large, all
    python benchmarks/judge_quality.py --tasks movies_ko --limit 4    # a quick subset
    python benchmarks/judge_quality.py --judge-model openai:gpt-4o-mini
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import chat_model, judge_spec, make_parser, md_table, script_main  # noqa: E402

DATA = HERE / "data" / "judge"
LABEL_COLUMNS = ("id", "label", "target", "note")
JUDGES = ("plain", "langsynth")
CRITERIA_MODES = ("builtin", "user")


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Item:
    """One labelled item: the row the judge reads and the human labels."""

    task: str
    id: str
    row: dict[str, Any]
    good: bool
    target: int


@dataclass(frozen=True)
class Task:
    """A task of the benchmark: its items, comment language, schema and user criteria."""

    name: str
    language: str
    schema: str | None
    criteria: str
    items: tuple[Item, ...]


def load_tasks(
    data: Path = DATA, only: Sequence[str] | None = None, limit: int | None = None
) -> list[Task]:
    """The tasks of ``data/tasks.json``; ``limit`` keeps the first N good and N bad items."""
    meta = json.loads((data / "tasks.json").read_text(encoding="utf-8"))
    unknown = sorted(set(only or ()) - set(meta))
    if unknown:
        raise SystemExit(f"unknown task(s) {', '.join(unknown)}; tasks: {', '.join(meta)}")
    tasks = []
    for name, spec in meta.items():
        if only and name not in only:
            continue
        items = []
        for line in (data / spec["file"]).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            raw = json.loads(line)
            row = {k: v for k, v in raw.items() if k not in LABEL_COLUMNS}
            items.append(Item(name, raw["id"], row, raw["label"] == "good", int(raw["target"])))
        if limit is not None:
            goods = [i for i in items if i.good][:limit]
            bads = [i for i in items if not i.good][:limit]
            items = goods + bads
        tasks.append(Task(name, spec["language"], spec["schema"], spec["criteria"], tuple(items)))
    return tasks


# --------------------------------------------------------------------------- metrics


def ranks(values: Sequence[float]) -> list[float]:
    """Ranks 1..n, ties sharing their mean rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Spearman's rank correlation (``None`` when either side is constant)."""
    if len(xs) < 2:
        return None
    rx, ry = ranks(xs), ranks(ys)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    if vx == 0 or vy == 0:
        return None
    return float(cov / (vx * vy) ** 0.5)


def pairwise_accuracy(good: Sequence[float], bad: Sequence[float]) -> float | None:
    """Share of (good, bad) pairs where the good one scores higher; ties count half."""
    if not good or not bad:
        return None
    wins = sum(1.0 if g > b else 0.5 if g == b else 0.0 for g in good for b in bad)
    return wins / (len(good) * len(bad))


def group_metrics(items: Sequence[Item], scores: Sequence[float | None]) -> dict[str, Any]:
    """Gap, pairwise accuracy and Spearman of one group of items (failed rows score 1)."""
    filled = [1.0 if s is None else float(s) for s in scores]
    good = [s for s, it in zip(filled, items, strict=True) if it.good]
    bad = [s for s, it in zip(filled, items, strict=True) if not it.good]
    mean_good = statistics.fmean(good) if good else None
    mean_bad = statistics.fmean(bad) if bad else None
    return {
        "n": len(items),
        "failed": sum(1 for s in scores if s is None),
        "mean_good": mean_good,
        "mean_bad": mean_bad,
        "gap": (mean_good - mean_bad) if mean_good is not None and mean_bad is not None else None,
        "pairwise": pairwise_accuracy(good, bad),
        "spearman": spearman(filled, [it.target for it in items]),
    }


def summarize(tasks: Sequence[Task], scores: dict[str, list[float | None]]) -> dict[str, Any]:
    """Per-task metrics and the overall ones (pairwise accuracy: mean over tasks)."""
    per_task = {t.name: group_metrics(t.items, scores[t.name]) for t in tasks}
    every = [it for t in tasks for it in t.items]
    overall = group_metrics(every, [s for t in tasks for s in scores[t.name]])
    accuracies = [m["pairwise"] for m in per_task.values() if m["pairwise"] is not None]
    overall["pairwise"] = statistics.fmean(accuracies) if accuracies else None
    gaps = [m["gap"] for m in per_task.values() if m["gap"] is not None]
    overall["min_task_gap"] = min(gaps) if gaps else None
    return {"tasks": per_task, "overall": overall}


# --------------------------------------------------------------------------- judges


def response_text(item: Item) -> str:
    """What the item answers with (for the length baseline)."""
    from langsynth.judge import to_item

    return to_item(item.row).response


SEED_PROMPT = {
    # seed 000's judge system prompt, word for word
    "ko": (
        "당신의 역할은 모델 답변 자동 평가자입니다.\n"
        "입력 프롬프트와 모델 답변을 보고, 기준(criteria)에 따라 평가하세요.\n\n"
        "채점 기준:\n{criteria}\n\n"
        '출력 형식(JSON):\n{{"score": 1~5, "comment": "평가 근거 (한국어 1~3문장)"}}'
    ),
    "en": (
        "Your role is to evaluate model answers automatically.\n"
        "Look at the input prompt and the model answer and evaluate them against the "
        "criteria.\n\nCriteria:\n{criteria}\n\n"
        'Output format (JSON):\n{{"score": 1-5, "comment": "the reason (English, 1-3 '
        'sentences)"}}'
    ),
}
SEED_USER = {
    "ko": "입력 프롬프트:\n{request}\n\n모델 답변:\n{response}",
    "en": "Input prompt:\n{request}\n\nModel answer:\n{response}",
}


def plain_prompt_judge(llm: Any, criteria: Sequence[str], language: str, concurrency: int) -> Any:
    """The course's judge (seed 000) as a map step: one call per item, ``{"score",
    "comment"}``, no scale, no anchors, no request gate. The score digit's log-probabilities
    give a weighted score."""
    from langchain_core.messages import HumanMessage, SystemMessage

    from langsynth.chains.structured import acall, structured_runnable
    from langsynth.judge import JudgeResult, JudgeVerdict, score_distribution, to_item
    from langsynth.judge.scoring import expected_value, with_logprobs
    from langsynth.runs import MapStep

    system = SEED_PROMPT[language].format(criteria="\n".join(f"- {c}" for c in criteria))
    runnable, _ = structured_runnable(with_logprobs(llm), JudgeVerdict)

    class PlainPromptJudge(MapStep):
        job = "judge"

        async def aprocess(self, row: Any, config: Any = None) -> Any:
            item = to_item(row)
            user = SEED_USER[language].format(request=item.request, response=item.response)
            messages = [SystemMessage(content=system), HumanMessage(content=user)]
            outcome = await acall(runnable, JudgeVerdict, messages)
            verdict = outcome.value
            if not isinstance(verdict, JudgeVerdict):
                return JudgeResult(score=None, comment=None, error=outcome.error or "no verdict")
            dist = score_distribution(outcome.message)
            expected = expected_value(dist) if dist else float(verdict.score)
            return JudgeResult(
                score=verdict.score, comment=verdict.comment, expected_score=round(expected, 3)
            )

    step = PlainPromptJudge()
    step.llm = llm
    step.concurrency = concurrency
    return step


def plain_judge(llm: Any, task: Task, criteria: Sequence[str], concurrency: int) -> Any:
    """The course's judge prompt (seed 000), verbatim in Korean, translated for English."""
    return plain_prompt_judge(llm, criteria, task.language, concurrency)


def langsynth_judge(llm: Any, task: Task, mode: str, concurrency: int, **options: Any) -> Any:
    """langsynth's judge as a user gets it: ``--criteria "a; b; c"`` or the schema's rubric."""
    from langsynth.judge import PointwiseJudge

    if mode == "user":
        return PointwiseJudge(
            llm, criteria=task.criteria, language=task.language, concurrency=concurrency, **options
        )
    return PointwiseJudge(
        llm, schema=task.schema, language=task.language, concurrency=concurrency, **options
    )


def builtin_criteria(task: Task) -> tuple[str, ...]:
    from langsynth.judge import default_rubric

    return default_rubric(task.schema).criteria


def user_criteria(task: Task) -> tuple[str, ...]:
    from langsynth.judge import parse_criteria

    return parse_criteria(task.criteria)


def judge_tasks(judge_of: Any, tasks: Sequence[Task]) -> dict[str, Any]:
    """Judge every item; both the digit and the probability-weighted score are kept."""
    digits: dict[str, list[float | None]] = {}
    weighted: dict[str, list[float | None]] = {}
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    for task in tasks:
        results = judge_of(task).run([it.row for it in task.items]).results
        digits[task.name] = [r.score for r in results]
        weighted[task.name] = [
            r.expected_score if r.expected_score is not None else r.score for r in results
        ]
        for it, r in zip(task.items, results, strict=True):
            rows.append(
                {
                    "id": it.id,
                    "good": it.good,
                    "target": it.target,
                    "score": r.score,
                    "score_expected": r.expected_score,
                    "comment": r.comment,
                    "error": r.error,
                    "checks": [
                        [c.question, round(c.p_yes, 4), c.gate] for c in getattr(r, "checks", [])
                    ],
                }
            )
        print(
            f"    {task.name}: {[r.score for r in results]}",
            file=sys.stderr,
            flush=True,
        )
    return {
        "score": summarize(tasks, digits),
        "weighted": summarize(tasks, weighted),
        "seconds": round(time.perf_counter() - started, 1),
        "rows": rows,
    }


SPREAD_METRICS = ("gap", "pairwise", "spearman", "min_task_gap")


def with_repeats(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The first run, with the spread of the overall figures over all of them and the items
    whose score changed from run to run (the run-to-run noise a change must beat)."""
    first = dict(runs[0])
    if len(runs) > 1:
        overall = [r["score"]["overall"] for r in runs]
        scores: dict[str, set[Any]] = {}
        for r in runs:
            for row in r["rows"]:
                scores.setdefault(row["id"], set()).add(row["score"])
        first["repeats"] = {
            "n": len(runs),
            "seconds": round(sum(r["seconds"] for r in runs), 1),
            "changed_items": sorted(i for i, found in scores.items() if len(found) > 1),
            **{m: [o[m] for o in overall] for m in SPREAD_METRICS},
        }
    return first


def spread_line(label: str, repeats: dict[str, Any], items: int) -> str:
    """One sentence: mean and range of each overall figure over the repeats."""
    parts = []
    for m in SPREAD_METRICS:
        values = [v for v in repeats[m] if v is not None]
        if values:
            mean = statistics.fmean(values)
            parts.append(f"{m.replace('_', ' ')} {mean:.2f} ({min(values):.2f}-{max(values):.2f})")
    changed = len(repeats["changed_items"])
    return (
        f"{label} over {repeats['n']} runs: "
        + ", ".join(parts)
        + f"; {changed} of {items} items changed score between runs ({repeats['seconds']:.0f} s)."
    )


def pairs_of(task: Task) -> list[tuple[Item, Item]]:
    """Each bad item with a good item answering the same request (round robin)."""
    from langsynth.judge import to_item

    goods: dict[str, list[Item]] = {}
    for it in task.items:
        if it.good:
            goods.setdefault(to_item(it.row).request, []).append(it)
    out = []
    used: dict[str, int] = {}
    for it in task.items:
        if it.good:
            continue
        request = to_item(it.row).request
        candidates = goods.get(request)
        if candidates:
            k = used.get(request, 0)
            out.append((candidates[k % len(candidates)], it))
            used[request] = k + 1
    return out


PAIRWISE_OPTIONS = ("gate", "specific", "calibrate", "reference", "margin", "writings")


def pairwise_tasks(
    llm: Any,
    tasks: Sequence[Task],
    mode: str,
    concurrency: int,
    pairwise_mode: str = "separate",
    **options: Any,
) -> dict[str, Any]:
    """Position-swap agreement and accuracy of the pairwise judge on (good, bad) pairs."""
    from langsynth.judge import PairwiseJudge, to_item

    per_task: dict[str, Any] = {}
    started = time.perf_counter()
    totals = {"pairs": 0, "agreed": 0, "correct": 0, "failed": 0}
    for task in tasks:
        pairs = pairs_of(task)
        if not pairs:
            continue
        kwargs: dict[str, Any] = {"language": task.language, "concurrency": concurrency}
        kwargs.update({k: v for k, v in options.items() if k in PAIRWISE_OPTIONS})
        kwargs["mode"] = pairwise_mode
        if mode == "user":
            kwargs["criteria"] = task.criteria
        else:
            kwargs["schema"] = task.schema
        judge = PairwiseJudge(llm, **kwargs)
        # Half of the pairs show the good answer first, half second.
        triples = []
        for k, (good, bad) in enumerate(pairs):
            request = to_item(good.row).request
            first, second = (good, bad) if k % 2 == 0 else (bad, good)
            triples.append((request, to_item(first.row).response, to_item(second.row).response))
        results = judge.run(triples).results
        counts = {"pairs": len(pairs), "agreed": 0, "correct": 0, "failed": 0}
        for k, r in enumerate(results):
            if r.error:
                counts["failed"] += 1
                continue
            if r.consistent:
                counts["agreed"] += 1
                if r.winner == ("first" if k % 2 == 0 else "second"):
                    counts["correct"] += 1
        for key in totals:
            totals[key] += counts[key]
        per_task[task.name] = counts
        print(f"    pairwise {task.name}: {counts}", file=sys.stderr, flush=True)

    def rates(c: dict[str, int]) -> dict[str, Any]:
        return {
            **c,
            "agreement": c["agreed"] / c["pairs"] if c["pairs"] else None,
            "accuracy_agreed": c["correct"] / c["agreed"] if c["agreed"] else None,
            "accuracy_all": c["correct"] / c["pairs"] if c["pairs"] else None,
        }

    return {
        "tasks": {name: rates(c) for name, c in per_task.items()},
        "overall": rates(totals),
        "seconds": round(time.perf_counter() - started, 1),
    }


# --------------------------------------------------------------------------- generated records

GENERATED_SCHEMAS = ("medical_billing", "movie_recommendation")


def plant(schema: str, record: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``record`` that breaks one of its schema's rules."""
    if schema == "medical_billing":
        charge = float(record["total_charge"])
        return {**record, "insurance_claim_amount": round(charge * 1.25 + 10, 2)}
    if schema == "movie_recommendation":
        return {**record, "year": 2999}
    raise ValueError(f"no planted rule for {schema}")


def generate_records(args: argparse.Namespace) -> dict[str, list[dict[str, Any]]]:
    """Records as ``benchmarks/quality.py`` makes them (0.5B generator, its seed)."""
    from langsynth import local
    from langsynth.chains.generator import RecordGenerator

    out: dict[str, list[dict[str, Any]]] = {}
    try:
        llm = chat_model(
            args.generator_model,
            4,
            threads=args.threads,
            temperature=0.9,
            max_tokens=512,
            seed=11,
        )
        for schema in args.generated_schemas:
            result = RecordGenerator(schema, llm, concurrency=4, seed=11).generate(args.generated)
            out[schema] = result.to_dicts()
    finally:
        local.stop_all()  # free the cores for the judge's server
    return out


def judge_generated(
    llm: Any, records: dict[str, list[dict[str, Any]]], concurrency: int
) -> dict[str, Any]:
    """Score spread of generated records and the scores of planted rule breakers."""
    from langsynth.judge import PointwiseJudge, score_summary, spread_warning

    out: dict[str, Any] = {}
    for schema, rows in records.items():
        planted = [plant(schema, r) for r in rows[: max(1, len(rows) // 4)]]
        judge = PointwiseJudge(llm, schema=schema, language="en", concurrency=concurrency)
        results = judge.run(rows + planted).results
        real, fake = results[: len(rows)], results[len(rows) :]
        out[schema] = {
            "generated": score_summary(real),
            "spread_warning": spread_warning(real),
            "planted": len(fake),
            "planted_scores": [r.score for r in fake],
        }
        print(f"    generated {schema}: {out[schema]}", file=sys.stderr, flush=True)
    return out


# --------------------------------------------------------------------------- run


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser(__doc__, model=False)
    parser.add_argument("--judge-model", default=None, help="judge spec (default: local-large)")
    parser.add_argument("--threads", type=int, default=None, help="embedded server threads")
    parser.add_argument("--tasks", nargs="+", default=None, help="only these tasks")
    parser.add_argument("--limit", type=int, default=None, help="first N good + N bad per task")
    parser.add_argument("--judges", nargs="*", default=list(JUDGES), choices=JUDGES)
    parser.add_argument(
        "--criteria", nargs="*", default=list(CRITERIA_MODES), choices=CRITERIA_MODES
    )
    parser.add_argument(
        "--pairwise",
        nargs="*",
        default=["user"],
        choices=CRITERIA_MODES,
        help="criteria modes of the pairwise check (none: skip it)",
    )
    parser.add_argument(
        "--pairwise-mode",
        default="separate",
        choices=("separate", "together"),
        help="PairwiseJudge mode: each candidate on its own, or both shown in both orders",
    )
    parser.add_argument("--concurrency", type=int, default=2, help="server slots")
    parser.add_argument(
        "--generated",
        type=int,
        default=8,
        help="records per schema generated as benchmarks/quality.py does, judged for spread "
        "(0: skip); a quarter more are planted with a broken schema rule",
    )
    parser.add_argument(
        "--generator-model", default=None, help="generator of those records (default: local)"
    )
    parser.add_argument(
        "--generated-schemas",
        nargs="+",
        default=list(GENERATED_SCHEMAS),
        help="the schemas of those records",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="judge every item this many times with a fresh judge (its questions written "
        "again) and report the spread: two runs of one configuration differ on about one "
        "item in ten",
    )
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=JSON",
        help="extra PointwiseJudge option for the langsynth judge (ablations)",
    )
    return parser


def judge_options(pairs: Sequence[str]) -> dict[str, Any]:
    """``--option key=json`` pairs as keyword arguments."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def length_baseline(tasks: Sequence[Task]) -> dict[str, Any]:
    """Score = length of the response in characters: a judge must beat this."""
    scores = {t.name: [float(len(response_text(it))) for it in t.items] for t in tasks}
    out = summarize(tasks, scores)
    for m in (*out["tasks"].values(), out["overall"]):
        m["gap"] = m["mean_good"] = m["mean_bad"] = m["min_task_gap"] = None
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    from langsynth import local
    from langsynth.llm import model_spec_of

    tasks = load_tasks(only=args.tasks, limit=args.limit)
    options = judge_options(args.option)
    spec = judge_spec(args.judge_model)
    generated = generate_records(args) if args.generated > 0 else {}
    llm = chat_model(spec, args.concurrency, threads=args.threads, temperature=0.0, max_tokens=320)
    result: dict[str, Any] = {
        "judge_model": model_spec_of(llm),
        "items": sum(len(t.items) for t in tasks),
        "tasks": [t.name for t in tasks],
        "options": options,
        "pairwise_mode": args.pairwise_mode,
        "length": length_baseline(tasks),
        "runs": {},
    }
    try:
        for kind in args.judges:
            for mode in args.criteria:
                key = f"{kind}/{mode}"
                print(f"  {key}", file=sys.stderr, flush=True)
                if kind == "plain":
                    pick = builtin_criteria if mode == "builtin" else user_criteria

                    def judge_of(task: Task, pick: Any = pick) -> Any:
                        return plain_judge(llm, task, pick(task), args.concurrency)
                else:

                    def judge_of(task: Task, mode: str = mode) -> Any:
                        return langsynth_judge(llm, task, mode, args.concurrency, **options)

                result["runs"][key] = with_repeats(
                    [judge_tasks(judge_of, tasks) for _ in range(max(1, args.repeat))]
                )
        result["pairwise"] = {
            mode: pairwise_tasks(
                llm, tasks, mode, args.concurrency, pairwise_mode=args.pairwise_mode, **options
            )
            for mode in args.pairwise
        }
        if generated:
            result["generated"] = judge_generated(llm, generated, args.concurrency)
    finally:
        local.stop_all()
    return result


# --------------------------------------------------------------------------- report

RUN_LABELS = {
    "plain/builtin": "course prompt, built-in rubric",
    "plain/user": "course prompt, user criteria",
    "langsynth/builtin": "langsynth, built-in rubric",
    "langsynth/user": "langsynth, user criteria",
}


def _cells(m: dict[str, Any]) -> list[Any]:
    return [m["mean_good"], m["mean_bad"], m["gap"], m["pairwise"], m["spearman"]]


def to_markdown(result: dict[str, Any]) -> str:
    names = result["tasks"]
    lines = [
        f"Judge `{result['judge_model']}` on {result['items']} hand-labelled items "
        f"({len(names)} tasks, half bad; `benchmarks/data/judge/`). Gap = mean score of good "
        "minus bad (1-5); pairwise = share of (good, bad) pairs of a task scored in the right "
        "order (ties half); Spearman with the 1-5 targets. Scores are the judge's digits; "
        "*weighted* uses the probability-weighted score.",
        "",
    ]
    overall_rows = []
    for key, run in result["runs"].items():
        o, w = run["score"]["overall"], run["weighted"]["overall"]
        overall_rows.append(
            [
                RUN_LABELS.get(key, key),
                *_cells(o),
                o["min_task_gap"],
                w["gap"],
                w["pairwise"],
                w["spearman"],
                f"{run['seconds']:.0f}",
            ]
        )
    length = result["length"]["overall"]
    overall_rows.append(
        ["length baseline (longer = better)", "-", "-", "-", length["pairwise"], length["spearman"]]
        + ["-"] * 5
    )
    lines.append(
        md_table(
            [
                "judge",
                "good",
                "bad",
                "gap",
                "pairwise",
                "Spearman",
                "min task gap",
                "gap (weighted)",
                "pairwise (weighted)",
                "Spearman (weighted)",
                "s",
            ],
            overall_rows,
        )
    )
    for key, run in result["runs"].items():
        if run.get("repeats"):
            lines += ["", spread_line(RUN_LABELS.get(key, key), run["repeats"], result["items"])]
    lines += ["", "Gap / pairwise accuracy per task:", ""]
    task_rows = []
    for key, run in result["runs"].items():
        cells = []
        for name in names:
            m = run["score"]["tasks"][name]
            cells.append(f"{_num(m['gap'])} / {_num(m['pairwise'])}")
        task_rows.append([RUN_LABELS.get(key, key), *cells])
    task_rows.append(
        [
            "length baseline",
            *[f"- / {_num(result['length']['tasks'][n]['pairwise'])}" for n in names],
        ]
    )
    lines.append(md_table(["judge", *names], task_rows))
    for mode, pw in (result.get("pairwise") or {}).items():
        o = pw["overall"]
        lines += [
            "",
            f"Pairwise judge ({mode} criteria, mode {result.get('pairwise_mode', 'together')}), "
            "a good and a bad answer to the same request, judged in both orders (mode separate "
            "judges each answer on its own, so the orders agree by construction): "
            f"{o['pairs']} pairs, agreement {_num(o['agreement'])}, "
            f"accuracy on agreeing pairs {_num(o['accuracy_agreed'])}, overall "
            f"{_num(o['accuracy_all'])} ({o['failed']} failed; {pw['seconds']:.0f} s).",
            "",
            md_table(
                ["task", "pairs", "agreement", "accuracy (agreeing)"],
                [
                    [n, c["pairs"], c["agreement"], c["accuracy_agreed"]]
                    for n, c in pw["tasks"].items()
                ],
            ),
        ]
    for schema, g in (result.get("generated") or {}).items():
        if not lines or lines[-1] != "":
            lines.append("")
        if schema == next(iter(result["generated"])):
            lines += [
                "Generated records (as `benchmarks/quality.py` makes them; built-in rubric) and "
                "planted copies that break a schema rule:",
                "",
                "| schema | judged | mean | stdev (weighted) | distribution 1..5 "
                "| planted: scores |",
                "| --- | --- | --- | --- | --- | --- |",
            ]
        d = g["generated"]
        dist = " / ".join(str(d["distribution"][k]) for k in range(1, 6))
        lines.append(
            f"| {schema} | {d['judged']} | {_num(d['mean'])} | {_num(d['stdev_expected'])} | "
            f"{dist} | {g['planted_scores']} |"
        )
    return "\n".join(lines)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def headline(result: dict[str, Any]) -> str:
    """One line for the summary of RESULTS.md."""
    runs = result["runs"]
    best = runs.get("langsynth/user") or next(iter(runs.values()))
    base = runs.get("plain/user")
    o = best["score"]["overall"]
    text = f"gap {_num(o['gap'])}, pairwise accuracy {_num(o['pairwise'])} (user criteria)"
    if base:
        b = base["score"]["overall"]
        text += f"; the course's prompt: gap {_num(b['gap'])}, pairwise {_num(b['pairwise'])}"
    return text


if __name__ == "__main__":
    sys.exit(script_main(build_parser, run, to_markdown))
