"""Where the record generator's time goes, one idea at a time, measured side by side in one run.

Raw HTTP against the embedded llama.cpp server (no LangChain), so only the request shape
changes between rows. Every variant starts with cold slot caches (its own first prompt line),
sends ``--n`` records' worth of requests, ``--parallel`` in flight, and reports output tokens/s,
records/s, the share of valid records and of distinct names:

- ceiling: a short prompt, fixed-length output without a grammar (the raw decode rate);
- grammar: the same short prompt with the record's compact JSON grammar (the grammar's cost);
- langsynth: the generator's real prompt (few-shot prefix, then per-record hints);
- + warm: first one request with ``n = slots`` and 1 output token, which processes the shared
  prefix once and copies it into every slot's cache (llama.cpp), instead of once per slot;
- + short hints: the hints as one line without code descriptions;
- + k per call: k records per request (a JSON array of exactly k, one hint line each).

    python benchmarks/speed_ablation.py --n 24 --parallel 4
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import chat_model, endpoint_of, make_parser, md_table, script_main

SCHEMA = "medical_billing"
CEILING_PROMPT = "Write one realistic medical billing record."


def _generator(llm: Any, seed: int) -> Any:
    from langsynth.chains.generator import RecordGenerator

    return RecordGenerator(SCHEMA, llm, seed=seed)


def _grammar(k: int) -> str:
    import xllamacpp

    from langsynth.chains.structured import _closed, json_schema_of
    from langsynth.schemas import load_schema

    schema: dict[str, Any] = _closed(json_schema_of(load_schema(SCHEMA).model))
    if k > 1:
        schema = {"type": "array", "items": schema, "minItems": k, "maxItems": k}
    schema["x-guidance"] = {
        "whitespace_flexible": False,
        "key_separator": ":",
        "item_separator": ",",
    }
    return str(xllamacpp.json_schema_to_grammar(json.dumps(schema)))


def _short_hints(hints: dict[str, Any]) -> str:
    parts = []
    for name, value in hints.items():
        text = str(value).split(" (")[0].removeprefix("about ")
        parts.append(f"{name}={text}")
    return "; ".join(parts)


def _messages(gen: Any, nonce: str, hints: list[dict[str, Any]], style: str) -> list[dict]:
    system, human = gen.messages()
    base = str(human.content)
    if style == "full":
        assert len(hints) == 1
        text = str(gen.messages(hints[0])[1].content)
    elif len(hints) == 1:
        text = base + "\n\nThis record: " + _short_hints(hints[0])
    else:
        lines = [f"{i}. {_short_hints(h)}" for i, h in enumerate(hints, start=1)]
        text = base + f"\n\nWrite {len(hints)} records as a JSON array, one per line:\n"
        text += "\n".join(lines)
    return [
        {"role": "system", "content": f"[{nonce}] {system.content}"},
        {"role": "user", "content": text},
    ]


async def _post(client: httpx.AsyncClient, url: str, key: str, body: dict) -> dict[str, Any]:
    resp = await client.post(url, json=body, headers={"Authorization": f"Bearer {key}"})
    resp.raise_for_status()
    return dict(resp.json())


async def variant(
    llm: Any,
    base: str,
    key: str,
    model: str,
    name: str,
    *,
    n: int,
    parallel: int,
    prompt: str,
    grammar: bool,
    warm: bool,
    k: int,
    seed: int,
) -> dict[str, Any]:
    from pydantic import ValidationError

    from langsynth.schemas import load_schema

    record_model = load_schema(SCHEMA).model
    gen = _generator(llm, seed)
    nonce = f"{name}-{random.getrandbits(32):08x}"
    url = base.rstrip("/") + "/chat/completions"
    calls = max(1, n // k)
    grammar_text = _grammar(k) if grammar else None
    async with httpx.AsyncClient(timeout=900) as client:
        if warm:  # the shared prefix into every slot at once
            body = {
                "model": model,
                "messages": [
                    _messages(gen, nonce, [gen.hints(10**6)], prompt)[0],
                    {"role": "user", "content": str(gen.messages()[1].content)},
                ],
                "max_tokens": 1,
                "n": parallel,
            }
            start_warm = time.perf_counter()
            await _post(client, url, key, body)
            warm_s = time.perf_counter() - start_warm
        else:
            warm_s = 0.0
        sem = asyncio.Semaphore(parallel)

        async def one(i: int) -> dict[str, Any]:
            hints = [gen.hints(i * k + j) for j in range(k)]
            if prompt == "short-ceiling":
                messages = [
                    {"role": "user", "content": "Write one realistic medical billing record."}
                ]
            else:
                messages = _messages(gen, nonce, hints, prompt)
            body: dict[str, Any] = {
                "model": model,
                "messages": messages,
                "temperature": 0.9,
                "seed": seed * 1000 + i,
                "max_tokens": 96 * k if grammar else 96,
            }
            if grammar_text:
                body["grammar"] = grammar_text
            else:
                body["ignore_eos"] = True
            async with sem:
                return await _post(client, url, key, body)

        start = time.perf_counter()
        answers = await asyncio.gather(*(one(i) for i in range(calls)))
        wall = time.perf_counter() - start + warm_s
    tokens = sum(a["usage"]["completion_tokens"] for a in answers)
    prompt_tokens = sum(a["usage"]["prompt_tokens"] for a in answers)
    records: list[Any] = []
    attempted = 0
    for a in answers:
        text = a["choices"][0]["message"]["content"]
        try:
            data = json.loads(text)
        except ValueError:
            attempted += k
            continue
        items = data if isinstance(data, list) else [data]
        attempted += k
        for item in items:
            with contextlib.suppress(ValidationError):
                records.append(record_model.model_validate(item))
    names = {r.patient_name.casefold() for r in records}
    row = {
        "variant": name,
        "calls": calls,
        "tokens": tokens,
        "tok_per_s": round(tokens / wall, 2),
        "prompt_tok_per_call": round(prompt_tokens / calls, 1),
        "wall_s": round(wall, 2),
    }
    if grammar and prompt != "short-ceiling":
        row.update(
            valid=round(len(records) / max(1, attempted), 3),
            unique=round(len(names) / max(1, len(records)), 3),
            valid_unique_rec_per_s=round(len(names) / wall, 4),
            tok_per_record=round(tokens / max(1, len(records)), 1),
        )
    return row


VARIANTS = [
    ("ceiling", {"prompt": "short-ceiling", "grammar": False, "warm": False, "k": 1}),
    ("grammar", {"prompt": "short-ceiling", "grammar": True, "warm": False, "k": 1}),
    ("langsynth", {"prompt": "full", "grammar": True, "warm": False, "k": 1}),
    ("+ warm", {"prompt": "full", "grammar": True, "warm": True, "k": 1}),
    ("+ short hints", {"prompt": "short", "grammar": True, "warm": True, "k": 1}),
    ("+ 2 per call", {"prompt": "short", "grammar": True, "warm": True, "k": 2}),
    ("+ 4 per call", {"prompt": "short", "grammar": True, "warm": True, "k": 4}),
]


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser(__doc__)
    parser.add_argument("--n", type=int, default=24, help="records (or requests) per variant")
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--only", nargs="*", help="variant names to run")
    return parser


def run(args: argparse.Namespace) -> dict[str, Any]:
    from langsynth import local

    llm = chat_model(args.model, args.parallel, threads=args.threads)
    base, key, model = endpoint_of(llm)
    rows = []
    try:
        for name, opts in VARIANTS:
            if args.only and name not in args.only:
                continue
            rows.append(
                asyncio.run(
                    variant(
                        llm,
                        base,
                        key,
                        model,
                        name,
                        n=args.n,
                        parallel=args.parallel,
                        seed=args.seed,
                        **opts,
                    )
                )
            )
            print(rows[-1], flush=True)
    finally:
        local.stop_all()
    ceiling = next((r["tok_per_s"] for r in rows if r["variant"] == "ceiling"), None)
    for r in rows:
        r["vs_ceiling"] = round(r["tok_per_s"] / ceiling, 3) if ceiling else None
    return {"parallel": args.parallel, "n": args.n, "rows": rows}


def to_markdown(result: dict[str, Any]) -> str:
    cols = ["variant", "calls", "tok_per_s", "vs_ceiling", "prompt_tok_per_call", "valid",
            "unique", "valid_unique_rec_per_s", "tok_per_record", "wall_s"]  # fmt: skip
    return md_table(cols, [[r.get(c, "-") for c in cols] for r in result["rows"]])


def main(argv: list[str] | None = None) -> int:
    return script_main(build_parser, run, to_markdown, argv)


if __name__ == "__main__":
    sys.exit(main())
