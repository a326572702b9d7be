"""Inspection: per-field statistics, text diversity, judge scores, and a PNG of distributions.

"Look at your data" (seed 004): :func:`inspect_rows` reports, for every column, its type,
null rate, distinct count, most common values and length distribution; for text columns
distinct-n (unique n-grams / all n-grams) and how similar rows are to each other; and the
distribution of judge scores when a ``score`` column is present. :func:`plot_inspection`
draws the same numbers for people who would rather look than read.
"""

from __future__ import annotations

import json
import random
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from langsynth.normalize import fold_to_words, words
from langsynth.quality.diversity import (
    Coverage,
    distinct_n,
    diversity_report,
    mean_pairwise_similarity,
)
from langsynth.quality.fields import (
    content_fields,
    long_text_fields,
    value_text,
)

SIMILARITY_SAMPLE = 300  # rows compared pairwise at most (seeded sample)


@dataclass
class LengthStats:
    """Length distribution (characters for strings, items for lists)."""

    min: int
    mean: float
    median: float
    p90: float
    max: int

    @classmethod
    def of(cls, lengths: Sequence[int]) -> LengthStats:
        ordered = sorted(lengths)
        p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
        return cls(
            min=ordered[0],
            mean=round(statistics.fmean(ordered), 2),
            median=float(statistics.median(ordered)),
            p90=float(p90),
            max=ordered[-1],
        )


@dataclass
class FieldStats:
    """Statistics of one column."""

    name: str
    type: str
    count: int
    null_rate: float
    distinct: int
    top_values: list[tuple[str, int]]
    length: LengthStats | None = None
    words: LengthStats | None = None
    numeric: dict[str, float] | None = None


@dataclass
class TextStats:
    """Diversity of one text column: distinct-n and pairwise similarity of its values."""

    name: str
    distinct_1: float
    distinct_2: float
    distinct_3: float
    mean_similarity: float
    max_similarity: float
    most_similar_pair: tuple[int, int] | None
    compared_rows: int
    mean_jaccard: float | None = None  # MinHash Jaccard of word bigrams (near-duplicate view)


@dataclass
class ScoreStats:
    """Distribution of judge scores (1..5; fractional means are rounded for the histogram)."""

    field: str
    count: int
    missing: int
    mean: float | None
    distribution: dict[int, int]


@dataclass
class InspectionReport:
    """Everything :func:`inspect_rows` found; ``to_dict()`` is JSON-ready."""

    rows: int
    fields: list[FieldStats]
    texts: list[TextStats]
    scores: ScoreStats | None = None
    coverage: list[Coverage] = field(default_factory=list)
    lengths: dict[str, list[int]] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("lengths")
        data["coverage"] = [{**asdict(c), "share": c.share} for c in self.coverage]
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


def _type_name(values: Sequence[Any]) -> str:
    names = Counter(
        "bool"
        if isinstance(v, bool)
        else "int"
        if isinstance(v, int)
        else "float"
        if isinstance(v, float)
        else "str"
        if isinstance(v, str)
        else "list"
        if isinstance(v, list | tuple)
        else "dict"
        if isinstance(v, dict)
        else type(v).__name__
        for v in values
    )
    if not names:
        return "null"
    if set(names) <= {"int", "float"} and len(names) == 2:
        return "float"
    return "/".join(n for n, _ in names.most_common())


def _hashable(value: Any) -> str:
    return value_text(value)


def field_stats(rows: Sequence[Mapping[str, Any]], name: str, top: int = 5) -> FieldStats:
    """Statistics of column ``name`` over ``rows``."""
    values = [r.get(name) for r in rows]
    present = [v for v in values if v is not None and not (isinstance(v, str) and not v.strip())]
    counts = Counter(_hashable(v) for v in present)
    stats = FieldStats(
        name=name,
        type=_type_name(present),
        count=len(present),
        null_rate=round(1 - len(present) / len(values), 4) if values else 0.0,
        distinct=len(counts),
        top_values=[(v[:60], c) for v, c in counts.most_common(top)],
    )
    strings = [v for v in present if isinstance(v, str)]
    lists = [v for v in present if isinstance(v, list | tuple)]
    if strings:
        stats.length = LengthStats.of([len(s) for s in strings])
        stats.words = LengthStats.of([len(words(s)) for s in strings])
    elif lists:
        stats.length = LengthStats.of([len(v) for v in lists])
    numbers = [float(v) for v in present if isinstance(v, int | float) and not isinstance(v, bool)]
    if numbers and len(numbers) == len(present):
        stats.numeric = {
            "min": min(numbers),
            "mean": round(statistics.fmean(numbers), 4),
            "median": float(statistics.median(numbers)),
            "max": max(numbers),
            "stdev": round(statistics.pstdev(numbers), 4),
        }
    return stats


def pairwise_similarity(
    texts: Sequence[str], *, sample: int = SIMILARITY_SAMPLE, seed: int = 0
) -> tuple[float, float, tuple[int, int] | None, int]:
    """Mean and max similarity (rapidfuzz ``ratio`` of normalized text, 0-1) over all pairs.

    At most ``sample`` texts (a seeded random sample) are compared. Returns
    ``(mean, max, (i, j) of the most similar pair, texts compared)``.
    """
    indices = list(range(len(texts)))
    if len(indices) > sample:
        indices = sorted(random.Random(seed).sample(indices, sample))
    if len(indices) < 2:
        return 0.0, 0.0, None, len(indices)
    import numpy as np
    from rapidfuzz import fuzz, process

    normalized = [fold_to_words(texts[i]) for i in indices]
    matrix = process.cdist(normalized, normalized, scorer=fuzz.ratio, workers=1, dtype=np.uint8)
    upper = np.triu_indices(len(indices), k=1)
    values = matrix[upper].astype(float) / 100.0
    best = int(values.argmax())
    pair = (indices[int(upper[0][best])], indices[int(upper[1][best])])
    return round(float(values.mean()), 4), round(float(values.max()), 4), pair, len(indices)


