"""Report sections of the quality checks: duplicates, judge scores, round trip, export split.

Each uses the library's own check: :func:`langsynth.quality.dedup` marks (or the marks a
``dedup`` step left in the rows), the judge's ``score``/``comment`` columns with
:class:`~langsynth.quality.inspection.ScoreStats`, :func:`langsynth.metrics.score_dataset` for
``labels``/``prediction`` rows. A check whose input is absent says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langsynth.lineage import last_step
from langsynth.metrics import score_dataset
from langsynth.quality.duplicates import DedupResult, dedup
from langsynth.quality.fields import content_fields, row_text
from langsynth.quality.inspection import InspectionReport
from langsynth.report import plots
from langsynth.report.markup import Section, figure, kv, pre, row_table, table
from langsynth.report.source import ReportSource, load_card_text

LOWEST_SCORED = 10
PREVIEW_CHARS = 240
SCORE_FIELD = "score"


def _preview(row: Mapping[str, Any], fields: Sequence[str]) -> str:
    text = row_text(row, fields).replace("\n", " | ")
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


def find_duplicates(rows: Sequence[Mapping[str, Any]], schema: Any = None) -> DedupResult | None:
    """The dedup marks of ``rows``: the ones a ``dedup`` step left, else a fresh :func:`dedup`
    with its defaults for the schema (what ``langsynth dedup`` would do). ``None`` for fewer
    than two rows."""
    if len(rows) < 2:
        return None
    if all("duplicate_of" in r for r in rows):
        return None  # marked already: read by duplicates_section from the rows themselves
    return dedup(rows, schema=schema)


def duplicates_section(rows: Sequence[Mapping[str, Any]], schema: Any = None) -> Section:
    """Which rows duplicate an earlier one, how (exact / MinHash / fuzzy) and how similar."""
    sec = Section("duplicates", "Duplicates")
    if len(rows) < 2:
        return sec.lack("Fewer than two rows: nothing to compare for duplicates.")
    result = find_duplicates(rows, schema)
    marked: Sequence[Mapping[str, Any]] = result.rows if result is not None else rows
    if result is not None:
        settings = result.settings
        sec.add(
            kv(
                {
                    "exact (normalized) on": ", ".join(settings["key_fields"]) or None,
                    "near-duplicate (MinHash) on": ", ".join(settings["text_fields"]) or None,
                    "Jaccard threshold": settings["threshold"] if settings["text_fields"] else None,
                    "fuzzy on": ", ".join(settings["fuzzy_fields"]) or None,
                }
            )
        )
    else:
        sec.add("<p>The rows carry the marks of a dedup step (<code>duplicate_of</code>).</p>")
    dups = [(i, r) for i, r in enumerate(marked) if r.get("duplicate_of") is not None]
    sec.badge = f"{len(dups)} duplicates"
    if not dups:
        sec.add(f"<p>No duplicates among {len(rows)} rows.</p>")
        return sec
    fields = content_fields(rows)
    by_method: dict[str, int] = {}
    for _, r in dups:
        by_method[str(r.get("duplicate_method"))] = (
            by_method.get(str(r.get("duplicate_method")), 0) + 1
        )
    sec.add(kv({"duplicate rows": len(dups), **{f"by {m}": n for m, n in by_method.items()}}))
    pairs = []
    for i, r in dups:
        j = r["duplicate_of"]
        kept = rows[j] if isinstance(j, int) and 0 <= j < len(rows) else {}
        pairs.append(
            {
                "row": i,
                "duplicate of": j,
                "method": r.get("duplicate_method"),
                "similarity": r.get("duplicate_similarity"),
                "row says": _preview(rows[i], fields),
                "kept row says": _preview(kept, fields),
            }
        )
    sec.add(row_table(pairs, list(pairs[0]), "duplicates-table"))
    return sec


def _score(row: Mapping[str, Any]) -> float | None:
    v = row.get(SCORE_FIELD)
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def judge_section(report: InspectionReport, rows: Sequence[Mapping[str, Any]]) -> Section:
    """The judge's score histogram, then the lowest-scored rows with the judge's comments."""
    sec = Section("judge", "Judge scores")
    stats = report.scores
    if stats is None:
        return sec.lack(
            f"No judge scores: the rows have no {SCORE_FIELD!r} column (score them with "
            "`langsynth judge FILE`, then report on its output)."
        )
    sec.add(kv({"scored rows": stats.count, "not scored": stats.missing, "mean score": stats.mean}))
    if stats.mean is not None:
        sec.badge = f"judge mean {stats.mean:.2f}"
    dist = stats.distribution
    chart = plots.columns([str(k) for k in dist], list(dist.values()), "judge scores", "score")
    sec.add(figure(chart, f"rows per score ({stats.count} scored)"))
    scored = sorted(
        ((s, i, r) for i, r in enumerate(rows) if (s := _score(r)) is not None),
        key=lambda t: (t[0], t[1]),
    )
    fields = content_fields(rows)
    lowest = [
        {
            "row": i,
            "score": s,
            "expected": r.get("score_expected"),
            "comment": r.get("comment"),
            "error": r.get("judge_error") or r.get("error"),
            "record": _preview(r, fields),
        }
        for s, i, r in scored[:LOWEST_SCORED]
    ]
    if lowest:
        cols = [c for c in lowest[0] if any(row.get(c) is not None for row in lowest)]
        sec.add(
            f"<h3>The {len(lowest)} lowest-scored rows</h3>", row_table(lowest, cols, "judge-table")
        )
    failed = [r for r in rows if r.get("judge_error")]
    if failed:
        sec.add(f"<p class='note'>{len(failed)} rows have a judge error (no score).</p>")
    return sec


def roundtrip_section(
    rows: Sequence[Mapping[str, Any]], lineage: Mapping[str, Any], schema: Any = None
) -> Section:
    """Per-field precision/recall/F1 of ``prediction`` against ``labels`` (the round trip)."""
    sec = Section("roundtrip", "Round trip: per-field F1")
    labelled = bool(rows) and all(isinstance(r.get("labels"), dict) for r in rows)
    has_pred = labelled and all("prediction" in r for r in rows)
    if not has_pred:
        step = last_step(lineage, "roundtrip")
        if step:
            sec.add(
                "<p>From the lineage of this file (a round-trip step):</p>",
                kv({k: v for k, v in step.items() if k not in ("step", "at")}),
            )
            return sec
        why = (
            "the rows have labels but no prediction column (extract them first)"
            if labelled
            else "the rows carry no labels/prediction columns"
        )
        return sec.lack(
            f"No round-trip scores: {why}. `langsynth roundtrip` writes rows with both."
        )
    preds = [r["prediction"] if isinstance(r.get("prediction"), dict) else None for r in rows]
    model = schema.model if schema is not None else None
    report = score_dataset(preds, [r["labels"] for r in rows], model)
    sec.badge = f"micro F1 {report.micro.f1:.3f}"
    sec.add(
        kv(
            {
                "records": report.n,
                "parsed": f"{report.parse_rate:.1%}",
                "schema-valid": f"{report.schema_valid_rate:.1%}",
                "record exact": f"{report.record_exact:.1%}",
                "micro P / R / F1": f"{report.micro.precision:.3f} / {report.micro.recall:.3f} / "
                f"{report.micro.f1:.3f}",
                "macro F1": round(report.macro.f1, 4),
                "match": report.match,
            }
        )
    )
    names = list(report.fields)
    data = [
        [
            n,
            s.prf.precision,
            s.prf.recall,
            s.prf.f1,
            s.support,
            s.counts.tp,
            s.counts.fp,
            s.counts.fn,
        ]
        for n, s in report.fields.items()
    ]
    cols = ["field", "precision", "recall", "F1", "support", "TP", "FP", "FN"]
    sec.add(table(cols, data, table_id="roundtrip-table"))
    if names:
        f1 = [report.fields[n].prf.f1 for n in names]
        chart = plots.bars(
            names, f1, "round-trip F1 per field", "F1", color=plots.BLUE, xlim=(0, 1)
        )
        sec.add(figure(chart, "F1 of each field: record -> text -> record"))
    return sec


def split_section(src: ReportSource) -> Section:
    """The export's train/validation files, whether a duplicate crosses them, and the card."""
    sec = Section("split", "Export split")
    parts = [(p.role, str(p.path), p.rows) for p in src.parts]
    if not parts and any("split" in r for r in src.rows):
        roles = sorted({str(r.get("split")) for r in src.rows})
        parts = [
            (role, "(split column)", [r for r in src.rows if str(r.get("split")) == role])
            for role in roles
        ]
    card = load_card_text(src)
    if not parts and card is None:
        return sec.lack(
            "No export split: no train/validation files, split column or data card beside this "
            "file (`langsynth export FILE -f jsonl -o OUT --split 0.9` writes them)."
        )
    if parts:
        total = sum(len(rows) for _, _, rows in parts)
        sec.add(
            table(
                ["part", "file", "rows", "share"],
                [
                    [r, p, len(rows), round(len(rows) / total, 3) if total else 0]
                    for r, p, rows in parts
                ],
            )
        )
        sec.badge = " / ".join(f"{r} {len(rows)}" for r, _, rows in parts)
        combined = [
            {k: v for k, v in row.items() if k != "split"} for _, _, rows in parts for row in rows
        ]
        owner = [role for role, _, rows in parts for _ in rows]
        if len(combined) >= 2:
            marks = dedup(combined).rows
            crossing = sum(
                1
                for i, m in enumerate(marks)
                if m["duplicate_of"] is not None and owner[m["duplicate_of"]] != owner[i]
            )
            text = (
                "No row duplicates a row of another part."
                if crossing == 0
                else f"{crossing} rows duplicate a row of another part (leakage)."
            )
            sec.add(f"<p class='{'ok' if crossing == 0 else 'note'}'>{text}</p>")
    else:
        sec.lack("The data card names no split files that are here.")
    if card is not None and src.card is not None:
        sec.add(pre(card, summary=f"The data card ({src.card.name})"))
    return sec
