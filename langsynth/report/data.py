"""Report sections about the data: per-field distributions and diversity.

Both read one :class:`~langsynth.quality.inspection.InspectionReport` (the numbers ``langsynth
inspect`` prints); coverage comes from :func:`langsynth.quality.diversity.diversity_report`.
Nothing here computes a statistic of its own; it only collects values to plot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langsynth.quality.diversity import DiversityReport, diversity_report
from langsynth.quality.fields import value_text
from langsynth.quality.inspection import FieldStats, InspectionReport
from langsynth.report import plots
from langsynth.report.markup import Section, figure, table

MAX_FIELD_PLOTS = 24
CATEGORICAL_MAX = 30  # a string field with at most this many distinct values gets value bars


def _numbers(rows: Sequence[Mapping[str, Any]], name: str) -> list[float]:
    return [
        float(v)
        for r in rows
        if isinstance(v := r.get(name), int | float) and not isinstance(v, bool)
    ]


def _lengths(rows: Sequence[Mapping[str, Any]], name: str) -> list[int]:
    return [len(v) for r in rows if isinstance(v := r.get(name), str | list | tuple) and len(v) > 0]


def field_plot(
    stats: FieldStats, rows: Sequence[Mapping[str, Any]], report: InspectionReport
) -> str | None:
    """The chart that fits a field: words per value, a value histogram, or common values."""
    name = stats.name
    if name in report.lengths:
        return figure(
            plots.histogram(report.lengths[name], f"{name}: words per value", "words"),
            f"{name}: length in words ({stats.count} values)",
        )
    if stats.numeric is not None:
        return figure(
            plots.histogram(_numbers(rows, name), f"{name}: values", name),
            f"{name}: distribution of values",
        )
    if stats.top_values and (stats.type in ("bool", "str") and stats.distinct <= CATEGORICAL_MAX):
        labels = [v for v, _ in stats.top_values]
        return figure(
            plots.bars(labels, [c for _, c in stats.top_values], f"{name}: common values", "rows"),
            f"{name}: most common of {stats.distinct} distinct values",
        )
    if stats.length is not None:
        unit = "items" if stats.type.startswith("list") else "characters"
        return figure(
            plots.histogram(_lengths(rows, name), f"{name}: {unit} per value", unit),
            f"{name}: length in {unit}",
        )
    return None


def _stats_row(f: FieldStats) -> list[Any]:
    top = "; ".join(f"{v} ({n})" for v, n in f.top_values[:3])
    length = (
        f"{f.length.min} / {f.length.median:g} / {f.length.p90:g} / {f.length.max}"
        if f.length
        else ""
    )
    numeric = (
        f"{f.numeric['min']:g} / {f.numeric['mean']:g} / {f.numeric['max']:g}" if f.numeric else ""
    )
    return [f.name, f.type, f.count, f.null_rate, f.distinct, top, length, numeric]


def fields_section(report: InspectionReport, rows: Sequence[Mapping[str, Any]]) -> Section:
    """A table of per-field statistics, then one chart per field."""
    sec = Section("fields", "Fields: lengths and values")
    if not report.fields:
        return sec.lack("No content fields to describe (the data has no rows or columns).")
    cols = [
        "field",
        "type",
        "present",
        "null rate",
        "distinct",
        "most common",
        "length min / median / p90 / max",
        "min / mean / max",
    ]
    sec.add(table(cols, [_stats_row(f) for f in report.fields], table_id="fields-table"))
    charts = [c for f in report.fields if (c := field_plot(f, rows, report)) is not None]
    if len(charts) > MAX_FIELD_PLOTS:
        sec.add(f"<p class='note'>Charts of the first {MAX_FIELD_PLOTS} fields are shown.</p>")
    sec.add('<div class="charts">' + "".join(charts[:MAX_FIELD_PLOTS]) + "</div>")
    return sec


def coverage_of(
    report: InspectionReport, rows: Sequence[Mapping[str, Any]], pools: Mapping[str, Any] | None
) -> DiversityReport:
    """Coverage of every attribute (the non-text fields): distinct values and top share, and
    the share of its pool when the schema has one for it."""
    texts = {t.name for t in report.texts}
    attributes = [f.name for f in report.fields if f.name not in texts and f.type != "dict"]
    return diversity_report(rows, attributes=attributes, pools=pools)


def _pair_text(rows: Sequence[Mapping[str, Any]], field: str, pair: Any) -> str:
    if not pair:
        return ""
    return "\n".join(f"#{k}: {value_text(rows[k].get(field))[:160]}" for k in pair)


def diversity_section(
    report: InspectionReport, rows: Sequence[Mapping[str, Any]], schema: Any = None
) -> Section:
    """Distinct-n and pairwise similarity of the text fields; coverage of the attributes
    (against the pools of ``schema``, a SchemaInfo, where it has them)."""
    sec = Section("diversity", "Diversity")
    if report.texts:
        cols = [
            "text field",
            "distinct-1",
            "distinct-2",
            "distinct-3",
            "mean similarity (ratio)",
            "max similarity",
            "mean Jaccard (MinHash, word bigrams)",
            "rows compared",
            "most similar pair",
        ]
        # The pair's indices are positions among the field's non-empty values.
        texts_by_field = {
            t.name: [r for r in rows if isinstance(r.get(t.name), str) and r[t.name].strip()]
            for t in report.texts
        }
        data = [
            [
                t.name,
                t.distinct_1,
                t.distinct_2,
                t.distinct_3,
                t.mean_similarity,
                t.max_similarity,
                t.mean_jaccard,
                t.compared_rows,
                _pair_text(texts_by_field[t.name], t.name, t.most_similar_pair),
            ]
            for t in report.texts
        ]
        sec.add(
            "<p>distinct-n: unique n-grams / all n-grams (higher is more varied); similarity: "
            "how alike two rows are, 0-1 (lower is more varied).</p>",
            table(cols, data, table_id="diversity-table"),
        )
        sec.badge = f"distinct-2 {report.texts[0].distinct_2:.2f}"
    else:
        sec.lack("No text fields: distinct-n and pairwise similarity need free text.")
    pools = dict(schema.pools) if schema is not None else None
    coverage = coverage_of(report, rows, pools)
    printable = coverage.coverage_rows()
    if printable:
        cols = list(printable[0])
        sec.add(
            "<h3>Coverage of attributes</h3>", table(cols, [list(r.values()) for r in printable])
        )
        shares = [(c.field, c.share) for c in coverage.coverage if c.share is not None]
        if shares:
            chart = plots.bars(
                [f for f, _ in shares],
                [s for _, s in shares],
                "coverage of the pool",
                "share of pool values used",
                color=plots.PURPLE,
                xlim=(0, 1),
            )
            sec.add(figure(chart, "share of each attribute's pool that the rows use"))
        else:
            why = (
                f"the schema {schema.name} draws none of these fields from a pool"
                if schema is not None
                else "the schema is not known"
            )
            sec.add(f"<p class='note'>No pool coverage: {why}; distinct values only.</p>")
    return sec