def score_stats(rows: Sequence[Mapping[str, Any]], field_name: str = "score") -> ScoreStats | None:
    """Distribution of judge scores in column ``field_name``; ``None`` if there is none."""
    if not any(field_name in r for r in rows):
        return None
    scores: list[float] = []
    for r in rows:
        v = r.get(field_name)
        if isinstance(v, int | float) and not isinstance(v, bool):
            scores.append(float(v))
    distribution = dict.fromkeys(range(1, 6), 0)
    for s in scores:
        k = min(5, max(1, int(s + 0.5)))
        distribution[k] += 1
    return ScoreStats(
        field=field_name,
        count=len(scores),
        missing=len(rows) - len(scores),
        mean=round(statistics.fmean(scores), 3) if scores else None,
        distribution=distribution,
    )


def inspect_rows(
    rows: Sequence[Mapping[str, Any]],
    *,
    fields: Sequence[str] | None = None,
    text_fields: Sequence[str] | None = None,
    score_field: str = "score",
    pools: Mapping[str, Any] | None = None,
) -> InspectionReport:
    """Statistics of every column, diversity of the text columns, and judge scores.

    ``fields`` defaults to the content columns; ``text_fields`` to the long-text ones.
    ``pools`` (e.g. ``load_schema(name).pools``) adds per-attribute coverage: how many of the
    values a pool could give each field actually takes.

    >>> report = inspect_rows([{"t": "a b c"}, {"t": "a b d"}])
    >>> report.texts[0].distinct_1
    0.6667
    """
    columns = list(fields) if fields else content_fields(rows)
    texts = list(text_fields) if text_fields else long_text_fields(rows, columns)
    if not texts:
        texts = [f for f in columns if any(isinstance(r.get(f), str) for r in rows)][:1]
    report = InspectionReport(
        rows=len(rows),
        fields=[field_stats(rows, f) for f in columns],
        texts=[],
        scores=score_stats(rows, score_field),
    )
    if pools:
        report.coverage = diversity_report(rows, text_fields=texts, pools=pools).coverage
    for name in texts:
        values = [v for r in rows if isinstance(v := r.get(name), str) and v.strip()]
        mean, best, pair, compared = pairwise_similarity(values)
        report.texts.append(
            TextStats(
                name=name,
                distinct_1=round(distinct_n(values, 1), 4),
                distinct_2=round(distinct_n(values, 2), 4),
                distinct_3=round(distinct_n(values, 3), 4),
                mean_similarity=mean,
                max_similarity=best,
                most_similar_pair=pair,
                compared_rows=compared,
                mean_jaccard=round(mean_pairwise_similarity(values), 4) if compared > 1 else None,
            )
        )
        report.lengths[name] = [len(words(v)) for v in values]
    return report


def _short_label(value: str, width: int = 28) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"


def plot_inspection(report: InspectionReport, path: str | Path) -> Path:
    """Write a PNG: word-length histograms of the text fields, top values, scores, null rates."""
    # A bare Figure, not pyplot: no GUI backend is needed, and the caller's pyplot backend
    # (e.g. Jupyter's inline one) is left alone.
    from matplotlib.figure import Figure

    # Most-common-value bars only for short categorical columns: free text (the columns with
    # a length histogram) has no common values, and its long labels squeeze the panels.
    categorical = [
        f
        for f in report.fields
        if f.type == "str" and f.length and 1 < f.distinct <= 30 and f.name not in report.lengths
    ]
    panels: list[str] = [f"len:{t}" for t in report.lengths]
    panels += [f"top:{f.name}" for f in categorical[:2]]
    if report.scores is not None:
        panels.append("scores")
    panels.append("nulls")
    cols = 2 if len(panels) > 1 else 1
    nrows = (len(panels) + cols - 1) // cols
    fig = Figure(figsize=(6 * cols, 3.4 * nrows))
    axes = fig.subplots(nrows, cols, squeeze=False)
    by_name = {f.name: f for f in report.fields}
    for ax, panel in zip(axes.flat, panels, strict=False):
        kind, _, name = panel.partition(":")
        if kind == "len":
            lengths = report.lengths[name]
            ax.hist(lengths or [0], bins=min(30, max(5, len(set(lengths)))), color="#4C72B0")
            ax.set_title(f"{name}: words per value")
            ax.set_xlabel("words")
            ax.set_ylabel("rows")
        elif kind == "top":
            stats = by_name[name]
            labels = [_short_label(v) for v, _ in stats.top_values][::-1]
            ax.barh(labels, [c for _, c in stats.top_values][::-1], color="#55A868")
            ax.set_title(f"{name}: most common values ({stats.distinct} distinct)")
            ax.set_xlabel("rows")
        elif kind == "scores" and report.scores is not None:
            dist = report.scores.distribution
            ax.bar([str(k) for k in dist], list(dist.values()), color="#C44E52")
            mean = report.scores.mean
            ax.set_title(f"judge scores (mean {mean if mean is not None else '-'})")
            ax.set_xlabel("score")
            ax.set_ylabel("rows")
        else:
            names = [f.name for f in report.fields]
            ax.barh(names[::-1], [f.null_rate for f in report.fields][::-1], color="#8172B2")
            ax.set_xlim(0, 1)
            ax.set_title("null / empty rate per field")
    for ax in list(axes.flat)[len(panels) :]:
        ax.set_visible(False)
    fig.suptitle(f"{report.rows} rows")
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    return out
