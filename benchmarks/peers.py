"""Ahead of the peers, side by side: the same job with langsynth and with the tools a user would
pick instead, on one embedded server, one tool after another (issue 15).

The job: N ``medical_billing`` records (langsynth's schema and its few-shot examples), the seed's
prompt idea (few-shot prefix, the examples as JSON lines, the suffix with subject and extra), the
same concurrency, temperature and max tokens. Tools:

- langsynth: ``langsynth generate SCHEMA -n N`` (the CLI of this checkout);
- langchain_experimental: ``create_openai_data_generator`` / ``SyntheticDataGenerator`` (seed 001);
- NVIDIA NeMo Data Designer (``data-designer``), distilabel, bespokelabs curator: each its
  idiomatic structured-output path with the same Pydantic model, default behaviour otherwise.

Each peer is installed by this script into its own virtualenv ``.venv-peers/<tool>`` on first
run (minutes; reused after), so the project's environment stays clean. The embedded server is
started once (4 slots by default) behind a recording proxy; every tool gets its OpenAI-compatible
URL. Telemetry is off and a network guard plus ``strace`` report any attempt to leave loopback.
Results: the table below, ``benchmarks/results/peers.md`` and ``.json``; ``make bench-peers``
(``python benchmarks/run_all.py --only peers``) also puts it into RESULTS.md.

    python benchmarks/peers.py                       # N=32, all tools
    python benchmarks/peers.py --n 8 --tools langsynth curator
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The langsynth measured is this checkout's, in this process (server, scoring) and in its runner.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import ROOT, counters_delta, make_parser, model_title, server_counters, write_json
from peer_proxy import RecordingProxy, summarize
from peer_report import (
    headline,
    log_errors,
    outbound_connects,
    rates,
    score,
    to_markdown,
    verdict,
)
from peer_setup import BY_NAME, NETGUARD, PEERS, RUNNERS, ensure_venv, load_json, tool_env

TOOLS = ("langsynth", *BY_NAME)
TITLE = (
    "Peers: the same job with langsynth, langchain_experimental, Data Designer, distilabel, curator"
)
RESULTS_DIR = ROOT / "benchmarks" / "results"


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser(__doc__)
    parser.add_argument("--n", type=int, default=32, help="records per tool (default 32)")
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight (4)")
    parser.add_argument("--slots", type=int, default=None, help="server slots (= concurrency)")
    parser.add_argument("--temperature", type=float, default=0.9, help="langsynth's default 0.9")
    parser.add_argument("--max-tokens", type=int, default=512, help="langsynth's default 512")
    parser.add_argument("--schema", default="medical_billing", help="a built-in schema")
    parser.add_argument(
        "--tools",
        nargs="+",
        choices=TOOLS,
        default=list(TOOLS),
        help="which tools, run in the order given (a tool later on a server tends to run faster)",
    )
    parser.add_argument("--timeout", type=float, default=900, help="seconds per tool")
    parser.add_argument("--no-strace", action="store_true", help="skip the strace check")
    parser.add_argument(
        "--install-only", action="store_true", help="create the peer venvs, run nothing"
    )
    parser.add_argument(
        "--rescore", action="store_true", help="tables again from the last run in --work-dir"
    )
    parser.add_argument("--work-dir", type=Path, default=ROOT / "out" / "peers")
    parser.add_argument(
        "--results-dir", type=Path, default=RESULTS_DIR, help="where peers.md/.json go"
    )
    return parser


def job_config(args: argparse.Namespace, base_url: str, model: str) -> dict[str, Any]:
    """What every runner gets: the server, the job's settings and the one prompt."""
    from langsynth.chains.record_prompt import few_shot_prompt
    from langsynth.schemas import load_schema

    info = load_schema(args.schema)
    examples = info.load_examples()
    subject, extra = info.subject or info.name, info.extra
    module = sys.modules[info.model.__module__]
    return {
        "base_url": base_url + "/v1",
        "api_key": "local-server-needs-no-key",
        "model": model,
        "schema": args.schema,
        "schema_file": str(Path(module.__file__ or "").resolve()),
        "schema_class": info.model.__name__,
        "n": args.n,
        "concurrency": args.concurrency,
        "temperature": args.temperature,
        "max_tokens": args.max_tokens,
        "subject": subject,
        "extra": extra,
        "examples": [json.dumps(e, ensure_ascii=False) for e in examples],
        "prompt": few_shot_prompt(examples).format(subject=subject, extra=extra),
    }


