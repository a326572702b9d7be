"""run_sync: one long-lived loop for every synchronous entry point, interrupts propagate."""

from __future__ import annotations

import asyncio

import pytest

from langsynth._async import run_sync


async def current_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


def test_successive_calls_share_one_event_loop() -> None:
    # Pooled HTTP connections of the cached async OpenAI client belong to the loop that
    # opened them: a second asyncio.run would find them bound to a closed loop.
    first = run_sync(current_loop())
    second = run_sync(current_loop())
    assert first is second and first.is_running()


def test_exceptions_reach_the_caller() -> None:
    async def boom() -> None:
        raise ValueError("bad row")

    with pytest.raises(ValueError, match="bad row"):
        run_sync(boom())


def test_keyboard_interrupt_in_a_child_task_reaches_the_caller_and_the_loop_survives() -> None:
    async def child(i: int) -> None:
        await asyncio.sleep(0.01 * i)
        if i == 1:
            raise KeyboardInterrupt
        await asyncio.sleep(5)

    async def main() -> None:
        async with asyncio.TaskGroup() as group:
            for i in range(3):
                group.create_task(child(i))

    with pytest.raises(KeyboardInterrupt):
        run_sync(main())
    assert run_sync(asyncio.sleep(0, result="still serving")) == "still serving"


async def test_works_when_the_calling_thread_already_runs_a_loop() -> None:
    # as in a notebook cell
    assert run_sync(asyncio.sleep(0, result=7)) == 7
