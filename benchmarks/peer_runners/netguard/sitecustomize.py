"""Network guard of the peers benchmark (``benchmarks/peers.py``).

The benchmark puts this folder on ``PYTHONPATH`` of every tool it runs, so Python imports this
module at start-up in the tool's process and in every Python child process it starts. With
``PEERS_NETGUARD_LOG`` set, an audit hook refuses every DNS look-up and connection that is not
to loopback (the benchmark's model server is on 127.0.0.1) and appends one JSON line per refused
attempt to that file: what was asked for and which code asked. A telemetry call, a cost-map or
tokenizer download then fails at once instead of leaving the machine, and the report names it.
Connections made below Python (C or Rust code) are caught by the benchmark's ``strace`` instead.
"""

from __future__ import annotations

import os

_LOG = os.environ.get("PEERS_NETGUARD_LOG")

if _LOG:
    import json
    import socket
    import sys
    import time
    import traceback
    from typing import Any

    _LOCAL_NAMES = {"localhost", "ip6-localhost", "ip6-loopback", "::1", "0.0.0.0", "::"}
    _WATCHED = {"socket.getaddrinfo", "socket.gethostbyname", "socket.connect", "socket.sendto"}

    def _is_local(host: Any) -> bool:
        if host is None:
            return True
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        name = str(host).strip("[]").lower()
        return name in _LOCAL_NAMES or name.startswith("127.") or name.startswith("::ffff:127.")

    def _where() -> list[str]:
        frames = traceback.extract_stack()[:-3]
        return [f"{f.filename}:{f.lineno}" for f in frames[-16:]]

    def _log(event: str, target: str) -> None:
        entry = {"t": time.time(), "pid": os.getpid(), "event": event, "target": target}
        entry["where"] = _where()
        with open(_LOG, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry) + "\n")

    def _hook(event: str, args: tuple[Any, ...]) -> None:
        if event not in _WATCHED:
            return
        if event in ("socket.getaddrinfo", "socket.gethostbyname"):
            host = args[0]
            if not _is_local(host):
                _log(event, f"{host}:{args[1] if len(args) > 1 else ''}")
                raise socket.gaierror(
                    socket.EAI_NONAME, f"peers benchmark: look-up of {host!r} refused (no network)"
                )
            return
        sock, address = args[0], args[1]
        if getattr(sock, "family", None) not in (socket.AF_INET, socket.AF_INET6):
            return  # Unix sockets and the like never leave the machine
        host = address[0] if isinstance(address, tuple) and address else address
        if not _is_local(host):
            _log(event, f"{host}:{address[1] if isinstance(address, tuple) else ''}")
            raise ConnectionRefusedError(
                f"peers benchmark: connection to {host!r} refused (no network)"
            )

    sys.addaudithook(_hook)
