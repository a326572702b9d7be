"""Choosing the engine from options, and the step factories (no Ray needed)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from pydantic import SecretStr

from langsynth.chains.generator import RecordGenerator
from langsynth.engines.choice import EngineChoice, engine_step
from langsynth.engines.factories import StepFactory, step_factory
from langsynth.errors import ConfigurationError
from langsynth.schemas import load_schema
from tests.fakes import FakeChatModel


class Sampled(FakeChatModel):
    """A fake with the sampling fields of a real chat model."""

    temperature: float = 0.0
    max_tokens: int | None = None


URLS = "http://10.0.0.5:8000,http://10.0.0.6:8000/v1"


def test_local_is_the_default_and_the_ray_options_need_the_ray_engine() -> None:
    assert not EngineChoice.parse().is_ray and EngineChoice.parse("local").endpoints == ()
    for options in (
        {"endpoints": URLS},
        {"ray_address": "10.0.0.1:6379"},
        {"slots_per_endpoint": 8},
        {"endpoint_model": "qwen"},
    ):
        with pytest.raises(ConfigurationError, match="add --engine ray"):
            EngineChoice.parse("local", **options)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="one of local, ray"):
        EngineChoice.parse("spark")


def test_the_ray_engine_needs_endpoints_and_the_endpoints_name_the_model(
    clean_env: None,
) -> None:
    with pytest.raises(ConfigurationError, match="needs --endpoints"):
        EngineChoice.parse("ray")
    with pytest.raises(ConfigurationError, match="drop --model"):
        EngineChoice.parse("ray", URLS, model="local")
    choice = EngineChoice.parse("ray", URLS, slots_per_endpoint=8, endpoint_model="qwen")
    assert [e.url for e in choice.endpoints] == [
        "http://10.0.0.5:8000/v1",
        "http://10.0.0.6:8000/v1",
    ]
    assert all(e.slots == 8 and e.model == "qwen" and e.api_key is None for e in choice.endpoints)
    assert EngineChoice.parse("RAY", URLS).slots_per_endpoint == 4
    with pytest.raises(ConfigurationError, match="map jobs over files"):
        EngineChoice.parse("ray-data", URLS)  # generation needs the run engine
    sharded = EngineChoice.parse("ray-data", URLS, sharded_ok=True)
    assert sharded.is_ray and sharded.sharded and not choice.sharded


def test_the_endpoints_get_the_api_key_of_the_environment_and_never_show_it(
    clean_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANGSYNTH_API_KEY", "sk-very-secret")
    choice = EngineChoice.parse("ray", URLS)
    assert all(e.api_key == SecretStr("sk-very-secret") for e in choice.endpoints)
    assert "sk-very-secret" not in repr(choice)


def test_the_local_engine_builds_the_step_on_get_chat_model(use_fake: list[FakeChatModel]) -> None:
    fake = FakeChatModel(answers=[])
    use_fake.append(fake)
    factory = step_factory("generate", schema="medical_billing", seed=3)
    with engine_step(EngineChoice(), factory, model=None, llm_kwargs={"temperature": 0.5}) as (
        step,
        executor,
    ):
        assert executor is None
        assert isinstance(step, RecordGenerator) and step.llm is fake and step.seed == 3


def test_a_factory_pickles_and_builds_the_step_its_options_describe() -> None:
    info = load_schema("medical_billing")
    factory = step_factory("generate", schema=info, seed=5, max_retries=1, subject="bills")
    copy = pickle.loads(pickle.dumps(factory))
    assert copy == factory
    built, direct = (
        copy(FakeChatModel()),
        RecordGenerator(info, FakeChatModel(), seed=5, max_retries=1, subject="bills"),
    )
    assert built.manifest_params() == direct.manifest_params()
    assert built.input_at(3) == direct.input_at(3)
    llm = Sampled(temperature=0.7)
    trip = step_factory(
        "roundtrip", schema=info, extract_settings={"temperature": 0, "max_tokens": 64}
    )(llm)
    # The extractor reads on the same endpoint with its own sampling.
    assert trip.extractor.llm.temperature == 0 and trip.extractor.llm.max_tokens == 64
    assert trip.llm is llm and llm.temperature == 0.7


def test_unknown_jobs_and_missing_schemas_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="built-in jobs: generate, text"):
        StepFactory("summarise")
    with pytest.raises(ConfigurationError, match="needs a schema"):
        step_factory("extract", strategy="json_schema")
