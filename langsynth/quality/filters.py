"""Heuristic filters (no LLM): the Self-Instruct heuristics, empty fields, HTML remnants, PII.

Each filter looks at one row (some first look at the whole dataset) and returns a reason
when the row should go. :func:`filter_rows` runs them, writes the reasons into a
``filter_reason`` column (``None`` for rows that pass) before anything is dropped, and
counts how many rows each filter removed.

The Self-Instruct heuristics (Wang et al., 2022; seed 004): too short or too long texts,
repetitive n-grams, an output that only echoes the input, the same instruction with
different responses. Instruction/response columns are recognised by name (``instruction``,
``prompt``, ``question``, ``input`` / ``output``, ``response``, ``answer``, ``completion``).
"""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from langsynth.normalize import fold_to_words, ngrams, words
from langsynth.quality.fields import (
    content_fields,
    long_text_fields,
    value_text,
)
from langsynth.quality.pii import find_pii, scrub_pii

INSTRUCTION_FIELDS = ("instruction", "prompt", "question", "query", "input")
OUTPUT_FIELDS = ("output", "response", "answer", "completion")

_HTML_TAGS = (
    "a|abbr|article|b|blockquote|body|br|button|center|code|dd|div|dl|dt|em|font|footer|form|"
    "h[1-6]|head|header|hr|html|i|iframe|img|input|label|li|link|meta|nav|ol|option|p|pre|"
    "script|section|select|small|span|strong|style|sub|sup|table|tbody|td|textarea|th|thead|"
    "title|tr|u|ul"
)
HTML_TAG_RE = re.compile(rf"</?(?:{_HTML_TAGS})(?:\s[^<>]*)?/?>|<!--.*?-->", re.IGNORECASE | re.S)
HTML_ENTITY_RE = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});")


class RowFilter(Protocol):
    """A filter: ``prepare`` sees all rows once, ``check`` returns a reason or ``None``."""

    name: str

    def prepare(self, rows: Sequence[Mapping[str, Any]]) -> None: ...

    def check(self, index: int, row: Mapping[str, Any]) -> str | None: ...


class _RowOnly:
    name = "filter"

    def prepare(self, rows: Sequence[Mapping[str, Any]]) -> None:
        return None


class _OnFields(_RowOnly):
    """A row filter over ``self.fields``, which default to the content columns of the rows."""

    fields: Sequence[str] | None

    def prepare(self, rows: Sequence[Mapping[str, Any]]) -> None:
        if self.fields is None:
            self.fields = content_fields(rows)


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | dict | tuple):
        return len(value) == 0
    return False


@dataclass
class EmptyFields(_OnFields):
    """A field is missing, ``None``, blank, or an empty list."""

    fields: Sequence[str] | None = None
    name: str = "empty"

    def check(self, index: int, row: Mapping[str, Any]) -> str | None:
        empty = [f for f in self.fields or () if _is_empty(row.get(f))]
        return f"empty field(s): {', '.join(empty)}" if empty else None


@dataclass
class Length(_RowOnly):
    """A text field has fewer than ``min_words`` or more than ``max_words`` words."""

    fields: Sequence[str]
    min_words: int = 3
    max_words: int = 150
    name: str = "length"

    def check(self, index: int, row: Mapping[str, Any]) -> str | None:
        for f in self.fields:
            value = row.get(f)
            if not isinstance(value, str) or not value.strip():
                continue  # EmptyFields reports these
            n = len(words(value))
            if n < self.min_words:
                return f"too short: {f} has {n} word(s) (min {self.min_words})"
            if n > self.max_words:
                return f"too long: {f} has {n} words (max {self.max_words})"
        return None


@dataclass
class RepetitiveNgrams(_RowOnly):
    """Too many repeated word n-grams in a text field ("the film the film the film ...")."""

    fields: Sequence[str]
    n: int = 3
    max_repeated_fraction: float = 0.3
    name: str = "repetitive"

    def check(self, index: int, row: Mapping[str, Any]) -> str | None:
        for f in self.fields:
            tokens = words(value_text(row.get(f)))
            grams = ngrams(tokens, self.n)
            if len(grams) < 4:
                continue
            counts = Counter(grams)
            repeated = sum(c - 1 for c in counts.values() if c > 1)
            fraction = repeated / len(grams)
            if fraction > self.max_repeated_fraction:
                top = " ".join(counts.most_common(1)[0][0])
                return (
                    f"repetitive: {fraction:.0%} of {f}'s word {self.n}-grams are repeats "
                    f"(e.g. {top!r})"
                )
        return None


