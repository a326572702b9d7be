"""Running coroutines from synchronous code: one long-lived event loop in a daemon thread.

Why not ``asyncio.run`` per call: LangChain chat models cache an async HTTP client whose
connections belong to the loop that first used them, so a second ``asyncio.run`` fails with
"Event loop is closed". One private loop for all sync calls avoids that, and also works
inside Jupyter, where the main thread already runs a loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
A = TypeVar("A")
R = TypeVar("R")

_loop: asyncio.AbstractEventLoop | None = None
_thread: threading.Thread | None = None
_lock = threading.Lock()


class _Interrupted(Exception):
    """A KeyboardInterrupt raised inside the loop, carried out as an ordinary exception
    (a bare KeyboardInterrupt escaping a task would stop the loop thread)."""


def _background_loop() -> asyncio.AbstractEventLoop:
    global _loop, _thread
    with _lock:
        if _loop is None or _thread is None or not _thread.is_alive():
            _loop = asyncio.new_event_loop()
            _thread = threading.Thread(target=_loop.run_forever, name="langsynth-loop", daemon=True)
            _thread.start()
        return _loop


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on the shared background loop and wait for its result.

    Ctrl-C while waiting cancels the coroutine, waits for its clean-up (``finally``
    blocks: files closed, manifests written), then re-raises ``KeyboardInterrupt``.
    """
    loop = _background_loop()
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        coro.close()
        raise RuntimeError("run_sync called from langsynth's own loop; await the async API")
    done = threading.Event()

    async def wrapper() -> T:
        try:
            return await coro
        except KeyboardInterrupt as exc:
            raise _Interrupted() from exc
        finally:
            done.set()

    future = asyncio.run_coroutine_threadsafe(wrapper(), loop)
    thread = _thread
    try:
        while True:
            try:
                return future.result(timeout=0.5)
            except concurrent.futures.TimeoutError:
                if thread is None or not thread.is_alive():
                    raise RuntimeError("langsynth's event loop stopped unexpectedly") from None
    except _Interrupted:
        raise KeyboardInterrupt from None
    except KeyboardInterrupt:
        future.cancel()
        done.wait(timeout=60)
        raise


def first_cause(errors: BaseExceptionGroup) -> BaseException:
    """The exception worth re-raising from a task group's wrapper (not a cancellation)."""
    from langsynth.errors import LangsynthError

    flat: list[BaseException] = []

    def walk(group: BaseExceptionGroup) -> None:
        for exc in group.exceptions:
            if isinstance(exc, BaseExceptionGroup):
                walk(exc)
            else:
                flat.append(exc)

    walk(errors)
    for exc in flat:
        if isinstance(exc, LangsynthError):
            return exc
    for exc in flat:
        if not isinstance(exc, asyncio.CancelledError):
            return exc
    return flat[0] if flat else errors


async def bounded_map(
    func: Callable[[int, A], Awaitable[R]],
    items: Sequence[A],
    *,
    concurrency: int,
    on_result: Callable[[int, R], None] | None = None,
) -> list[R]:
    """``[await func(i, item) for i, item in enumerate(items)]``, at most ``concurrency`` at once.

    Results keep the input order; ``on_result(index, result)`` fires as each finishes. The
    first failure cancels the rest and is re-raised as itself (see :func:`first_cause`), not
    wrapped in an exception group.
    """
    semaphore = asyncio.Semaphore(max(1, concurrency))
    results: list[R | None] = [None] * len(items)

    async def one(index: int, item: A) -> None:
        async with semaphore:
            result = await func(index, item)
        results[index] = result
        if on_result is not None:
            on_result(index, result)

    try:
        async with asyncio.TaskGroup() as group:
            for i, item in enumerate(items):
                group.create_task(one(i, item))
    except BaseExceptionGroup as errors:
        raise first_cause(errors) from None
    return [r for r in results if r is not None]
