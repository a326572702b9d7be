"""Several records per request: does a JSON array of k records (the grammar fixes k) decode
faster per record than one record per request, and do the records stay unique?

A probe for issue 15's first candidate lever, measured in one run on one embedded server with
``--parallel`` slots: the raw decode ceiling (fixed-length outputs), then N ``medical_billing``
records as N/k requests for each k, then the ceiling again (the machine is noisy: the two
ceilings bracket the run). Each request carries the generator's own system message and
few-shot block (``RecordGenerator.messages()``) and k hint lines drawn from the seed, over
plain HTTP with ``response_format`` json_schema; no retries, no do-not-repeat window, for any
k alike.

OpenAI's ``n`` (``--choices c``): N/c requests of one record each, every request asking for c
completions of the same prompt (llama.cpp processes the prompt once for all c; the c records
share their hints, so only sampling tells them apart).

    python benchmarks/records_per_request.py --n 32 --k 1 2 4 --choices 2 4
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

import httpx
from common import chat_model, endpoint_of, make_parser, md_table, script_main
from server_throughput import measure


def array_schema(schema: dict[str, Any], k: int) -> dict[str, Any]:
    """``{"records": [k records]}``: the record schema as the items of an array fixed at k."""
    item = {key: value for key, value in schema.items() if key != "$defs"}
    shape: dict[str, Any] = {
        "type": "object",
        "properties": {"records": {"type": "array", "items": item, "minItems": k, "maxItems": k}},
        "required": ["records"],
    }
    if "$defs" in schema:
        shape["$defs"] = schema["$defs"]
    return shape


def request_body(
    gen: Any,
    model: str,
    k: int,
    index: int,
    max_tokens: int,
    shape: dict[str, Any],
    choices: int = 1,
) -> dict[str, Any]:
    """Request ``index``: the generator's own messages for k = 1, else its prompt with k
    numbered hint lines."""
    from langsynth.pools import render_hints

    hints = [gen.hints(index * k + j) for j in range(k)]
    if k == 1:
        system, human = gen.messages(hints[0])
        text = str(human.content)
    else:
        system, human = gen.messages()
        text = str(human.content)
        text += f'\n\nWrite {k} different records, as a JSON object {{"records": [...]}}:\n'
        text += "\n".join(f"{j + 1}. " + render_hints(gen.pools, h) for j, h in enumerate(hints))
    body = {
        "model": model,
        "messages": [
            {"role": "system", "content": str(system.content)},
            {"role": "user", "content": text},
        ],
        "max_tokens": max_tokens * k,
        "temperature": 0.9,
        "seed": 7 + index,
        "response_format": {"type": "json_schema", "json_schema": {"name": "r", "schema": shape}},
    }
    if choices > 1:
        # llama.cpp samples every completion of a request with the request's seed: one seed
        # gives n identical records
        body["n"] = choices
        del body["seed"]
    return body


async def run_k(
    gen: Any, endpoint: tuple[str, str, str], k: int, n: int, parallel: int, choices: int = 1
) -> dict[str, Any]:
    from langsynth.normalize import record_key
    from langsynth.quality.diversity import distinct_n

    base, key, model = endpoint
    url = base.rstrip("/") + "/chat/completions"
    sem = asyncio.Semaphore(max(1, parallel // choices))  # parallel sequences in all
    counts = {"valid": 0, "invalid": 0, "tokens": 0, "prompt": 0}
    records: list[Any] = []
    schema = gen.model.model_json_schema()
    shape = schema if k == 1 else array_schema(schema, k)
    async with httpx.AsyncClient(timeout=900) as client:

        async def one(index: int) -> None:
            async with sem:
                body = request_body(gen, model, k, index, 400, shape, choices)
                resp = await client.post(url, json=body, headers={"Authorization": f"Bearer {key}"})
                resp.raise_for_status()
                data = resp.json()
            counts["tokens"] += data["usage"]["completion_tokens"]
            counts["prompt"] += data["usage"]["prompt_tokens"]
            items: list[Any] = []
            for choice in data["choices"]:
                try:
                    value = json.loads(choice["message"]["content"])
                    items += [value] if k == 1 else value["records"]
                except (ValueError, KeyError, TypeError):
                    counts["invalid"] += k
            for item in items:
                try:
                    records.append(gen.model.model_validate(item))
                    counts["valid"] += 1
                except ValueError:
                    counts["invalid"] += 1

        await one(10_000)  # warm-up: the shared prefix into the cache
        counts.update(valid=0, invalid=0, tokens=0, prompt=0)
        records.clear()
        requests = -(-n // (k * choices))
        start = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(requests)))
        wall = time.perf_counter() - start
    rows = [r.model_dump(mode="json") for r in records]
    unique = {record_key(row, gen.info.dedup_fields) for row in rows}
    return {
        "k": k,
        "choices": choices,
        "requests": requests,
        "wall_s": round(wall, 1),
        "tokens_per_s": round(counts["tokens"] / wall, 2),
        "valid": counts["valid"],
        "invalid": counts["invalid"],
        "unique": len(unique),
        "unique_records_per_s": round(len(unique) / wall, 3),
        "prompt_tokens_per_request": counts["prompt"] // max(1, requests),
        "distinct_2": {
            f: round(distinct_n([str(r.get(f) or "") for r in rows], 2), 3)
            for f in gen.info.text_fields
        },
    }


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser(__doc__)
    parser.add_argument("--n", type=int, default=32, help="records per k")
    parser.add_argument("--k", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument(
        "--choices", type=int, nargs="*", default=[], help="also: one record, OpenAI n = c"
    )
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--schema", default="medical_billing")
    return parser


def run(args: argparse.Namespace) -> dict[str, Any]:
    from langsynth import local
    from langsynth.chains.generator import RecordGenerator

    llm = chat_model(args.model, args.parallel, threads=args.threads, temperature=0.9)
    gen = RecordGenerator(args.schema, llm, concurrency=args.parallel, seed=7)
    endpoint = endpoint_of(llm)
    try:
        before = asyncio.run(measure(*endpoint, args.parallel, 12, 96))
        levels = [asyncio.run(run_k(gen, endpoint, k, args.n, args.parallel)) for k in args.k]
        levels += [
            asyncio.run(run_k(gen, endpoint, 1, args.n, args.parallel, c)) for c in args.choices
        ]
        after = asyncio.run(measure(*endpoint, args.parallel, 12, 96))
    finally:
        local.stop_all()
    return {
        "schema": args.schema,
        "n": args.n,
        "parallel": args.parallel,
        "ceiling_before": before,
        "ceiling_after": after,
        "levels": levels,
    }


def to_markdown(result: dict[str, Any]) -> str:
    rows = [
        (
            r["k"],
            r.get("choices", 1),
            r["requests"],
            r["prompt_tokens_per_request"],
            r["tokens_per_s"],
            f"{r['valid']} / {r['invalid']}",
            r["unique"],
            r["unique_records_per_s"],
            ", ".join(f"{f} {v}" for f, v in r["distinct_2"].items()),
        )
        for r in result["levels"]
    ]
    head = (
        f"Raw decode ceiling ({result['parallel']} slots, 96-token outputs): "
        f"{result['ceiling_before']['tokens_per_s']} tok/s before, "
        f"{result['ceiling_after']['tokens_per_s']} after.\n\n"
    )
    return head + md_table(
        [
            "k per request",
            "n (completions)",
            "requests",
            "prompt tok/request",
            "tok/s",
            "valid / invalid",
            "unique",
            "unique rec/s",
            "distinct-2",
        ],
        rows,
    )


if __name__ == "__main__":
    raise SystemExit(script_main(build_parser, run, to_markdown))
