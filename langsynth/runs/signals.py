"""Ctrl-C and SIGTERM end a run cleanly: files closed, manifest written, lock released.

Ctrl-C raises ``KeyboardInterrupt`` in the main thread already. SIGTERM's default action
kills the process without running ``finally`` blocks, and a job started with ``&`` from a
non-interactive shell starts with SIGINT *ignored* — so SIGTERM is the only clean way to
stop it. While a run is in progress, :func:`graceful_signals` turns SIGTERM (and SIGHUP)
into :class:`~langsynth.errors.RunInterrupted`, which the run engine handles like Ctrl-C.
A ``kill -9`` cannot be caught: the journal's flushed lines survive it, and resume recovers.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from langsynth.errors import RunInterrupted

_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def _raise(signum: int, frame: FrameType | None) -> None:
    name = signal.Signals(signum).name
    raise RunInterrupted(f"stopped by {name}", signum=int(signum))


@contextmanager
def graceful_signals() -> Iterator[None]:
    """Within the block, SIGTERM/SIGHUP raise :class:`RunInterrupted` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[signal.Signals, Any] = {}
    for sig in _SIGNALS:
        current = signal.getsignal(sig)
        if sig == signal.SIGHUP and current is signal.SIG_IGN:
            continue  # started under nohup: keep ignoring hang-ups
        previous[sig] = current
        signal.signal(sig, _raise)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
