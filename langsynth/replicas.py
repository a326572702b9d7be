"""Several embedded llama.cpp servers at once: a local fleet for trying scale-out.

``langsynth serve --replicas K`` starts K :class:`~langsynth.local.LocalServer` processes
on 127.0.0.1 (consecutive ports from ``--port``, or free ones), splits the CPU threads
between them, and prints their OpenAI base URLs for ``--endpoints``. On one machine this
shows the wiring, not a speed-up: K servers on the same cores share them.

>>> from pathlib import Path
>>> configs = replica_configs(ServerConfig(Path("m.gguf"), threads=8), 2, port=8080)
>>> [(c.port, c.threads) for c in configs]
[(8080, 4), (8081, 4)]
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from langsynth.errors import ConfigurationError
from langsynth.local import LocalServer, ServerConfig, default_cache_dir

log = logging.getLogger(__name__)


def split_threads(total: int, replicas: int) -> int:
    """CPU threads per replica: an equal share of ``total``, at least one."""
    return max(1, total // max(1, replicas))


def replica_configs(base: ServerConfig, replicas: int, *, port: int = 0) -> list[ServerConfig]:
    """``replicas`` copies of ``base``: ports ``port, port+1, ...`` (0: free ports each),
    ``base.threads`` split between them, a log folder each."""
    if replicas < 1:
        raise ConfigurationError(f"--replicas must be at least 1, got {replicas}.")
    if port and port + replicas - 1 > 65535:
        raise ConfigurationError(f"Ports {port}..{port + replicas - 1} do not exist; lower --port.")
    threads = split_threads(base.threads, replicas)
    if replicas > base.threads:
        log.warning(
            "%d replicas on %d threads: each gets 1 thread and they compete for the cores.",
            replicas,
            base.threads,
        )
    if replicas == 1:
        return [replace(base, port=port, threads=threads)]
    # A server's log is named by model and process: replicas of one process need a folder each.
    logs = base.log_dir or default_cache_dir() / "logs"
    return [
        replace(base, port=port + i if port else 0, threads=threads, log_dir=logs / f"replica-{i}")
        for i in range(replicas)
    ]


def start_replicas(
    configs: Sequence[ServerConfig],
    *,
    server_factory: Callable[[ServerConfig], LocalServer] | None = None,
) -> list[LocalServer]:
    """Start one server per config, one after the other (each loads the model into memory).

    If one fails to start, the ones already running are stopped and the error is raised.
    """
    factory = server_factory or LocalServer
    servers: list[LocalServer] = []
    try:
        for config in configs:
            servers.append(factory(config).start())
    except BaseException:
        stop_replicas(servers)
        raise
    return servers


def stop_replicas(servers: Sequence[LocalServer]) -> None:
    """Stop every server (each waits for its child process to exit)."""
    for server in servers:
        server.stop()


def wait_replicas(
    servers: Sequence[LocalServer],
    *,
    on_exit: Callable[[LocalServer], None] | None = None,
    poll_s: float = 0.5,
) -> None:
    """Block until every server has stopped; ``on_exit(server)`` fires as each one dies.

    Ctrl-C (``KeyboardInterrupt``) and SIGTERM (``SystemExit``, see :mod:`langsynth.local`)
    propagate: the caller stops the rest.
    """
    running = list(servers)
    while running:
        for server in [s for s in running if not s.alive()]:
            running.remove(server)
            if on_exit is not None:
                on_exit(server)
        if running:
            time.sleep(poll_s)


def endpoints_line(servers: Sequence[LocalServer]) -> str:
    """The servers' OpenAI base URLs as one ``--endpoints`` value."""
    return ",".join(s.openai_base_url for s in servers)
