"""The embedded llama.cpp server, for real: completion, structured output, lifecycle."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from pydantic import BaseModel, Field

pytestmark = pytest.mark.integration


class Film(BaseModel):
    title: str = Field(min_length=1)
    year: int = Field(ge=1888, le=2030)


def test_plain_completion(local_llm) -> None:  # type: ignore[no-untyped-def]
    reply = local_llm.invoke("Reply with one word: the colour of the sky on a clear day.")
    assert isinstance(reply.content, str) and reply.content.strip()
    assert reply.usage_metadata["output_tokens"] > 0


def test_structured_output_returns_a_valid_object(local_llm) -> None:  # type: ignore[no-untyped-def]
    structured = local_llm.with_structured_output(Film, method="json_schema")
    film = structured.invoke("Name one famous science fiction film and its release year.")
    assert isinstance(film, Film)
    assert 1888 <= film.year <= 2030


def test_a_burst_finds_the_shared_prefix_in_every_slot(local_llm) -> None:  # type: ignore[no-untyped-def]
    """After the generator's warm-up each of the server's slots holds the few-shot prefix:
    the next burst of one request per slot processes only the per-record part."""
    import asyncio

    import httpx
    from langchain_core.messages import convert_to_openai_messages

    from langsynth._async import run_sync
    from langsynth.chains.generator import RecordGenerator

    local_llm.invoke("hi")  # the server is up
    slots = local_llm._server.config.parallel
    gen = RecordGenerator("medical_billing", local_llm, seed=3)
    key = local_llm.openai_api_key.get_secret_value()

    async def burst() -> list[dict[str, int]]:
        await gen.aprepare(slots)
        bodies = [
            {
                "messages": convert_to_openai_messages(gen.messages(gen.hints(i))),
                "max_tokens": 1,
            }
            for i in range(slots)
        ]
        headers = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(headers=headers, timeout=300) as client:
            url = local_llm.openai_api_base + "/chat/completions"
            replies = await asyncio.gather(*(client.post(url, json=b) for b in bodies))
        return [r.json()["timings"] for r in replies]

    # the library's own loop: asyncio.run would close the loop the shared async HTTP client
    # (cached by langchain-openai per server) is bound to, for every later test
    timings = run_sync(burst())
    prefix = len(gen._fixed_text) // 8  # tokens: far fewer than the prefix's ~450
    assert all(t["cache_n"] > prefix for t in timings), timings
    assert all(t["prompt_n"] < t["cache_n"] for t in timings), timings


def _wait_gone(pid: int, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        # a zombie still answers kill(0); check its state
        try:
            with open(f"/proc/{pid}/stat") as fh:
                if fh.read().split()[2] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.2)
    return False


SCRIPT = textwrap.dedent(
    """
    import signal, sys, time
    # A shell without job control (CI, `cmd &`) starts jobs with SIGINT ignored, and Python
    # then never raises KeyboardInterrupt; restore it, as in an interactive session.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from langsynth.llm import get_chat_model
    llm = get_chat_model("local")
    print(llm._server.pid, flush=True)
    mode = sys.argv[1]
    if mode == "exit":
        sys.exit(0)
    if mode == "error":
        raise RuntimeError("boom")
    time.sleep(600)
    """
)


@pytest.mark.parametrize("mode", ["exit", "error", "sigterm", "sigint", "sigkill"])
def test_server_stops_when_parent_ends(mode: str) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, mode if mode in ("exit", "error") else "wait"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    child_pid = int(proc.stdout.readline())
    if mode == "sigterm":
        proc.send_signal(signal.SIGTERM)
    elif mode == "sigint":
        proc.send_signal(signal.SIGINT)
    elif mode == "sigkill":
        proc.kill()
    try:
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:  # do not leave a hung parent (and its server) behind
            proc.kill()
            proc.wait()
    assert _wait_gone(child_pid), f"server child {child_pid} still running after parent {mode}"


def test_llama_cpp_options_reach_the_server_and_an_unknown_one_is_a_clear_error() -> None:
    from langsynth.errors import ServerStartError
    from langsynth.local import LocalServer, ServerConfig
    from langsynth.model_files import SMALL, ensure_model

    path = ensure_model(SMALL)
    with pytest.raises(ServerStartError, match=r"unknown llama\.cpp server option 'n_ubatchh'"):
        LocalServer(ServerConfig(path, parallel=1, options={"n_ubatchh": 128})).start()
    server = LocalServer(
        ServerConfig(path, parallel=1, ctx_per_slot=1024, options={"flash_attn_type": 0})
    ).start()
    try:
        assert server.healthy()
    finally:
        server.stop()
