"""Generation speed, measured side by side in one run: the server's ceiling, langsynth, and the
seed tutorial's approach (one structured call at a time), at several parallel-slot levels.

For each level P the embedded server is started with P slots and measured three ways:

- ceiling: plain HTTP requests with a fixed number of output tokens, P at a time (raw decode);
- langsynth: ``RecordGenerator.generate(N)`` with ``concurrency=P``;
- sequential (at the first level only): the seed's way, the tutorial's ``FewShotPromptTemplate``
  and ``with_structured_output(schema)`` called once per record, one after another.

efficiency = langsynth output tokens/s / ceiling tokens/s at the same P (target >= 0.85);
speedup = langsynth unique records/s / sequential unique records/s (target >= 2.5). On
llama.cpp the server's ``/metrics`` counters say where the gap to the ceiling goes (prompt
tokens processed per request, tokens decoded per batch).

With ``--baseline DIR`` (another checkout, e.g. ``main``) the RecordGenerator of both trees is
measured at every level on the same server, one after the other (their order alternates
between levels): a before/after comparison in one run, which a noisy shared machine needs.
Both run in a child process with the same client settings. The tree timed second on a server
gains ~25% (measured), so compare over levels of both orders, e.g. ``--parallel 4 4``.

    python benchmarks/generation_speed.py --n 40 --parallel 4 1 2 8
    python benchmarks/generation_speed.py --model openai-compatible:qwen --parallel 4
    git worktree add /tmp/main main
    python benchmarks/generation_speed.py --parallel 4 4 --baseline /tmp/main
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    chat_model,
    counters_delta,
    endpoint_of,
    make_parser,
    md_table,
    script_main,
    server_counters,
)
from generation_baseline import compare_markdown, prime_tree, run_tree
from server_throughput import measure

EFFICIENCY_TARGET = 0.85
SPEEDUP_TARGET = 2.5

SEED_EXAMPLES = [
    {
        "example": "Patient ID: 123456, Patient Name: John Doe, Diagnosis Code: J20.9, Procedure "
        "Code: 99203, Total Charge: $500, Insurance Claim Amount: $350"
    },
    {
        "example": "Patient ID: 789012, Patient Name: Johnson Smith, Diagnosis Code: M54.5, "
        "Procedure Code: 99213, Total Charge: $150, Insurance Claim Amount: $120"
    },
    {
        "example": "Patient ID: 345678, Patient Name: Emily Stone, Diagnosis Code: E11.9, "
        "Procedure Code: 99214, Total Charge: $300, Insurance Claim Amount: $250"
    },
]
SEED_EXTRA = "the name must be chosen at random. Make it something you wouldn't normally choose."


def run_langsynth(
    llm: Any, schema: str, n: int, parallel: int, seed: int, examples: int | None = None
) -> dict[str, Any]:
    """``RecordGenerator.generate(n)``; ``examples``: only the schema's first k few-shot
    examples (a shorter prompt: less context per decoded token)."""
    from langsynth.chains.generator import RecordGenerator
    from langsynth.quality.diversity import distinct_n
    from langsynth.schemas import load_schema

    shots = load_schema(schema).load_examples()[:examples] if examples else None
    gen = RecordGenerator(schema, llm, concurrency=parallel, seed=seed, examples=shots)
    result = gen.generate(n)
    s = result.stats
    valid = len(result.records) + s.duplicates
    rows = [r.model_dump(mode="json") for r in result.records]
    return {
        "records": len(result.records),
        "attempts": s.attempts,
        # valid per attempt (a record attempt may retry), unique among the valid ones
        "valid_share": round(valid / max(1, s.attempts), 3),
        "unique_share": round(len(result.records) / max(1, valid), 3),
        "distinct_2": {
            f: round(distinct_n([str(r.get(f) or "") for r in rows], 2), 3)
            for f in gen.info.text_fields
        },
        "llm_calls": s.usage.calls,
        "rejected": s.rejected,
        "duplicates": s.duplicates,
        "output_tokens": s.usage.output_tokens,
        "prompt_tokens_per_call": round(s.usage.input_tokens / max(1, s.usage.calls), 1),
        "tokens_per_record": round(s.usage.output_tokens / max(1, len(result.records)), 1),
        "wall_s": round(s.elapsed_s, 2),
        "setup_s": round(s.setup_s, 2),
        "records_per_s": round(s.records_per_s, 4),
        "tokens_per_s": round(s.tokens_per_s, 2),
        "method": gen.method,
        # why calls produced no kept record (duplicates, invalid), to read beside the shares
        "rejections": [
            {"kind": r.get("kind"), "error": str(r.get("error"))[:200]} for r in result.rejected
        ],
    }


def run_sequential(llm: Any, schema: str, n: int) -> dict[str, Any]:
    """The seed tutorial's loop: same prompt every time, one structured call per record.

    Uniqueness uses the same duplicate key as langsynth (the schema's dedup fields).
    """
    from langchain_core.prompts import FewShotPromptTemplate, PromptTemplate
    from pydantic import ValidationError

    from langsynth.chains.record_prompt import SYNTHETIC_FEW_SHOT_PREFIX, SYNTHETIC_FEW_SHOT_SUFFIX
    from langsynth.model_errors import row_failure
    from langsynth.normalize import record_key
    from langsynth.schemas import load_schema

    info = load_schema(schema)
    prompt = FewShotPromptTemplate(
        prefix=SYNTHETIC_FEW_SHOT_PREFIX,
        examples=SEED_EXAMPLES,
        suffix=SYNTHETIC_FEW_SHOT_SUFFIX,
        input_variables=["subject", "extra"],
        example_prompt=PromptTemplate(input_variables=["example"], template="{example}"),
    )
    text = prompt.format(subject=schema, extra=SEED_EXTRA)
    structured = llm.with_structured_output(info.model, method="json_schema", include_raw=True)
    valid, failed, tokens, seen = [], 0, 0, set()
    start = time.perf_counter()
    for _ in range(n):
        try:
            out = structured.invoke(text)
        except ValidationError:  # the OpenAI client validates a pydantic response_format
            failed += 1  # itself and raises for an answer off the schema: a failed call
            continue
        except Exception as exc:  # a bad answer (e.g. llama.cpp's 500 for output off its
            row_failure(exc)  # grammar) is a failed call; a dead server or a bug raises
            failed += 1
            continue
        usage = getattr(out["raw"], "usage_metadata", None) or {}
        tokens += int(usage.get("output_tokens") or 0)
        if out["parsed"] is None:
            failed += 1
        else:
            valid.append(out["parsed"])
            seen.add(record_key(out["parsed"], info.dedup_fields))
    wall = time.perf_counter() - start
    unique = len(seen)
    return {
        "calls": n,
        "records": len(valid),
        "unique": unique,
        "distinct_names": len({getattr(r, "patient_name", id(r)) for r in valid}),
        "failed": failed,
        "output_tokens": tokens,
        "tokens_per_record": round(tokens / max(1, len(valid)), 1),
        "wall_s": round(wall, 2),
        "records_per_s": round(len(valid) / wall, 4),
        "unique_records_per_s": round(unique / wall, 4),
        "tokens_per_s": round(tokens / wall, 2),
    }


def level(args: argparse.Namespace, parallel: int, index: int) -> dict[str, Any]:
    """Ceiling, langsynth (and the sequential loop) on one server with ``parallel`` slots."""
    from langsynth import local

    llm = chat_model(args.model, parallel, threads=args.threads, temperature=0.9, max_tokens=400)
    base, key, name = endpoint_of(llm)
    row: dict[str, Any] = {"parallel": parallel}
    try:
        before = server_counters(llm)
        # Whole waves of equal requests keep every slot busy: the ceiling at this parallelism.
        requests = parallel * math.ceil(args.ceiling_requests / parallel)
        row["ceiling"] = asyncio.run(
            measure(base, key, name, parallel, requests, args.ceiling_tokens)
        )
        middle = server_counters(llm)
        row["ceiling_server"] = counters_delta(before, middle)
        row["n"] = max(args.n, args.min_waves * parallel)
        ceiling = row["ceiling"]["tokens_per_s"]
        if args.baseline is None:
            row["langsynth"] = run_langsynth(llm, args.schema, row["n"], parallel, args.seed)
            row["langsynth_server"] = counters_delta(middle, server_counters(llm))
        else:
            # Both trees on this server after a prime of one record per slot; the tree timed
            # second still gains (measured), so the order alternates between levels.
            trees = [("langsynth", Path(__file__).resolve().parents[1])]
            trees.append(("baseline", args.baseline.resolve()))
            prime_tree(trees[1][1], llm, args.schema, parallel)
            for key, tree in trees if index % 2 == 0 else trees[::-1]:
                start = server_counters(llm)
                row[key] = run_tree(tree, llm, args.schema, row["n"], parallel, args.seed)
                row[f"{key}_server"] = counters_delta(start, server_counters(llm))
            row["baseline_efficiency"] = round(row["baseline"]["tokens_per_s"] / ceiling, 3)
        row["efficiency"] = round(row["langsynth"]["tokens_per_s"] / ceiling, 3)
        for k in args.examples or ():
            start = server_counters(llm)
            out = run_langsynth(llm, args.schema, row["n"], parallel, args.seed, examples=k)
            out["server"] = counters_delta(start, server_counters(llm))
            out["efficiency"] = round(out["tokens_per_s"] / ceiling, 3)
            row.setdefault("examples", {})[str(k)] = out
        if index == 0:
            row["sequential"] = run_sequential(llm, args.schema, args.sequential_n or args.n)
    finally:
        local.stop_all()  # free the cores before the next level
    return row


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser(__doc__)
    parser.add_argument("--schema", default="medical_billing")
    parser.add_argument("--n", type=int, default=24, help="records per langsynth measurement")
    parser.add_argument(
        "--min-waves",
        type=int,
        default=3,
        help="at least this many records per slot (N = max(n, waves x slots)): the last "
        "wave leaves slots idle, so a short run understates a level with many slots",
    )
    parser.add_argument(
        "--sequential-n", type=int, default=None, help="calls of the sequential loop (default: n)"
    )
    parser.add_argument(
        "--parallel",
        type=int,
        nargs="+",
        default=[4, 1, 2, 8],
        help="slot levels; the sequential loop runs at the first",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="another checkout (e.g. of main) whose RecordGenerator is measured beside this "
        "one at every level, on the same server",
    )
    parser.add_argument(
        "--examples",
        type=int,
        nargs="*",
        default=[],
        help="also run the generator with only the first k few-shot examples, for each k, "
        "on the same server (the prompt-length trade-off)",
    )
    parser.add_argument(
        "--ceiling-tokens",
        type=int,
        default=64,
        help="output tokens per ceiling request (about one record)",
    )
    parser.add_argument(
        "--ceiling-requests",
        type=int,
        default=4,
        help="ceiling requests per level at least (rounded up to whole waves of slots)",
    )
    return parser


def run(args: argparse.Namespace) -> dict[str, Any]:
    rows = []
    for i, p in enumerate(args.parallel):
        rows.append(level(args, p, i))
        ls, old = rows[-1]["langsynth"], rows[-1].get("baseline")
        print(
            f"  slots={p}: ceiling {rows[-1]['ceiling']['tokens_per_s']} tok/s, langsynth "
            f"{ls['tokens_per_s']} tok/s, {ls['records_per_s']} rec/s"
            + (
                f"; baseline {old['tokens_per_s']} tok/s, {old['records_per_s']} rec/s"
                if old
                else ""
            ),
            file=sys.stderr,
            flush=True,
        )
    seq = rows[0]["sequential"]
    for r in rows:
        base = seq["unique_records_per_s"]
        r["speedup"] = round(r["langsynth"]["records_per_s"] / base, 2) if base else None
    return {
        "model": args.model or "local",
        "schema": args.schema,
        "n": args.n,
        "min_waves": args.min_waves,
        "baseline": str(args.baseline) if args.baseline else None,
        "levels": rows,
        "sequential": seq,
    }


def _slots(n: int) -> str:
    return f"{n} slot" if n == 1 else f"{n} slots"


def _limits(best: dict[str, Any], seq: dict[str, Any], levels: list[dict[str, Any]]) -> list[str]:
    """Plain statements of what holds each ratio back, from the measured counters."""
    lines = []
    ls = best["langsynth"]
    p = best["parallel"]
    if best["efficiency"] < EFFICIENCY_TARGET:
        parts = []
        wasted = ls["llm_calls"] - ls["records"]
        if wasted > 0:
            parts.append(
                f"{wasted} of {ls['llm_calls']} LLM calls produced no kept record "
                f"({ls['rejected']} invalid, {ls['duplicates']} duplicates, the rest retries); "
                "their tokens count as output but not as records"
            )
        srv, ceil = best.get("langsynth_server"), best.get("ceiling_server")
        if srv and ceil and ls["llm_calls"]:
            per_call = srv["prompt_tokens_total"] / ls["llm_calls"]
            busy = srv["prompt_seconds_total"] + srv["tokens_predicted_seconds_total"]
            share = srv["prompt_seconds_total"] / busy if busy else 0.0
            parts.append(
                f"prompts are {ls['prompt_tokens_per_call']:.0f} tokens long and {per_call:.0f} "
                f"per call were not in the server's cache ({share:.0%} of slot time): every slot "
                f"(here {p}) processes the shared few-shot prefix once, then only the "
                "per-record hints at the end of each prompt are new; a ceiling request has a "
                "short prompt and only decodes"
            )
            if p > 1 and srv["tokens_per_decode"] < 0.9 * ceil["tokens_per_decode"]:
                parts.append(
                    f"decode batches held {srv['tokens_per_decode']:.1f} tokens on average vs "
                    f"{ceil['tokens_per_decode']:.1f} in the ceiling run (slots wait while a "
                    "prompt is processed, and idle at the end of the run when fewer than "
                    f"{p} records are missing)"
                )
        if not parts:
            parts.append("no counters from this server (not llama.cpp)")
        lines.append(
            f"Efficiency {best['efficiency']:.2f} < {EFFICIENCY_TARGET} at {_slots(p)}: "
            + "; ".join(parts)
            + "."
        )
    if best["speedup"] is not None and best["speedup"] < SPEEDUP_TARGET:
        seq_tok = seq["output_tokens"] / max(1, seq["unique"])
        gain = ls["tokens_per_s"] / max(seq["tokens_per_s"], 1e-9)
        ceilings = sorted((r["parallel"], r["ceiling"]["tokens_per_s"]) for r in levels)
        line = (
            f"Speedup {best['speedup']:.2f} < {SPEEDUP_TARGET}: it is the throughput gain of "
            f"parallel slots ({ls['tokens_per_s']} vs {seq['tokens_per_s']} tok/s, x{gain:.2f}) "
            f"times the token saving per unique record ({seq_tok:.0f} tokens sequential vs "
            f"{ls['tokens_per_record']} langsynth)"
        )
        if len(ceilings) > 1:
            line += (
                f"; the server's own ceiling only goes from {ceilings[0][1]} tok/s at "
                f"{_slots(ceilings[0][0])} to {ceilings[-1][1]} at {_slots(ceilings[-1][0])}: "
                "on this CPU more slots add little decode throughput"
            )
        lines.append(line + ".")
    return lines


def _best(result: dict[str, Any]) -> dict[str, Any]:
    """The level with the most langsynth records/s."""
    return max(result["levels"], key=lambda r: r["langsynth"]["records_per_s"])


def headline(result: dict[str, Any]) -> str:
    best = _best(result)
    return (
        f"at {_slots(best['parallel'])}: efficiency **{best['efficiency']:.2f}** (target "
        f">= {EFFICIENCY_TARGET}), speedup over the seed's loop **{best['speedup']}** "
        f"(target >= {SPEEDUP_TARGET}), {best['langsynth']['records_per_s']} records/s"
    )


def to_markdown(result: dict[str, Any]) -> str:
    seq = result["sequential"]
    rows = []
    for r in result["levels"]:
        ls, srv = r["langsynth"], r.get("langsynth_server") or {}
        ceil_srv = r.get("ceiling_server") or {}
        per_call = srv.get("prompt_tokens_total", 0) / ls["llm_calls"] if ls["llm_calls"] else 0
        rows.append(
            (
                r["parallel"],
                r["n"],
                r["ceiling"]["tokens_per_s"],
                ls["tokens_per_s"],
                f"**{r['efficiency']:.2f}**",
                f"{ls['records']}/{ls['llm_calls']}",
                f"{ls['tokens_per_record']:.1f}",
                f"{ls['records_per_s']:.3f}",
                f"{ls['valid_share']:.0%} / {ls['unique_share']:.0%}",
                ", ".join(f"{v:.3f}" for v in ls["distinct_2"].values()) or "-",
                f"**{r['speedup']:.2f}**" if r["speedup"] is not None else "-",
                f"{per_call:.0f}" if srv else "-",
                (
                    f"{ceil_srv['tokens_per_decode']:.1f} / {srv['tokens_per_decode']:.1f}"
                    if srv and ceil_srv
                    else "-"
                ),
            )
        )
    headers = [
        "slots",
        "N",
        "ceiling tok/s",
        "langsynth tok/s",
        "efficiency",
        "records/calls",
        "tok/record",
        "valid unique rec/s",
        "valid / unique",
        "distinct-2",
        "speedup",
        "uncached prompt tok/call",
        "tok per decode (ceiling / langsynth)",
    ]
    best = _best(result)
    lines = [
        f"Schema `{result['schema']}`, model `{result['model']}`; N records per level "
        f"(at least {result['min_waves']} per slot).",
        "",
        md_table(headers, rows),
        "",
        f"Sequential (the seed's loop, one structured call at a time, at "
        f"{_slots(result['levels'][0]['parallel'])}): {seq['records']} valid of {seq['calls']} "
        f"calls, **{seq['unique']} unique** ({seq['distinct_names']} distinct names), "
        f"{seq['tokens_per_record']} tokens/record, {seq['tokens_per_s']} tok/s, "
        f"{seq['records_per_s']} records/s, {seq['unique_records_per_s']} unique records/s.",
        "",
        f"- efficiency = langsynth output tok/s ÷ ceiling tok/s at the same slots; target >= "
        f"{EFFICIENCY_TARGET}. Best level ({_slots(best['parallel'])}): "
        f"**{best['efficiency']:.2f}**.",
        f"- speedup = langsynth records/s ÷ sequential unique records/s; target >= "
        f"{SPEEDUP_TARGET}. Best level ({_slots(best['parallel'])}): **{best['speedup']}**.",
    ]
    limits = _limits(best, seq, result["levels"])
    lines += [f"- What limits it: {line}" for line in limits]
    if not limits:
        lines.append("- Both ratios meet their targets.")
    if result.get("baseline"):
        lines += ["", compare_markdown(result)]
    if any(r.get("examples") for r in result["levels"]):
        lines += ["", examples_markdown(result)]
    return "\n".join(lines)


def examples_markdown(result: dict[str, Any]) -> str:
    """The ``--examples`` runs beside the default one, level by level (same server)."""
    rows = []
    for r in result["levels"]:
        runs = [("all", {**r["langsynth"], "efficiency": r["efficiency"]})]
        runs += list((r.get("examples") or {}).items())
        for k, ls in runs:
            rows.append(
                (
                    r["parallel"],
                    k,
                    f"{ls['prompt_tokens_per_call']:.0f}",
                    ls["tokens_per_s"],
                    f"**{ls['efficiency']:.2f}**",
                    f"{ls['records_per_s']:.3f}",
                    f"{ls['valid_share']:.0%} / {ls['unique_share']:.0%}",
                    ", ".join(f"{v:.3f}" for v in ls["distinct_2"].values()) or "-",
                )
            )
    headers = [
        "slots",
        "few-shot examples",
        "prompt tok/call",
        "tok/s",
        "efficiency",
        "valid unique rec/s",
        "valid / unique",
        "distinct-2",
    ]
    return "Fewer few-shot examples (shorter prompts), on the same server:\n\n" + md_table(
        headers, rows
    )


def main(argv: list[str] | None = None) -> int:
    return script_main(build_parser, run, to_markdown, argv)


if __name__ == "__main__":
    sys.exit(main())
