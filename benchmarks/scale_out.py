"""Scale-out on Ray through the run engine: SIMULATED fleets of 1..32 endpoints, and a real pair.

**Simulation** (no model): every endpoint is a stub OpenAI-compatible server on loopback
(``langsynth.testing.stub_server``, all in one child process) that answers after a time to
first token plus output tokens at a fixed decode speed, with schema-valid records. Each
fleet runs ``RecordGenerator.agenerate(N, output=..., executor=RayExecutor(...))``: the run
engine on the driver (dedup, journal, counters), one Ray actor per endpoint building and
validating the records. For each fleet: records/s against the ideal ``endpoints x slots /
service time`` (service time = time to first token + output tokens / decode speed, from the
stub's token counts), the driver's CPU per record (engine + journal + pool + Ray's core
worker threads), the actors' and the stub's CPU, memory. The ``saturation`` row removes the
latency at the largest fleet: its record rate is what driver plus actors reach on this
machine. On 2 cores actors, stub and driver share the CPUs, so large fleets become
CPU-bound here long before a cluster would (there the actors run on other machines).

**Real** (``--real``, embedded model, run it under the model lock): one server with both
cores, on the local engine and on the Ray engine, then two servers with one core each
behind the Ray engine. Two servers on 2 cores share the same cores: they cannot scale.

    python benchmarks/scale_out.py                          # simulation, 1 2 4 8 16 32
    python benchmarks/scale_out.py --endpoints 1 2 --waves 2 --latency 0.5
    flock /tmp/langsynth-model.lock python benchmarks/scale_out.py --real --real-n 16

Each part updates its half of ``--results`` (``benchmarks/results/scale_out.md`` and
``.json`` beside it) and keeps the other.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, machine, md_table, script_main

sys.path.insert(0, str(ROOT))

RESULTS = Path(__file__).resolve().parent / "results" / "scale_out.md"
SAMPLING = {"temperature": 0.9, "max_tokens": 512}


def build_parser() -> argparse.ArgumentParser:
    from common import make_parser

    parser = make_parser(__doc__, model=False)
    parser.add_argument("--endpoints", type=int, nargs="+", default=[1, 2, 4, 8, 16, 32])
    parser.add_argument("--slots", type=int, default=4, help="slots per endpoint")
    parser.add_argument("--latency", type=float, default=1.0, help="time to first token, s")
    parser.add_argument("--tokens-per-s", type=float, default=100.0, help="decode speed")
    parser.add_argument("--waves", type=int, default=4, help="records per slot per fleet")
    parser.add_argument("--schema", default="medical_billing")
    parser.add_argument(
        "--no-saturation", action="store_true", help="skip the zero-latency ceiling row"
    )
    parser.add_argument("--real", action="store_true", help="the embedded two-server run")
    parser.add_argument("--real-n", type=int, default=16, help="records per real configuration")
    parser.add_argument("--results", type=Path, default=RESULTS, help="Markdown file to update")
    return parser


# --------------------------------------------------------------------------- measuring


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process, from /proc (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _actor_processes() -> dict[int, float]:
    """pid -> RSS MiB of the pool's actors (their process title names the class)."""
    out: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if not (entry / "cmdline").read_bytes().startswith(b"ray::ComponentActor"):
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out[int(entry.name)] = int(line.split()[1]) / 1024
        except OSError:
            continue
    return out


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --------------------------------------------------------------------------- simulation


