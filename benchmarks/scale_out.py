"""Scale-out on Ray, SIMULATED: records/s against the ideal for 1..32 stub endpoints x 4 slots.

No model runs. Every endpoint is a stub OpenAI-compatible server on loopback
(``langsynth.testing.stub_server``, all of them in one child process) that answers after a
time to first token plus output tokens at a fixed decode speed, with schema-valid records.
The driver sends units of work to a :class:`~langsynth.engines.ray.RayActorPool` (one Ray
actor per endpoint, a ``RecordGenerator`` built in each actor: the model call and the
validation happen there); each unit returns one validated record.

For each fleet size it reports records/s against the ideal ``endpoints x slots / service
time`` (service time = time to first token + output tokens / decode speed, measured from the
stub's token counts), the driver's CPU per record (the coordinator's own cost: asyncio,
Ray's core worker threads, pickling), and memory. The last row, ``saturation``, removes the
latency at the largest fleet: the record rate then is the coordinator's ceiling on this
machine. On 2 cores the actors, the stub and the driver share the CPUs, so the figures
are a lower bound for a cluster, where the actors run on other machines.

    python benchmarks/scale_out.py                          # 1 2 4 8 16 32 endpoints
    python benchmarks/scale_out.py --endpoints 1 2 --waves 3 --latency 0.5
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, machine, md_table, script_main

sys.path.insert(0, str(ROOT))


def build_parser() -> argparse.ArgumentParser:
    from common import make_parser

    parser = make_parser(__doc__, model=False)
    parser.add_argument("--endpoints", type=int, nargs="+", default=[1, 2, 4, 8, 16, 32])
    parser.add_argument("--slots", type=int, default=4, help="slots per endpoint")
    parser.add_argument("--latency", type=float, default=1.0, help="time to first token, s")
    parser.add_argument("--tokens-per-s", type=float, default=100.0, help="decode speed")
    parser.add_argument("--waves", type=int, default=4, help="units per slot per fleet size")
    parser.add_argument("--schema", default="medical_billing")
    parser.add_argument(
        "--no-saturation", action="store_true", help="skip the zero-latency ceiling row"
    )
    return parser


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
    """pid -> RSS MiB of this session's pool actors (their process title names the class)."""
    out: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            if not cmdline.startswith(b"ray::ComponentActor"):
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