@dataclass
class EchoesInput(_RowOnly):
    """The output only repeats the instruction/input: the same or nearly the same text, or
    a copied run of words that makes up at least ``min_share`` of it.

    A short answer that the instruction merely names ("negative" for "Classify the review as
    positive or negative") is an answer, not an echo.
    """

    input_fields: Sequence[str]
    output_field: str
    min_ratio: float = 90.0
    min_share: float = 0.5
    name: str = "echo"

    def check(self, index: int, row: Mapping[str, Any]) -> str | None:
        from rapidfuzz import fuzz

        out_words = words(value_text(row.get(self.output_field)))
        if not out_words:
            return None
        out = " ".join(out_words)
        for f in self.input_fields:
            source_words = words(value_text(row.get(f)))
            if not source_words:
                continue
            source = " ".join(source_words)
            copied = len(out_words) >= self.min_share * len(source_words) and _contains(
                source_words, out_words
            )
            if out == source or copied or fuzz.ratio(out, source) >= self.min_ratio:
                return f"{self.output_field} only echoes {f}"
        return None


def _contains(tokens: Sequence[str], run: Sequence[str]) -> bool:
    """True if ``run`` occurs in ``tokens`` as consecutive words."""
    n = len(run)
    return any(tokens[i : i + n] == list(run) for i in range(len(tokens) - n + 1))


@dataclass
class ConflictingResponses:
    """The same (normalized) instruction appears with different responses."""

    instruction_fields: Sequence[str]
    output_field: str
    name: str = "conflict"
    _groups: dict[int, list[int]] = field(default_factory=dict, repr=False)

    def _key(self, row: Mapping[str, Any]) -> str:
        return "\x1f".join(fold_to_words(value_text(row.get(f))) for f in self.instruction_fields)

    def prepare(self, rows: Sequence[Mapping[str, Any]]) -> None:
        by_key: dict[str, list[int]] = defaultdict(list)
        for i, row in enumerate(rows):
            key = self._key(row)
            if key.strip("\x1f"):
                by_key[key].append(i)
        self._groups = {}
        for members in by_key.values():
            outputs = {fold_to_words(value_text(rows[i].get(self.output_field))) for i in members}
            if len(outputs) > 1:
                for i in members:
                    self._groups[i] = members

    def check(self, index: int, row: Mapping[str, Any]) -> str | None:
        members = self._groups.get(index)
        if not members:
            return None
        others = ", ".join(str(i) for i in members if i != index)
        return f"same instruction as row(s) {others} with a different {self.output_field}"


@dataclass
class HtmlRemnants(_OnFields):
    """HTML tags, comments or entities left in a string field."""

    fields: Sequence[str] | None = None
    name: str = "html"

    def check(self, index: int, row: Mapping[str, Any]) -> str | None:
        for f in self.fields or ():
            value = row.get(f)
            if not isinstance(value, str):
                continue
            m = HTML_TAG_RE.search(value) or HTML_ENTITY_RE.search(value)
            if m:
                return f"HTML remnant in {f}: {m.group(0)[:40]!r}"
        return None


@dataclass
class ContainsPii(_OnFields):
    """A string field holds an email, phone, card or national-id number."""

    fields: Sequence[str] | None = None
    name: str = "pii"

    def check(self, index: int, row: Mapping[str, Any]) -> str | None:
        for f in self.fields or ():
            value = row.get(f)
            if isinstance(value, str) and (found := find_pii(value)):
                kinds = sorted({m.kind for m in found})
                return f"PII in {f}: {', '.join(kinds)}"
        return None


def strip_html(text: str) -> str:
    """Remove HTML tags and comments, unescape entities, and tidy the spaces left behind."""
    without = HTML_TAG_RE.sub(" ", text)
    unescaped = html.unescape(without)
    return re.sub(r"[ \t]{2,}", " ", unescaped).strip()


@dataclass
class FilterResult:
    """All rows with ``filter_reason`` (``None`` = kept), and what each filter removed."""

    rows: list[dict[str, Any]]
    removed_by: dict[str, int]
    cleaned: dict[str, int]
    settings: dict[str, Any]

    @property
    def kept(self) -> list[dict[str, Any]]:
        """Rows that passed every filter, without the ``filter_reason`` column."""
        return [
            {k: v for k, v in r.items() if k != "filter_reason"}
            for r in self.rows
            if r["filter_reason"] is None
        ]

    @property
    def removed(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["filter_reason"] is not None]

    def summary(self) -> dict[str, Any]:
        """Counts and settings, for reports and data cards."""
        removed = len(self.removed)
        return {
            "rows": len(self.rows),
            "kept": len(self.rows) - removed,
            "removed": removed,
            "removed_by": self.removed_by,
            "cleaned": self.cleaned,
            "settings": self.settings,
        }


