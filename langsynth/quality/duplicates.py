"""Deduplication: exact (normalized), near-duplicate (MinHash LSH) and fuzzy (short fields).

Rows are visited in order; a row is a duplicate if it matches a row that was *kept* before
it, so the first occurrence always stays. Every row gets a ``duplicate_of`` column (the
0-based index of the kept row it duplicates, or ``None``) before anything is dropped, plus
``duplicate_method`` and ``duplicate_similarity``; :attr:`DedupResult.clusters` groups each
kept row with its duplicates.

Methods:

- ``exact``: the normalized values (case, Unicode form, punctuation, spacing ignored) of the
  key fields are equal.
- ``minhash``: the Jaccard similarity of word 3-gram shingles of the text fields is at least
  ``threshold``. datasketch's MinHash LSH proposes candidates (at a lower threshold, so none
  is missed) and each candidate is confirmed with the exact Jaccard of the shingle sets.
  With the default 0.6, a one-word edit of a 20-word sentence (similarity >= 0.71) is a
  duplicate, while two sentences filled from one template with different slot values
  (typically 0.2-0.5) are not.
- ``fuzzy``: rapidfuzz's ``ratio`` of the normalized short fields is at least
  ``fuzzy_threshold`` (0-100); catches typos in titles and names ("The Shinning").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from langsynth.errors import ConfigurationError
from langsynth.normalize import fold_to_words, jaccard, shingles
from langsynth.quality.fields import (
    check_columns,
    content_fields,
    long_text_fields,
    row_text,
    short_text_fields,
    value_text,
)

METHODS = ("exact", "minhash", "fuzzy")
DEFAULT_THRESHOLD = 0.6
DEFAULT_FUZZY_THRESHOLD = 92.0
SHINGLE_WORDS = 3
NUM_PERM = 128
# LSH proposes pairs from this much below the threshold; the exact Jaccard then decides.
_LSH_MARGIN = 0.2


@dataclass
class DuplicateCluster:
    """A kept row and the rows marked as its duplicates (0-based input indices)."""

    keep: int
    duplicates: list[int] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    similarities: list[float] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "keep": self.keep,
            "duplicates": self.duplicates,
            "methods": self.methods,
            "similarities": [round(s, 4) for s in self.similarities],
        }


@dataclass
class DedupResult:
    """Rows marked with ``duplicate_of`` (all of them), the kept rows, and the clusters."""

    rows: list[dict[str, Any]]
    clusters: list[DuplicateCluster]
    settings: dict[str, Any]

    @property
    def kept(self) -> list[dict[str, Any]]:
        """Rows that are not duplicates, in input order, without the marking columns."""
        return [_strip_marks(r) for r in self.rows if r["duplicate_of"] is None]

    @property
    def duplicates(self) -> list[dict[str, Any]]:
        """Rows marked as duplicates (with their marking columns)."""
        return [r for r in self.rows if r["duplicate_of"] is not None]

    @property
    def n_duplicates(self) -> int:
        return sum(1 for r in self.rows if r["duplicate_of"] is not None)

    def counts_by_method(self) -> dict[str, int]:
        counts = dict.fromkeys(self.settings["methods"], 0)
        for r in self.rows:
            if r["duplicate_of"] is not None:
                counts[r["duplicate_method"]] += 1
        return counts

    def summary(self) -> dict[str, Any]:
        """Counts and settings, for reports and data cards."""
        return {
            "rows": len(self.rows),
            "kept": len(self.rows) - self.n_duplicates,
            "duplicates": self.n_duplicates,
            "by_method": self.counts_by_method(),
            "clusters": len(self.clusters),
            "settings": self.settings,
        }


MARK_COLUMNS = ("duplicate_of", "duplicate_method", "duplicate_similarity")


def _strip_marks(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in MARK_COLUMNS}


class _FuzzyIndex:
    """Kept short-field strings; finds the best match at or above a ratio cutoff."""

    def __init__(self, cutoff: float) -> None:
        self.cutoff = cutoff
        self.texts: list[str] = []
        self.ids: list[int] = []

    def best(self, text: str) -> tuple[int, float] | None:
        if not text or not self.texts:
            return None
        from rapidfuzz import fuzz, process

        hit = process.extractOne(text, self.texts, scorer=fuzz.ratio, score_cutoff=self.cutoff)
        if hit is None:
            return None
        _, score, pos = hit
        return self.ids[pos], float(score) / 100.0

    def add(self, text: str, idx: int) -> None:
        if text:
            self.texts.append(text)
            self.ids.append(idx)


class DedupHints(Protocol):
    """What dedup reads from a schema (a :class:`~langsynth.schemas.SchemaInfo` has both)."""

    @property
    def dedup_fields(self) -> tuple[str, ...] | None: ...

    @property
    def text_fields(self) -> tuple[str, ...]: ...


def dedup_settings(
    rows: Sequence[Mapping[str, Any]],
    *,
    schema: DedupHints | None = None,
    key_fields: Sequence[str] | None = None,
    text_fields: Sequence[str] | None = None,
    fuzzy_fields: Sequence[str] | None = None,
    methods: Sequence[str] | None = None,
    threshold: float | None = None,
    fuzzy_threshold: float | None = None,
) -> dict[str, Any]:
    """The settings :func:`dedup` uses, every default resolved (the one place that does it).

    Given columns win; then the schema's hints, for those of its fields the rows have:

    - ``text_fields`` (MinHash): the schema's text fields, else the long-text columns, else
      all content columns;
    - ``key_fields`` (exact): the schema's dedup fields, else ``text_fields`` if given, else
      all content columns;
    - ``fuzzy_fields``: the short-text columns among the schema's dedup fields (titles,
      names), else none;
    - ``methods`` all of :data:`METHODS`; :data:`DEFAULT_THRESHOLD`,
      :data:`DEFAULT_FUZZY_THRESHOLD`.
    """
    data = list(rows)
    for names, what in (
        (key_fields, "key_fields"),
        (text_fields, "text_fields"),
        (fuzzy_fields, "fuzzy_fields"),
    ):
        check_columns(data, names, f"dedup {what}")
    chosen = list(methods) if methods else list(METHODS)
    unknown = [m for m in chosen if m not in METHODS]
    if unknown:
        raise ConfigurationError(
            f"unknown dedup method(s) {unknown}; choose from {', '.join(METHODS)}."
        )
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    fuzzy_threshold = DEFAULT_FUZZY_THRESHOLD if fuzzy_threshold is None else fuzzy_threshold
    if not 0.0 < threshold <= 1.0:
        raise ConfigurationError(f"dedup threshold must be in (0, 1], got {threshold}.")
    if not 0.0 < fuzzy_threshold <= 100.0:
        raise ConfigurationError(
            f"dedup fuzzy_threshold must be in (0, 100], got {fuzzy_threshold}."
        )
    all_fields = content_fields(data)
    schema_keys = [f for f in (schema.dedup_fields or ()) if f in all_fields] if schema else []
    schema_texts = [f for f in schema.text_fields if f in all_fields] if schema else []
    texts = list(text_fields or schema_texts or long_text_fields(data) or all_fields)
    keys = list(key_fields or schema_keys or text_fields or all_fields)
    if fuzzy_fields is not None:
        fuzzy = list(fuzzy_fields)
    else:
        fuzzy = short_text_fields(data, schema_keys) if schema_keys else []
    return {
        "key_fields": keys,
        "text_fields": texts,
        "fuzzy_fields": fuzzy,
        "methods": chosen,
        "threshold": threshold,
        "fuzzy_threshold": fuzzy_threshold,
    }


def dedup(
    rows: Sequence[Mapping[str, Any]],
    *,
    schema: DedupHints | None = None,
    key_fields: Sequence[str] | None = None,
    text_fields: Sequence[str] | None = None,
    fuzzy_fields: Sequence[str] | None = None,
    methods: Sequence[str] | None = None,
    threshold: float | None = None,
    fuzzy_threshold: float | None = None,
    num_perm: int = NUM_PERM,
) -> DedupResult:
    """Mark duplicates in ``rows``; the first of each cluster is kept.

    ``key_fields`` are compared exactly after normalization, ``text_fields`` by
    MinHash/Jaccard of word 3-grams (``threshold``, 0-1), ``fuzzy_fields`` by rapidfuzz ratio
    (``fuzzy_threshold``, 0-100). What is not given is resolved by :func:`dedup_settings`
    from the rows and the ``schema``'s hints; ``result.settings`` records what was used.

    >>> r = dedup([{"t": "A b c d"}, {"t": "a b, c d!"}, {"t": "x y z"}])
    >>> [row["duplicate_of"] for row in r.rows]
    [None, 0, None]
    """
    data = [dict(r) for r in rows]
    resolved = dedup_settings(
        data,
        schema=schema,
        key_fields=key_fields,
        text_fields=text_fields,
        fuzzy_fields=fuzzy_fields,
        methods=methods,
        threshold=threshold,
        fuzzy_threshold=fuzzy_threshold,
    )
    methods = resolved["methods"]
    threshold = resolved["threshold"]
    fuzzy_threshold = resolved["fuzzy_threshold"]
    keys, texts, fuzzy = resolved["key_fields"], resolved["text_fields"], resolved["fuzzy_fields"]
    use_fuzzy = "fuzzy" in methods and bool(fuzzy)
    settings: dict[str, Any] = {
        "methods": list(methods),
        "key_fields": keys if "exact" in methods else [],
        "text_fields": texts if "minhash" in methods else [],
        "fuzzy_fields": fuzzy if use_fuzzy else [],
        "threshold": threshold,
        "fuzzy_threshold": fuzzy_threshold,
        "shingle_words": SHINGLE_WORDS,
        "num_perm": num_perm,
    }

    exact_index: dict[str, int] = {}
    shingle_sets: dict[int, set[str]] = {}
    lsh = None
    if "minhash" in methods:
        from datasketch import MinHashLSH

        lsh = MinHashLSH(threshold=max(0.05, threshold - _LSH_MARGIN), num_perm=num_perm)
    fuzzy_index = _FuzzyIndex(fuzzy_threshold)
    clusters: dict[int, DuplicateCluster] = {}

    for i, row in enumerate(data):
        match: tuple[int, str, float] | None = None
        if "exact" in methods:
            key = "\x1f".join(fold_to_words(value_text(row.get(f))) for f in keys)
            if key in exact_index:
                match = (exact_index[key], "exact", 1.0)
        sh: set[str] = set()
        minhash = None
        if lsh is not None:
            sh = shingles(row_text(row, texts), SHINGLE_WORDS)
            if sh:
                minhash = _minhash(sh, num_perm)
            if match is None and minhash is not None:
                best: tuple[int, float] | None = None
                for cand in lsh.query(minhash):
                    j = int(cand)
                    sim = jaccard(sh, shingle_sets[j])
                    if sim >= threshold and (best is None or (sim, -j) > (best[1], -best[0])):
                        best = (j, sim)
                if best is not None:
                    match = (best[0], "minhash", best[1])
        fuzzy_text = (
            fold_to_words(" ".join(value_text(row.get(f)) for f in fuzzy)) if use_fuzzy else ""
        )
        if match is None and use_fuzzy:
            hit = fuzzy_index.best(fuzzy_text)
            if hit is not None:
                match = (hit[0], "fuzzy", hit[1])

        if match is None:
            row["duplicate_of"] = None
            row["duplicate_method"] = None
            row["duplicate_similarity"] = None
            if "exact" in methods:
                exact_index.setdefault(key, i)
            if lsh is not None and minhash is not None:
                lsh.insert(str(i), minhash)
                shingle_sets[i] = sh
            if use_fuzzy:
                fuzzy_index.add(fuzzy_text, i)
            continue
        j, method, sim = match
        row["duplicate_of"] = j
        row["duplicate_method"] = method
        row["duplicate_similarity"] = round(sim, 4)
        cluster = clusters.setdefault(j, DuplicateCluster(keep=j))
        cluster.duplicates.append(i)
        cluster.methods.append(method)
        cluster.similarities.append(sim)

    return DedupResult(
        rows=data, clusters=[clusters[k] for k in sorted(clusters)], settings=settings
    )


def _minhash(shingle_set: set[str], num_perm: int) -> Any:
    from datasketch import MinHash

    m = MinHash(num_perm=num_perm, seed=1)
    m.update_batch([s.encode("utf-8") for s in shingle_set])
    return m