async def _one_fleet(
    endpoints: int, args: argparse.Namespace, latency: float, tokens_per_s: float
) -> dict[str, Any]:
    import functools

    from langsynth.chains.generator import RecordGenerator
    from langsynth.engines.ray import RayActorPool
    from langsynth.testing.stub_server import StubServer

    units = endpoints * args.slots * args.waves
    with StubServer(
        endpoints=endpoints,
        latency_s=latency,
        tokens_per_s=tokens_per_s,
        schemas=[args.schema],
        seed=endpoints,
    ) as stub:
        assert stub.pid is not None
        # The component each actor builds: a record generator on its endpoint.
        factory = functools.partial(RecordGenerator, args.schema, max_retries=1)
        started = time.perf_counter()
        pool = RayActorPool(factory, stub.urls, slots_per_endpoint=args.slots, model="stub")
        await pool.start()
        start_s = time.perf_counter() - started
        actors_before = {pid: _proc_cpu_s(pid) for pid in _actor_processes()}
        stub_before, cpu_before = _proc_cpu_s(stub.pid), _cpu_s()
        started = time.perf_counter()
        records = await asyncio.gather(*(pool.call("ainvoke", None) for _ in range(units)))
        wall = time.perf_counter() - started
        driver_cpu = _cpu_s() - cpu_before
        stub_cpu = _proc_cpu_s(stub.pid) - stub_before
        actors = _actor_processes()
        actor_cpu = sum(_proc_cpu_s(pid) - actors_before.get(pid, 0.0) for pid in actors)
        served = stub.stats()
        await pool.aclose()
    answered = sum(s.get("answered", 0) for s in served)
    tokens = sum(s.get("completion_tokens", 0) for s in served) / max(1, answered)
    service_s = latency + tokens / tokens_per_s
    ideal = endpoints * args.slots / service_s
    rate = len(records) / wall
    return {
        "endpoints": endpoints,
        "slots": args.slots,
        "units": units,
        "records": len(records),
        "requests": answered,
        "service_s": round(service_s, 3),
        "wall_s": round(wall, 2),
        "records_per_s": round(rate, 1),
        "ideal_per_s": round(ideal, 1),
        "efficiency": round(rate / ideal, 3),
        "driver_cpu_ms_per_record": round(driver_cpu / len(records) * 1000, 2),
        "driver_cpu_pct": round(driver_cpu / wall * 100, 1),
        "actors_cpu_ms_per_record": round(actor_cpu / len(records) * 1000, 2),
        "stub_cpu_pct": round(stub_cpu / wall * 100, 1),
        "pool_start_s": round(start_s, 1),
        "driver_rss_mib": round(_rss_mib()),
        "actors_rss_mib": round(sum(actors.values())),
        "actor_rss_mib_each": round(sum(actors.values()) / max(1, len(actors))),
        "alive": pool.summary()["alive"],
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    from langsynth.engines.ray import import_ray, init_ray

    ray = import_ray()
    started = time.perf_counter()
    init_ray("local", num_cpus=os.cpu_count() or 2, log_to_driver=False)
    init_s = time.perf_counter() - started
    rows: list[dict[str, Any]] = []
    try:
        for endpoints in args.endpoints:
            row = asyncio.run(_one_fleet(endpoints, args, args.latency, args.tokens_per_s))
            print(f"  {endpoints} endpoints: {row['records_per_s']} rec/s", file=sys.stderr)
            rows.append(row)
        if not args.no_saturation:
            row = asyncio.run(_one_fleet(max(args.endpoints), args, 0.0, 1e6))
            row["saturation"] = True
            rows.append(row)
    finally:
        ray.shutdown()
    return {
        "simulation": True,
        "latency_s": args.latency,
        "tokens_per_s": args.tokens_per_s,
        "schema": args.schema,
        "waves": args.waves,
        "ray_version": ray.__version__,
        "ray_init_s": round(init_s, 2),
        "load_before": round(os.getloadavg()[0], 2),
        "machine": machine(),
        "rows": rows,
    }


def headline(result: dict[str, Any]) -> str:
    """One line for RESULTS.md's summary."""
    normal = [r for r in result["rows"] if not r.get("saturation")]
    top = max(normal, key=lambda r: r["endpoints"])
    return (
        f"simulated {top['endpoints']} x {top['slots']} endpoints: {top['records_per_s']} "
        f"records/s = {top['efficiency']:.2f} of ideal; driver "
        f"{top['driver_cpu_ms_per_record']} ms CPU per record"
    )


def to_markdown(result: dict[str, Any]) -> str:
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
        "pool start s",
        "driver RSS MiB",
        "actors RSS MiB",
    ]
    rows = []
    for r in result["rows"]:
        label = f"{r['endpoints']} x {r['slots']}" + (
            " (saturation)" if r.get("saturation") else ""
        )
        rows.append(
            [
                label,
                r["records"],
                r["records_per_s"],
                "-" if r.get("saturation") else r["ideal_per_s"],
                "-" if r.get("saturation") else f"{r['efficiency']:.2f}",
                r["driver_cpu_ms_per_record"],
                r["driver_cpu_pct"],
                r["actors_cpu_ms_per_record"],
                r["stub_cpu_pct"],
                r["pool_start_s"],
                r["driver_rss_mib"],
                r["actors_rss_mib"],
            ]
        )
    m = result["machine"]
    normal = [r for r in result["rows"] if not r.get("saturation")]
    service = normal[0]["service_s"] if normal else 0
    return (
        f"**Simulation** (stub endpoints on loopback, no model): time to first token "
        f"{result['latency_s']} s, {result['tokens_per_s']:g} tokens/s per request, i.e. "
        f"{service} s per record; schema `{result['schema']}`, {result['waves']} units per slot. "
        f"Ray {result['ray_version']} local instance (init {result['ray_init_s']} s) on "
        f"{m['cores']} cores, load {result['load_before']} before."
        + (
            " The saturation row has no latency: its record rate is the ceiling of driver plus"
            " actors on this machine."
            if any(r.get("saturation") for r in result["rows"])
            else ""
        )
        + "\n\n"
        + md_table(headers, rows)
    )


def main(argv: list[str] | None = None) -> int:
    return script_main(build_parser, run, to_markdown, argv)


if __name__ == "__main__":
    sys.exit(main())