def detect_pair_fields(fields: Sequence[str]) -> tuple[list[str], str | None]:
    """Instruction-like and output-like columns among ``fields`` (by name)."""
    lower = {f.lower(): f for f in fields}
    instructions = [lower[n] for n in INSTRUCTION_FIELDS if n in lower]
    output = next((lower[n] for n in OUTPUT_FIELDS if n in lower), None)
    return instructions, output


def default_filters(
    rows: Sequence[Mapping[str, Any]],
    *,
    text_fields: Sequence[str] | None = None,
    min_words: int = 3,
    max_words: int = 150,
    max_repeated_fraction: float = 0.3,
    pii: bool = True,
) -> list[RowFilter]:
    """The standard set: empty, length, repetitive, echo, conflict, html, and pii.

    The length bounds apply to the text fields except a detected response and an ``input``.
    """
    fields = content_fields(rows)
    instructions, output = detect_pair_fields(fields)
    pair_fields = [*instructions, *([output] if output else [])]
    texts = (
        list(text_fields)
        if text_fields
        else list(dict.fromkeys([*long_text_fields(rows, fields), *pair_fields]))
    )
    # An Alpaca "input" is often legitimately empty.
    required = [f for f in fields if f.lower() != "input"]
    # Self-Instruct bounds the length of instructions, not of responses or inputs: a one-word
    # answer ("negative") or input ("banana") is fine, and long answers are normal.
    length_fields = [f for f in texts if f != output and f.lower() != "input"]
    filters: list[RowFilter] = [
        EmptyFields(required),
        Length(length_fields, min_words, max_words),
        RepetitiveNgrams(texts, max_repeated_fraction=max_repeated_fraction),
    ]
    if output and instructions:
        filters.append(EchoesInput(instructions, output))
        filters.append(ConflictingResponses(instructions, output))
    filters.append(HtmlRemnants())
    if pii:
        filters.append(ContainsPii())
    return filters


def filter_rows(
    rows: Sequence[Mapping[str, Any]],
    *,
    filters: Sequence[RowFilter] | None = None,
    scrub_pii_fields: bool = False,
    strip_html_fields: bool = False,
    **default_kwargs: Any,
) -> FilterResult:
    """Mark rows that fail a filter (``filter_reason``), after optional cleaning.

    ``scrub_pii_fields``: replace PII in every string field with typed placeholders instead of
    removing the row. ``strip_html_fields``: remove HTML tags/entities instead of removing the
    row. Other keyword arguments go to :func:`default_filters` when ``filters`` is ``None``.

    >>> r = filter_rows([{"reason": "A fine, specific reason."}, {"reason": ""}])
    >>> [row["filter_reason"] for row in r.rows]
    [None, 'empty field(s): reason']
    """
    data = [dict(r) for r in rows]
    cleaned: dict[str, int] = {}
    if strip_html_fields or scrub_pii_fields:
        for row in data:
            for key, value in row.items():
                if not isinstance(value, str):
                    continue
                new = value
                if strip_html_fields and (HTML_TAG_RE.search(new) or HTML_ENTITY_RE.search(new)):
                    new = strip_html(new)
                    cleaned["html"] = cleaned.get("html", 0) + 1
                if scrub_pii_fields:
                    scrubbed = scrub_pii(new)
                    if scrubbed != new:
                        cleaned["pii"] = cleaned.get("pii", 0) + 1
                    new = scrubbed
                row[key] = new
    if filters is None:
        filters = default_filters(data, pii=not scrub_pii_fields, **default_kwargs)
    for f in filters:
        f.prepare(data)
    removed_by = {f.name: 0 for f in filters}
    for i, row in enumerate(data):
        reasons = []
        for f in filters:
            reason = f.check(i, row)
            if reason:
                reasons.append(reason)
                removed_by[f.name] += 1
        row["filter_reason"] = "; ".join(reasons) if reasons else None
    settings = {
        "filters": [f.name for f in filters],
        "scrub_pii": scrub_pii_fields,
        "strip_html": strip_html_fields,
        **{k: v for k, v in default_kwargs.items() if v is not None},
    }
    return FilterResult(rows=data, removed_by=removed_by, cleaned=cleaned, settings=settings)
