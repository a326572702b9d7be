"""Diversity metrics: is a generated dataset varied, or the same record a hundred times?

No LLM. For texts: **distinct-n** (unique n-grams / all n-grams over the corpus, Li et al.
2016; higher is more varied) and **mean pairwise similarity** (Jaccard similarity of word
n-gram sets, estimated with MinHash; lower is more varied). For attributes: **coverage**, how
many distinct values a field takes, compared with the pool it was drawn from.
:func:`diversity_report` computes them all for rows of a dataset; ``langsynth inspect`` and
the benchmarks print it.

>>> round(distinct_n(["the cat sat", "the cat ran"], 1), 2)
0.67
>>> mean_pairwise_similarity(["a b c d", "a b c d"], ngram=1, exact=True)
1.0
"""

from __future__ import annotations

import itertools
import random
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from langsynth.normalize import jaccard, ngrams, shingles, words


def distinct_n(texts: Iterable[str], n: int) -> float:
    """Distinct-n of a corpus: unique n-grams / total n-grams (0.0 when there are none)."""
    total = 0
    seen: set[tuple[str, ...]] = set()
    for text in texts:
        grams = ngrams(words(text), n)
        total += len(grams)
        seen.update(grams)
    return len(seen) / total if total else 0.0


def pairwise_similarities(
    texts: Sequence[str],
    *,
    ngram: int = 2,
    num_perm: int = 128,
    exact: bool = False,
    seed: int = 1,
) -> list[float]:
    """Jaccard similarity of the word ``ngram`` shingle sets of every pair of texts.

    MinHash estimates (``num_perm`` permutations, reproducible with ``seed``) unless
    ``exact``; MinHash makes it O(n * len) to sketch, then cheap per pair.
    """
    sets = [shingles(t, ngram) for t in texts]
    pairs = itertools.combinations(range(len(sets)), 2)
    if exact:
        return [jaccard(sets[i], sets[j]) for i, j in pairs]
    from datasketch import MinHash

    sketches = []
    for s in sets:
        m = MinHash(num_perm=num_perm, seed=seed)
        for sh in s:
            m.update(sh.encode("utf-8"))
        sketches.append(m)
    return [
        1.0 if not sets[i] and not sets[j] else float(sketches[i].jaccard(sketches[j]))
        for i, j in pairs
    ]


def mean_pairwise_similarity(
    texts: Sequence[str],
    *,
    ngram: int = 2,
    num_perm: int = 128,
    exact: bool = False,
    seed: int = 1,
    max_texts: int | None = 500,
) -> float:
    """Mean of :func:`pairwise_similarities` (0.0 for fewer than two texts).

    Word bigrams by default: shared phrasing ("once upon a time there was a little girl")
    counts, shared stop words alone do not. The number of pairs grows with the square of the
    texts, so above ``max_texts`` a seeded random sample of that many is used.
    """
    if max_texts is not None and len(texts) > max_texts:
        texts = random.Random(seed).sample(list(texts), max_texts)
    sims = pairwise_similarities(texts, ngram=ngram, num_perm=num_perm, exact=exact, seed=seed)
    return statistics.fmean(sims) if sims else 0.0


def rouge_l(a: str, b: str) -> float:
    """ROUGE-L F1 of two texts on word tokens (longest common subsequence), as in Self-Instruct."""
    x, y = words(a), words(b)
    if not x or not y:
        return 0.0
    prev = [0] * (len(y) + 1)
    for xi in x:
        cur = [0]
        for j, yj in enumerate(y, start=1):
            cur.append(prev[j - 1] + 1 if xi == yj else max(prev[j], cur[j - 1]))
        prev = cur
    lcs = prev[-1]
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(x), lcs / len(y)
    return 2 * precision * recall / (precision + recall)


def _hashable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value


@dataclass(frozen=True)
class Coverage:
    """How many distinct values a field takes, out of its pool (when the pool is finite).

    ``share`` is ``distinct / pool_size`` (``None`` without a pool); ``top_share`` is the share
    of rows holding the most common value (1.0: every row the same).
    List values (e.g. story features) count each element.
    """

    field: str
    distinct: int
    count: int
    pool_size: int | None = None
    top_value: Any = None
    top_share: float = 0.0

    @property
    def share(self) -> float | None:
        return self.distinct / self.pool_size if self.pool_size else None


def attribute_coverage(
    field_name: str, values: Iterable[Any], pool: Sequence[Any] | None = None
) -> Coverage:
    """Coverage of one field's ``values`` against ``pool`` (the values it could take)."""
    flat: list[Any] = []
    for v in values:
        if v is None:
            continue
        if isinstance(v, list | tuple | set | frozenset):
            flat.extend(_hashable(x) for x in v)
        else:
            flat.append(_hashable(v))
    counts: dict[Any, int] = {}
    for v in flat:
        counts[v] = counts.get(v, 0) + 1
    top = max(counts.items(), key=lambda kv: kv[1]) if counts else (None, 0)
    return Coverage(
        field=field_name,
        distinct=len(counts),
        count=len(flat),
        pool_size=len(set(map(_hashable, pool))) if pool is not None else None,
        top_value=top[0],
        top_share=top[1] / len(flat) if flat else 0.0,
    )


