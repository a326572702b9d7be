"""The stub fleet as its own process: a command line, and :class:`StubServer` to start one.

A load test must not count the simulated servers' CPU as the client's, so tests and
``benchmarks/scale_out.py`` run the fleet (:class:`~langsynth.testing.stub_fleet.StubFleet`)
in a child process. It ships in the package (not under ``tests/`` or ``benchmarks/``)
because three users need it: the test suite, the benchmark, and anyone trying the Ray
engine without GPUs.

    python -m langsynth.testing.stub_server --endpoints 4 --latency 0.5 --tokens-per-s 80 \\
        --schema medical_billing --fault 2=die_after:10

prints one ``http://127.0.0.1:PORT/v1`` per line, then ``READY``, and serves until Ctrl-C,
SIGTERM or (with ``--exit-on-eof``) the end of its stdin; on the way out it prints one
``STATS <json>`` line with every endpoint's counters. Only 127.0.0.1 is bound.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from langsynth.errors import ConfigurationError, ServerStartError
from langsynth.testing.stub_fleet import FAULTS, EndpointBehaviour, StubFleet


def parse_fault(text: str) -> tuple[int, EndpointBehaviour]:
    """``INDEX=always``, ``INDEX=hang`` or ``INDEX=die_after:K`` (0-based endpoint index)."""
    index, sep, rest = text.partition("=")
    kind, _, count = rest.partition(":")
    if not sep or not index.strip().isdigit() or kind not in FAULTS or kind == "none":
        raise ConfigurationError(
            f"Bad --fault {text!r}: use INDEX=always, INDEX=hang or INDEX=die_after:K."
        )
    if kind == "die_after" and not count.isdigit():
        raise ConfigurationError(
            f"Bad --fault {text!r}: die_after needs a count, e.g. 0=die_after:5."
        )
    die_after = int(count) if kind == "die_after" else 0
    return int(index.strip()), EndpointBehaviour(fault=kind, die_after=die_after)


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m langsynth.testing.stub_server``."""
    parser = argparse.ArgumentParser(
        prog="python -m langsynth.testing.stub_server",
        description="Simulated OpenAI-compatible endpoints on 127.0.0.1 (no model).",
    )
    parser.add_argument("--endpoints", type=int, default=1, help="number of endpoints (ports)")
    parser.add_argument("--latency", type=float, default=0.05, help="time to first token, s")
    parser.add_argument("--tokens-per-s", type=float, default=200.0, help="decode speed")
    parser.add_argument("--text-tokens", type=int, default=60, help="plain-text answer length")
    parser.add_argument("--schema", action="append", default=[], help="schema (repeatable)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--model", default="stub", help="model id reported by /v1/models")
    parser.add_argument(
        "--fault", action="append", default=[], help="INDEX=always|hang|die_after:K"
    )
    parser.add_argument("--exit-on-eof", action="store_true", help="exit when stdin closes")
    return parser


def behaviours_from(args: argparse.Namespace) -> list[EndpointBehaviour]:
    """One behaviour per endpoint from the parsed command line."""
    out = [
        EndpointBehaviour(
            latency_s=args.latency,
            tokens_per_s=args.tokens_per_s,
            text_tokens=args.text_tokens,
            model=args.model,
        )
        for _ in range(max(1, args.endpoints))
    ]
    for text in args.fault:
        index, fault = parse_fault(text)
        if index >= len(out):
            raise ConfigurationError(f"--fault {text!r}: there are only {len(out)} endpoints.")
        out[index].fault, out[index].die_after = fault.fault, fault.die_after
    return out


async def _serve(args: argparse.Namespace) -> None:
    fleet = StubFleet(args.schema or ["medical_billing"], behaviours_from(args), seed=args.seed)
    urls = await fleet.start()
    print("\n".join(urls), flush=True)
    print("READY", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if args.exit_on_eof:

        def watch() -> None:
            sys.stdin.read()
            loop.call_soon_threadsafe(stop.set)

        threading.Thread(target=watch, daemon=True).start()
    try:
        await stop.wait()
    finally:
        stats = fleet.stats()
        await fleet.stop()
        print("STATS " + json.dumps(stats), flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run a stub fleet until Ctrl-C / SIGTERM (/ stdin EOF)."""
    args = build_parser().parse_args(argv)
    try:
        asyncio.run(_serve(args))
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


class StubServer:
    """A stub fleet in a child process that ends with this one.

    >>> with StubServer(endpoints=2, latency_s=0.1) as stub:  # doctest: +SKIP
    ...     stub.urls
    ['http://127.0.0.1:40111/v1', 'http://127.0.0.1:40113/v1']

    ``faults`` maps an endpoint index to ``always``, ``hang`` or ``die_after:K``.
    :meth:`stop` returns every endpoint's final counters.
    """

    def __init__(
        self,
        endpoints: int = 1,
        *,
        latency_s: float = 0.05,
        tokens_per_s: float = 200.0,
        text_tokens: int = 60,
        schemas: Sequence[str] = ("medical_billing",),
        faults: Mapping[int, str] | None = None,
        seed: int = 0,
        model: str = "stub",
        startup_timeout: float = 60.0,
    ) -> None:
        self.argv = [
            sys.executable,
            "-m",
            "langsynth.testing.stub_server",
            "--exit-on-eof",
            f"--endpoints={endpoints}",
            f"--latency={latency_s}",
            f"--tokens-per-s={tokens_per_s}",
            f"--text-tokens={text_tokens}",
            f"--seed={seed}",
            f"--model={model}",
        ]
        self.argv += [f"--schema={s}" for s in schemas]
        self.argv += [f"--fault={i}={kind}" for i, kind in (faults or {}).items()]
        self.startup_timeout = startup_timeout
        self.urls: list[str] = []
        self.final_stats: list[dict[str, Any]] = []
        self._proc: subprocess.Popen[str] | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def start(self) -> StubServer:
        """Start the child and wait for its URLs."""
        self._proc = subprocess.Popen(
            self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        lines: list[str] = []

        def read() -> None:
            assert self._proc is not None and self._proc.stdout is not None
            for line in self._proc.stdout:
                if line.strip() == "READY":
                    return
                lines.append(line.strip())

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(self.startup_timeout)
        if reader.is_alive() or self._proc.poll() is not None:
            self.stop()
            raise ServerStartError(f"The stub server did not start: {' '.join(lines)[-500:]}")
        self.urls = lines
        return self

    def stats(self) -> list[dict[str, Any]]:
        """Live counters of the endpoints that still answer (``{"dead": True}`` for others)."""
        import httpx

        out: list[dict[str, Any]] = []
        for url in self.urls:
            try:
                reply = httpx.get(url.removesuffix("/v1") + "/stats", timeout=5)
                out.append(reply.json() | {"url": url, "dead": False})
            except httpx.HTTPError:
                out.append({"url": url, "dead": True})
        return out

    def stop(self, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Stop the child; returns each endpoint's final counters (also in ``final_stats``)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return self.final_stats
        try:
            out, _ = proc.communicate(input="", timeout=timeout)  # EOF on stdin: exit
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        for line in (out or "").splitlines():
            if line.startswith("STATS "):
                self.final_stats = json.loads(line[len("STATS ") :])
        return self.final_stats

    def __enter__(self) -> StubServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":
    raise SystemExit(main())
