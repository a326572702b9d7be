"""Peak memory of the client and of the server for ``generate`` of N records.

Each N runs in a fresh child process, so its peak (``ru_maxrss``) belongs to that run alone; the
child starts its own embedded server and reads the server's peak from ``/proc/<pid>/status``
(``VmHWM``). The client must not grow with N beyond the records themselves: the table sets the
client's growth per record between the smallest and the largest N against the size of a record
(in memory, and as JSON).

The default schema is ``actor_filmography``: its records are short (about 30 output tokens),
so 200 of them take the embedded model two minutes on 2 cores, and any per-record leak in the
client stands out against small records.

    python benchmarks/memory.py --sizes 20 200
    python benchmarks/memory.py --model openai:gpt-4o-mini  # external: client memory only
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    chat_model,
    make_parser,
    md_table,
    peak_rss_mib,
    proc_status_mib,
    script_main,
    server_pid,
)

MARK = "MEMORY-RESULT "


def deep_sizeof(obj: Any, seen: set[int] | None = None) -> int:
    """Bytes held by ``obj`` and everything it references (containers, Pydantic models)."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    size = sys.getsizeof(obj)
    if isinstance(obj, dict):
        size += sum(deep_sizeof(k, seen) + deep_sizeof(v, seen) for k, v in obj.items())
    elif isinstance(obj, list | tuple | set | frozenset):
        size += sum(deep_sizeof(v, seen) for v in obj)
    elif hasattr(obj, "__dict__") and not isinstance(obj, type):
        size += deep_sizeof(vars(obj), seen)
        for slot in ("__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__"):
            size += deep_sizeof(getattr(obj, slot, None), seen)
    return size


def child(args: argparse.Namespace) -> dict[str, Any]:
    """One run in this (fresh) process: generate ``args.child`` records, report memory."""
    from langsynth import local
    from langsynth.chains.generator import RecordGenerator

    llm = chat_model(args.model, args.slots, threads=args.threads, temperature=0.9, max_tokens=400)
    gen = RecordGenerator(args.schema, llm, concurrency=args.slots, seed=args.seed)
    pid = server_pid(llm)
    before = proc_status_mib(os.getpid(), "VmRSS")
    try:
        result = gen.generate(args.child)
        server_peak = proc_status_mib(pid, "VmHWM") if pid else None
    finally:
        local.stop_all()
    # Read the client's memory before measuring sizes: walking the objects allocates too.
    peak, after = peak_rss_mib(), proc_status_mib(os.getpid(), "VmRSS")
    dicts = result.to_dicts()
    return {
        "n": args.child,
        "records": len(result.records),
        "rejected": result.stats.rejected + result.stats.duplicates,
        "wall_s": round(result.stats.elapsed_s, 1),
        "client_rss_before_mib": before,
        "client_peak_mib": round(max(peak, after or 0.0), 1),
        "client_rss_after_mib": after,
        "records_bytes": deep_sizeof(result.records),
        # What the result holds per run besides the schema: records, rejections, counters.
        "result_bytes": deep_sizeof([result.records, result.rejected, result.stats]),
        "records_json_bytes": sum(len(json.dumps(d, ensure_ascii=False)) for d in dicts),
        "server_peak_mib": server_peak,
    }


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser(__doc__)
    parser.add_argument("--schema", default="actor_filmography")
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 200], help="values of N")
    parser.add_argument("--slots", type=int, default=8, help="server slots = concurrency")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    return parser


def _child_argv(args: argparse.Namespace, n: int) -> list[str]:
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", str(n)]
    argv += ["--schema", args.schema, "--slots", str(args.slots), "--seed", str(args.seed)]
    if args.model:
        argv += ["--model", args.model]
    if args.threads:
        argv += ["--threads", str(args.threads)]
    return argv


