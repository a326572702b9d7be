"""The embedded model's server: llama.cpp's OpenAI-compatible server on 127.0.0.1.

:class:`LocalServer` runs it in a child process that stops when this process exits (normal
exit, exception, SIGINT/SIGTERM, or even SIGKILL); the weights it serves come from
:mod:`langsynth.model_files`.

Most code never touches this module: ``langsynth.llm.get_chat_model("local")`` starts
the server lazily and returns a LangChain chat model pointed at it.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pydantic import SecretStr

from langsynth.errors import (
    ServerDiedError,
    ServerStartError,
)
from langsynth.model_files import default_cache_dir

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- server


@dataclass
class ServerConfig:
    """How to run the embedded llama.cpp server."""

    model_path: Path
    parallel: int = 4
    ctx_per_slot: int = 4096
    threads: int = field(default_factory=lambda: os.cpu_count() or 2)
    port: int = 0
    # llama.cpp keeps finished prompts in host RAM for reuse; its default of 8 GiB per
    # server is too much beside a second server on a 24 GiB machine.
    cache_ram_mib: int = 512
    require_key: bool = True
    # llama.cpp saves and restores a slot's KV cache in files here (``acopy_slot``: one
    # prompt prefix processed once, then loaded into every slot); a private temporary folder.
    slot_files: bool = True
    startup_timeout: float = 180.0
    log_dir: Path | None = None
    # Further llama.cpp server settings by their ``common_params`` name (xllamacpp's
    # ``CommonParams``), e.g. ``{"flash_attn_type": 1, "n_ubatch": 256}``; ``threads_batch``
    # sets the prompt-processing threads apart from ``threads``. An unknown name fails the start.
    options: dict[str, Any] = field(default_factory=dict)


def tail_file(path: Path | None, lines: int = 25) -> str:
    if path is None or not path.is_file():
        return ""
    with path.open("r", errors="replace") as fh:
        return "".join(deque(fh, maxlen=lines)).rstrip()


class LocalServer:
    """llama.cpp's OpenAI-compatible server in a child process on 127.0.0.1.

    >>> server = LocalServer(ServerConfig(model_path=ensure_model(SMALL)))  # doctest: +SKIP
    >>> server.start(); server.base_url  # doctest: +SKIP
    'http://127.0.0.1:39217'
    """

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.api_key: SecretStr | None = (
            SecretStr(secrets.token_urlsafe(24)) if config.require_key else None
        )
        self.base_url: str | None = None
        self.log_path: Path | None = None
        self._proc: subprocess.Popen[str] | None = None
        self._log_fh: IO[str] | None = None
        self._slot_dir: Path | None = None

    def __repr__(self) -> str:
        return f"LocalServer(model={self.config.model_path.name!r}, url={self.base_url!r})"

    @property
    def openai_base_url(self) -> str:
        if self.base_url is None:
            raise ServerStartError("The embedded server is not running.")
        return self.base_url + "/v1"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def log_tail(self, lines: int = 25) -> str:
        return tail_file(self.log_path, lines)

    def start(self) -> LocalServer:
        if self.alive():
            return self
        cfg = self.config
        if not Path(cfg.model_path).is_file():
            raise ServerStartError(
                f"Model file {cfg.model_path} does not exist. Check LANGSYNTH_LOCAL_MODEL "
                "or the spec local:/path/model.gguf, or run `langsynth models`."
            )
        log_dir = cfg.log_dir or default_cache_dir() / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"server-{Path(cfg.model_path).stem}-{os.getpid()}.log"
        self._log_fh = self.log_path.open("w")
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "langsynth._server_child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log_fh,
            text=True,
            close_fds=True,
        )
        _register(self)
        if cfg.slot_files:
            self._slot_dir = Path(tempfile.mkdtemp(prefix="langsynth-slots-"))  # mode 0700
        settings = {
            "model_path": str(cfg.model_path),
            "parallel": cfg.parallel,
            "ctx_per_slot": cfg.ctx_per_slot,
            "threads": cfg.threads,
            "port": cfg.port,
            "cache_ram_mib": cfg.cache_ram_mib,
            "slot_save_path": str(self._slot_dir) if self._slot_dir else None,
            "api_key": self.api_key.get_secret_value() if self.api_key else None,
            "options": dict(cfg.options),
        }
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(json.dumps(settings) + "\n")
        self._proc.stdin.flush()
        reply = _readline_with_timeout(self._proc.stdout, cfg.startup_timeout)
        try:
            answer = json.loads(reply) if reply else {}
        except json.JSONDecodeError:
            answer = {"error": f"unexpected output {reply!r}"}
        if "url" not in answer:
            self.stop()
            reason = answer.get("error") or "the server process exited during start-up"
            raise ServerStartError(
                f"The embedded llama.cpp server did not start ({reason}). Is "
                f"{cfg.model_path} a GGUF model? Try `langsynth models`; with less memory, "
                "lower LANGSYNTH_LOCAL_CTX or LANGSYNTH_LOCAL_PARALLEL.",
                self.log_tail(),
            )
        self.base_url = str(answer["url"]).rstrip("/")
        self._wait_healthy(cfg.startup_timeout)
        log.info("Embedded server for %s on %s", Path(cfg.model_path).name, self.base_url)
        return self

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise ServerStartError(
                    "The embedded server exited while loading the model.", self.log_tail()
                )
            if self.healthy():
                return
            time.sleep(0.2)
        self.stop()
        raise ServerStartError(
            f"The embedded server did not answer /health within {timeout:.0f}s.",
            self.log_tail(),
        )

    def healthy(self) -> bool:
        if self.base_url is None:
            return False
        try:
            with urllib.request.urlopen(self.base_url + "/health", timeout=2) as resp:
                return bool(resp.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def check_alive(self) -> None:
        """Raise :class:`ServerDiedError` (with the log tail) if the server is gone."""
        if not self.alive():
            code = self._proc.returncode if self._proc else None
            raise ServerDiedError(
                f"The embedded llama.cpp server stopped (exit code {code}). Records finished "
                "so far are kept; rerun with --resume to continue. If it keeps dying, lower "
                "LANGSYNTH_LOCAL_PARALLEL or LANGSYNTH_LOCAL_CTX (memory).",
                self.log_tail(),
            )

    def stop(self, timeout: float = 10.0) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            try:
                if proc.stdin:
                    proc.stdin.close()  # the child exits on EOF
                proc.wait(timeout=timeout)
            except (subprocess.TimeoutExpired, OSError):
                proc.terminate()
                try:
                    proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            if proc.stdout:
                proc.stdout.close()
        if self._log_fh is not None:
            self._log_fh.close()
            self._log_fh = None
        if self._slot_dir is not None:
            shutil.rmtree(self._slot_dir, ignore_errors=True)
            self._slot_dir = None
        _unregister(self)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _readline_with_timeout(stream: IO[str], timeout: float) -> str:
    result: list[str] = []
    reader = threading.Thread(target=lambda: result.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return result[0] if result else ""


# ------------------------------------------------------------ process-wide lifecycle

_RUNNING: list[LocalServer] = []
_SHARED: dict[tuple[str, int, int, int, str], LocalServer] = {}
_LOCK = threading.Lock()
_HANDLERS_INSTALLED = False


def _register(server: LocalServer) -> None:
    global _HANDLERS_INSTALLED
    _RUNNING.append(server)
    if not _HANDLERS_INSTALLED:
        _HANDLERS_INSTALLED = True
        atexit.register(stop_all)
        _install_sigterm_handler()


def _unregister(server: LocalServer) -> None:
    if server in _RUNNING:
        _RUNNING.remove(server)
    for key, value in list(_SHARED.items()):
        if value is server:
            del _SHARED[key]


def _install_sigterm_handler() -> None:
    # SIGTERM's default action skips atexit; turn it into SystemExit so servers stop.
    # Only when nobody else installed a handler, and only from the main thread.
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:

        def _on_sigterm(signum: int, frame: object) -> None:
            raise SystemExit(128 + signum)

        signal.signal(signal.SIGTERM, _on_sigterm)


def stop_all() -> None:
    """Stop every embedded server this process started."""
    for server in list(_RUNNING):
        server.stop()


def shared_server(config: ServerConfig) -> LocalServer:
    """The one server per (model, slots, context, threads, options) in this process, started
    lazily."""
    key = (
        str(config.model_path),
        config.parallel,
        config.ctx_per_slot,
        config.threads,
        json.dumps(config.options, sort_keys=True),
    )
    with _LOCK:
        server = _SHARED.get(key)
        if server is None or not server.alive():
            if server is not None:
                server.stop()
            server = LocalServer(config)
            server.start()
            _SHARED[key] = server
        return server


async def acopy_slot(
    base_url: str, api_key: str | None, source: int, targets: Iterable[int]
) -> int:
    """Copy slot ``source``'s KV cache (its last prompt) into ``targets`` on a llama.cpp
    server with slot files (``--slot-save-path``; the embedded one has them); returns how
    many slots it was copied into (0 where the server cannot).

    llama.cpp processes a prompt in one slot; a burst of requests that share a long prefix
    would otherwise process it again in every other slot (measured: 4 parallel record
    requests 1.1-1.4 s with the prefix copied, 5.6-8.1 s without). The copy is a file of a
    few MB written and read back in milliseconds.
    """
    import httpx

    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    name = {"filename": f"slot-{source}.bin"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as client:
        saved = await client.post(f"/slots/{source}", params={"action": "save"}, json=name)
        if saved.status_code != 200:
            return 0
        copied = 0
        for target in targets:
            reply = await client.post(f"/slots/{target}", params={"action": "restore"}, json=name)
            copied += reply.status_code == 200
    return copied
