"""``langsynth serve --replicas 2`` for real: two embedded servers answer, SIGTERM/Ctrl-C stop both.

Run under the model lock (two servers at once): flock /tmp/langsynth-model.lock pytest ...
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
import time

import httpx
import pytest

pytestmark = pytest.mark.integration

# A shell without job control starts jobs with SIGINT ignored; restore it, as a terminal has.
SERVE = textwrap.dedent(
    """
    import signal, sys
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from langsynth.cli import main
    sys.argv = ["langsynth", "serve", "--replicas", "2", "--parallel", "1", "--ctx", "1024"]
    main()
    """
)


def _start() -> tuple[subprocess.Popen[str], list[str], list[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVE], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: list[str] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip())
            if line.startswith("--endpoints "):
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(300)
    urls = [line for line in lines if line.startswith("http://127.0.0.1:")]
    return proc, urls, lines


def _closed(url: str) -> bool:
    try:
        httpx.get(url.removesuffix("/v1") + "/health", timeout=2)
    except httpx.HTTPError:
        return True
    return False


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_two_replicas_serve_and_stop_together(stop: signal.Signals) -> None:
    proc, urls, lines = _start()
    try:
        assert len(urls) == 2, "\n".join(lines)
        assert f"--endpoints {','.join(urls)}" in lines
        for url in urls:
            assert httpx.get(url.removesuffix("/v1") + "/health", timeout=10).status_code == 200
            reply = httpx.post(
                url + "/chat/completions",
                json={"messages": [{"role": "user", "content": "Say hi"}], "max_tokens": 4},
                timeout=120,
            ).json()
            assert reply["usage"]["completion_tokens"] > 0
        proc.send_signal(stop)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:  # never leave the servers behind
            proc.kill()
            proc.wait()
    deadline = time.monotonic() + 20
    while not all(_closed(u) for u in urls) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert all(_closed(u) for u in urls), "a replica outlived `langsynth serve`"