def run(args: argparse.Namespace) -> dict[str, Any]:
    runs = []
    for n in args.sizes:
        started = time.perf_counter()
        proc = subprocess.run(_child_argv(args, n), capture_output=True, text=True, check=False)
        line = next((x for x in proc.stdout.splitlines() if x.startswith(MARK)), None)
        if proc.returncode != 0 or line is None:
            raise RuntimeError(f"memory run N={n} failed:\n{proc.stderr[-3000:]}")
        runs.append(json.loads(line.removeprefix(MARK)))
        print(
            f"  N={n}: {time.perf_counter() - started:.0f} s, client peak "
            f"{runs[-1]['client_peak_mib']} MiB",
            file=sys.stderr,
            flush=True,
        )
    small, large = runs[0], runs[-1]
    out: dict[str, Any] = {
        "model": args.model or "local",
        "schema": args.schema,
        "slots": args.slots,
        "runs": runs,
    }
    extra = large["records"] - small["records"]
    if extra > 0:
        out["client_growth_per_record_kib"] = round(
            (large["client_peak_mib"] - small["client_peak_mib"]) * 1024 / extra, 2
        )
        out["record_kib"] = round(large["records_bytes"] / large["records"] / 1024, 2)
        out["result_per_record_kib"] = round(large["result_bytes"] / large["records"] / 1024, 2)
        out["record_json_kib"] = round(large["records_json_bytes"] / large["records"] / 1024, 3)
    return out


def headline(result: dict[str, Any]) -> str:
    runs = result["runs"]
    text = ", ".join(f"N={r['n']}: {r['client_peak_mib']:.0f} MiB" for r in runs)
    out = f"client peak {text}"
    if "client_growth_per_record_kib" in result:
        out += (
            f" ({result['client_growth_per_record_kib']} KiB per extra record vs "
            f"{result['record_kib']} KiB per record in memory)"
        )
    servers = [r["server_peak_mib"] for r in runs if r["server_peak_mib"] is not None]
    if servers:
        out += f"; server peak {max(servers):.0f} MiB"
    return out


def to_markdown(result: dict[str, Any]) -> str:
    rows = [
        (
            r["n"],
            f"{r['records']} (+{r['rejected']} rejected)",
            r["wall_s"],
            r["client_rss_before_mib"],
            r["client_peak_mib"],
            r["client_rss_after_mib"],
            f"{r['records_bytes'] / 1024:.0f} / {r['result_bytes'] / 1024:.0f}",
            f"{r['records_json_bytes'] / 1024:.1f}",
            r["server_peak_mib"] if r["server_peak_mib"] is not None else "n/a (external)",
        )
        for r in result["runs"]
    ]
    table = md_table(
        [
            "N",
            "records",
            "wall s",
            "client RSS before, MiB",
            "client peak RSS, MiB",
            "client RSS after, MiB",
            "records / whole result in memory, KiB",
            "records as JSON, KiB",
            "server peak RSS, MiB",
        ],
        rows,
    )
    lines = [
        f"Schema `{result['schema']}`, {result['slots']} slots, each N in a fresh process "
        "(client peak = `ru_maxrss` of that process; server peak = `VmHWM` of the server "
        "process it started, model weights included).",
        "",
        table,
        "",
    ]
    if "client_growth_per_record_kib" in result:
        lines.append(
            f"- Client peak growth from N={result['runs'][0]['n']} to "
            f"N={result['runs'][-1]['n']}: **{result['client_growth_per_record_kib']} KiB per "
            f"record**, against {result['record_kib']} KiB per record held in memory "
            f"({result['result_per_record_kib']} KiB with rejections and stats; "
            f"{result['record_json_kib']} KiB as JSON). RSS moves in pages and allocator "
            "arenas, so a difference of a few hundred KiB is noise."
        )
    if all(r["server_peak_mib"] is None for r in result["runs"]):
        lines.append(
            "- The model runs on an external server: only the client's memory is measurable."
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.child is not None:
        print(MARK + json.dumps(child(args)), flush=True)
        return 0
    return script_main(build_parser, run, to_markdown, argv)


if __name__ == "__main__":
    sys.exit(main())
