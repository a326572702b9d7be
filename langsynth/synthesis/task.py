"""What the synthesis components share: a text call to the model and a bounded-concurrency runner.

Every component (stories, textbook excerpts, labeled texts, instructions, augmentation) is an
:class:`LLMTask`: a LangChain ``Runnable`` whose one step is an ``async`` method, so
``invoke``/``ainvoke``/``batch``/``abatch`` all work and the CLI can stream results as they
finish (``aiter_results``) and write each row as soon as it is produced.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable, RunnableConfig

from langsynth._async import run_sync
from langsynth.errors import ServerError

In = TypeVar("In")
Out = TypeVar("Out")
T = TypeVar("T")


@dataclass(frozen=True)
class Completion:
    """A model's text answer with what it cost and whether it was cut off by ``max_tokens``."""

    text: str
    output_tokens: int = 0
    truncated: bool = False


def messages_for(prompt: str, system: str | None = None) -> list[BaseMessage]:
    """A chat message list: optional system prompt, then the user prompt."""
    messages: list[BaseMessage] = [SystemMessage(system)] if system else []
    messages.append(HumanMessage(prompt))
    return messages


def _completion(message: Any) -> Completion:
    content = message.content if isinstance(message.content, str) else str(message.content)
    usage = getattr(message, "usage_metadata", None) or {}
    finish = (getattr(message, "response_metadata", None) or {}).get("finish_reason")
    return Completion(content.strip(), int(usage.get("output_tokens", 0)), finish == "length")


async def acomplete(
    llm: BaseChatModel,
    prompt: str,
    *,
    system: str | None = None,
    config: RunnableConfig | None = None,
) -> Completion:
    """Ask ``llm`` for plain text."""
    return _completion(await llm.ainvoke(messages_for(prompt, system), config=config))


# Refusals are not data worth training on (the cleaned Alpaca data drops them too).
REFUSALS = (
    "as an ai language model",
    "as an ai assistant, i cannot",
    "i cannot fulfill",
    "i cannot assist",
    "i can't assist",
    "i cannot discuss",
    "i'm sorry, but i can",
    "i am sorry, but i can",
    "i'm unable to",
)


def is_refusal(text: str) -> bool:
    """Whether a model answer is a refusal ("I'm sorry, but I can't assist with that.")."""
    lowered = " ".join(text.lower().replace("\u2019", "'").split())
    return any(r in lowered for r in REFUSALS)


def row_error(exc: BaseException) -> str:
    """A one-line reason for a failed row (type and message)."""
    return f"{type(exc).__name__}: {exc}".strip()


def is_fatal(exc: BaseException) -> bool:
    """Errors that end a batch instead of failing one row: the model server is gone."""
    return isinstance(exc, ServerError | KeyboardInterrupt | asyncio.CancelledError)


class LLMTask(Runnable[In, Out], Generic[In, Out]):
    """A Runnable whose work is :meth:`_arun`; adds streaming and "until N accepted" runners.

    Subclasses implement ``async def _arun(self, input, config) -> Out`` and must not raise
    for a bad row: they return a result that carries the error instead.
    """

    concurrency: int = 4

    async def _arun(self, input: In, config: RunnableConfig | None) -> Out:
        raise NotImplementedError

    def invoke(self, input: In, config: RunnableConfig | None = None, **kwargs: Any) -> Out:
        return run_sync(self._arun(input, config))

    async def ainvoke(self, input: In, config: RunnableConfig | None = None, **kwargs: Any) -> Out:
        return await self._arun(input, config)

    async def aiter_results(
        self, inputs: Iterable[In], *, concurrency: int | None = None
    ) -> AsyncIterator[tuple[int, Out]]:
        """Yield ``(index, result)`` as each input finishes, at most ``concurrency`` at a time."""
        limit = max(1, concurrency or self.concurrency)
        items = list(inputs)
        queue: asyncio.Queue[tuple[int, Out] | BaseException] = asyncio.Queue()
        semaphore = asyncio.Semaphore(limit)

        async def one(index: int, item: In) -> None:
            async with semaphore:
                try:
                    await queue.put((index, await self._arun(item, None)))
                except BaseException as exc:
                    await queue.put(exc)

        tasks = [asyncio.ensure_future(one(i, item)) for i, item in enumerate(items)]
        try:
            for _ in tasks:
                got = await queue.get()
                if isinstance(got, BaseException):
                    raise got
                yield got
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def arun_many(self, inputs: Iterable[In], *, concurrency: int | None = None) -> list[Out]:
        """Results for all inputs, in input order."""
        items = list(inputs)
        results: list[Out | None] = [None] * len(items)
        async for index, result in self.aiter_results(items, concurrency=concurrency):
            results[index] = result
        return results  # type: ignore[return-value]

    def run_many(self, inputs: Iterable[In], *, concurrency: int | None = None) -> list[Out]:
        """Sync :meth:`arun_many`."""
        return run_sync(self.arun_many(inputs, concurrency=concurrency))

    async def aiter_until(
        self,
        inputs: Iterator[In],
        n: int,
        accept: Callable[[Out], bool],
        *,
        max_attempts: int | None = None,
        concurrency: int | None = None,
    ) -> AsyncIterator[tuple[bool, Out]]:
        """Run inputs from ``inputs`` until ``n`` results are accepted (or attempts run out).

        Yields ``(accepted, result)`` for every attempt as it finishes. ``max_attempts``
        (default ``3 * n``) bounds the cost when the model rarely satisfies ``accept``.
        """
        budget = max_attempts if max_attempts is not None else 3 * n
        limit = max(1, concurrency or self.concurrency)
        accepted = attempts = 0
        while accepted < n and attempts < budget:
            # Only as many as still needed: a result beyond n would be paid for and thrown away.
            wave = min(budget - attempts, n - accepted)
            batch = [item for _, item in zip(range(wave), inputs, strict=False)]
            if not batch:
                return
            attempts += len(batch)
            async for _, result in self.aiter_results(batch, concurrency=limit):
                ok = accepted < n and accept(result)
                accepted += ok
                yield ok, result


def balanced(values: Sequence[T], n: int, rng: Any) -> list[T]:
    """``n`` values cycling through ``values`` (counts differ by at most one), shuffled."""
    out = [values[i % len(values)] for i in range(n)]
    rng.shuffle(out)
    return out