async def _one_fleet(
    endpoints: int, args: argparse.Namespace, latency: float, tokens_per_s: float, work: Path
) -> dict[str, Any]:
    from langsynth.engines.executor import RayExecutor
    from langsynth.engines.factories import step_factory
    from langsynth.testing.stub_server import StubServer

    wanted = endpoints * args.slots * args.waves
    factory = step_factory("generate", schema=args.schema, max_retries=1, seed=endpoints)
    with StubServer(
        endpoints=endpoints,
        latency_s=latency,
        tokens_per_s=tokens_per_s,
        schemas=[args.schema],
        seed=endpoints,
    ) as stub:
        assert stub.pid is not None
        executor = RayExecutor(
            factory, stub.urls, slots_per_endpoint=args.slots, model="stub", llm_kwargs=SAMPLING
        )
        started = time.perf_counter()
        await executor.astart()
        start_s = time.perf_counter() - started
        gen = executor.driver_step()
        actors_before = {pid: _proc_cpu_s(pid) for pid in _actor_processes()}
        stub_before, cpu_before = _proc_cpu_s(stub.pid), _cpu_s()
        started = time.perf_counter()
        result = await gen.agenerate(
            wanted, output=work / f"fleet-{endpoints}.jsonl", overwrite=True, executor=executor
        )
        wall = time.perf_counter() - started
        driver_cpu = _cpu_s() - cpu_before
        stub_cpu = _proc_cpu_s(stub.pid) - stub_before
        actors = _actor_processes()
        actor_cpu = sum(_proc_cpu_s(pid) - actors_before.get(pid, 0.0) for pid in actors)
        served = stub.stats()
        await executor.aclose()
    records = result.stats.accepted_this_session
    answered = sum(s.get("answered", 0) for s in served)
    tokens = sum(s.get("completion_tokens", 0) for s in served) / max(1, answered)
    service_s = latency + tokens / tokens_per_s
    ideal = endpoints * args.slots / service_s
    rate = records / wall
    per_endpoint = [e["completed"] for e in (result.executor or {}).get("endpoints", [])]
    return {
        "endpoints": endpoints,
        "slots": args.slots,
        "status": result.status,
        "records": records,
        "attempts": result.stats.attempts,
        "duplicates": result.stats.duplicates,
        "requests": answered,
        "service_s": round(service_s, 3),
        "wall_s": round(wall, 2),
        "records_per_s": round(rate, 1),
        "ideal_per_s": round(ideal, 1),
        "efficiency": round(rate / ideal, 3),
        "driver_cpu_ms_per_record": round(driver_cpu / max(1, records) * 1000, 2),
        "driver_cpu_pct": round(driver_cpu / wall * 100, 1),
        "actors_cpu_ms_per_record": round(actor_cpu / max(1, records) * 1000, 2),
        "stub_cpu_pct": round(stub_cpu / wall * 100, 1),
        "pool_start_s": round(start_s, 1),
        "driver_rss_mib": round(_rss_mib()),
        "actors_rss_mib": round(sum(actors.values())),
        "busiest_over_idlest": round(max(per_endpoint) / max(1, min(per_endpoint)), 2)
        if per_endpoint
        else None,
    }


async def _coordinator(
    endpoints: int, args: argparse.Namespace, work: Path, *, on_ray: bool
) -> dict[str, Any]:
    """The coordinator's own ceiling: canned records, no HTTP, no LangChain in the actors."""
    import functools

    from langsynth.engines.executor import RayExecutor
    from langsynth.testing.canned import CannedRecords

    wanted = endpoints * args.slots * args.waves * 4
    factory = functools.partial(CannedRecords, args.schema)
    executor = None
    if on_ray:
        urls = [f"http://canned-{i}.invalid:1/v1" for i in range(endpoints)]  # never called
        executor = RayExecutor(
            factory, urls, slots_per_endpoint=args.slots, model="canned", probe=False
        )
        await executor.astart()
        gen = executor.driver_step()
    else:
        gen = factory(None)
    actors_before = {pid: _proc_cpu_s(pid) for pid in _actor_processes()}
    cpu_before, started = _cpu_s(), time.perf_counter()
    result = await gen.agenerate(
        wanted,
        output=work / f"canned-{on_ray}.jsonl",
        overwrite=True,
        executor=executor,
        concurrency=endpoints * args.slots,  # the local run: as many in flight as the fleet
    )
    wall = time.perf_counter() - started
    driver_cpu = _cpu_s() - cpu_before
    actors = _actor_processes()
    actor_cpu = sum(_proc_cpu_s(pid) - actors_before.get(pid, 0.0) for pid in actors)
    if executor is not None:
        await executor.aclose()
    records = result.stats.accepted_this_session
    return {
        "ceiling": "engine + Ray pool" if on_ray else "engine only (this process)",
        "endpoints": endpoints if on_ray else 0,
        "slots": args.slots,
        "records": records,
        "wall_s": round(wall, 2),
        "records_per_s": round(records / wall, 1),
        "driver_cpu_ms_per_record": round(driver_cpu / max(1, records) * 1000, 3),
        "driver_cpu_pct": round(driver_cpu / wall * 100, 1),
        "actors_cpu_ms_per_record": round(actor_cpu / max(1, records) * 1000, 3),
        "driver_rss_mib": round(_rss_mib()),
        "actors_rss_mib": round(sum(actors.values())),
    }


