"""Where the gap between the raw decode rate and the generator goes, on one server.

The generator's target is measured against the raw decode rate (short prompt, fixed output
length). A record request differs in two ways the server pays for: a long context (the
system message and few-shot block, ~450 tokens of KV per sequence that every decode step
attends to, plus the per-record hints to process) and a JSON-schema grammar. Each variant
sends the same number of requests at the same parallelism, in rounds that alternate the
variants (the first round's figures include evicting the other variants' prompts):

- raw: a short prompt, ``max_tokens`` tokens decoded exactly (``ignore_eos``);
- record prompt, no hints: the generator's messages without the per-record hints, so the whole
  prompt is in the slot's cache: the long context alone, nothing new to process;
- record prompt: the generator's messages with the per-record hint line, the same fixed length
  (what a schema whose hints leave fields to the model sends; a draw that fixes every field,
  as in ``medical_billing``, goes into the grammar instead and its requests are the variant above);
- record prompt + json_schema: the same messages with the schema's grammar, as the
  generator asks (the answer stops when the record is complete).

    python benchmarks/decode_gap.py --parallel 4 --requests 8 --rounds 2
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import chat_model, endpoint_of, make_parser, md_table, script_main

VARIANTS = ("raw", "record prompt, no hints", "record prompt", "record prompt + json_schema")


def bodies(variant: str, gen: Any, schema: dict[str, Any], start: int, n: int, tokens: int) -> list:
    from langchain_core.messages import convert_to_openai_messages

    out = []
    for i in range(start, start + n):
        if variant == "raw":
            body = {"messages": [{"role": "user", "content": f"Write a long story, number {i}."}]}
        else:
            hints = None if variant.endswith("no hints") else gen.hints(i)
            body = {"messages": convert_to_openai_messages(gen.messages(hints))}
        if variant.endswith("json_schema"):
            body["max_tokens"] = 512
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "record", "schema": schema},
            }
        else:
            body.update(max_tokens=tokens, ignore_eos=True)
        out.append({**body, "temperature": 0.9})
    return out


async def wave(client: httpx.AsyncClient, url: str, requests: list, parallel: int) -> dict:
    sem = asyncio.Semaphore(parallel)

    async def one(body: dict[str, Any]) -> dict[str, Any]:
        async with sem:
            reply = await client.post(url, json=body)
            reply.raise_for_status()
            return dict(reply.json())

    started = time.perf_counter()
    replies = await asyncio.gather(*(one(b) for b in requests))
    wall = time.perf_counter() - started
    tokens = sum(r["usage"]["completion_tokens"] for r in replies)
    prompt = sum(r.get("timings", {}).get("prompt_n", 0) for r in replies)
    return {
        "tokens_per_s": round(tokens / wall, 1),
        "tokens": tokens,
        "s": round(wall, 2),
        "uncached_prompt_per_request": round(prompt / len(replies), 1),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    from langsynth import local
    from langsynth.chains.generator import RecordGenerator
    from langsynth.schemas import load_schema

    llm = chat_model(args.model, args.parallel, max_tokens=1)
    try:
        llm.invoke("hi")  # the server is up
        gen = RecordGenerator(args.schema, llm, seed=args.seed)
        schema = load_schema(args.schema).model.model_json_schema()
        base, key, _model = endpoint_of(llm)

        async def measure() -> list[dict[str, Any]]:
            rows = []
            headers = {"Authorization": f"Bearer {key}"}
            async with httpx.AsyncClient(headers=headers, timeout=600) as client:
                await gen.aprepare(args.parallel)
                url = base.rstrip("/") + "/chat/completions"
                for rnd in range(args.rounds):
                    for k, variant in enumerate(VARIANTS):
                        start = 1000 * rnd + 100 * k
                        todo = bodies(variant, gen, schema, start, args.requests, args.max_tokens)
                        row = await wave(client, url, todo, args.parallel)
                        rows.append({"round": rnd, "variant": variant, **row})
                        print(f"  {rows[-1]}", file=sys.stderr, flush=True)
            return rows

        from langsynth._async import run_sync

        rows = run_sync(measure())
    finally:
        local.stop_all()
    last = {r["variant"]: r for r in rows if r["round"] == args.rounds - 1}
    raw = last["raw"]["tokens_per_s"]
    return {
        "schema": args.schema,
        "parallel": args.parallel,
        "requests": args.requests,
        "rows": rows,
        "ratios": {v: round(last[v]["tokens_per_s"] / raw, 3) for v in VARIANTS},
    }


def to_markdown(result: dict[str, Any]) -> str:
    rows = [
        [
            r["round"],
            r["variant"],
            r["tokens_per_s"],
            r["tokens"],
            r["s"],
            r["uncached_prompt_per_request"],
        ]
        for r in result["rows"]
    ]
    table = md_table(
        ["round", "variant", "tok/s", "tokens", "s", "uncached prompt tok/request"], rows
    )
    ratios = ", ".join(f"{v} {x}" for v, x in result["ratios"].items())
    return (
        f"`{result['schema']}`, {result['parallel']} slots, {result['requests']} requests per "
        f"variant and round.\n\n{table}\n\nLast round, tok/s relative to raw: {ratios}.\n"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser(__doc__)
    parser.add_argument("--schema", default="medical_billing")
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--requests", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=96)
    parser.add_argument("--seed", type=int, default=3)
    return parser


if __name__ == "__main__":
    script_main(build_parser, run, to_markdown)
