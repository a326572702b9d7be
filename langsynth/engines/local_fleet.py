"""Embedded llama.cpp servers as a local fleet of endpoints (for ``serve --replicas`` and tests).

On one machine several servers share the same cores: this shows the wiring of a scale-out
run (Ray actors, several endpoints, faults), not a speed-up.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from langsynth.local import LocalServer, ServerConfig


def embedded_server_config(
    model: str = "local",
    *,
    parallel: int | None = None,
    ctx: int | None = None,
    threads: int | None = None,
) -> tuple[ServerConfig, Path]:
    """The server config (no API key) and GGUF path of ``local``, ``local-large`` or a file."""
    from langsynth.llm import Settings, local_model_path, local_server_config, parse_spec

    settings = Settings.from_env()
    spec = model if model in ("local", "local-large") or ":" in model else f"local:{model}"
    path = Path(local_model_path(parse_spec(spec), settings))
    config = local_server_config(settings, path)
    config.require_key = False
    config.parallel = parallel or config.parallel
    config.ctx_per_slot = ctx or config.ctx_per_slot
    config.threads = threads or config.threads
    return config, path


@contextmanager
def embedded_fleet(
    replicas: int,
    model: str = "local",
    *,
    parallel: int | None = None,
    ctx: int | None = None,
    threads: int | None = None,
) -> Iterator[list[LocalServer]]:
    """``replicas`` embedded servers on free ports of 127.0.0.1, stopped when the block ends."""
    from langsynth.replicas import replica_configs, start_replicas, stop_replicas

    config, _ = embedded_server_config(model, parallel=parallel, ctx=ctx, threads=threads)
    servers = start_replicas(replica_configs(config, replicas))
    try:
        yield servers
    finally:
        stop_replicas(servers)