def simulate(args: argparse.Namespace) -> dict[str, Any]:
    from langsynth.engines.ray import import_ray, init_ray

    ray = import_ray()
    load = round(os.getloadavg()[0], 2)
    started = time.perf_counter()
    init_ray("local", num_cpus=os.cpu_count() or 2, log_to_driver=False)
    init_s = time.perf_counter() - started
    rows: list[dict[str, Any]] = []
    ceilings: list[dict[str, Any]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="scale-out-") as tmp:
            for endpoints in args.endpoints:
                row = asyncio.run(
                    _one_fleet(endpoints, args, args.latency, args.tokens_per_s, Path(tmp))
                )
                print(f"  {endpoints} endpoints: {row['records_per_s']} rec/s", file=sys.stderr)
                rows.append(row)
            if not args.no_saturation:
                top = max(args.endpoints)
                row = asyncio.run(_one_fleet(top, args, 0.0, 1e6, Path(tmp)))
                row["saturation"] = True
                rows.append(row)
                for on_ray in (False, True):
                    ceiling = asyncio.run(_coordinator(top, args, Path(tmp), on_ray=on_ray))
                    print(
                        f"  {ceiling['ceiling']}: {ceiling['records_per_s']} rec/s", file=sys.stderr
                    )
                    ceilings.append(ceiling)
    finally:
        ray.shutdown()
    return {
        "latency_s": args.latency,
        "tokens_per_s": args.tokens_per_s,
        "schema": args.schema,
        "waves": args.waves,
        "ray_version": ray.__version__,
        "ray_init_s": round(init_s, 2),
        "load_before": load,
        "machine": machine(),
        "rows": rows,
        "ceilings": ceilings,
    }


# --------------------------------------------------------------------------- real


def real(args: argparse.Namespace) -> dict[str, Any]:
    """Two embedded servers behind the Ray engine against one server with both cores."""
    from langsynth.engines.local_fleet import embedded_fleet
    from langsynth.engines.ray import import_ray, init_ray

    ray = import_ray()
    load = round(os.getloadavg()[0], 2)
    init_ray("local", num_cpus=os.cpu_count() or 2, log_to_driver=False)
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="scale-out-real-") as tmp:
            with embedded_fleet(1, parallel=4, threads=2) as one:
                urls = [s.openai_base_url for s in one]
                rows.append(
                    _real_row("1 server x 2 threads, local engine", urls, 4, None, args, tmp)
                )
                rows.append(
                    _real_row("1 server x 2 threads, Ray engine", urls, 4, "ray", args, tmp)
                )
            with embedded_fleet(2, parallel=2, threads=1) as two:
                urls = [s.openai_base_url for s in two]
                rows.append(
                    _real_row("2 servers x 1 thread, Ray engine", urls, 2, "ray", args, tmp)
                )
    finally:
        ray.shutdown()
    return {"n": args.real_n, "load_before": load, "machine": machine(), "rows": rows}


