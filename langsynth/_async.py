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


class _Wait:
    """Returned by ``next_item`` when no new work may start until running work finishes."""

    def __repr__(self) -> str:
        return "WAIT"


WAIT = _Wait()


async def work_pool(
    next_item: Callable[[], A | _Wait | None],
    work: Callable[[A], Awaitable[R]],
    done: Callable[[A, R], None],
    *,
    slots: int,
) -> None:
    """The one bounded-concurrency runner: ``slots`` workers pull items until none is left.

    ``next_item()`` is asked for the next unit of work whenever a worker is free: it returns
    an item, ``None`` (no more work: the worker ends) or :data:`WAIT` (nothing may start
    until a running item finishes, e.g. because enough results may already be on their way).
    ``done(item, result)`` runs as each item finishes, in completion order. Both callbacks
    run one at a time (never concurrently), so they may update shared state without locks.
    The first exception cancels the other workers and is re-raised as itself (see
    :func:`first_cause`), not wrapped in an exception group.
    """
    cond = asyncio.Condition()
    running = 0

    async def worker() -> None:
        nonlocal running
        while True:
            async with cond:
                while True:
                    item = next_item()
                    if not isinstance(item, _Wait):
                        break
                    if running == 0:  # nothing can change the answer: stop
                        return
                    await cond.wait()
                if item is None:
                    return
                running += 1
            try:
                result = await work(item)
            finally:
                async with cond:
                    running -= 1
                    cond.notify_all()
            async with cond:
                done(item, result)
                cond.notify_all()

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(max(1, slots)):
                group.create_task(worker())
    except BaseExceptionGroup as errors:
        raise first_cause(errors) from None


async def bounded_map(
    func: Callable[[int, A], Awaitable[R]],
    items: Sequence[A],
    *,
    concurrency: int,
    on_result: Callable[[int, R], None] | None = None,
) -> list[R]:
    """``[await func(i, item) for i, item in enumerate(items)]``, at most ``concurrency`` at once.

    Results keep the input order; ``on_result(index, result)`` fires as each finishes. An
    in-memory convenience over :func:`work_pool` (runs on disk use :mod:`langsynth.runs`).
    """
    results: dict[int, R] = {}
    pending = iter(range(len(items)))

    def next_item() -> int | None:
        return next(pending, None)

    async def work(index: int) -> R:
        return await func(index, items[index])

    def done(index: int, result: R) -> None:
        results[index] = result
        if on_result is not None:
            on_result(index, result)

    await work_pool(next_item, work, done, slots=concurrency)
    return [results[i] for i in range(len(items))]
