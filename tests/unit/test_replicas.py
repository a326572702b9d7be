"""``langsynth serve --replicas``: configs, start/stop/wait of several servers (fake servers)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, ClassVar

import pytest
from typer.testing import CliRunner

from langsynth.cli import app
from langsynth.errors import ConfigurationError, ServerDiedError, ServerStartError
from langsynth.local import ServerConfig
from langsynth.replicas import (
    endpoints_line,
    replica_configs,
    split_threads,
    start_replicas,
    stop_replicas,
    wait_replicas,
)


class FakeServer:
    """Stands in for LocalServer: 'runs' for ``lives`` polls of alive(), then dies."""

    started: ClassVar[list[FakeServer]] = []
    fail_on: int | None = None  # the n-th start (0-based) raises
    lives: int = 2

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.running = False
        self.stopped = False
        self.polls = 0
        self.base_url: str | None = None
        self.log_path = Path("/tmp/fake.log")

    @property
    def openai_base_url(self) -> str:
        return f"{self.base_url}/v1"

    def start(self) -> FakeServer:
        if FakeServer.fail_on == len(FakeServer.started):
            raise ServerStartError("no memory for a third model")
        port = self.config.port or 40000 + len(FakeServer.started)
        self.base_url = f"http://127.0.0.1:{port}"
        self.running = True
        FakeServer.started.append(self)
        return self

    def alive(self) -> bool:
        self.polls += 1
        if self.polls > self.lives:
            self.running = False
        return self.running and not self.stopped

    def check_alive(self) -> None:
        if not self.alive():
            raise ServerDiedError("the embedded llama.cpp server stopped")

    def stop(self) -> None:
        self.stopped = True
        self.running = False


@pytest.fixture(autouse=True)
def fresh_fakes() -> None:
    FakeServer.started = []
    FakeServer.fail_on = None
    FakeServer.lives = 2


def base(tmp_path: Path, threads: int = 8) -> ServerConfig:
    return ServerConfig(model_path=tmp_path / "m.gguf", threads=threads, log_dir=tmp_path)


def test_threads_are_split_and_never_zero() -> None:
    assert [split_threads(8, k) for k in (1, 2, 3, 8, 16)] == [8, 4, 2, 1, 1]


def test_replicas_get_consecutive_ports_split_threads_and_a_log_folder_each(
    tmp_path: Path,
) -> None:
    configs = replica_configs(base(tmp_path), 3, port=8080)
    assert [c.port for c in configs] == [8080, 8081, 8082]
    assert {c.threads for c in configs} == {2}
    assert len({c.log_dir for c in configs}) == 3
    assert all(c.model_path == tmp_path / "m.gguf" and c.parallel == 4 for c in configs)
    assert [c.port for c in replica_configs(base(tmp_path), 2)] == [0, 0]  # free ports each
    assert replica_configs(base(tmp_path), 1, port=9000)[0].log_dir == tmp_path


def test_bad_replica_counts_and_ports_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="at least 1"):
        replica_configs(base(tmp_path), 0)
    with pytest.raises(ConfigurationError, match="lower --port"):
        replica_configs(base(tmp_path), 3, port=65534)


def test_more_replicas_than_threads_warns(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="langsynth.replicas"):
        replica_configs(base(tmp_path, threads=2), 4)
    assert "compete for the cores" in caplog.text


def test_a_replica_that_fails_to_start_stops_the_ones_already_running(tmp_path: Path) -> None:
    FakeServer.fail_on = 2
    with pytest.raises(ServerStartError):
        start_replicas(replica_configs(base(tmp_path), 3), server_factory=FakeServer)  # type: ignore[arg-type]
    assert len(FakeServer.started) == 2
    assert all(s.stopped for s in FakeServer.started)


def test_wait_returns_when_all_stopped_and_reports_each_exit(tmp_path: Path) -> None:
    servers: Any = start_replicas(replica_configs(base(tmp_path), 2), server_factory=FakeServer)  # type: ignore[arg-type]
    servers[1].lives = 5
    exits: list[Any] = []
    wait_replicas(servers, on_exit=exits.append, poll_s=0.001)
    assert exits == [servers[0], servers[1]]
    assert endpoints_line(servers) == "http://127.0.0.1:40000/v1,http://127.0.0.1:40001/v1"
    stop_replicas(servers)
    assert all(s.stopped for s in servers)


def test_serve_replicas_prints_one_url_per_line_and_the_endpoints_option(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, clean_env: None
) -> None:
    monkeypatch.setattr("langsynth.replicas.LocalServer", FakeServer)
    FakeServer.lives = 3
    model = tmp_path / "m.gguf"
    result = CliRunner().invoke(
        app,
        ["serve", "--model", str(model), "--replicas", "2", "--port", "8100", "--threads", "2"],
    )
    lines = result.output.splitlines()
    assert "http://127.0.0.1:8100/v1" in lines and "http://127.0.0.1:8101/v1" in lines
    assert "--endpoints http://127.0.0.1:8100/v1,http://127.0.0.1:8101/v1" in lines
    assert "1 threads, 4 slots each" in result.output
    # The fakes die on their own: the first is reported, the last one's death is the error.
    assert "8100/v1 stopped" in result.output
    assert isinstance(result.exception, ServerDiedError)
    assert all(s.stopped for s in FakeServer.started)


def test_serve_one_server_keeps_its_usual_output(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, clean_env: None
) -> None:
    monkeypatch.setattr("langsynth.replicas.LocalServer", FakeServer)
    result = CliRunner().invoke(app, ["serve", "--model", str(tmp_path / "m.gguf")])
    assert "OpenAI base URL: http://127.0.0.1:40000/v1" in result.output
    assert "export LANGSYNTH_LOCAL_URL=http://127.0.0.1:40000" in result.output
