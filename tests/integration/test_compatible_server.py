"""Structured output through the real ``langchain_openai.ChatOpenAI`` on a local server.

The embedded llama.cpp server stands in for any OpenAI-compatible server (vLLM, Ollama,
LM Studio, llama-server): the client is the user's own ``ChatOpenAI``, configured only by
``OPENAI_API_BASE`` / ``OPENAI_API_KEY`` as the seed tutorial's readers would do.
"""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from langchain_openai import ChatOpenAI

from langsynth.chains.extraction import create_extraction_chain
from langsynth.schemas import ActorFilmography

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def openai_env(local_llm, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """OPENAI_API_BASE / OPENAI_API_KEY pointing at the embedded server."""
    monkeypatch.setenv("OPENAI_API_BASE", str(local_llm.openai_api_base))
    monkeypatch.setenv("OPENAI_API_KEY", local_llm.openai_api_key.get_secret_value())
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    for name in ("LANGSYNTH_MODEL", "LANGSYNTH_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_seed_tutorial_runs_with_the_real_chatopenai_on_a_local_server(
    openai_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    namespace = runpy.run_path(str(ROOT / "examples" / "seed_001_openai_compatible.py"))
    llm = namespace["synthetic_data_generator"].llm
    assert type(llm) is ChatOpenAI  # the user's client, not langsynth's stand-in
    assert llm.model_name == "gpt-3.5-turbo"  # the name LangChain would switch to tools for
    results = namespace["synthetic_results"]
    model = namespace["MedicalBilling"]
    assert len(results) == 10
    assert all(isinstance(r, model) for r in results)
    assert len({tuple(r.model_dump().values()) for r in results}) == 10
    assert "10 records" in capsys.readouterr().out


TEXTS = [
    "Tom Hanks starred in Big and Splash.",
    "Meryl Streep appeared in Doubt, and later in The Post.",
    "Viola Davis won praise for Fences.",
    "Denzel Washington led Glory and Malcolm X.",
]


@pytest.mark.parametrize("name", ["gpt-3.5-turbo", "qwen2.5-coder-0.5b"])
@pytest.mark.parametrize("strategy", ["json_schema", "tool_calling"])
def test_extraction_strategies_work_through_chatopenai_whatever_the_model_name(
    openai_env: None, name: str, strategy: str
) -> None:
    llm = ChatOpenAI(model=name, temperature=0, max_tokens=256)
    chain = create_extraction_chain("actor_filmography", llm, strategy)
    results = chain.run(TEXTS, concurrency=2, progress=False).results
    assert [r.error for r in results] == [None] * len(TEXTS)
    assert all(isinstance(r.record, ActorFilmography) for r in results)
    # structure is the point here (extraction quality is benchmarked elsewhere)
    assert results[0].record is not None and results[0].record.Actor == "Tom Hanks"


def test_tool_calling_works_on_the_embedded_server(local_llm) -> None:  # type: ignore[no-untyped-def]
    # The server does not force the call for this model: it comes back as text, read there.
    chain = create_extraction_chain("actor_filmography", local_llm, "tool_calling")
    results = chain.run(TEXTS, concurrency=2, progress=False).results
    assert [r.error for r in results] == [None] * len(TEXTS)
    assert all(r.usage.calls == 1 and '"arguments"' in r.raw_output for r in results)
