"""llama.cpp server settings measured on the generator's own requests: which default to change.

Each variant is a fresh embedded server (the 0.5B model, ``--parallel`` slots) with one
llama.cpp setting changed from langsynth's defaults (``ServerConfig.options``). Per variant
and round, after a warm-up wave: the raw decode rate (short prompt, ``--max-tokens`` tokens
exactly) and the generator's record requests (its messages with the schema's JSON grammar,
as ``RecordGenerator`` sends them), both with ``--parallel`` in flight. The rounds alternate
the variants (A B C ..., then again), so the machine's drift falls on each alike; the table
gives each variant's median and its ratio to the default measured in the same rounds.

    python benchmarks/server_settings.py --rounds 3 --requests 12
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import make_parser, md_table, script_main
from decode_gap import bodies, wave

# name -> llama.cpp settings changed from the default (the names of xllamacpp's CommonParams)
VARIANTS: dict[str, dict[str, Any]] = {
    "default (flash attention auto)": {},
    "flash attention off": {"flash_attn_type": 0},
    "flash attention on": {"flash_attn_type": 1},
    "one KV buffer for all slots (kv_unified)": {"kv_unified": True},
    "prompt chunks 128 (n_ubatch)": {"n_ubatch": 128},
}
RECORD = "record prompt + json_schema"


def measure_variant(args: argparse.Namespace, options: dict[str, Any], start: int) -> dict:
    from langchain_openai import ChatOpenAI

    from langsynth import local
    from langsynth._async import run_sync
    from langsynth.chains.generator import RecordGenerator
    from langsynth.llm import Settings, local_model_path, local_server_config, parse_spec

    settings = Settings.from_env()
    spec = parse_spec(args.model or "local")
    if spec.provider != "local":
        raise SystemExit("server_settings.py measures the embedded server: --model local[-large]")
    path = local_model_path(spec, settings)
    config = replace(local_server_config(settings, path), parallel=args.parallel, options=options)
    if args.threads:
        config = replace(config, threads=args.threads)
    server = local.LocalServer(config).start()
    try:
        key = server.api_key.get_secret_value() if server.api_key else "none"
        base = f"{server.base_url}/v1"
        # the generator builds the messages only; the requests go out below, as raw HTTP
        llm = ChatOpenAI(model="local", base_url=base, api_key=SecretStr(key))
        gen = RecordGenerator(args.schema, llm, seed=args.seed)
        schema = gen.model.model_json_schema()

        async def go() -> dict[str, Any]:
            headers = {"Authorization": f"Bearer {key}"}
            async with httpx.AsyncClient(headers=headers, timeout=600) as client:
                url = f"{base}/chat/completions"
                await wave(
                    client,
                    url,
                    bodies(RECORD, gen, schema, start, args.parallel, 64),
                    args.parallel,
                )
                raw = await wave(
                    client,
                    url,
                    bodies("raw", gen, schema, start, args.requests, args.max_tokens),
                    args.parallel,
                )
                record = await wave(
                    client,
                    url,
                    bodies(RECORD, gen, schema, start + 50, args.requests, 0),
                    args.parallel,
                )
            return {"raw": raw, "record": record}

        return run_sync(go())
    finally:
        server.stop()


def run(args: argparse.Namespace) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for rnd in range(args.rounds):
        for k, (name, options) in enumerate(VARIANTS.items()):
            got = measure_variant(args, options, 1000 * rnd + 100 * k)
            rows.append({"round": rnd, "variant": name, "options": options, **got})
            print(
                f"  round {rnd} {name}: raw {got['raw']['tokens_per_s']} tok/s, records "
                f"{got['record']['tokens_per_s']} tok/s",
                file=sys.stderr,
                flush=True,
            )
    summary = {}
    default = next(iter(VARIANTS))
    base = {r["round"]: r["record"]["tokens_per_s"] for r in rows if r["variant"] == default}
    for name in VARIANTS:
        mine = [r for r in rows if r["variant"] == name]
        ratios = [r["record"]["tokens_per_s"] / base[r["round"]] for r in mine]
        summary[name] = {
            "raw": statistics.median(r["raw"]["tokens_per_s"] for r in mine),
            "record": statistics.median(r["record"]["tokens_per_s"] for r in mine),
            "record_per_round": [r["record"]["tokens_per_s"] for r in mine],
            "vs_default": round(statistics.median(ratios), 3),
        }
    return {
        "schema": args.schema,
        "parallel": args.parallel,
        "requests": args.requests,
        "rounds": args.rounds,
        "rows": rows,
        "summary": summary,
    }


def to_markdown(result: dict[str, Any]) -> str:
    table = md_table(
        [
            "variant",
            "raw tok/s (median)",
            "record tok/s (median)",
            "record tok/s per round",
            "records vs default, same round (median)",
        ],
        [
            [
                name,
                s["raw"],
                s["record"],
                " / ".join(map(str, s["record_per_round"])),
                s["vs_default"],
            ]
            for name, s in result["summary"].items()
        ],
    )
    return (
        f"`{result['schema']}`, {result['parallel']} slots, {result['requests']} requests per "
        f"variant and round, {result['rounds']} rounds alternating the variants.\n\n{table}\n"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser(__doc__)
    parser.add_argument("--schema", default="medical_billing")
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--requests", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=96)
    parser.add_argument("--seed", type=int, default=3)
    return parser


if __name__ == "__main__":
    script_main(build_parser, run, to_markdown)