def pool_values(pool: Any) -> Sequence[Any] | None:
    """The finite set of values a pool draws from, if it has one.

    Knows ``ChoicePool`` (``values``), integer ``RangePool``/``CountPool`` (``low..high``), and
    anything with a ``values`` sequence; others (Faker) are unbounded: ``None``.
    """
    values = getattr(pool, "values", None)
    if isinstance(values, tuple | list):
        return values
    low, high = getattr(pool, "low", None), getattr(pool, "high", None)
    if (
        isinstance(low, int | float)
        and isinstance(high, int | float)
        and getattr(pool, "decimals", 0) == 0
    ):
        return range(int(low), int(high) + 1)
    return None


@dataclass(frozen=True)
class TextDiversity:
    """Distinct-n and mean pairwise similarity of one text field."""

    field: str
    count: int
    distinct_1: float
    distinct_2: float
    distinct_3: float
    mean_similarity: float
    mean_words: float


def text_diversity(
    field_name: str, texts: Sequence[str], *, ngram: int = 2, exact: bool = False
) -> TextDiversity:
    """All text metrics for one field."""
    texts = [t for t in texts if isinstance(t, str) and t.strip()]
    return TextDiversity(
        field=field_name,
        count=len(texts),
        distinct_1=distinct_n(texts, 1),
        distinct_2=distinct_n(texts, 2),
        distinct_3=distinct_n(texts, 3),
        mean_similarity=mean_pairwise_similarity(texts, ngram=ngram, exact=exact),
        mean_words=statistics.fmean(len(words(t)) for t in texts) if texts else 0.0,
    )


@dataclass(frozen=True)
class DiversityReport:
    """Text metrics per text field and coverage per attribute field."""

    texts: list[TextDiversity] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "texts": [t.__dict__ for t in self.texts],
            "coverage": [{**c.__dict__, "share": c.share} for c in self.coverage],
        }

    def text_rows(self) -> list[dict[str, Any]]:
        """One printable row per text field (rounded), for a table."""
        return [
            {
                "field": t.field,
                "rows": t.count,
                "distinct-1": round(t.distinct_1, 3),
                "distinct-2": round(t.distinct_2, 3),
                "distinct-3": round(t.distinct_3, 3),
                "mean pairwise sim": round(t.mean_similarity, 3),
                "mean words": round(t.mean_words, 1),
            }
            for t in self.texts
        ]

    def coverage_rows(self) -> list[dict[str, Any]]:
        """One printable row per attribute field, for a table."""
        return [
            {
                "field": c.field,
                "distinct": c.distinct,
                "values": c.count,
                "pool": c.pool_size if c.pool_size is not None else "-",
                "coverage": f"{c.share:.0%}" if c.share is not None else "-",
                "top value": f"{c.top_value} ({c.top_share:.0%})" if c.count else "-",
            }
            for c in self.coverage
        ]


def diversity_report(
    rows: Sequence[Mapping[str, Any]],
    *,
    text_fields: Sequence[str] = (),
    attributes: Mapping[str, Sequence[Any] | None] | Sequence[str] = (),
    pools: Mapping[str, Any] | None = None,
    ngram: int = 2,
    exact: bool = False,
) -> DiversityReport:
    """Diversity of ``rows``: text metrics for ``text_fields``, coverage for ``attributes``.

    ``attributes`` is a list of field names or a mapping field -> pool values (``None``: no
    pool). ``pools`` (e.g. ``SchemaInfo.pools``) supplies pools for fields given by name; a
    field that has a pool is covered even if not listed. A pool with ``coverage_pools()``
    (:class:`~langsynth.synthesis.VocabularyPool`) covers the fields it names instead
    (``verb``, ``noun``, ``adjective``, ``features`` of ``children_story``).

    How ``langsynth inspect`` can use it::

        info = load_schema(name)
        report = diversity_report(rows, text_fields=info.text_fields, pools=info.pools)
    """
    pools = dict(pools or {})
    if isinstance(attributes, Mapping):
        wanted: dict[str, Sequence[Any] | None] = dict(attributes)
    else:
        wanted = {name: None for name in attributes}
    for name, pool in pools.items():
        nested = getattr(pool, "coverage_pools", None)
        if callable(nested):  # e.g. VocabularyPool: verb/noun/adjective/features pools
            for sub_name, values in nested().items():
                if wanted.get(sub_name) is None and any(sub_name in r for r in rows):
                    wanted[sub_name] = values
            continue
        if name in text_fields:
            continue
        listed_without_pool = name in wanted and wanted[name] is None
        if listed_without_pool or (name not in wanted and any(name in r for r in rows)):
            wanted[name] = pool_values(pool)
    return DiversityReport(
        texts=[
            text_diversity(f, [r.get(f) for r in rows], ngram=ngram, exact=exact)  # type: ignore[misc]
            for f in text_fields
        ],
        coverage=[
            attribute_coverage(name, (r.get(name) for r in rows), pool)
            for name, pool in wanted.items()
        ],
    )