def run_tool(
    name: str, config: dict[str, Any], args: argparse.Namespace, proxy: RecordingProxy, stats: Any
) -> dict[str, Any]:
    """Run one tool's runner in its environment; its row with the raw outcome (not scored)."""
    work = args.work_dir / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    row: dict[str, Any] = {"tool": name, "n": args.n}
    if name == "langsynth":
        python, dists, peer = Path(sys.executable), ["langsynth"], None
        row["how"] = "langsynth generate: json_schema (grammar) + per-record hints"
    else:
        peer = BY_NAME[name]
        python, dists = peer.python, list(peer.dists)
        row["how"] = peer.how
        problem = ensure_venv(peer, work / "install.log")
        if problem:
            return {**row, "error": problem, "process_s": 0.0}
    config = {**config, "work_dir": str(work), "dists": dists}
    (work / "config.json").write_text(json.dumps(config, indent=2))
    env = tool_env(peer, work, work / "netguard.jsonl")
    if name == "langsynth":
        env["PYTHONPATH"] = os.pathsep.join([str(NETGUARD), str(ROOT)])
        env["LANGSYNTH_LOCAL_URL"] = proxy.base_url
    cmd = [str(python), str(RUNNERS / f"run_{name}.py"), str(work / "config.json")]
    cmd.append(str(work / "result.json"))
    if shutil.which("strace") and not args.no_strace:
        trace = ["strace", "-f", "-qq", "--seccomp-bpf", "-e", "trace=connect", "-e", "signal=none"]
        cmd = [*trace, "-o", str(work / "strace.txt"), *cmd]
    proxy.tag = name
    before = server_counters(stats)
    started = time.perf_counter()
    with (work / "stderr.log").open("w") as log:
        proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip
        try:
            proc.wait(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the group this script started for the tool
            proc.wait()
            row["error"] = f"timed out after {args.timeout:.0f} s"
    row["process_s"] = round(time.perf_counter() - started, 1)
    proxy.tag = "-"
    row["server"] = counters_delta(before, server_counters(stats))
    if not (work / "result.json").is_file() and "error" not in row:
        tail = (work / "stderr.log").read_text(errors="replace").strip().splitlines()[-3:]
        row["error"] = f"exited {proc.returncode} without a result: " + " | ".join(tail)
    return row


def finish_row(
    row: dict[str, Any], schema: str, requests: list[dict[str, Any]], work: Path
) -> dict[str, Any]:
    """The tool's row scored, with its request pattern and network check."""
    raw = load_json(work / row["tool"] / "result.json")
    if not row.get("error"):
        row["error"] = raw.get("error")
    row["traceback"] = raw.get("traceback")
    row["notes"] = raw.get("notes") or {}
    row["versions"] = raw.get("versions") or {}
    row["version"] = next(iter(row["versions"].values()), None)
    row["wall_s"] = raw.get("wall_s")
    row.update(score(raw.get("records") or [], schema))
    window = (raw["job_started"], raw["job_ended"]) if raw.get("job_started") else None
    row["requests"] = summarize([r for r in requests if r["tool"] == row["tool"]], window)
    guard = work / row["tool"] / "netguard.jsonl"
    refused = [json.loads(line)["target"] for line in guard.read_text().splitlines()] if (
        guard.is_file()) else []  # fmt: skip
    connects, outside = outbound_connects(work / row["tool"] / "strace.txt")
    if row["valid"] < row["n"]:
        row["log_errors"] = log_errors(work / row["tool"] / "stderr.log")
    row["network"] = {"refused": sorted(set(refused)), "strace_connects": connects,
                      "strace_outbound": outside}  # fmt: skip
    rates(row)
    return row


def langsynth_commit() -> str | None:
    """The last commit of this checkout's ``langsynth/`` (what the langsynth row measured)."""
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%h %cs", "--", "langsynth"],
            cwd=ROOT, capture_output=True, text=True, timeout=10, check=False,
        )  # fmt: skip
    except OSError:
        return None
    return out.stdout.strip() or None


