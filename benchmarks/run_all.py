"""Run the benchmarks one after another and rewrite ``benchmarks/RESULTS.md`` (``make bench``).

Sizes are chosen so the default run takes under 15 minutes on a quiet 2-core machine with the
embedded models; each section of RESULTS.md gives the exact command that reproduces it alone.

    python benchmarks/run_all.py                          # everything, RESULTS.md + RESULTS.json
    python benchmarks/run_all.py --quick                  # tiny sizes, into out/bench-quick/
    python benchmarks/run_all.py --only quality memory    # redo some sections, keep the others
    python benchmarks/run_all.py --extra                  # also the vocabulary benchmark
    python benchmarks/run_all.py --model openai-compatible:qwen --judge-model openai:gpt-4o-mini

Speed benchmarks start their own embedded servers (``LANGSYNTH_LOCAL_URL`` is not used), so
stop other model servers first: two servers on 2 cores halve each other's speed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import re
import shlex
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import machine, model_title  # noqa: E402

DEFAULT_RESULTS = HERE / "RESULTS.md"
QUICK_RESULTS = HERE.parent / "out" / "bench-quick" / "RESULTS.md"
BUDGET_S = 15 * 60


@dataclass(frozen=True)
class Bench:
    """One benchmark script and the sizes run_all gives it."""

    name: str
    title: str
    full: str  # arguments of the full run
    quick: str  # arguments of --quick
    # Expected seconds of the full sizes on a quiet 2-core machine, estimated from the tokens
    # each step decodes and processes (0.5B: 37-57 decoded tok/s by slots, ~230 prompt tok/s;
    # 1.5B: 19 decoded, ~70 prompt tok/s); run_all prints them beside the measured times.
    budget_s: int
    takes: tuple[str, ...] = ("model", "threads")  # run_all options passed through
    extra: bool = False  # only with --extra: does not fit the 15-minute budget


BENCHMARKS = (
    Bench(
        "overhead",
        "Pipeline overhead per record (no model)",
        full="--records 1000",
        quick="--records 50",
        budget_s=5,
        takes=(),
    ),
    Bench(
        "prompt_cache",
        "Prompt cache: time to first token with and without the shared prefix",
        full="--requests 4",
        quick="--requests 2",
        budget_s=15,
    ),
    Bench(
        "generation_speed",
        "Generation speed: server ceiling vs langsynth vs the seed's sequential loop",
        full="--n 16 --min-waves 2 --sequential-n 10 --parallel 4 1 2 8",
        quick="--n 2 --min-waves 1 --sequential-n 2 --parallel 2 --ceiling-tokens 16",
        budget_s=215,
    ),
    Bench(
        "memory",
        "Memory: peak RSS of client and server for N = 20 and N = 200",
        full="--sizes 20 200 --slots 8",
        quick="--sizes 2 --slots 2",
        budget_s=205,
    ),
    Bench(
        "quality",
        "Quality per built-in schema: valid, unique, round trip, judge, diversity",
        full="--n 30 --roundtrip-n 4 --judge-n 4",
        quick="--n 2 --roundtrip-n 1 --judge-n 1 --slots 2 --schemas medical_billing",
        budget_s=425,
        takes=("model", "threads", "judge_model"),
    ),
    Bench(
        "extraction_docs",
        "Extraction on messy documents: micro F1 per strategy and model",
        full="--limit 8",
        quick="--limit 1 --kinds receipts --strategies json_schema --models local",
        # 40 documents x 4 strategies on each model: ~2.5 s per document on 0.5B with 4
        # slots, ~3x that on 1.5B.
        budget_s=1600,
        takes=("model", "threads"),
    ),
    Bench(
        "judge_quality",
        "Judge quality: does the judge separate good from bad on labelled data?",
        # user criteria only (the built-in rubric: `--criteria builtin user`): the course's
        # prompt and langsynth's judge on 96 items, the pairwise judge on 48 pairs, and 4
        # generated records per schema; ~4 min per judge on the 1.5B model
        full="--criteria user --generated 4",
        quick="--tasks instructions --limit 1 --criteria user --pairwise --generated 1 "
        "--generated-schemas medical_billing --option comment=checks",
        budget_s=840,
        takes=("judge_model", "threads"),
    ),
    Bench(
        "peers",
        "Peers: the same job with langsynth, langchain_experimental, Data Designer, distilabel, "
        "curator",
        full="--n 32",
        quick="--n 2 --tools langsynth curator",
        budget_s=600,  # first run: + the peers' installs (minutes)
        takes=("threads",),
        extra=True,  # `make bench-peers`; its last result stays in RESULTS.md (STORED_SECTIONS)
    ),
    Bench(
        "diversity_vocabulary",
        "Vocabulary injection: how much diversity it adds",
        full="--n 30",
        quick="--n 2",
        budget_s=400,
        takes=("model",),
        extra=True,
    ),
    Bench(
        "scale_out",
        "Scale-out on Ray through the run engine (simulation, plus the stored two-server run)",
        full="",
        quick="--endpoints 1 2 --waves 1 --latency 0.2 --no-saturation",
        budget_s=240,
        takes=(),
        extra=True,  # starts up to 32 Ray actors (~6 GiB): not part of the default budget
    ),
)
BY_NAME = {b.name: b for b in BENCHMARKS}
# Sections whose script writes its own result file (a run_all entry): RESULTS.md shows the last
# one even when this run did not redo it, e.g. the peers table of `make bench-peers`.
# A .json is a run_all entry; a .md is a script's own report (its commands are in the text).
STORED_SECTIONS = {
    "peers": HERE / "results" / "peers.json",
    "scale_out": HERE / "results" / "scale_out.md",
    "judge_quality": HERE / "results" / "judge_quality.md",
    "generation_speed": HERE / "results" / "generation_speed.md",
}


def stored_entry(name: str, path: Path) -> dict[str, Any] | None:
    """The run_all entry of a stored section, or ``None`` when the file is unreadable."""
    if path.suffix == ".json":
        try:
            entry = json.loads(path.read_text())
        except ValueError:
            return None
        return entry if isinstance(entry, dict) else None
    text = path.read_text()
    body = text.split("\n", 1)[1].strip() if text.startswith("# ") else text.strip()
    body = re.sub(r"^(#+) ", r"#\1 ", body, flags=re.MULTILINE)  # under this section's heading
    modified = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    return {
        "title": BY_NAME[name].title,
        "command": f"python benchmarks/{name}.py (see below)",
        "date": modified.strftime("%Y-%m-%d %H:%M UTC"),
        "elapsed_s": 0.0,
        "markdown": body,
    }


def _changed(name: str, path: Path, entry: dict[str, Any]) -> bool:
    """Whether the stored file ``path`` says something else than its entry (its time is no
    guide: a fresh checkout gives every file the checkout's)."""
    found = stored_entry(name, path)
    return found is not None and found.get("markdown") != entry.get("markdown")


def add_stored_sections(store: dict[str, Any], *, quick: bool) -> None:
    """Put the stored sections this run did not produce into ``store`` (not for --quick)."""
    if quick:
        return
    for name, path in STORED_SECTIONS.items():
        if name not in store["sections"] and path.is_file():
            entry = stored_entry(name, path)
            if entry is not None:
                store["sections"][name] = entry


def bench_argv(bench: Bench, args: argparse.Namespace) -> list[str]:
    """The script's arguments: its sizes plus the run_all options it takes."""
    argv = shlex.split(bench.quick if args.quick else bench.full)
    for option in bench.takes:
        value = getattr(args, option)
        if value is not None:
            argv += ["--" + option.replace("_", "-"), str(value)]
    if args.quick and bench.name == "diversity_vocabulary":
        argv += ["--out-dir", str(args.results.parent / "diversity_vocabulary")]
    if args.quick and bench.name == "scale_out":
        argv += ["--results", str(args.results.parent / "scale_out.md")]
    if args.quick and bench.name == "peers":
        argv += [
            "--results-dir",
            str(args.results.parent),
            "--work-dir",
            str(args.results.parent / "peers"),
        ]
    return argv


def run_one(bench: Bench, args: argparse.Namespace) -> dict[str, Any]:
    """Import and run one benchmark; a failure is recorded, not raised."""
    from langsynth import local

    module = importlib.import_module(bench.name)
    argv = bench_argv(bench, args)
    entry: dict[str, Any] = {
        "title": bench.title,
        "command": shlex.join(["python", f"benchmarks/{bench.name}.py", *argv]),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_before": round(os.getloadavg()[0], 2),
        "model": model_title(args.model) if "model" in bench.takes else None,
        "budget_s": bench.budget_s,
    }
    started = time.perf_counter()
    try:
        result = module.run(module.build_parser().parse_args(argv))
        if hasattr(result, "__await__"):
            import asyncio

            result = asyncio.run(result)
        entry["result"] = result
        entry["markdown"] = module.to_markdown(result)
        headline = getattr(module, "headline", None)
        entry["headline"] = headline(result) if headline else None
    except Exception as exc:
        entry["error"] = f"{type(exc).__name__}: {exc}"
        entry["traceback"] = traceback.format_exc()[-4000:]
    finally:
        local.stop_all()
    entry["elapsed_s"] = round(time.perf_counter() - started, 1)
    return entry


def render(store: dict[str, Any]) -> str:
    """RESULTS.md from the stored sections, in benchmark order."""
    m = store["machine"]
    sections = [(b, store["sections"][b.name]) for b in BENCHMARKS if b.name in store["sections"]]
    # The optional sections (peers, scale-out) run under their own targets: not make bench's time.
    total = sum(e["elapsed_s"] for b, e in sections if not b.extra)
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`python benchmarks/run_all.py`); do not edit by hand. Each "
        "section gives the command that reproduces it alone. The machine is shared and noisy, "
        "so read the ratios measured side by side in one run rather than absolute times.",
        "",
        f"- Machine: {m['cores']} cores ({m['cpu'] or 'unknown CPU'}), {m['ram_gib']} GiB RAM, "
        f"Python {m['python']}, {m['system']}",
        f"- Last run: {store['date']}"
        + (" (`--quick`: tiny sizes, not results)" if store.get("quick") else ""),
        f"- Time of the sections below: {total / 60:.1f} min"
        + (" (without peers, run by `make bench-peers`)" if "peers" in store["sections"] else ""),
        "",
    ]
    headlines = [(b, e["headline"]) for b, e in sections if e.get("headline")]
    if headlines:
        lines += ["## Summary", ""]
        lines += [f"- **{b.title.split(':')[0]}**: {h}" for b, h in headlines]
        lines.append("")
    for i, (bench, entry) in enumerate(sections, 1):
        facts = [entry["date"], f"{entry['elapsed_s']:.0f} s"]
        if entry.get("model"):
            facts.insert(1, f"model {entry['model']}")
        if (entry.get("load_before") or 0) > 0.5:
            facts.append(f"load average {entry['load_before']} at start (machine was busy)")
        lines += [
            f"## {i}. {bench.title}",
            "",
            f"`{entry['command']}`",
            "",
            " · ".join(facts),
            "",
        ]
        if "error" in entry:
            lines += ["**Failed:** " + entry["error"], ""]
        else:
            lines += [entry["markdown"], ""]
    return "\n".join(lines)


