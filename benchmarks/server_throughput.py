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
import json
import sys
import time
from typing import Any

import httpx

PROMPT = "Write a short paragraph about the history of the bicycle."


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


def endpoint_of(llm: Any) -> tuple[str, str, str]:
    """(base URL, API key, model name) of an OpenAI-compatible LangChain chat model."""
    base = str(getattr(llm, "openai_api_base", "") or "https://api.openai.com/v1")
    secret = getattr(llm, "openai_api_key", None)
    key = secret.get_secret_value() if secret is not None else "none"
    return base, key, str(getattr(llm, "model_name", "local"))


def chat_model(spec: str | None, slots: int, **kwargs: Any) -> Any:
    """A chat model for ``spec``; the embedded server gets at least ``slots`` parallel slots."""
    from langsynth.llm import Settings, get_chat_model

    settings = Settings.from_env()
    if spec in (None, "local", "local-large") and not settings.local_url:
        settings = settings.model_copy(update={"local_parallel": slots})
    return get_chat_model(spec, settings=settings, **kwargs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default=None, help="model spec (default: local)")
    parser.add_argument("--parallel", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--requests", type=int, default=8, help="requests per level")
    parser.add_argument("--max-tokens", type=int, default=96)
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    llm = chat_model(args.model, max(args.parallel))
    base, key, model = endpoint_of(llm)
    rows = [
        asyncio.run(measure(base, key, model, p, max(args.requests, p), args.max_tokens))
        for p in args.parallel
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(f"{'parallel':>8} {'requests':>8} {'tokens':>7} {'wall_s':>7} {'tok/s':>7}")
        for r in rows:
            cells = (r["parallel"], r["requests"], r["tokens"], r["wall_s"], r["tokens_per_s"])
            print("{:>8} {:>8} {:>7} {:>7} {:>7}".format(*cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