def start_server(args: argparse.Namespace) -> Any:
    """The one embedded server (as ``langsynth serve`` starts it), no API key, 127.0.0.1."""
    from langsynth.llm import Settings, local_model_path, local_server_config, parse_spec
    from langsynth.local import LocalServer

    settings = Settings.from_env()
    config = local_server_config(settings, Path(local_model_path(parse_spec("local"), settings)))
    config.require_key = False
    config.parallel = args.slots or args.concurrency
    config.threads = args.threads or config.threads
    return LocalServer(config).start()


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Install what is missing, start the server and proxy, run every tool, score, write."""
    began, load_before = time.perf_counter(), round(os.getloadavg()[0], 2)
    args.work_dir = args.work_dir.resolve()  # the tools run with their own folder as cwd
    if args.rescore:  # the tables again from the last run's files, nothing measured
        saved = load_json(args.work_dir / "run.json")
        if not saved:
            raise SystemExit(f"--rescore: no run.json in {args.work_dir}; run the benchmark first")
        return assemble(args, saved)
    tools = list(dict.fromkeys(args.tools))  # the order given, each tool once
    if args.model not in (None, "local"):
        raise SystemExit("peers.py measures the embedded model (local) shared by every tool")
    for peer in PEERS:  # install first, so no install time lands between two measured tools
        if peer.name in args.tools:
            problem = ensure_venv(peer, args.work_dir / peer.name / "install.log")
            print(f"peers: {peer.name}: {problem or 'ready'}", file=sys.stderr, flush=True)
    if args.install_only:
        return {}
    server = start_server(args)
    proxy = RecordingProxy(str(server.base_url), log=args.work_dir / "requests.jsonl").start()
    stats = SimpleNamespace(openai_api_base=server.openai_base_url, openai_api_key=None)
    model = Path(server.config.model_path).stem
    try:
        warm_up = {"model": model, "max_tokens": 4, "messages": [{"role": "user", "content": "Hi"}]}
        httpx.post(proxy.base_url + "/v1/chat/completions", json=warm_up, timeout=120)
        config = job_config(args, proxy.base_url, model)
        rows = []
        for name in tools:
            print(f"peers: {name} ...", file=sys.stderr, flush=True)
            rows.append(run_tool(name, config, args, proxy, stats))
            print(f"peers: {name} done in {rows[-1]['process_s']} s", file=sys.stderr, flush=True)
    finally:
        proxy.stop()
        server.stop()
    saved = {
        "job": {"schema": args.schema, "n": args.n, "concurrency": args.concurrency,
                "slots": args.slots or args.concurrency, "temperature": args.temperature,
                "max_tokens": args.max_tokens, "model": model_title("local"),
                "prompt": config["prompt"], "tools": tools,
                "langsynth_commit": langsynth_commit()},
        "rows": rows,
        "elapsed_s": round(time.perf_counter() - began, 1),
        "load_before": load_before,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }  # fmt: skip
    write_json(args.work_dir / "run.json", saved)
    return assemble(args, saved)


def assemble(args: argparse.Namespace, saved: dict[str, Any]) -> dict[str, Any]:
    """Score the saved run (tool outcomes + request records) and write the result files."""
    from langsynth.schemas import load_schema

    requests_file = args.work_dir / "requests.jsonl"
    requests = [json.loads(line) for line in requests_file.read_text().splitlines() if line]
    job = saved["job"]
    rows = [finish_row(dict(row), job["schema"], requests, args.work_dir) for row in saved["rows"]]
    info = load_schema(job["schema"])
    result = {
        **saved,
        "job": {**job, "dedup_fields": list(info.dedup_fields or [])},
        "rows": rows,
        "verdict": verdict(rows),
    }
    write_results(args, result)
    return result


def command_of(job: dict[str, Any]) -> str:
    """The command that reproduces a run with this job."""
    argv = ["python", "benchmarks/peers.py", "--n", str(job["n"]), "--concurrency",
            str(job["concurrency"]), "--temperature", str(job["temperature"])]  # fmt: skip
    if list(job.get("tools") or TOOLS) != list(TOOLS):
        argv += ["--tools", *job["tools"]]
    return shlex.join(argv)


def write_results(args: argparse.Namespace, result: dict[str, Any]) -> None:
    """``results/peers.md`` and ``.json`` (a RESULTS.md section entry, see run_all.py)."""
    entry = {
        "title": TITLE,
        "command": command_of(result["job"]),
        "date": result["date"],  # when it was measured (a --rescore keeps it)
        "load_before": result["load_before"],
        "model": model_title("local"),
        "elapsed_s": result["elapsed_s"],
        "markdown": to_markdown(result),
        "headline": headline(result),
        "result": result,
    }
    args.results_dir.mkdir(parents=True, exist_ok=True)
    write_json(args.results_dir / "peers.json", entry)
    (args.results_dir / "peers.md").write_text(
        f"# {TITLE}\n\n`{entry['command']}`\n\n{entry['date']} · model {entry['model']} · "
        f"{entry['elapsed_s']:.0f} s\n\n{entry['markdown']}\n"
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result = run(args)
    if not result:
        return 0
    write_json(args.json, result)
    print(to_markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
