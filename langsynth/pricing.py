"""What tokens cost: a dated price table, the cost of a run's usage, and projections from a pilot.

Prices are US dollars per 1M tokens: ``input`` (uncached prompt tokens), ``cached_input``
(prompt tokens served from the provider's prompt cache) and ``output`` (completion tokens,
reasoning tokens included). Usage counts follow OpenAI and LangChain: ``input_tokens``
*includes* the cached ones, so the cost is
``(input - cached) * input + cached * cached_input + output * output``.

The built-in table (:data:`BUILTIN_PRICES`) covers the common hosted models; the embedded
models (``local``, ``local-large``, ``local:/x.gguf``) cost 0. A price is never guessed: a
hosted model that is not in the table has an *unknown* price (``None``), and
:func:`unknown_price_message` says how to add it. Override or extend the table with a JSON or
TOML file, or with ``LANGSYNTH_PRICES`` (a path to such a file, or inline JSON)::

    {"openai:my-fine-tune": {"input": 3.0, "cached_input": 1.5, "output": 12.0},
     "openai-compatible:*": {"input": 0, "output": 0}}

Keys are model specs (``openai:gpt-4o``), bare model names (``gpt-4o``) or shell-style
patterns (``openai-compatible:*``). A snapshot name falls back to its family
(``gpt-4o-2024-11-20`` -> ``gpt-4o``) unless it has an entry of its own.

>>> cost_of({"input_tokens": 1_000_000, "output_tokens": 1_000_000}, "openai:gpt-4o-mini")
0.75
>>> cost_of({"input_tokens": 10, "output_tokens": 5}, "local")
0.0
"""

from __future__ import annotations

import fnmatch
import functools
import json
import logging
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langsynth.errors import EstimateError, PricingError

log = logging.getLogger(__name__)

PRICES_ENV = "LANGSYNTH_PRICES"

# The date and source of BUILTIN_PRICES. Figures are the providers' list prices for standard
# (not batch, not priority) processing, as collected in LiteLLM's
# model_prices_and_context_window.json (github.com/BerriAI/litellm), read from the copy in
# github.com/RoCry/llm-api-price at commit 8442b939 ("Update prices: 2026-07-24"); they match
# openai.com/api/pricing, anthropic.com/pricing and ai.google.dev/pricing of that date.
# Long-context surcharges (e.g. above 200k/272k prompt tokens) are not modelled: the prompts
# of a synthetic-data run are far below them. Anthropic cache *writes* are billed above the
# input rate; only cache reads are modelled here.
PRICES_DATE = "2026-07-24"
PRICES_SOURCE = "LiteLLM model_prices_and_context_window.json, 2026-07-24"


@dataclass(frozen=True)
class Price:
    """USD per 1M tokens. ``cached_input`` ``None``: no cache discount (billed as input)."""

    input: float
    output: float
    cached_input: float | None = None
    source: str = "built-in"

    def cost(self, input_tokens: int, output_tokens: int, cached_input_tokens: int = 0) -> float:
        """Dollars for these token counts (``input_tokens`` includes the cached ones)."""
        cached = min(max(cached_input_tokens, 0), input_tokens)
        cached_rate = self.input if self.cached_input is None else self.cached_input
        total = (
            (input_tokens - cached) * self.input
            + cached * cached_rate
            + output_tokens * self.output
        )
        return total / 1_000_000


def _p(input: float, cached_input: float | None, output: float) -> Price:
    return Price(input=input, output=output, cached_input=cached_input, source=PRICES_SOURCE)


_FREE = Price(0.0, 0.0, 0.0, source="embedded model, no per-token price")

# Bare model names; a spec's provider prefix is tried first (see price_for).
BUILTIN_PRICES: dict[str, Price] = {
    # The embedded llama.cpp models: no per-token price.
    "local": _FREE,
    "local-large": _FREE,
    "local:*": _FREE,
    # OpenAI: GPT-4o, GPT-4.1, GPT-5 families.
    "gpt-4o": _p(2.50, 1.25, 10.00),
    "gpt-4o-2024-05-13": _p(5.00, None, 15.00),
    "gpt-4o-mini": _p(0.15, 0.075, 0.60),
    "gpt-4.1": _p(2.00, 0.50, 8.00),
    "gpt-4.1-mini": _p(0.40, 0.10, 1.60),
    "gpt-4.1-nano": _p(0.10, 0.025, 0.40),
    "gpt-5": _p(1.25, 0.125, 10.00),
    "gpt-5-mini": _p(0.25, 0.025, 2.00),
    "gpt-5-nano": _p(0.05, 0.005, 0.40),
    "gpt-5-pro": _p(15.00, None, 120.00),
    "gpt-5.1": _p(1.25, 0.125, 10.00),
    "gpt-5.2": _p(1.75, 0.175, 14.00),
    "gpt-5.4": _p(2.50, 0.25, 15.00),
    "gpt-5.4-mini": _p(0.75, 0.075, 4.50),
    "gpt-5.4-nano": _p(0.20, 0.02, 1.25),
    "gpt-5.5": _p(5.00, 0.50, 30.00),
    # OpenAI: o-series reasoning models (reasoning tokens bill as output).
    "o1": _p(15.00, 7.50, 60.00),
    "o1-pro": _p(150.00, None, 600.00),
    "o3": _p(2.00, 0.50, 8.00),
    "o3-mini": _p(1.10, 0.55, 4.40),
    "o3-pro": _p(20.00, None, 80.00),
    "o4-mini": _p(1.10, 0.275, 4.40),
    # OpenAI: older models still served.
    "gpt-4-turbo": _p(10.00, None, 30.00),
    "gpt-4": _p(30.00, None, 60.00),
    "gpt-3.5-turbo": _p(0.50, None, 1.50),
    # Others with OpenAI-compatible endpoints (use openai-compatible:<name>).
    "claude-haiku-4-5": _p(1.00, 0.10, 5.00),
    "claude-sonnet-4-5": _p(3.00, 0.30, 15.00),
    "claude-sonnet-4-6": _p(3.00, 0.30, 15.00),
    "claude-opus-4-1": _p(15.00, 1.50, 75.00),
    "claude-opus-4-5": _p(5.00, 0.50, 25.00),
    "gemini-2.5-flash-lite": _p(0.10, 0.01, 0.40),
    "gemini-2.5-flash": _p(0.30, 0.03, 2.50),
    "gemini-2.5-pro": _p(1.25, 0.125, 10.00),
    "deepseek-chat": _p(0.28, 0.028, 0.42),
}

