"""Child process that runs llama.cpp's HTTP server through xllamacpp.

Started by :class:`langsynth.local.LocalServer`; not a public entry point. Protocol:
the parent writes one JSON line with the settings to stdin, the child answers one
JSON line on stdout (``{"url": ...}`` or ``{"error": ...}``) and then serves until
its stdin reaches EOF, which happens when the parent exits for any reason,
including SIGKILL. llama.cpp's own log goes to stderr, which the parent points at a file.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys


def _die_with_parent() -> None:
    # Linux only: ask the kernel to SIGTERM us when the parent dies, as a second line
    # of defence behind the stdin EOF watch below.
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except OSError:
        pass


def main() -> int:
    # Ctrl-C in a terminal reaches the whole process group; the parent decides when we stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    settings = json.loads(sys.stdin.readline())
    try:
        import xllamacpp

        params = xllamacpp.CommonParams()
        params.model.path = settings["model_path"]
        params.n_parallel = int(settings["parallel"])
        params.n_ctx = int(settings["ctx_per_slot"]) * int(settings["parallel"])
        params.cpuparams.n_threads = int(settings["threads"])
        params.cpuparams_batch.n_threads = int(settings["threads"])
        params.hostnames = ["127.0.0.1"]
        params.port = int(settings.get("port", 0))
        params.use_jinja = True
        params.endpoint_metrics = True
        params.cache_prompt = True
        params.cache_ram_mib = int(settings.get("cache_ram_mib", 512))
        params.ui = False
        if settings.get("slot_save_path"):
            params.slot_save_path = settings["slot_save_path"]
        if settings.get("api_key"):
            params.api_keys = [settings["api_key"]]
        for name, value in settings.get("options", {}).items():
            if name == "threads_batch":
                params.cpuparams_batch.n_threads = int(value)
            elif name.startswith("_") or not hasattr(params, name):
                raise ValueError(f"unknown llama.cpp server option {name!r}")
            else:
                setattr(params, name, value)
        server = xllamacpp.Server(params)
        url = str(server.listening_address)
    except BaseException as exc:  # report any start-up failure to the parent, then exit
        sys.stdout.write(json.dumps({"error": f"{type(exc).__name__}: {exc}"}) + "\n")
        sys.stdout.flush()
        return 1
    sys.stdout.write(json.dumps({"url": url, "pid": os.getpid()}) + "\n")
    sys.stdout.flush()
    # Serve until the parent closes our stdin (normal stop or parent death).
    while sys.stdin.readline():
        pass
    os._exit(0)


if __name__ == "__main__":
    raise SystemExit(main())
