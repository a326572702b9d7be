"""Self-consistency for extraction: a field-wise majority over several answers.

Each field is voted on separately (a record-level vote rarely finds two identical records on
a messy document). Values are compared as the metrics compare them (normalized text, numbers
as decimals, lists as sets); a field no answer gives stays null; ties go to the earliest
answer, which is the greedy one.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

__all__ = ["vote"]


def _key(value: Any) -> Hashable:
    from langsynth.metrics import canonical

    if isinstance(value, list):
        return ("list", frozenset(_key(v) for v in value))
    return canonical(value, "normalized")


def _absent(value: Any) -> bool:
    return value is None or value == "" or value == []


def vote(answers: Sequence[Mapping[str, Any]], fields: Sequence[str]) -> dict[str, Any]:
    """The most common value of each field over ``answers`` (the first answer wins ties).

    A missing value counts as a vote too, so one answer's invention does not outvote two
    that found nothing.
    """
    out: dict[str, Any] = {}
    for name in fields:
        tally: dict[Hashable, list[Any]] = {}
        for answer in answers:
            value = answer.get(name)
            key: Hashable = ("absent",) if _absent(value) else _key(value)
            tally.setdefault(key, []).append(value)
        best = max(tally.values(), key=len)  # dicts keep insertion order: ties -> earliest
        out[name] = best[0]
    return out