def save(store: dict[str, Any], results: Path) -> None:
    """Write the raw results beside ``results`` (.json) and the Markdown rendered from them."""
    results.parent.mkdir(parents=True, exist_ok=True)
    results.with_suffix(".json").write_text(json.dumps(store, indent=2, default=str) + "\n")
    results.write_text(render(store))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke test)")
    parser.add_argument("--only", nargs="+", choices=sorted(BY_NAME), help="run only these")
    parser.add_argument("--extra", action="store_true", help="also the optional benchmarks")
    parser.add_argument(
        "--render",
        action="store_true",
        help="run nothing: rewrite the Markdown from the stored results (after make bench-peers)",
    )
    parser.add_argument("--model", default=None, help="model spec (default: local)")
    parser.add_argument("--judge-model", default=None, help="judge spec (default: local-large)")
    parser.add_argument(
        "--threads", type=int, default=None, help="CPU threads of the embedded servers"
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=None,
        help=f"Markdown file to write (default {DEFAULT_RESULTS.relative_to(HERE.parent)}; "
        f"with --quick {QUICK_RESULTS.relative_to(HERE.parent)}); raw results go beside it "
        "as .json",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.results is None:
        args.results = QUICK_RESULTS if args.quick else DEFAULT_RESULTS
    chosen = [
        b for b in BENCHMARKS if (b.name in args.only if args.only else not b.extra or args.extra)
    ]
    store_path = args.results.with_suffix(".json")
    store: dict[str, Any] = {"sections": {}}
    if args.only and store_path.is_file():  # keep the sections not rerun
        store = json.loads(store_path.read_text())
    if args.render:
        if not store_path.is_file():
            print(f"error: no results at {store_path}; run make bench first", file=sys.stderr)
            return 2
        store = json.loads(store_path.read_text())
        for name, path in STORED_SECTIONS.items():  # a stored file that changed wins
            entry = store["sections"].get(name)
            if entry and path.is_file() and _changed(name, path, entry):
                store["sections"].pop(name)
        add_stored_sections(store, quick=bool(store.get("quick")))
        save(store, args.results)
        print(f"rewrote {args.results} from {store_path}")
        return 0
    load = os.getloadavg()[0]
    if load > 0.5:
        print(f"warning: load average {load:.2f}: timings will be slow and noisy", file=sys.stderr)
    budget = sum(b.budget_s for b in chosen)
    print(f"running {', '.join(b.name for b in chosen)} (budget {budget / 60:.1f} min)")
    started = time.perf_counter()
    failed = []
    for i, bench in enumerate(chosen, 1):
        print(
            f"[{i}/{len(chosen)}] {bench.name}: {shlex.join(bench_argv(bench, args))}", flush=True
        )
        entry = run_one(bench, args)
        store["sections"][bench.name] = entry
        store.update(machine=machine(), date=entry["date"], quick=args.quick)
        add_stored_sections(store, quick=args.quick)
        save(store, args.results)
        status = "FAILED: " + entry["error"] if "error" in entry else "done"
        print(
            f"[{i}/{len(chosen)}] {bench.name} {status} in {entry['elapsed_s']:.0f} s "
            f"(budget {bench.budget_s} s; total {time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        if "error" in entry:
            failed.append(bench.name)
            print(entry["traceback"], file=sys.stderr)
    total = time.perf_counter() - started
    print(f"\n{'section':<22} {'seconds':>8} {'budget':>7}")
    for bench in chosen:
        seconds = store["sections"][bench.name]["elapsed_s"]
        print(f"{bench.name:<22} {seconds:>8.0f} {bench.budget_s:>7}")
    print(f"{'total':<22} {total:>8.0f} {budget:>7}   -> {args.results}")
    if not args.quick and not args.only and total > BUDGET_S:
        print(f"warning: the run took {total / 60:.1f} min, over the 15-minute budget")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
