"""The server's prompt cache: time to first token with and without a shared prefix.

langsynth puts the fixed part of a record prompt (system message, few-shot block) first and the
per-record hints last, so llama.cpp reuses the cached prefix and only processes the tail. This
script sends the same generator prompts twice: as langsynth builds them (shared prefix) and with
a random line at the very start (nothing to reuse), one request at a time, and reports the
server's prompt-processing time (``timings.prompt_ms``) and the cached tokens.

    python benchmarks/prompt_cache.py --requests 6
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import chat_model, endpoint_of, make_parser, md_table, script_main


def request(base: str, key: str, model: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    body = {"model": model, "messages": messages, "max_tokens": 1, "temperature": 0}
    start = time.perf_counter()
    resp = httpx.post(
        base.rstrip("/") + "/chat/completions",
        json=body,
        timeout=600,
        headers={"Authorization": f"Bearer {key}"},
    )
    resp.raise_for_status()
    data = resp.json()
    timings = data.get("timings", {})
    return {
        "ttft_s": time.perf_counter() - start,  # one output token: time to first token
        "prompt_ms": timings.get("prompt_ms"),
        "prompt_tokens": data["usage"]["prompt_tokens"],
        "cached": (data["usage"].get("prompt_tokens_details") or {}).get("cached_tokens", 0),
    }


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Means over the requests of one condition."""
    return {
        "ttft_s": round(statistics.mean(r["ttft_s"] for r in rows), 3),
        "prompt_ms": round(statistics.mean(r["prompt_ms"] or 0 for r in rows), 1),
        "prompt_tokens": round(statistics.mean(r["prompt_tokens"] for r in rows), 1),
        "cached_tokens": round(statistics.mean(r["cached"] for r in rows), 1),
    }


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser(__doc__)
    parser.add_argument("--schema", default="medical_billing")
    parser.add_argument("--requests", type=int, default=6)
    parser.add_argument("--seed", type=int, default=3)
    return parser


def run(args: argparse.Namespace) -> dict[str, Any]:
    from langchain_openai.chat_models.base import _convert_message_to_dict

    from langsynth import local
    from langsynth.chains.generator import RecordGenerator
    from langsynth.pools import sample_hints

    llm = chat_model(args.model, 1, threads=args.threads)
    base, key, model = endpoint_of(llm)
    gen = RecordGenerator(args.schema, llm, seed=args.seed)
    rng = random.Random(args.seed)
    prompts = [
        [_convert_message_to_dict(m) for m in gen.messages(sample_hints(gen.pools, rng))]
        for _ in range(args.requests)
    ]
    try:
        request(base, key, model, prompts[0])  # warm the cache with the shared prefix
        shared = [request(base, key, model, p) for p in prompts]
        cold = []
        for p in prompts:
            nonce = f"[request {rng.getrandbits(64):x}]\n"
            q = [dict(p[0], content=nonce + str(p[0]["content"])), *p[1:]]
            cold.append(request(base, key, model, q))
    finally:
        local.stop_all()
    out: dict[str, Any] = {
        "model": args.model or "local",
        "schema": args.schema,
        "requests": args.requests,
        "shared_prefix": summary(shared),
        "no_shared_prefix": summary(cold),
    }
    out["ttft_ratio"] = round(out["no_shared_prefix"]["ttft_s"] / out["shared_prefix"]["ttft_s"], 2)
    return out


def headline(result: dict[str, Any]) -> str:
    shared, cold = result["shared_prefix"], result["no_shared_prefix"]
    return (
        f"time to first token {shared['ttft_s']:.2f} s with the shared prefix vs "
        f"{cold['ttft_s']:.2f} s without ({result['ttft_ratio']}x)"
    )


def to_markdown(result: dict[str, Any]) -> str:
    labels = (
        ("shared_prefix", "langsynth prompt (fixed prefix first, hints last)"),
        ("no_shared_prefix", "same prompt, a random first line (nothing to reuse)"),
    )
    rows = [
        (
            label,
            result[key]["ttft_s"],
            result[key]["prompt_ms"],
            result[key]["prompt_tokens"],
            result[key]["cached_tokens"],
        )
        for key, label in labels
    ]
    table = md_table(
        ["request", "time to first token, s", "prompt ms", "prompt tokens", "cached tokens"],
        rows,
    )
    return (
        f"Schema `{result['schema']}`, {result['requests']} requests per condition, one at a "
        f"time, 1 output token.\n\n{table}\n\n- The shared prefix makes the first token come "
        f"**{result['ttft_ratio']}x** sooner; the record generator always builds prompts this "
        "way, so every request after the first on a slot reuses the prefix."
    )


def main(argv: list[str] | None = None) -> int:
    return script_main(build_parser, run, to_markdown, argv)


if __name__ == "__main__":
    sys.exit(main())
