"""Attribute pools: per-record hints that push a generator away from its favourite answers.

Temperature alone does not make a small model stop writing "John Doe". A pool draws a
value for a field (a Faker name, a category, a number in a range) and the generator
renders it into the prompt as a hint, so every record starts from different attributes (or,
where the draw fixes every field, into the record's grammar: :func:`split_hints`).
Sampling takes a ``random.Random`` so that a run with a seed is reproducible.

>>> import random
>>> pools = {"genre": ChoicePool(("horror", "comedy")), "year": RangePool(1970, 2024)}
>>> hints = sample_hints(pools, random.Random(1))
>>> sorted(hints)
['genre', 'year']
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel

from langsynth.errors import ConfigurationError


@runtime_checkable
class Pool(Protocol):
    """Anything that draws one value with a given RNG and renders it as a hint.

    ``render`` gives one short part of the record's hint line (``field=value``; no newline),
    which :func:`render_hints` joins with ``"; "``.
    """

    def sample(self, rng: random.Random) -> Any: ...

    def render(self, field: str, value: Any) -> str: ...


@dataclass(frozen=True)
class ChoicePool:
    """A value from a fixed list, optionally weighted."""

    values: tuple[Any, ...]
    weights: tuple[float, ...] | None = None
    template: str = "{field}={value}"

    def __post_init__(self) -> None:
        if not self.values:
            raise ConfigurationError("A choice pool needs at least one value.")
        if self.weights is not None and len(self.weights) != len(self.values):
            raise ConfigurationError("A choice pool needs one weight per value.")

    def sample(self, rng: random.Random) -> Any:
        if self.weights is None:
            return rng.choice(self.values)
        return rng.choices(self.values, weights=self.weights, k=1)[0]

    def render(self, field: str, value: Any) -> str:
        return self.template.format(field=field, value=value)


@dataclass(frozen=True)
class RangePool:
    """A number drawn uniformly from ``[low, high]`` (integers when ``decimals`` is 0)."""

    low: float
    high: float
    decimals: int = 0
    template: str = "{field}={value}"

    def __post_init__(self) -> None:
        if self.low > self.high:
            raise ConfigurationError(f"Range pool low {self.low} is above high {self.high}.")

    def sample(self, rng: random.Random) -> float | int:
        if self.decimals == 0:
            return rng.randint(int(self.low), int(self.high))
        return round(rng.uniform(self.low, self.high), self.decimals)

    def render(self, field: str, value: Any) -> str:
        return self.template.format(field=field, value=value)


@cache
def _faker(locale: str) -> Any:
    from faker import Faker

    return Faker(locale)


@dataclass(frozen=True)
class FakerPool:
    """A value from a Faker provider method, e.g. ``FakerPool("company")``.

    ``full_name`` is "first last" without the titles and suffixes of Faker's ``name``.

    ``fmt`` may post-process the value with ``str.format`` (``"{value:%m/%d/%Y}"``).
    """

    method: str
    locale: str = "en_US"
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    fmt: str | None = None
    template: str = "{field}={value}"

    def __post_init__(self) -> None:
        if self.method == "full_name":
            return
        if not callable(getattr(_faker(self.locale), self.method, None)):
            raise ConfigurationError(
                f"Faker has no provider {self.method!r} (try name, company, city, address, "
                "email, date_between, ...)."
            )

    def sample(self, rng: random.Random) -> Any:
        fake = _faker(self.locale)
        fake.seed_instance(rng.getrandbits(64))
        if self.method == "full_name":  # "first last", without Faker's "Dr." / "DDS"
            value = f"{fake.first_name()} {fake.last_name()}"
        else:
            value = getattr(fake, self.method)(**dict(self.kwargs))
        return self.fmt.format(value=value) if self.fmt else value

    def render(self, field: str, value: Any) -> str:
        return self.template.format(field=field, value=value)


@dataclass(frozen=True)
class CountPool:
    """How many items a list field should have."""

    low: int
    high: int
    template: str = "{field}=exactly {value} items"

    def sample(self, rng: random.Random) -> int:
        return rng.randint(self.low, self.high)

    def render(self, field: str, value: Any) -> str:
        return self.template.format(field=field, value=value)


@dataclass(frozen=True)
class FunctionPool:
    """Values computed by a function of the RNG, for attributes that must agree.

    ``fn(rng)`` returns a value (often a dict); ``template`` is formatted with ``field``,
    ``value`` and, for dict values, their keys.
    """

    fn: Callable[[random.Random], Any]
    template: str = "{field}={value}"

    def sample(self, rng: random.Random) -> Any:
        return self.fn(rng)

    def render(self, field: str, value: Any) -> str:
        extra = value if isinstance(value, dict) else {}
        return self.template.format(field=field, value=value, **extra)


def sample_hints(pools: Mapping[str, Pool], rng: random.Random) -> dict[str, Any]:
    """Draw one value from every pool, in a stable (sorted) order for reproducibility."""
    return {name: pools[name].sample(rng) for name in sorted(pools)}


def render_hints(pools: Mapping[str, Pool], hints: Mapping[str, Any]) -> str:
    """Render drawn values as one compact prompt line: ``field=value; field=value``.

    Each pool renders its own part (``field=value`` unless its template says otherwise); a
    hint without a pool (given by hand) renders as ``field=value``. One short line because
    the hints are the part of a record request that no server cache holds: every token here
    is processed for every record, on the same cores that decode.

    >>> render_hints({"year": RangePool(1990, 1990)}, {"year": 1990, "tone": "dry"})
    'year=1990; tone=dry'
    """
    parts = []
    for name, value in hints.items():
        pool = pools.get(name)
        parts.append(pool.render(name, value) if pool else f"{name}={value}")
    return "; ".join(parts)


def split_hints(
    pools: Mapping[str, Pool], hints: Mapping[str, Any], model: type[BaseModel]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split drawn hints into field values of ``model`` and hints proper.

    A hint is a field value when it is named after a field and renders as ``field=value``
    (no template of its own, or given by hand), or when its draw is a dict whose keys are all
    fields (a :class:`FunctionPool` drawing fields that must agree, a ``VocabularyPool`` with
    ``as_fields``). A value the field's type rejects stays a hint, as do hints that set the
    same field twice and fields with an alias. Field values come back in JSON form (what the
    record's grammar fixes); the rest is what the prompt still says.

    >>> class Row(BaseModel):
    ...     year: int
    ...     text: str
    >>> pools = {"year": RangePool(1990, 1990), "tone": ChoicePool(("dry",))}
    >>> split_hints(pools, {"year": 1990, "tone": "dry"}, Row)
    ({'year': 1990}, {'tone': 'dry'})
    """
    fields = {name for name, info in model.model_fields.items() if not _aliased(info)}
    drawn: dict[str, dict[str, Any]] = {}  # hint -> the field values it fixes
    for name, value in hints.items():
        pool = pools.get(name)
        if isinstance(value, Mapping) and value and set(value) <= fields:
            checked = _as_field_values(model, value)
        elif name in fields and (pool is None or pool.render(name, value) == f"{name}={value}"):
            checked = _as_field_values(model, {name: value})
        else:
            checked = None
        if checked is not None:
            drawn[name] = checked
    claims = Counter(field for checked in drawn.values() for field in checked)
    for name in [n for n, checked in drawn.items() if any(claims[f] > 1 for f in checked)]:
        del drawn[name]  # two hints set one field: which one wins is the model's call
    values = {field: v for checked in drawn.values() for field, v in checked.items()}
    return values, {name: value for name, value in hints.items() if name not in drawn}


