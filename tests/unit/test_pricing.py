"""Price table, cost of usage, overrides, and the pilot projection."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from langsynth.chains.structured import Usage
from langsynth.errors import ConfigurationError, EstimateError, PricingError
from langsynth.pricing import (
    BUILTIN_PRICES,
    PRICES_DATE,
    Price,
    cost_of,
    load_prices,
    price_for,
    price_table,
    project,
    unknown_price_message,
)


@pytest.fixture(autouse=True)
def _no_env_prices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LANGSYNTH_PRICES", raising=False)


def test_table_is_dated_and_covers_the_common_hosted_models() -> None:
    assert PRICES_DATE.count("-") == 2
    hosted = ("gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o3", "o4-mini")
    for name in hosted:
        price = BUILTIN_PRICES[name]
        assert price.input > 0 and price.output > price.input
        assert price.cached_input is not None and price.cached_input < price.input


def test_cost_separates_cached_input_from_the_rest() -> None:
    # gpt-4o-mini: $0.15 input, $0.075 cached, $0.60 output per 1M tokens.
    usage = {"input_tokens": 2_000_000, "cached_input_tokens": 1_000_000, "output_tokens": 500_000}
    assert cost_of(usage, "openai:gpt-4o-mini") == pytest.approx(0.15 + 0.075 + 0.30)


def test_cost_of_a_usage_object() -> None:
    usage = Usage(input_tokens=1_000_000, output_tokens=1_000_000, cached_input_tokens=0, calls=3)
    assert cost_of(usage, "openai:gpt-4.1") == pytest.approx(2.00 + 8.00)


def test_no_cache_discount_bills_cached_tokens_as_input() -> None:
    usage = {"input_tokens": 1_000_000, "cached_input_tokens": 400_000, "output_tokens": 0}
    assert cost_of(usage, "openai:gpt-4-turbo") == pytest.approx(10.0)


def test_local_models_are_free() -> None:
    usage = {"input_tokens": 12345, "output_tokens": 678}
    for spec in ("local", "local-large", "local:/models/x.gguf"):
        assert cost_of(usage, spec) == 0.0


def test_unknown_hosted_model_is_none_never_zero(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="langsynth.pricing"):
        assert cost_of({"input_tokens": 10, "output_tokens": 10}, "openai:gpt-99-ultra") is None
    assert "no price known for openai:gpt-99-ultra" in caplog.text
    assert cost_of({"input_tokens": 10}, "openai-compatible:llama3") is None
    assert cost_of({"input_tokens": 10}, None) is None
    assert "LANGSYNTH_PRICES" in unknown_price_message("openai-compatible:llama3")


def test_lookup_by_spec_bare_name_snapshot_and_description() -> None:
    family = BUILTIN_PRICES["gpt-4o"]
    assert price_for("openai:gpt-4o") == family
    assert price_for("gpt-4o") == family
    assert price_for("openai:gpt-4o-2024-11-20") == family
    assert price_for("ChatOpenAI(gpt-4o)") == family  # llm.model_spec_of of a foreign model
    # A snapshot with a price of its own is not folded into the family.
    assert price_for("openai:gpt-4o-2024-05-13") == Price(5.0, 15.0, None, family.source)
    assert price_for("FakeChatModel") is None


def test_env_inline_json_overrides_and_adds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "LANGSYNTH_PRICES",
        json.dumps(
            {
                "openai:gpt-4o": {"input": 1.0, "output": 2.0},
                "openai-compatible:*": 0,
                "openai-compatible:big-*": {"input": 3, "cached_input": 1, "output": 9},
            }
        ),
    )
    usage = {"input_tokens": 1_000_000, "output_tokens": 1_000_000}
    assert cost_of(usage, "openai:gpt-4o") == pytest.approx(3.0)
    assert cost_of(usage, "openai-compatible:llama3") == 0.0
    assert cost_of(usage, "openai-compatible:big-model") == pytest.approx(12.0)  # longest pattern
    assert cost_of(usage, "openai:gpt-4o-mini") == pytest.approx(0.75)  # untouched built-in


def test_env_path_and_toml_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    toml = tmp_path / "prices.toml"
    toml.write_text('["openai:my-tune"]\ninput = 4.0\ncached_input = 2.0\noutput = 16.0\n')
    monkeypatch.setenv("LANGSYNTH_PRICES", str(toml))
    usage = {"input_tokens": 500_000, "cached_input_tokens": 500_000, "output_tokens": 250_000}
    assert cost_of(usage, "openai:my-tune") == pytest.approx(1.0 + 4.0)
    # Editing the file is seen (the cache is keyed on its modification time).
    toml.write_text('["openai:my-tune"]\ninput = 8.0\noutput = 16.0\n')
    os.utime(toml, ns=(1, 10**18))
    assert cost_of(usage, "openai:my-tune") == pytest.approx(4.0 + 4.0)


def test_explicit_file_wins_over_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LANGSYNTH_PRICES", '{"gpt-4o": {"input": 1, "output": 1}}')
    path = tmp_path / "p.json"
    path.write_text('{"gpt-4o": {"input": 7, "output": 7}}')
    assert price_table(path)["gpt-4o"].input == 7.0
    assert price_table()["gpt-4o"].input == 1.0


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('{"m": {"input": 1}}', "no ['output']"),
        ('{"m": {"input": 1, "output": 2, "prompt": 3}}', "unknown field(s) ['prompt']"),
        ('{"m": {"input": -1, "output": 2}}', "must be a number >= 0"),
        ('{"m": "cheap"}', "must be an object"),
        ("[1, 2]", "expected an object"),
        ("{not json", "not a valid price file"),
    ],
)
def test_bad_price_files_say_what_is_expected(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "prices.json"
    path.write_text(content)
    with pytest.raises(PricingError) as info:
        load_prices(path)
    assert fragment in str(info.value)
    assert isinstance(info.value, ConfigurationError)


def test_bad_env_value(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LANGSYNTH_PRICES", "{oops")
    with pytest.raises(PricingError, match="LANGSYNTH_PRICES: not valid JSON"):
        price_table()
    monkeypatch.setenv("LANGSYNTH_PRICES", str(tmp_path / "missing.json"))
    with pytest.raises(PricingError, match="does not exist"):
        price_table()


def test_projection_scales_per_accepted_record() -> None:
    pilot = {"input_tokens": 4000, "cached_input_tokens": 2000, "output_tokens": 1200}
    estimate = project(pilot, 6.0, 4, 40, "openai:gpt-4o-mini")
    assert set(estimate) == {
        "n",
        "input_tokens",
        "output_tokens",
        "cost_usd",
        "elapsed_s",
        "pilot_records",
    }
    assert estimate["n"] == 40 and estimate["pilot_records"] == 4
    assert estimate["input_tokens"] == 40_000
    assert estimate["output_tokens"] == 12_000
    assert estimate["elapsed_s"] == pytest.approx(60.0)
    # 20k uncached * 0.15 + 20k cached * 0.075 + 12k output * 0.60, per 1M.
    assert estimate["cost_usd"] == pytest.approx((3000 + 1500 + 7200) / 1e6)


def test_projection_of_unknown_price_and_of_local() -> None:
    assert project({"input_tokens": 10}, 1.0, 1, 5, "openai-compatible:x")["cost_usd"] is None
    assert project({"input_tokens": 10}, 1.0, 1, 5, "local")["cost_usd"] == 0.0


def test_projection_needs_accepted_pilot_records() -> None:
    with pytest.raises(EstimateError, match="accepted no records"):
        project({"input_tokens": 500, "output_tokens": 90}, 2.0, 0, 40, "local")
    with pytest.raises(EstimateError, match="N must be"):
        project({"input_tokens": 500}, 2.0, 2, -1, "local")
