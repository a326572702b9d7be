"""Schema-valid, varied fake records: what the stub endpoint answers instead of a model.

A load test of the pipeline needs answers that pass the same validation and dedup as a real
model's, in any schema, at no compute cost. :class:`RecordFaker` starts from the schema's
few-shot examples and varies every value within what the JSON schema allows: words of a text
are swapped for others, characters of a patterned code are redrawn within their class
(digit for digit, upper for upper), numbers are scaled by one factor per record (so ``a <= b``
between two amounts of one example survives), enums are redrawn. The candidate is validated
with the Pydantic model; a field that fails is redrawn, then falls back to an example's value.
Without examples, values are synthesised from the JSON schema alone (best effort: a
``pattern`` cannot be satisfied without an example).

>>> from langsynth.schemas import load_schema
>>> faker = RecordFaker.for_schema(load_schema("medical_billing"), seed=1)
>>> sorted(faker.make())[:2]
['diagnosis_code', 'insurance_claim_amount']
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from langsynth.errors import ConfigurationError

if TYPE_CHECKING:
    from langsynth.schemas import SchemaInfo

_WORD = re.compile(r"[A-Za-z]+")
_ROUNDS = 8  # repair rounds before a field falls back to an example value


def _vocabulary(seed: int) -> list[str]:
    """A few hundred common words and surnames (Faker, seeded: no network, no randomness leak)."""
    from faker import Faker

    fake = Faker()
    fake.seed_instance(seed)
    words = {w.lower() for w in fake.words(nb=300)} | {fake.last_name() for _ in range(300)}
    return sorted(words)


class RecordFaker:
    """Draws records valid for ``model`` (or for a bare JSON ``schema``) from ``examples``.

    Args:
        model: the Pydantic model every record must validate against (``None``: a bare JSON
            schema, records are checked against nothing but its shape).
        schema: the JSON schema (default: the model's).
        examples: few-shot examples the values are varied from.
        seed: makes the sequence of records reproducible.
    """

    def __init__(
        self,
        model: type[BaseModel] | None = None,
        *,
        schema: Mapping[str, Any] | None = None,
        examples: Sequence[Mapping[str, Any]] = (),
        seed: int | None = None,
    ) -> None:
        if model is None and schema is None:
            raise ConfigurationError("RecordFaker needs a Pydantic model or a JSON schema.")
        self.model = model
        self.schema: dict[str, Any] = dict(schema or model.model_json_schema())  # type: ignore[union-attr]
        self.defs: dict[str, Any] = dict(self.schema.get("$defs") or {})
        self.examples = [dict(e) for e in examples if isinstance(e, Mapping)]
        self.rng = random.Random(seed)
        self.vocabulary = _vocabulary(seed or 0) + sorted(self._example_words())
        self._factor = 1.0

    @classmethod
    def for_schema(cls, info: SchemaInfo, *, seed: int | None = None) -> RecordFaker:
        """A faker for a langsynth schema, varying its built-in few-shot examples."""
        return cls(info.model, examples=info.load_examples(), seed=seed)

    @property
    def title(self) -> str:
        return str(self.schema.get("title") or (self.model.__name__ if self.model else "record"))

    def _example_words(self) -> set[str]:
        words: set[str] = set()

        def walk(value: Any) -> None:
            if isinstance(value, str):
                words.update(w for w in _WORD.findall(value) if len(w) > 2)
            elif isinstance(value, Mapping):
                for v in value.values():
                    walk(v)
            elif isinstance(value, list):
                for v in value:
                    walk(v)

        walk(self.examples)
        return words

    # ------------------------------------------------------------------ records

    def make(self) -> dict[str, Any]:
        """One record as JSON-ready data; valid for the model whenever an example is."""
        base = self.rng.choice(self.examples) if self.examples else None
        for attempt in range(4):
            # Later attempts vary one example only: mixing fields of several examples can
            # break a rule across fields (claim <= charge) that no single field repair fixes.
            record = self._attempt(base, mix=attempt < 2)
            if record is not None:
                return record
        fallback = dict(base) if base is not None else self._object(self.schema, [], top=True)
        if self.model is None:
            return fallback
        try:
            return self.model.model_validate(fallback).model_dump(mode="json")
        except ValidationError:
            # Neither varied nor verbatim validates (an invalid example): answer it anyway,
            # as a model would, and let the caller's validation reject it.
            return fallback

    def _attempt(self, base: dict[str, Any] | None, *, mix: bool) -> dict[str, Any] | None:
        self._factor = self.rng.uniform(0.6, 1.6)
        bases = [base] if base is not None else []
        candidate = self._object(self.schema, bases, top=mix)
        if self.model is None:
            return candidate
        failures: dict[str, int] = {}
        props: Mapping[str, Any] = self.schema.get("properties") or {}
        for _ in range(_ROUNDS):
            try:
                return self.model.model_validate(candidate).model_dump(mode="json")
            except ValidationError as exc:
                bad = {str(e["loc"][0]) for e in exc.errors() if e.get("loc")}
                if not bad:  # a rule across fields
                    return None
                for name in bad:
                    failures[name] = failures.get(name, 0) + 1
                    if base is not None and (failures[name] >= 3 or name not in props):
                        candidate[name] = base.get(name)
                    elif name in props:
                        pool = [base[name]] if base is not None and name in base else []
                        candidate[name] = self._value(props[name], pool)
                    else:
                        candidate.pop(name, None)
        return None

    # ------------------------------------------------------------------ values

    def _resolve(self, node: Mapping[str, Any]) -> dict[str, Any]:
        seen = 0
        while "$ref" in node and seen < 32:
            node = self.defs.get(str(node["$ref"]).rsplit("/", 1)[-1], {})
            seen += 1
        if "allOf" in node and len(node["allOf"]) == 1:
            merged = {k: v for k, v in node.items() if k != "allOf"}
            merged.update(self._resolve(node["allOf"][0]))
            return merged
        return dict(node)

    def _value(self, node: Mapping[str, Any], bases: list[Any]) -> Any:
        node = self._resolve(node)
        base = self.rng.choice(bases) if bases else None
        if "const" in node:
            return node["const"]
        if "enum" in node:
            return self.rng.choice(list(node["enum"]))
        branches = node.get("anyOf") or node.get("oneOf")
        if branches:
            return self._branch([self._resolve(b) for b in branches], base)
        kind = node.get("type")
        if isinstance(kind, list):
            others = [k for k in kind if k != "null"]
            kind = "null" if (base is None and "null" in kind) or not others else others[0]
        if kind == "object" or "properties" in node:
            return self._object(node, [b for b in bases if isinstance(b, Mapping)])
        if kind == "array":
            return self._array(node, base if isinstance(base, list) else None)
        if kind == "string":
            return self._string(node, base if isinstance(base, str) else None)
        if kind in ("integer", "number"):
            number = base if isinstance(base, int | float) and not isinstance(base, bool) else None
            return self._number(node, number, integer=kind == "integer")
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "null":
            return None
        return base

    def _branch(self, branches: list[dict[str, Any]], base: Any) -> Any:
        if base is None and any(b.get("type") == "null" for b in branches):
            return None
        typed: dict[str, type | tuple[type, ...]] = {
            "string": str,
            "integer": int,
            "number": (int, float),
            "boolean": bool,
        }
        for branch in branches:
            expected = typed.get(str(branch.get("type")))
            if expected is not None and isinstance(base, expected):
                return self._value(branch, [base])
            if branch.get("type") in ("object", "array") and isinstance(base, dict | list):
                return self._value(branch, [base])
        usable = [b for b in branches if b.get("type") != "null"] or branches
        return self._value(usable[0], [base] if base is not None else [])

    def _object(self, node: Mapping[str, Any], bases: list[Any], top: bool = False) -> Any:
        props: Mapping[str, Any] = node.get("properties") or {}
        required = set(node.get("required") or ())
        main = bases[0] if bases else None
        out: dict[str, Any] = {}
        for name, prop in props.items():
            # Mix fields of different examples (more combinations), mostly from one record
            # (so relations between its fields mostly hold).
            pool = [b[name] for b in bases if isinstance(b, Mapping) and name in b]
            if top and self.examples and self.rng.random() < 0.3:
                pool = [e[name] for e in self.examples if name in e] or pool
            elif main is not None and name in main:
                pool = [main[name]]
            if not pool and name not in required:
                continue
            out[name] = self._value(prop, pool)
        return out

    def _array(self, node: Mapping[str, Any], base: list[Any] | None) -> list[Any]:
        items = node.get("items") or {}
        low = int(node.get("minItems", 0))
        high = int(node.get("maxItems", max(low, len(base) if base else 3)))
        if base:
            out = [self._value(items, [b]) for b in base]
            self.rng.shuffle(out)
        else:
            out = [self._value(items, []) for _ in range(max(low, min(high, 2)))]
        while len(out) < low:
            out.append(self._value(items, list(base or [])))
        return out[:high] if high >= low else out

    def _string(self, node: Mapping[str, Any], base: str | None) -> str:
        low = int(node.get("minLength", 0))
        high = int(node.get("maxLength", 10_000))
        pattern = node.get("pattern")
        fmt = node.get("format")
        if fmt in ("date", "date-time") and base is not None:
            return self._shift_date(base, fmt)
        if pattern and base is not None:
            return self._redraw_chars(base, str(pattern))
        if base is None:
            words = [self.rng.choice(self.vocabulary) for _ in range(max(2, low // 6 + 1))]
            text = " ".join(words)
        else:
            text = self._swap_words(base)
        while len(text) < low:
            text += " " + self.rng.choice(self.vocabulary)
        return text[:high].rstrip() if len(text) > high else text

    def _swap_words(self, text: str) -> str:
        spans = [m.span() for m in _WORD.finditer(text)]
        if not spans:
            return text
        chosen = self.rng.sample(spans, k=max(1, len(spans) // 4))
        out = text
        for start, end in sorted(chosen, reverse=True):
            word = self.rng.choice(self.vocabulary)
            original = text[start:end]
            word = word.capitalize() if original[:1].isupper() else word.lower()
            out = out[:start] + word + out[end:]
        if len(spans) < 6 and self.rng.random() < 0.5:
            # Short texts (names, titles) have few words to swap: an inserted word multiplies
            # the variants, so dedup on such a field still sees mostly new values.
            words = out.split(" ")
            words.insert(self.rng.randint(0, len(words)), self.rng.choice(self.vocabulary))
            out = " ".join(words)
        return out

    def _redraw_chars(self, text: str, pattern: str) -> str:
        """Redraw some characters within their class; keep the text if the pattern breaks."""
        for _ in range(10):
            chars = list(text)
            for i, ch in enumerate(chars):
                if self.rng.random() < 0.35:
                    if ch.isdigit():
                        chars[i] = self.rng.choice("0123456789")
                    elif ch.isupper():
                        chars[i] = self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
                    elif ch.islower():
                        chars[i] = self.rng.choice("abcdefghijklmnopqrstuvwxyz")
            candidate = "".join(chars)
            if re.search(pattern, candidate):
                return candidate
        return text

    def _shift_date(self, text: str, fmt: str) -> str:
        try:
            if fmt == "date":
                day = dt.date.fromisoformat(text)
                return (day + dt.timedelta(days=self.rng.randint(-365, 365))).isoformat()
            moment = dt.datetime.fromisoformat(text)
            return (moment + dt.timedelta(minutes=self.rng.randint(-525_600, 525_600))).isoformat()
        except ValueError:
            return text

    def _number(self, node: Mapping[str, Any], base: float | None, *, integer: bool) -> float | int:
        low = node.get("minimum", node.get("exclusiveMinimum"))
        high = node.get("maximum", node.get("exclusiveMaximum"))
        step = 1 if integer else 0.01
        if "exclusiveMinimum" in node and "minimum" not in node:
            low = float(node["exclusiveMinimum"]) + step
        if "exclusiveMaximum" in node and "maximum" not in node:
            high = float(node["exclusiveMaximum"]) - step
        if base is None:
            lo = float(low) if low is not None else 0.0
            hi = float(high) if high is not None else lo + 1000.0
            value: float = self.rng.uniform(lo, hi)
        else:
            value = base * self._factor + self.rng.uniform(-1, 1) * (0 if base else 10)
        if low is not None:
            value = max(value, float(low))
        if high is not None:
            value = min(value, float(high))
        return round(value) if integer else round(value, 2)