def _real_row(
    label: str, urls: list[str], slots: int, engine: str | None, args: argparse.Namespace, tmp: str
) -> dict[str, Any]:
    from langsynth.engines.endpoints import Endpoint
    from langsynth.engines.executor import RayExecutor
    from langsynth.engines.factories import step_factory
    from langsynth.engines.ray_worker import endpoint_chat_model

    factory = step_factory("generate", schema=args.schema, seed=5, concurrency=slots)
    sampling = {**SAMPLING, "seed": 5}
    out = Path(tmp) / ("".join(c if c.isalnum() else "-" for c in label) + ".jsonl")
    executor = None
    if engine == "ray":
        executor = RayExecutor(factory, urls, slots_per_endpoint=slots, llm_kwargs=sampling)
        executor.start()
        gen = executor.driver_step()
    else:
        gen = factory(endpoint_chat_model(Endpoint.parse(urls[0]), "local", sampling))
    try:
        # Unmeasured warm-up: the server's prompt cache and the actors' first calls.
        gen.generate(2, executor=executor)
        started = time.perf_counter()
        result = gen.generate(args.real_n, output=out, executor=executor)
    finally:
        if executor is not None:
            executor.close()
    wall = time.perf_counter() - started
    stats = result.stats
    print(f"  {label}: {stats.accepted_this_session / wall:.3f} rec/s", file=sys.stderr)
    return {
        "config": label,
        "status": result.status,
        "records": stats.accepted_this_session,
        "attempts": stats.attempts,
        "wall_s": round(wall, 1),
        "records_per_s": round(stats.accepted_this_session / wall, 3),
        "output_tokens_per_s": round(stats.usage.output_tokens / wall, 1),
        "per_endpoint": [e["completed"] for e in (result.executor or {}).get("endpoints", [])],
    }


# --------------------------------------------------------------------------- report


def run(args: argparse.Namespace) -> dict[str, Any]:
    store_path = args.results.with_suffix(".json")
    stored: dict[str, Any] = json.loads(store_path.read_text()) if store_path.is_file() else {}
    if args.real:
        stored["real"] = real(args)
    else:  # one table per time to first token: a CPU-bound and a latency-bound fleet
        stored.setdefault("simulations", {})[f"{args.latency:g}"] = simulate(args)
    store_path.parent.mkdir(parents=True, exist_ok=True)
    store_path.write_text(json.dumps(stored, indent=2) + "\n")
    args.results.write_text("# Scale-out on Ray\n\n" + to_markdown(stored) + "\n")
    return stored


def headline(result: dict[str, Any]) -> str:
    """One line for RESULTS.md's summary."""
    parts = []
    for sim in _simulations(result):
        normal = [r for r in sim["rows"] if not r.get("saturation")]
        if normal:
            top = max(normal, key=lambda r: r["endpoints"])
            parts.append(
                f"{top['endpoints']} x {top['slots']} endpoints at {sim['latency_s']:g} s: "
                f"{top['records_per_s']} records/s = {top['efficiency']:.2f} of ideal "
                f"(driver {top['driver_cpu_ms_per_record']} ms CPU/record)"
            )
    return "simulated, through the run engine: " + "; ".join(parts) if parts else "no rows"


def _simulations(result: dict[str, Any]) -> list[dict[str, Any]]:
    stored = result.get("simulations") or {}
    return [stored[k] for k in sorted(stored, key=float)]


def to_markdown(result: dict[str, Any]) -> str:
    parts = [_simulation_md(sim) for sim in _simulations(result)]
    if result.get("real"):
        parts.append(_real_md(result["real"]))
    return "\n\n".join(parts)


