from __future__ import annotations

import logging
from pathlib import Path

import pytest
from langchain_openai import ChatOpenAI

from langsynth.errors import ConfigurationError, MissingAPIKeyError
from langsynth.llm import (
    ModelSpec,
    Settings,
    get_chat_model,
    get_judge_model,
    model_spec_of,
    parse_spec,
)

SECRET = "sk-test-THIS-MUST-NEVER-SHOW-1234567890"


def settings(**env: str) -> Settings:
    return Settings.from_env(env, dotenv=False)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("local", ModelSpec("local", "local")),
        ("local-large", ModelSpec("local", "local-large")),
        ("local:/models/x.gguf", ModelSpec("local", "local", Path("/models/x.gguf"))),
        ("openai:gpt-4o-mini", ModelSpec("openai", "gpt-4o-mini")),
        ("openai-compatible:qwen2.5:7b", ModelSpec("openai-compatible", "qwen2.5:7b")),
        ("  openai:gpt-4o ", ModelSpec("openai", "gpt-4o")),
    ],
)
def test_parse_spec(spec: str, expected: ModelSpec) -> None:
    assert parse_spec(spec) == expected


@pytest.mark.parametrize("spec", ["", "gpt-4o", "openai:", "anthropic:claude", "local:"])
def test_parse_spec_rejects_unknown_with_the_valid_forms(spec: str) -> None:
    with pytest.raises(ConfigurationError, match="openai:<model>"):
        parse_spec(spec)


def test_spec_round_trips_through_str() -> None:
    for text in ["local", "local-large", "local:/a/b.gguf", "openai:gpt-4o", "openai-compatible:m"]:
        assert str(parse_spec(text)) == text


def test_missing_openai_key_is_a_clear_error() -> None:
    with pytest.raises(MissingAPIKeyError) as info:
        get_chat_model("openai:gpt-4o-mini", settings=settings())
    message = str(info.value)
    assert "OPENAI_API_KEY" in message and ".env" in message and "--model local" in message


def test_explicit_spec_beats_environment() -> None:
    s = settings(
        LANGSYNTH_MODEL="openai-compatible:from-env",
        OPENAI_API_KEY=SECRET,
        LANGSYNTH_BASE_URL="http://127.0.0.1:9/v1",
    )
    llm = get_chat_model("openai:gpt-4o-mini", settings=s)
    assert isinstance(llm, ChatOpenAI) and llm.model_name == "gpt-4o-mini"


def test_environment_beats_default() -> None:
    s = settings(
        LANGSYNTH_MODEL="openai-compatible:from-env", LANGSYNTH_BASE_URL="http://127.0.0.1:9/v1"
    )
    llm = get_chat_model(settings=s)
    assert isinstance(llm, ChatOpenAI)
    assert llm.model_name == "from-env"
    assert llm.openai_api_base == "http://127.0.0.1:9/v1"
    assert model_spec_of(llm) == "openai-compatible:from-env"


def test_dotenv_file_is_read_and_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text(
        "LANGSYNTH_MODEL=openai:gpt-from-dotenv\nOPENAI_API_KEY="
        + SECRET
        + "\nLANGSYNTH_LOCAL_PARALLEL=8\n"
    )
    monkeypatch.chdir(tmp_path)
    s = Settings.from_env({"LANGSYNTH_LOCAL_PARALLEL": "2"})
    assert s.model == "openai:gpt-from-dotenv"
    assert s.openai_api_key is not None and s.openai_api_key.get_secret_value() == SECRET
    assert s.local_parallel == 2


def test_default_is_local_and_judge_default_is_local_large(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    def fake_build(parsed, settings, *args):  # type: ignore[no-untyped-def]
        seen.append(str(parsed))
        return "model"

    monkeypatch.setattr("langsynth.llm._build", fake_build)
    get_chat_model(settings=settings())
    get_judge_model(settings=settings())
    get_judge_model(settings=settings(LANGSYNTH_JUDGE_MODEL="openai:gpt-4o"))
    assert seen == ["local", "local-large", "openai:gpt-4o"]


def test_parameters_pass_through() -> None:
    s = settings(OPENAI_API_KEY=SECRET)
    llm = get_chat_model("openai:gpt-4o-mini", temperature=0.3, max_tokens=77, seed=5, settings=s)
    assert isinstance(llm, ChatOpenAI)
    assert (llm.temperature, llm.max_tokens, llm.seed) == (0.3, 77, 5)


def test_keys_never_appear_in_repr_str_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    s = settings(
        OPENAI_API_KEY=SECRET, LANGSYNTH_API_KEY=SECRET, LANGSYNTH_BASE_URL="http://127.0.0.1:9/v1"
    )
    llm = get_chat_model("openai:gpt-4o-mini", settings=s)
    other = get_chat_model("openai-compatible:m", settings=s)
    for text in (
        repr(s),
        str(s),
        s.model_dump_json(),
        repr(llm),
        str(llm),
        repr(other),
        caplog.text,
    ):
        assert SECRET not in text
    # the key itself is really configured
    assert llm.openai_api_key is not None and llm.openai_api_key.get_secret_value() == SECRET


def test_openai_compatible_needs_base_url() -> None:
    with pytest.raises(ConfigurationError, match="LANGSYNTH_BASE_URL"):
        get_chat_model("openai-compatible:llama3", settings=settings())


def test_external_local_server_url_is_used_without_starting_one() -> None:
    s = settings(LANGSYNTH_LOCAL_URL="http://127.0.0.1:8099/")
    llm = get_chat_model("local", settings=s)
    assert isinstance(llm, ChatOpenAI)
    assert llm.openai_api_base == "http://127.0.0.1:8099/v1"


def test_local_models_cap_output_tokens_unless_told_otherwise() -> None:
    from langsynth.llm import LOCAL_DEFAULT_MAX_TOKENS

    s = settings(LANGSYNTH_LOCAL_URL="http://127.0.0.1:8099/")
    assert get_chat_model("local", settings=s).max_tokens == LOCAL_DEFAULT_MAX_TOKENS  # type: ignore[attr-defined]
    assert get_chat_model("local", max_tokens=50, settings=s).max_tokens == 50  # type: ignore[attr-defined]


def test_bad_integer_setting_names_the_variable() -> None:
    with pytest.raises(ConfigurationError, match="LANGSYNTH_LOCAL_PARALLEL"):
        settings(LANGSYNTH_LOCAL_PARALLEL="four")