_SNAPSHOT = re.compile(r"-(?:\d{4}-\d{2}-\d{2}|\d{8})$")  # gpt-4o-2024-11-20, claude-...-20250929
# llm.model_spec_of of a model built elsewhere: "ChatOpenAI(gpt-4o)".
_DESCRIBED = re.compile(r"^[A-Za-z_]\w*\((?P<name>[^()]+)\)$")
_FIELDS = ("input", "cached_input", "output")
_warned: set[str | None] = set()


# --------------------------------------------------------------------------- the table


def _parse_price(key: str, value: Any, source: str) -> Price:
    if isinstance(value, int | float) and not isinstance(value, bool) and value == 0:
        return Price(0.0, 0.0, 0.0, source=source)  # "model": 0 means free
    if not isinstance(value, Mapping):
        raise PricingError(
            f"{source}: the price of {key!r} must be an object like "
            '{"input": 2.5, "cached_input": 1.25, "output": 10} (USD per 1M tokens).'
        )
    unknown = set(value) - set(_FIELDS)
    missing = {"input", "output"} - set(value)
    if unknown or missing:
        what = f"unknown field(s) {sorted(unknown)}" if unknown else f"no {sorted(missing)}"
        raise PricingError(
            f"{source}: the price of {key!r} has {what}; give input, output and optionally "
            "cached_input, in USD per 1M tokens."
        )
    numbers: dict[str, float | None] = {}
    for name in _FIELDS:
        raw = value.get(name)
        if raw is None and name == "cached_input":
            numbers[name] = None
            continue
        if not isinstance(raw, int | float) or isinstance(raw, bool) or raw < 0:
            raise PricingError(
                f"{source}: {key!r}.{name} must be a number >= 0 (USD per 1M tokens), got {raw!r}."
            )
        numbers[name] = float(raw)
    assert numbers["input"] is not None and numbers["output"] is not None
    return Price(numbers["input"], numbers["output"], numbers["cached_input"], source=source)


def parse_prices(data: Any, source: str = "prices") -> dict[str, Price]:
    """A ``{model: {"input", "cached_input", "output"}}`` mapping as :class:`Price` objects."""
    if not isinstance(data, Mapping):
        raise PricingError(
            f"{source}: expected an object of model -> price, got {type(data).__name__}."
        )
    return {str(k): _parse_price(str(k), v, source) for k, v in data.items()}


def load_prices(path: str | Path) -> dict[str, Price]:
    """Read a price file: ``.toml`` as TOML, anything else as JSON."""
    p = Path(path).expanduser()
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PricingError(f"{p}: price file does not exist.") from None
    try:
        data = tomllib.loads(text) if p.suffix.lower() == ".toml" else json.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PricingError(f"{p}: not a valid price file ({exc}).") from None
    return parse_prices(data, str(p))


def _env_prices(value: str) -> dict[str, Price]:
    text = value.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PricingError(f"{PRICES_ENV}: not valid JSON ({exc.msg}).") from None
        return parse_prices(data, PRICES_ENV)
    return load_prices(text)


def _mtime(path: str) -> int:
    try:
        return Path(path).expanduser().stat().st_mtime_ns
    except OSError:
        return 0


@functools.lru_cache(maxsize=8)
def _overrides(env_value: str, env_mtime: int, path: str, path_mtime: int) -> dict[str, Price]:
    # Cached on the values and file times: a progress bar prices its usage many times a second.
    table: dict[str, Price] = {}
    if env_value:
        table.update(_env_prices(env_value))
    if path:
        table.update(load_prices(path))
    return table