def _simulation_md(sim: dict[str, Any]) -> str:
    headers = [
        "endpoints x slots",
        "records",
        "records/s",
        "ideal/s",
        "efficiency",
        "driver CPU ms/rec",
        "driver CPU %",
        "actors CPU ms/rec",
        "stub CPU %",
        "driver RSS MiB",
        "actors RSS MiB",
    ]
    rows = []
    for r in sim["rows"]:
        saturation = r.get("saturation")
        rows.append(
            [
                f"{r['endpoints']} x {r['slots']}" + (" (saturation)" if saturation else ""),
                r["records"],
                r["records_per_s"],
                "-" if saturation else r["ideal_per_s"],
                "-" if saturation else f"{r['efficiency']:.2f}",
                r["driver_cpu_ms_per_record"],
                r["driver_cpu_pct"],
                r["actors_cpu_ms_per_record"],
                r["stub_cpu_pct"],
                r["driver_rss_mib"],
                r["actors_rss_mib"],
            ]
        )
    m = sim["machine"]
    normal = [r for r in sim["rows"] if not r.get("saturation")]
    service = normal[0]["service_s"] if normal else 0
    return (
        f"## Simulation at {sim['latency_s']:g} s to first token (stub endpoints, no model)\n\n"
        f"`python benchmarks/scale_out.py --latency {sim['latency_s']:g}` — each fleet runs "
        "`RecordGenerator.agenerate(N, output=..., executor=RayExecutor(...))` (the run "
        "engine: dedup, journal, counters on the driver). "
        f"Time to first token {sim['latency_s']} s, {sim['tokens_per_s']:g} "
        f"tokens/s per request, i.e. {service} s per record; schema `{sim['schema']}`, "
        f"{sim['waves']} records per slot. Ray {sim['ray_version']} local instance on "
        f"{m['cores']} cores shared by driver, actors and stub (load {sim['load_before']} "
        "before). The saturation row has no latency: its rate is the ceiling of driver plus "
        "actors on this machine.\n\n" + md_table(headers, rows) + _ceilings_md(sim)
    )


def _ceilings_md(sim: dict[str, Any]) -> str:
    ceilings = sim.get("ceilings") or []
    if not ceilings:
        return ""
    headers = [
        "coordinator ceiling",
        "records",
        "records/s",
        "driver CPU ms/rec",
        "driver CPU %",
        "actors CPU ms/rec",
    ]
    rows = [
        [
            c["ceiling"] + (f" ({c['endpoints']} x {c['slots']})" if c["endpoints"] else ""),
            c["records"],
            c["records_per_s"],
            c["driver_cpu_ms_per_record"],
            c["driver_cpu_pct"],
            c["actors_cpu_ms_per_record"],
        ]
        for c in ceilings
    ]
    return (
        "\n\nThe coordinator on its own: the same generation with canned records "
        "(`langsynth.testing.canned.CannedRecords`: a fake record validated, no HTTP, no "
        "LangChain), once in this process and once through the Ray pool; the record rate at "
        "which the driver saturates is about 1000 / driver CPU ms per record, per core.\n\n"
        + md_table(headers, rows)
    )


def _real_md(data: dict[str, Any]) -> str:
    headers = ["configuration", "records", "wall s", "records/s", "output tok/s", "per endpoint"]
    rows = [
        [
            r["config"],
            r["records"],
            r["wall_s"],
            r["records_per_s"],
            r["output_tokens_per_s"],
            " / ".join(map(str, r["per_endpoint"])) or "-",
        ]
        for r in data["rows"]
    ]
    return (
        "## Real: embedded Qwen2.5 0.5B servers\n\n"
        f"`flock /tmp/langsynth-model.lock python benchmarks/scale_out.py --real --real-n "
        f"{data['n']}` — N = {data['n']} records each, {data['machine']['cores']} cores (load "
        f"{data['load_before']} before). Two servers on 2 cores share the same cores, so they "
        "cannot be faster than one server with both: this shows the wiring and what the Ray "
        "engine costs on a real model, not a speed-up.\n\n" + md_table(headers, rows)
    )


def main(argv: list[str] | None = None) -> int:
    return script_main(build_parser, run, to_markdown, argv)


if __name__ == "__main__":
    sys.exit(main())