def _aliased(info: Any) -> bool:
    return bool(info.alias or info.validation_alias or info.serialization_alias)


@lru_cache(maxsize=256)  # bounded: schemas may be classes made at run time
def _field_adapter(model: type[BaseModel], name: str) -> Any:
    from typing import Annotated

    from pydantic import TypeAdapter

    info = model.model_fields[name]
    field_type: Any = Annotated[info.annotation, info]  # the type with the field's constraints
    return TypeAdapter(field_type)


def _as_field_values(model: type[BaseModel], drawn: Mapping[str, Any]) -> dict[str, Any] | None:
    """``drawn`` validated against its fields' types and constraints, as JSON values."""
    from pydantic import ValidationError

    out: dict[str, Any] = {}
    for name, value in drawn.items():
        adapter = _field_adapter(model, name)
        try:
            out[name] = adapter.dump_python(adapter.validate_python(value), mode="json")
        except ValidationError:
            return None
    return out


def parse_pool(text: str) -> tuple[str, Pool]:
    """Parse a CLI pool option ``FIELD=SPEC``.

    SPEC is ``a,b,c`` (choice), ``faker:METHOD`` (Faker provider), ``range:LOW:HIGH``
    (integers) or ``range:LOW:HIGH:DECIMALS``, or ``count:LOW:HIGH``.
    """
    name, sep, spec = text.partition("=")
    name, spec = name.strip(), spec.strip()
    if not sep or not name or not spec:
        raise ConfigurationError(
            f"Pool {text!r} should look like FIELD=a,b,c or FIELD=faker:name or "
            "FIELD=range:10:500 or FIELD=count:2:5."
        )
    return name, pool_from_spec(name, spec)