def price_table(
    path: str | Path | None = None, *, environ: Mapping[str, str] | None = None
) -> dict[str, Price]:
    """The built-in table, updated by ``LANGSYNTH_PRICES``, then by the file ``path``."""
    env = os.environ if environ is None else environ
    value = env.get(PRICES_ENV, "").strip()
    env_mtime = 0 if not value or value.startswith("{") else _mtime(value)
    where = str(path) if path is not None else ""
    overrides = _overrides(value, env_mtime, where, _mtime(where) if where else 0)
    return {**BUILTIN_PRICES, **overrides}


# --------------------------------------------------------------------------- lookup


def _candidates(model_spec: str) -> list[str]:
    """Keys to try for a spec, most specific first."""
    text = model_spec.strip()
    if match := _DESCRIBED.match(text):
        text = match.group("name").strip()
    provider, sep, name = text.partition(":")
    names = [text]
    if sep and provider in ("openai", "openai-compatible") and name:
        names.append(name)
    out: list[str] = []
    for n in names:
        out.append(n)
        if (family := _SNAPSHOT.sub("", n)) != n:
            out.append(family)
    return out


def price_for(model_spec: str | None, prices: Mapping[str, Price] | None = None) -> Price | None:
    """The price of ``model_spec`` (``local``, ``openai:gpt-4o``, ...), ``None`` if unknown.

    Exact keys win over patterns; among patterns the longest matching one wins.
    """
    if not model_spec:
        return None
    table = price_table() if prices is None else prices
    candidates = _candidates(model_spec)
    for key in candidates:
        if key in table:
            return table[key]
    patterns = sorted((k for k in table if any(c in k for c in "*?[")), key=len, reverse=True)
    for pattern in patterns:
        if any(fnmatch.fnmatchcase(c, pattern) for c in candidates):
            return table[pattern]
    return None


def unknown_price_message(model_spec: str | None) -> str:
    """What to say when :func:`price_for` knows no price."""
    name = model_spec or "(unknown model)"
    return (
        f"no price known for {name}: cost not computed. Add it with {PRICES_ENV}="
        f'\'{{"{name}": {{"input": USD_PER_1M, "cached_input": USD_PER_1M, "output": '
        "USD_PER_1M}}' (or a path to a JSON/TOML file)."
    )


def _tokens(usage: Any, name: str) -> int:
    value = usage.get(name) if isinstance(usage, Mapping) else getattr(usage, name, None)
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        raise PricingError(f"usage.{name} must be a token count, got {value!r}.") from None


def cost_of(
    usage: Any, model_spec: str | None, *, prices: Mapping[str, Price] | None = None
) -> float | None:
    """Dollars for ``usage`` on ``model_spec``; ``None`` (and a warning) when the price is unknown.

    ``usage``: a :class:`~langsynth.chains.structured.Usage` or a mapping with
    ``input_tokens``, ``cached_input_tokens`` and ``output_tokens`` (a manifest's ``usage``).
    """
    price = price_for(model_spec, prices)
    if price is None:
        if model_spec not in _warned:  # once per model, not on every progress update
            _warned.add(model_spec)
            log.warning("%s", unknown_price_message(model_spec))
        return None
    return round(
        price.cost(
            _tokens(usage, "input_tokens"),
            _tokens(usage, "output_tokens"),
            _tokens(usage, "cached_input_tokens"),
        ),
        6,
    )


# --------------------------------------------------------------------------- projection


def project(
    usage: Any,
    elapsed_s: float,
    pilot_records: int,
    n: int,
    model_spec: str | None,
    *,
    prices: Mapping[str, Price] | None = None,
) -> dict[str, Any]:
    """Project a pilot of ``pilot_records`` records (its ``usage`` and ``elapsed_s``) to ``n``.

    Tokens, cost and time scale per accepted record, so the pilot's retries and rejections
    are priced in. Returns ``{"n", "input_tokens", "output_tokens", "cost_usd", "elapsed_s",
    "pilot_records"}``; ``cost_usd`` is ``None`` when the model's price is unknown.
    The time assumes the run's concurrency equals the pilot's.

    >>> project({"input_tokens": 400, "output_tokens": 280}, 2.0, 4, 40, "local")["output_tokens"]
    2800
    """
    if n < 0:
        raise EstimateError(f"cannot project to {n} records; N must be >= 0.")
    if pilot_records <= 0:
        raise EstimateError(
            "the pilot accepted no records, so nothing can be projected; look at its "
            "rejections, or run a larger pilot."
        )
    scale = n / pilot_records
    cached = round(_tokens(usage, "cached_input_tokens") * scale)
    projected = {
        "input_tokens": round(_tokens(usage, "input_tokens") * scale),
        "cached_input_tokens": cached,
        "output_tokens": round(_tokens(usage, "output_tokens") * scale),
    }
    return {
        "n": n,
        "input_tokens": projected["input_tokens"],
        "output_tokens": projected["output_tokens"],
        "cost_usd": cost_of(projected, model_spec, prices=prices),
        "elapsed_s": round(max(float(elapsed_s), 0.0) * scale, 3),
        "pilot_records": pilot_records,
    }
