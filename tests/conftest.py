"""Test set-up: unit tests run with sockets disabled; integration tests use the embedded model.

Integration and notebook tests are marked; they get sockets (loopback only is used) and
share one embedded llama.cpp server per session (``local_llm``). Browser tests get sockets
too: Selenium talks to chromedriver over a loopback port.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes import FakeChatModel

os.environ.setdefault("LANGSYNTH_NOTEBOOK_SIZE", "small")
# No test reaches the Hugging Face Hub, and its client reports nothing (read on import).
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        # Ray's driver talks gRPC to its local daemons and looks up its node address.
        if any(item.get_closest_marker(m) for m in ("integration", "notebook", "ray", "browser")):
            item.add_marker(pytest.mark.enable_socket)


RAY_MISSING = "Ray is not installed: pip install 'langsynth[ray]' (make test installs it)"


@pytest.fixture(scope="session")
def ray_instance() -> Iterator[Any]:
    """A local Ray instance for the whole session: 2 CPUs, no dashboard, no usage statistics.

    Started on first use (about 3 s) and shut down at the end; tests marked ``ray`` use it.
    """
    ray = pytest.importorskip("ray", reason=RAY_MISSING)
    from langsynth.engines.ray import init_ray

    if ray.is_initialized():  # pragma: no cover - a test left one behind
        ray.shutdown()
    init_ray(
        "local",
        num_cpus=2,
        object_store_memory=200 * 1024 * 1024,
        log_to_driver=False,  # worker output stays in Ray's session logs
    )
    yield ray
    ray.shutdown()


@pytest.fixture(scope="session")
def local_llm() -> Iterator[object]:
    """A chat model on the embedded server (started once per test session)."""
    from langsynth import local
    from langsynth.llm import get_chat_model

    llm = get_chat_model("local", temperature=0.7, seed=1234, max_tokens=512)
    yield llm
    server = getattr(llm, "_server", None)
    local.stop_all()
    if server is not None:  # started here, not an external LANGSYNTH_LOCAL_URL server
        assert not server.alive(), "the embedded server outlived the test session"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    """No model settings leak in from the developer's environment or .env."""
    for name in list(os.environ):
        if name.startswith("LANGSYNTH_") or name == "OPENAI_API_KEY":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]


@pytest.fixture
def use_fake(monkeypatch: pytest.MonkeyPatch) -> list[FakeChatModel]:
    """Each get_chat_model call returns the next fake installed in the list."""
    models: list[FakeChatModel] = []

    def fake_get_chat_model(spec: str | None = None, **kwargs: Any) -> FakeChatModel:
        return models.pop(0)

    monkeypatch.setattr("langsynth.llm.get_chat_model", fake_get_chat_model)
    return models
