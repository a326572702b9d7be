"""Running a coroutine from synchronous code, also inside Jupyter (where a loop already runs).

Every synchronous call in a thread runs on that thread's *persistent* event loop rather than a
fresh ``asyncio.run`` loop each time: langchain-openai caches one async HTTP client per base
URL, and its pooled connections belong to the loop that opened them; a second ``asyncio.run``
would reuse them from a new loop and fail with "Event loop is closed". Like ``asyncio.run``,
each call cancels the tasks it leaves behind, and Ctrl-C (or a ``KeyboardInterrupt`` raised
inside) propagates to the caller.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_local = threading.local()
_runners: list[asyncio.Runner] = []
_worker: concurrent.futures.ThreadPoolExecutor | None = None
_lock = threading.Lock()


def _runner() -> asyncio.Runner:
    runner: asyncio.Runner | None = getattr(_local, "runner", None)
    if runner is None:
        runner = asyncio.Runner()
        _local.runner = runner
        with _lock:
            _runners.append(runner)
    return runner


def _cancel_leftovers(loop: asyncio.AbstractEventLoop) -> None:
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


def _run_here(coro: Coroutine[Any, Any, T]) -> T:
    runner = _runner()
    try:
        return runner.run(coro)
    finally:
        _cancel_leftovers(runner.get_loop())


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion from synchronous code and return its result.

    In a thread with a running loop (a notebook cell) it runs on a private worker thread.
    """
    global _worker
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _run_here(coro)
    with _lock:
        if _worker is None:
            _worker = concurrent.futures.ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="langsynth-sync"
            )
        worker = _worker
    return worker.submit(_run_here, coro).result()


@atexit.register
def _close_runners() -> None:
    for runner in _runners:
        with contextlib.suppress(Exception):  # best effort at interpreter exit
            runner.close()
