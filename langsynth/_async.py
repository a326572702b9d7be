"""Running a coroutine from synchronous code, also inside Jupyter (where a loop already runs).

Every synchronous entry point (``generate()``, ``run()``, ``invoke()``, ...) runs its coroutine
on ONE long-lived event loop in a background thread. A fresh ``asyncio.run`` per call would
break the next call: langchain-openai caches one async HTTP client per base URL for the whole
process, and its pooled connections belong to the loop that opened them, so a second
``asyncio.run`` fails with "Event loop is closed" (e.g. ``RecordGenerator.generate`` followed
by a round trip in the same process).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar, cast

T = TypeVar("T")

_loop: asyncio.AbstractEventLoop | None = None
_thread: threading.Thread | None = None
_lock = threading.Lock()
_active: dict[int, tuple[concurrent.futures.Future[Any], dict[str, BaseException]]] = {}


def _serve(loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(loop)
    while True:
        try:
            loop.run_forever()
            return
        except BaseException as exc:
            # A task raised KeyboardInterrupt/SystemExit, which asyncio lets escape the loop
            # (``asyncio.run`` would re-raise it to its caller). Cancel the running calls, hand
            # them the exception, and keep serving.
            with _lock:
                calls = list(_active.values())
            for future, state in calls:
                state.setdefault("interrupt", exc)
                future.cancel()


def _background_loop() -> tuple[asyncio.AbstractEventLoop, threading.Thread]:
    global _loop, _thread
    with _lock:
        if _loop is None or _thread is None or not _thread.is_alive() or _loop.is_closed():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(
                target=_serve, args=(loop,), name="langsynth-async", daemon=True
            )
            thread.start()
            _loop, _thread = loop, thread
        return _loop, _thread


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion on langsynth's background event loop and return its result.

    Works from plain scripts and from a notebook cell (whose thread already runs a loop).
    Ctrl-C cancels the coroutine, waits briefly for it to unwind, and re-raises.
    """
    loop, thread = _background_loop()
    if threading.current_thread() is thread:
        # Called from code already running on the background loop: use a private loop.
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, coro).result()
    finished = threading.Event()

    async def runner() -> tuple[bool, Any]:
        try:
            return True, await coro
        except (KeyboardInterrupt, SystemExit) as exc:
            # Hand these to the calling thread instead of letting them stop the loop.
            return False, exc
        finally:
            finished.set()

    future = asyncio.run_coroutine_threadsafe(runner(), loop)
    state: dict[str, BaseException] = {}
    with _lock:
        _active[id(future)] = (future, state)
    try:
        ok, value = future.result()
    except concurrent.futures.CancelledError:
        if "interrupt" not in state:
            raise
        finished.wait(timeout=10)
        raise state["interrupt"] from None
    except KeyboardInterrupt:
        future.cancel()
        finished.wait(timeout=10)
        raise
    finally:
        with _lock:
            _active.pop(id(future), None)
    if not ok:
        raise value
    return cast("T", value)


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
