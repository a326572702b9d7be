"""Quality of generated records per built-in schema: valid, unique, faithful, judged, varied.

For each schema, N records from ``RecordGenerator`` on the model under test, then:

- schema-valid: model outputs that passed the schema (Pydantic, validators) / LLM calls, and
  per record attempt (an attempt retries an invalid output with the error fed back);
- unique: valid outputs that were not duplicates (the schema's dedup key) / valid outputs;
- round trip (``langsynth.chains.roundtrip``): records -> text -> extraction -> field metrics,
  micro F1 and the share of records extracted back exactly (normalized match);
- judge (``langsynth.judge``, default ``local-large``, a larger model than the generator):
  mean score 1-5 and the probability-weighted mean;
- distinct-2 of the text fields (``langsynth.quality.diversity``): unique word bigrams / all.

Round trip and judge can run on a seeded sample of the N records (``--roundtrip-n``,
``--judge-n``) when the full set does not fit a time budget; the table says how many.
Generation and round trip run first on the generator's server, then the judge's server starts
(two embedded servers at once would share the cores).

    python benchmarks/quality.py --n 30
    python benchmarks/quality.py --n 30 --model openai:gpt-4o-mini --judge-model openai:gpt-4o
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import chat_model, judge_spec, make_parser, md_table, script_main

SCHEMAS = (
    "medical_billing",
    "movie_recommendation",
    "actor_filmography",
    "credit_card_transaction",
)
TEXT_MAX_TOKENS = 400
EXTRACT_MAX_TOKENS = 512


def text_values(rows: list[dict[str, Any]], fields: tuple[str, ...]) -> list[str]:
    """The values of ``fields`` as separate texts (each item of a list field on its own)."""
    out: list[str] = []
    for row in rows:
        for name in fields:
            value = row.get(name)
            items = value if isinstance(value, list) else [value]
            out += [v for v in items if isinstance(v, str) and v.strip()]
    return out


def diversity_fields(info: Any, rows: list[dict[str, Any]]) -> tuple[tuple[str, ...], bool]:
    """The schema's text fields, or all string fields when it has none (second item True)."""
    if info.text_fields:
        return tuple(info.text_fields), False
    names = tuple(
        name
        for name in info.fields
        if any(text_values([row], (name,)) for row in rows[:5])  # string or list of strings
    )
    return names, True


def generate(args: argparse.Namespace, schema: str, llm: Any) -> dict[str, Any]:
    """Generate N records; validity, uniqueness and distinct-2 need no further model calls."""
    from langsynth.chains.generator import RecordGenerator
    from langsynth.quality.diversity import distinct_n
    from langsynth.schemas import load_schema

    info = load_schema(schema)
    gen = RecordGenerator(info, llm, concurrency=args.slots, seed=args.seed)
    result = gen.generate(args.n)
    s = result.stats
    rows = result.to_dicts()
    valid_outputs = s.valid + s.duplicates
    fields, fallback = diversity_fields(info, rows)
    return {
        "schema": schema,
        "records": rows,
        "requested": args.n,
        "valid": s.valid,
        "complete": result.complete,
        "llm_calls": s.usage.calls,
        "attempts": s.attempts,
        "rejected": s.rejected,
        "duplicates": s.duplicates,
        "schema_valid_per_call": valid_outputs / s.usage.calls if s.usage.calls else 0.0,
        "schema_valid_per_attempt": valid_outputs / s.attempts if s.attempts else 0.0,
        "unique": s.valid / valid_outputs if valid_outputs else 0.0,
        "distinct_2": distinct_n(text_values(rows, fields), 2),
        "distinct_fields": list(fields),
        "distinct_fallback": fallback,
        "output_tokens": s.usage.output_tokens,
        "generate_s": round(s.elapsed_s, 1),
    }


def sample(rows: list[dict[str, Any]], k: int, seed: int, schema: str) -> list[dict[str, Any]]:
    """A seeded sample of ``k`` rows (all rows, in order, when ``k`` covers them)."""
    if k >= len(rows):
        return list(rows)
    picked = sorted(random.Random(f"{seed}:{schema}").sample(range(len(rows)), k))
    return [rows[i] for i in picked]


def round_trip(args: argparse.Namespace, row: dict[str, Any], llms: tuple[Any, Any]) -> None:
    from langsynth.chains.roundtrip import RoundTrip

    chosen = sample(row["records"], args.roundtrip_n, args.seed, row["schema"])
    started = time.perf_counter()
    trip = RoundTrip(row["schema"], llms[0], extract_llm=llms[1], concurrency=args.slots)
    result = trip.run(chosen)
    row["roundtrip_n"] = len(chosen)
    row["roundtrip_f1"] = result.report.micro.f1
    row["roundtrip_exact"] = result.report.record_exact
    row["roundtrip_tokens"] = result.run.stats.usage.output_tokens
    row["roundtrip_s"] = round(time.perf_counter() - started, 1)


def judge(args: argparse.Namespace, row: dict[str, Any], llm: Any) -> None:
    from langsynth.judge import PointwiseJudge, score_summary

    chosen = sample(row["records"], args.judge_n, args.seed, row["schema"])
    started = time.perf_counter()
    judge = PointwiseJudge(
        llm,
        schema=row["schema"],
        concurrency=args.judge_slots,
        generator_model=args.model or "local",
        comment="checks",  # only the scores are reported: no model-written comments to wait for
    )
    summary = score_summary(judge.run(chosen).results)
    row["judge_n"] = len(chosen)
    row["judge"] = summary
    row["judge_s"] = round(time.perf_counter() - started, 1)


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser(__doc__)
    parser.add_argument("--judge-model", default=None, help="judge spec (default: local-large)")
    parser.add_argument("--schemas", nargs="+", default=list(SCHEMAS))
    parser.add_argument("--n", type=int, default=30, help="records per schema")
    parser.add_argument(
        "--roundtrip-n", type=int, default=None, help="round-trip a seeded sample (default: all)"
    )
    parser.add_argument(
        "--judge-n", type=int, default=None, help="judge a seeded sample (default: all)"
    )
    parser.add_argument("--slots", type=int, default=4, help="generator server slots")
    parser.add_argument(
        "--judge-slots",
        type=int,
        default=1,
        help="judge server slots (each slot processes the long rubric prefix once per schema, "
        "so for a few records per schema one slot is fastest)",
    )
    parser.add_argument("--seed", type=int, default=11)
    return parser


