"""The text normaliser family: one function per way of making values comparable.

- :func:`fold_text` — NFKC, case-folded, whitespace collapsed (dedup keys, exact matching);
- :func:`fold_typography` — :func:`fold_text` with typographic quotes/dashes made ASCII (the
  text a value is looked for in);
- :func:`fold_for_match` — :func:`fold_typography` with punctuation trimmed at both ends
  (field matching in metrics, the value looked for in a text);
- :func:`fold_to_words` — the words only, joined by spaces (near-duplicate keys);
- :func:`strip_accents` — lower case, accents removed, ASCII quotes (word-form matching);
- :func:`words` — case-folded word tokens (n-grams, shingles, distinct-n);
- :func:`shingles` / :func:`jaccard` — word n-gram sets and their overlap (near-duplicates,
  diversity);
- :func:`value_key` / :func:`record_key` — what makes two records duplicates.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

TYPOGRAPHIC = str.maketrans(
    {"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "}
)
_WORD = re.compile(r"\w+(?:'\w+)?", re.UNICODE)


def fold_text(text: str) -> str:
    """NFKC, case-folded, whitespace collapsed: ``" Tom  HANKS "`` -> ``"tom hanks"``."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def fold_typography(text: str) -> str:
    """:func:`fold_text` with curly quotes, dashes and no-break spaces made plain ASCII."""
    return fold_text(unicodedata.normalize("NFKC", text).translate(TYPOGRAPHIC))


def _is_edge_punct(ch: str) -> bool:
    # Currency symbols are symbols (S*), not punctuation (P*): "$5" keeps its "$".
    return unicodedata.category(ch).startswith("P") or ch.isspace()


def strip_edge_punctuation(text: str) -> str:
    """``'"Big!"'`` -> ``'Big'`` (punctuation and quotes at both ends only)."""
    start, end = 0, len(text)
    while start < end and _is_edge_punct(text[start]):
        start += 1
    while end > start and _is_edge_punct(text[end - 1]):
        end -= 1
    return text[start:end].strip()


def fold_for_match(text: str) -> str:
    """:func:`fold_typography` with punctuation trimmed at both ends (``'"Big!"'`` -> ``big``)."""
    return strip_edge_punctuation(fold_typography(text))


def strip_accents(text: str) -> str:
    """Lower case, accents removed, ASCII quotes, single spaces: ``"Café’s"`` -> ``"cafe's"``."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.translate(TYPOGRAPHIC).lower().split())


def words(text: str) -> list[str]:
    """Case-folded word tokens (letters and digits, inner apostrophes kept; any script)."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def fold_to_words(text: str) -> str:
    """The case-folded words of ``text`` joined by single spaces (punctuation dropped)."""
    return " ".join(words(text))


def ngrams(tokens: Sequence[str], n: int) -> list[tuple[str, ...]]:
    """Consecutive ``n``-grams of ``tokens``."""
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def shingles(text: str, n: int = 3) -> set[str]:
    """Word ``n``-gram shingles of ``text``; a text shorter than ``n`` words is one shingle."""
    tokens = words(text)
    if not tokens:
        return set()
    if len(tokens) < n:
        return {" ".join(tokens)}
    return {" ".join(g) for g in ngrams(tokens, n)}


def jaccard(a: set[str], b: set[str]) -> float:
    """Jaccard similarity of two sets (1.0 for two empty sets)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def value_key(value: Any) -> Any:
    """A field value in the form duplicates share (text folded, floats to cents, lists sorted)."""
    if isinstance(value, str):
        return fold_text(value)
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, list | tuple):
        return tuple(sorted(str(value_key(v)) for v in value))
    if isinstance(value, dict):
        return tuple(sorted((k, str(value_key(v))) for k, v in value.items()))
    return value


def record_key(
    record: BaseModel | Mapping[str, Any], fields: Sequence[str] | None
) -> tuple[Any, ...]:
    """The duplicate key of a record: :func:`value_key` of ``fields`` (all fields if None)."""
    data = record.model_dump(mode="json") if isinstance(record, BaseModel) else dict(record)
    names = list(fields) if fields else sorted(data)
    return tuple(value_key(data.get(name)) for name in names)
