"""Raw decode rate of an OpenAI-compatible server: the ceiling any pipeline on it can approach.

Sends plain chat requests with a fixed number of output tokens (``ignore_eos`` on llama.cpp)
at several levels of parallelism and prints tokens/s for each. By default it starts the
embedded server with as many slots as the highest parallelism asked for.

    python benchmarks/server_throughput.py --parallel 1 4 --requests 8 --max-tokens 96
    python benchmarks/server_throughput.py --model openai-compatible:my-model  # another server
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

PROMPT = "Write a short paragraph about the history of the bicycle."

__all__ = ["build_parser", "chat_model", "endpoint_of", "measure", "run", "to_markdown"]


async def _one(
    client: httpx.AsyncClient, url: str, key: str, model: str, max_tokens: int
) -> dict[str, Any]:
    body = {
        "model": model,
        "messages": [{"role": "user", "content": PROMPT}],
        "max_tokens": max_tokens,
        "temperature": 0.8,
        "ignore_eos": True,  # llama.cpp: decode exactly max_tokens
    }
    start = time.perf_counter()
    resp = await client.post(url, json=body, headers={"Authorization": f"Bearer {key}"})
    resp.raise_for_status()
    data = resp.json()
    return {"tokens": data["usage"]["completion_tokens"], "latency": time.perf_counter() - start}


async def measure(
    base_url: str, key: str, model: str, parallel: int, requests: int, max_tokens: int
) -> dict[str, Any]:
    """Run ``requests`` requests, ``parallel`` at a time; tokens/s over the wall time."""
    url = base_url.rstrip("/") + "/chat/completions"
    sem = asyncio.Semaphore(parallel)
    async with httpx.AsyncClient(timeout=600) as client:
        await _one(client, url, key, model, 8)  # warm-up (prompt cache, threads)

        async def bounded() -> dict[str, Any]:
            async with sem:
                return await _one(client, url, key, model, max_tokens)

        start = time.perf_counter()
        results = await asyncio.gather(*(bounded() for _ in range(requests)))
        wall = time.perf_counter() - start
    tokens = sum(r["tokens"] for r in results)
    return {
        "parallel": parallel,
        "requests": requests,
        "tokens": tokens,
        "wall_s": round(wall, 2),
        "tokens_per_s": round(tokens / wall, 2),
    }


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser(__doc__)
    parser.add_argument("--parallel", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--requests", type=int, default=8, help="requests per level")
    parser.add_argument("--max-tokens", type=int, default=96)
    return parser


def run(args: argparse.Namespace) -> dict[str, Any]:
    from langsynth import local

    llm = chat_model(args.model, max(args.parallel), threads=args.threads)
    base, key, model = endpoint_of(llm)
    try:
        rows = [
            asyncio.run(measure(base, key, model, p, max(args.requests, p), args.max_tokens))
            for p in args.parallel
        ]
    finally:
        local.stop_all()
    return {"model": args.model or "local", "max_tokens": args.max_tokens, "levels": rows}


def to_markdown(result: dict[str, Any]) -> str:
    rows = [
        (r["parallel"], r["requests"], r["tokens"], r["wall_s"], r["tokens_per_s"])
        for r in result["levels"]
    ]
    return md_table(["parallel", "requests", "tokens", "wall s", "tokens/s"], rows)


def main(argv: list[str] | None = None) -> int:
    return script_main(build_parser, run, to_markdown, argv)


if __name__ == "__main__":
    sys.exit(main())