def run(args: argparse.Namespace) -> dict[str, Any]:
    from langsynth import local

    args.roundtrip_n = args.n if args.roundtrip_n is None else args.roundtrip_n
    args.judge_n = args.n if args.judge_n is None else args.judge_n
    judge_model = judge_spec(args.judge_model)
    rows: list[dict[str, Any]] = []

    def model(spec: str | None, slots: int, **kwargs: Any) -> Any:
        return chat_model(spec, slots, threads=args.threads, seed=args.seed, **kwargs)

    try:
        gen_llm = model(args.model, args.slots, temperature=0.9, max_tokens=512)
        text_llm = model(args.model, args.slots, temperature=0.7, max_tokens=TEXT_MAX_TOKENS)
        extract_llm = model(args.model, args.slots, temperature=0, max_tokens=EXTRACT_MAX_TOKENS)
        for schema in args.schemas:
            row = generate(args, schema, gen_llm)
            if args.roundtrip_n > 0 and row["records"]:
                round_trip(args, row, (text_llm, extract_llm))
            rows.append(row)
            _progress(row)
        local.stop_all()  # free the cores (and memory) for the judge's server
        if args.judge_n > 0:
            judge_llm = model(judge_model, args.judge_slots, temperature=0.0, max_tokens=320)
            for row in rows:
                if row["records"]:
                    judge(args, row, judge_llm)
                    print(f"  judged {row['schema']}: {row['judge_s']} s", file=sys.stderr)
    finally:
        local.stop_all()
    for row in rows:
        row.pop("records")
    return {
        "model": args.model or "local",
        "judge_model": judge_model,
        "n": args.n,
        "seed": args.seed,
        "schemas": rows,
    }


def _progress(row: dict[str, Any]) -> None:
    print(
        f"  {row['schema']}: {row['valid']} records in {row['generate_s']} s, round trip "
        f"{row.get('roundtrip_s', '-')} s",
        file=sys.stderr,
        flush=True,
    )


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def headline(result: dict[str, Any]) -> str:
    parts = []
    for r in result["schemas"]:
        f1 = r.get("roundtrip_f1")
        mean = (r.get("judge") or {}).get("mean")
        parts.append(
            f"{r['schema']} valid {_pct(r['schema_valid_per_call'])}, unique {_pct(r['unique'])}"
            + (f", F1 {f1:.2f}" if f1 is not None else "")
            + (f", judge {mean:.1f}" if mean is not None else "")
        )
    return "; ".join(parts)


def to_markdown(result: dict[str, Any]) -> str:
    rows = []
    for r in result["schemas"]:
        judged = r.get("judge") or {}
        mean = judged.get("mean")
        rows.append(
            (
                f"`{r['schema']}`",
                f"{r['valid']}/{r['requested']}",
                f"{_pct(r['schema_valid_per_call'])} / {_pct(r['schema_valid_per_attempt'])}",
                _pct(r["unique"]),
                r.get("roundtrip_n", 0),
                r.get("roundtrip_f1"),
                _pct(r.get("roundtrip_exact")),
                f"{judged.get('judged', 0)}"
                + (f" ({judged['failed']} failed)" if judged.get("failed") else ""),
                f"{mean:.2f} ({judged.get('mean_expected') or 0:.2f})" if mean is not None else "-",
                f"{r['distinct_2']:.3f} ({', '.join(r['distinct_fields'])})",
                f"{r['output_tokens'] / max(1, r['valid']):.1f}",
                " / ".join(
                    f"{r.get(k) or 0:.0f}" for k in ("generate_s", "roundtrip_s", "judge_s")
                ),
            )
        )
    table = md_table(
        [
            "schema",
            "records",
            "schema-valid (per call / per attempt)",
            "unique",
            "round trip n",
            "micro F1",
            "record exact",
            "judged n",
            "judge mean (weighted)",
            "distinct-2 (fields)",
            "gen tok/record",
            "time s (gen / trip / judge)",
        ],
        rows,
    )
    notes = [
        f"Generator `{result['model']}`, judge `{result['judge_model']}`, N = {result['n']} "
        f"records per schema, seed {result['seed']}.",
        "",
        table,
        "",
        "- schema-valid per call = outputs that passed the schema and its validators / LLM "
        "calls; per attempt = the same after up to 2 retries with the error fed back.",
        "- unique = valid outputs that were not duplicates of an accepted record (schema dedup "
        "fields); generation continues until N unique records exist.",
        "- round trip and judge run on a seeded sample of the N records when their n is "
        "smaller than N; record exact = the extracted record equals the original in every "
        "field (normalized match); judge weighted = probability-weighted score.",
    ]
    if any(r["distinct_fallback"] for r in result["schemas"]):
        notes.append(
            "- distinct-2 is over the schema's free-text fields; schemas without one use all "
            "their string fields (each value, or list item, as a text)."
        )
    return "\n".join(notes)


def main(argv: list[str] | None = None) -> int:
    return script_main(build_parser, run, to_markdown, argv)


if __name__ == "__main__":
    sys.exit(main())