def pool_from_spec(name: str, spec: Any) -> Pool:
    """Build a pool from a CLI string or a JSON value (list, or {"faker"|"range"|"count": ...})."""
    try:
        if isinstance(spec, list):
            return ChoicePool(tuple(spec))
        if isinstance(spec, dict):
            if "faker" in spec:
                return FakerPool(str(spec["faker"]), locale=str(spec.get("locale", "en_US")))
            if "range" in spec:
                low, high, *rest = spec["range"]
                return RangePool(float(low), float(high), int(rest[0]) if rest else 0)
            if "count" in spec:
                low, high = spec["count"]
                return CountPool(int(low), int(high))
            if "choices" in spec:
                weights = spec.get("weights")
                return ChoicePool(tuple(spec["choices"]), tuple(weights) if weights else None)
        if isinstance(spec, str):
            kind, _, rest = spec.partition(":")
            if kind == "faker" and rest:
                return FakerPool(rest)
            if kind in ("range", "count") and rest:
                nums = rest.split(":")
                if kind == "count":
                    return CountPool(int(nums[0]), int(nums[1]))
                decimals = int(nums[2]) if len(nums) > 2 else 0
                return RangePool(float(nums[0]), float(nums[1]), decimals)
            return ChoicePool(tuple(v.strip() for v in spec.split(",") if v.strip()))
    except (ValueError, IndexError, TypeError) as exc:
        raise ConfigurationError(f"Cannot read the pool for {name!r} ({spec!r}): {exc}") from exc
    raise ConfigurationError(f"Cannot read the pool for {name!r}: {spec!r}.")


def load_pools(path: str | Path) -> dict[str, Pool]:
    """Read pools from a JSON file ``{"field": [..] | {"faker": ..} | {"range": [lo, hi]}}``."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(f"Pools file {p} does not exist.") from None
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"{p}, line {exc.lineno}: not valid JSON ({exc.msg}).") from None
    if not isinstance(data, dict):
        raise ConfigurationError(f"{p}: expected a JSON object mapping field names to pools.")
    return {str(k): pool_from_spec(str(k), v) for k, v in data.items()}


# Name fields whose value is a person's name; a Faker name breaks the "John Doe" habit.
_PERSON_PREFIXES = (
    "patient",
    "customer",
    "client",
    "user",
    "person",
    "employee",
    "student",
    "author",
    "actor",
    "full",
    "first",
    "last",
    "contact",
    "owner",
    "member",
    "applicant",
    "doctor",
)


def infer_pools(model: type[BaseModel]) -> dict[str, Pool]:
    """Default pools for a schema without registered ones: Faker names for person-name fields.

    >>> from pydantic import BaseModel
    >>> class Row(BaseModel):
    ...     patient_name: str
    ...     city: str
    >>> list(infer_pools(Row))
    ['patient_name']
    """
    pools: dict[str, Pool] = {}
    for name, info in model.model_fields.items():
        lowered = name.lower()
        if info.annotation is not str:
            continue
        if lowered == "name" or (
            lowered.endswith("name")
            and lowered.removesuffix("_name").removesuffix("name") in _PERSON_PREFIXES
        ):
            method = {"first": "first_name", "last": "last_name"}.get(
                lowered.removesuffix("_name").removesuffix("name"), "full_name"
            )
            pools[name] = FakerPool(method)
    return pools


def merge_pools(*layers: Mapping[str, Pool] | None) -> dict[str, Pool]:
    """Later layers override earlier ones field by field."""
    merged: dict[str, Pool] = {}
    for layer in layers:
        if layer:
            merged.update(layer)
    return merged


def choice(values: Sequence[Any], template: str = "{field}={value}") -> ChoicePool:
    """Shorthand for ``ChoicePool(tuple(values))``."""
    return ChoicePool(tuple(values), template=template)
