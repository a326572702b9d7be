"""Generation speed, measured side by side in one run: the server's ceiling, langsynth, and the
seed tutorial's approach (one structured call at a time), at several parallel-slot levels.

For each level P the embedded server is started with P slots and measured three ways:

- ceiling: plain HTTP requests with a fixed number of output tokens, P at a time (raw decode);
- langsynth: ``RecordGenerator.generate(N)`` with ``concurrency=P``;
- sequential (at the first level only): the seed's way, the tutorial's ``FewShotPromptTemplate``
  and ``with_structured_output(schema)`` called once per record, one after another.

efficiency = langsynth output tokens/s / ceiling tokens/s at the same P;
speedup = langsynth valid records/s / sequential valid records/s.

    python benchmarks/generation_speed.py --n 40 --parallel 1 2 4 8
    python benchmarks/generation_speed.py --model openai-compatible:qwen --parallel 4
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server_throughput import chat_model, endpoint_of, measure

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


def run_langsynth(llm: Any, schema: str, n: int, parallel: int, seed: int) -> dict[str, Any]:
    from langsynth.chains.generator import RecordGenerator

    gen = RecordGenerator(schema, llm, concurrency=parallel, seed=seed)
    result = gen.generate(n)
    s = result.stats
    return {
        "records": len(result.records),
        "attempts": s.attempts,
        "llm_calls": s.usage.calls,
        "rejected": s.rejected,
        "duplicates": s.duplicates,
        "output_tokens": s.usage.output_tokens,
        "tokens_per_record": round(s.usage.output_tokens / max(1, len(result.records)), 1),
        "wall_s": round(s.elapsed_s, 2),
        "records_per_s": round(s.records_per_s, 4),
        "tokens_per_s": round(s.tokens_per_s, 2),
        "method": gen.method,
    }


def run_sequential(llm: Any, schema: str, n: int) -> dict[str, Any]:
    """The seed tutorial's loop: same prompt every time, one structured call per record."""
    from langchain_core.prompts import FewShotPromptTemplate, PromptTemplate
    from pydantic import ValidationError

    from langsynth.chains.generator import SYNTHETIC_FEW_SHOT_PREFIX, SYNTHETIC_FEW_SHOT_SUFFIX
    from langsynth.schemas import load_schema

    model = load_schema(schema).model
    prompt = FewShotPromptTemplate(
        prefix=SYNTHETIC_FEW_SHOT_PREFIX,
        examples=SEED_EXAMPLES,
        suffix=SYNTHETIC_FEW_SHOT_SUFFIX,
        input_variables=["subject", "extra"],
        example_prompt=PromptTemplate(input_variables=["example"], template="{example}"),
    )
    text = prompt.format(subject=schema, extra=SEED_EXTRA)
    structured = llm.with_structured_output(model, method="json_schema", include_raw=True)
    valid, failed, tokens, seen = [], 0, 0, set()
    start = time.perf_counter()
    for _ in range(n):
        try:
            out = structured.invoke(text)
        except (ValidationError, ValueError):
            failed += 1
            continue
        usage = getattr(out["raw"], "usage_metadata", None) or {}
        tokens += int(usage.get("output_tokens") or 0)
        if out["parsed"] is None:
            failed += 1
        else:
            valid.append(out["parsed"])
            seen.add(json.dumps(out["parsed"].model_dump(), sort_keys=True))
    wall = time.perf_counter() - start
    unique = len(seen)
    return {
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


def level(
    spec: str | None,
    schema: str,
    n: int,
    parallel: int,
    seed: int,
    sequential: bool,
    ceiling_tokens: int,
) -> dict[str, Any]:
    from langsynth import local

    llm = chat_model(spec, parallel, temperature=0.9, max_tokens=400)
    base, key, name = endpoint_of(llm)
    row: dict[str, Any] = {"parallel": parallel}
    row["ceiling"] = asyncio.run(
        measure(base, key, name, parallel, max(2 * parallel, 4), ceiling_tokens)
    )
    row["langsynth"] = run_langsynth(llm, schema, n, parallel, seed)
    row["efficiency"] = round(row["langsynth"]["tokens_per_s"] / row["ceiling"]["tokens_per_s"], 3)
    if sequential:
        row["sequential"] = run_sequential(llm, schema, n)
    local.stop_all()  # free the cores before the next level
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default=None, help="model spec (default: local)")
    parser.add_argument("--schema", default="medical_billing")
    parser.add_argument("--n", type=int, default=40, help="records per measurement")
    parser.add_argument("--parallel", type=int, nargs="+", default=[4, 1, 2, 8])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--ceiling-tokens",
        type=int,
        default=64,
        help="output tokens per ceiling request (about one record)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    args = parser.parse_args(argv)

    rows = []
    for i, p in enumerate(args.parallel):
        rows.append(
            level(args.model, args.schema, args.n, p, args.seed, i == 0, args.ceiling_tokens)
        )
        print(json.dumps(rows[-1]), flush=True)
    seq = rows[0]["sequential"]
    print()
    print(f"schema={args.schema} n={args.n} model={args.model or 'local'}")
    print(
        f"{'slots':>5} {'ceiling tok/s':>13} {'langsynth tok/s':>15} {'efficiency':>10} "
        f"{'rec/s':>7} {'speedup':>8}"
    )
    for r in rows:
        ls = r["langsynth"]
        speedup = (
            ls["records_per_s"] / seq["unique_records_per_s"] if seq["unique_records_per_s"] else 0
        )
        print(
            f"{r['parallel']:>5} {r['ceiling']['tokens_per_s']:>13} {ls['tokens_per_s']:>15} "
            f"{r['efficiency']:>10} {ls['records_per_s']:>7} {speedup:>8.2f}"
        )
    print(
        f"sequential (seed approach): {seq['records_per_s']} rec/s, {seq['unique']} unique of "
        f"{seq['records']} ({seq['distinct_names']} distinct names), "
        f"{seq['tokens_per_record']} tokens/record"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {"args": vars(args) | {"json": str(args.json)}, "levels": rows},
                indent=2,
                default=str,
            )
            + "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
