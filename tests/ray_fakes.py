"""Components for the Ray pool tests, in a module of their own so that a Ray worker
unpickling a factory imports only this (not pytest and the test module: ~2 s a worker)."""

from __future__ import annotations

import asyncio
import os
import threading
from typing import Any


class Unpicklable(Exception):
    """An exception that cannot cross processes (it holds a lock)."""

    def __init__(self, lock: Any) -> None:
        self.lock = lock
        super().__init__("holds a lock")


class Echo:
    """A fake component on one endpoint; ``mode`` (the endpoint's, or the call's) says how
    it behaves: ok, refuse, hang, die, bug, config, odd."""

    def __init__(self, url: str, mode: str, delay: float) -> None:
        self.url, self.mode, self.delay = url, mode, delay
        self.active = 0
        self.peak = 0

    async def run(self, arg: Any) -> dict[str, Any]:
        mode = arg.get("mode", self.mode) if isinstance(arg, dict) else self.mode
        self.active += 1
        self.peak = max(self.peak, self.active)
        try:
            await asyncio.sleep(self.delay)
            if mode == "refuse":
                import httpx

                raise httpx.ConnectError("connection refused")
            if mode == "hang":
                await asyncio.sleep(3600)
            if mode == "die":
                os._exit(1)
            if mode == "bug":
                raise TypeError("a bug in the component")
            if mode == "config":
                from langsynth.errors import ConfigurationError

                raise ConfigurationError("a setting is wrong everywhere")
            if mode == "odd":
                raise Unpicklable(threading.Lock())
            return {"arg": arg, "url": self.url, "peak": self.peak}
        finally:
            self.active -= 1


def make_echo(llm: Any, modes: dict[str, str], delay: float = 0.05) -> Echo:
    """The factory: the endpoint's mode is looked up by the chat model's base URL."""
    url = str(llm.openai_api_base)
    return Echo(url, modes.get(url, "ok"), delay)


def make_generator(llm: Any) -> Any:
    """A real RecordGenerator on the endpoint (for the stub endpoint tests)."""
    from langsynth.chains.generator import RecordGenerator

    return RecordGenerator("medical_billing", llm, max_retries=1)
