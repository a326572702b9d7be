"""The data card written beside every export (Markdown).

It records the schema, models and parameters, prompts, counts from generation to export,
judge scores, round-trip figures when known, diversity of the exported rows, and the date;
parts that are unknown are left out or marked "not recorded".
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langsynth._version import __version__
from langsynth.quality.fields import content_fields

if TYPE_CHECKING:
    from langsynth.export.formats import PairSpec
    from langsynth.export.split import SplitRows
    from langsynth.schemas import SchemaInfo


@dataclass
class DataCard:
    """What a data card says; unknown parts are left out or marked "not recorded"."""

    title: str
    files: list[tuple[str, str, int]] = field(default_factory=list)  # path, role, rows
    schema: Any = None  # SchemaInfo | None
    fields: list[str] = field(default_factory=list)
    generation: dict[str, Any] | None = None
    steps: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)
    judge: dict[str, Any] | None = None
    roundtrip: dict[str, Any] | None = None
    inspection: dict[str, Any] | None = None
    export: dict[str, Any] = field(default_factory=dict)
    date: str = field(default_factory=lambda: dt.date.today().isoformat())

    def to_markdown(self) -> str:
        """Render the card."""
        out = [f"# Data card: {self.title}", ""]
        out.append(f"Made with langsynth {__version__} on {self.date}.")
        out += ["", "## Files", "", "| file | part | rows |", "|---|---|---:|"]
        out += [f"| `{path}` | {role} | {rows} |" for path, role, rows in self.files]
        out += ["", "## Schema", ""]
        if self.schema is not None:
            from langsynth.schemas import describe_fields

            out.append(f"`{self.schema.name}` ({self.schema.model.__name__})")
            if self.schema.description:
                out.append(f": {self.schema.description}")
            out += ["", "| field | type | description |", "|---|---|---|"]
            out += [
                f"| {f['field']} | {f['type']} | {f['description']} |"
                for f in describe_fields(self.schema.model)
            ]
        else:
            out.append("Not recorded. Fields: " + ", ".join(f"`{f}`" for f in self.fields))
        out += ["", "## Generation", ""]
        gen = self.generation
        if gen:
            params = gen.get("params", {})
            model = gen.get("model") or params.get("model")
            out.append(f"- model: `{model}`")
            for key in ("temperature", "max_tokens", "seed", "method", "examples", "n_examples"):
                if key in params:
                    out.append(f"- {key}: `{params[key]}`")
            if params.get("pools"):
                out.append("- attribute pools: " + ", ".join(f"`{k}`" for k in params["pools"]))
            out.append(f"- status: {gen.get('status', 'unknown')}, sessions: {gen.get('sessions')}")
            usage = gen.get("usage") or {}
            if usage:
                out.append(
                    f"- tokens: {usage.get('input_tokens', 0):,} input "
                    f"({usage.get('cached_input_tokens', 0):,} cached), "
                    f"{usage.get('output_tokens', 0):,} output, {usage.get('llm_calls', 0):,} calls"
                )
            cost = gen.get("cost_usd")
            out.append(
                f"- cost: {'unknown (no price for the model)' if cost is None else f'${cost:.4f}'}"
            )
            if gen.get("elapsed_s") is not None:
                out.append(f"- time: {gen['elapsed_s']:.0f} s")
            for label, key in (("System prompt", "system_prompt"), ("Prompt", "prompt")):
                if params.get(key):
                    out += ["", f"{label}:", "", "```text", str(params[key]).strip(), "```"]
        else:
            out.append("Not recorded (no generation manifest was found beside the input).")
        out += ["", "## Counts", "", "| stage | rows |", "|---|---:|"]
        out += [f"| {k} | {v} |" for k, v in self.counts.items()]
        if self.steps:
            out += ["", "Steps applied before export:", ""]
            for s in self.steps:
                at = f" ({s['at']})" if s.get("at") else ""
                out.append(f"- `{s.get('step')}`{at}: {_step_line(s)}")
        out += ["", "## Judge", ""]
        if self.judge:
            j = self.judge
            if j.get("model"):
                out.append(f"- judge model: `{j['model']}`")
            if j.get("language"):
                out.append(f"- comment language: {j['language']}")
            if j.get("criteria"):
                out.append("- criteria:")
                out += [f"  {i}. {c}" for i, c in enumerate(j["criteria"], 1)]
            out.append(f"- judged rows in this file: {j.get('judged')}, mean: {j.get('mean')}")
            if j.get("mean_expected") is not None:
                out.append(f"- mean probability-weighted score: {j['mean_expected']}")
            dist = j.get("distribution") or {}
            if dist:
                out += ["", "| score | rows |", "|---:|---:|"]
                out += [f"| {k} | {v} |" for k, v in dist.items()]
        else:
            out.append("Not judged.")
        out += ["", "## Round trip (record → text → record)", ""]
        if self.roundtrip:
            out += [f"- {k}: {v}" for k, v in self.roundtrip.items()]
        else:
            out.append("Not measured for this data.")
        if self.inspection:
            out += ["", "## Diversity of the exported rows", ""]
            out += [f"- {k}: {v}" for k, v in self.inspection.items()]
        out += ["", "## Export", ""]
        out += [f"- {k}: {v}" for k, v in self.export.items()]
        return "\n".join(out) + "\n"


def _step_line(step: Mapping[str, Any]) -> str:
    keys = ("rows", "kept", "duplicates", "removed", "judged", "mean", "below_min_score")
    parts = [f"{k} {step[k]}" for k in keys if step.get(k) is not None]
    if step.get("removed_by"):
        parts.append("by filter " + json.dumps(step["removed_by"]))
    return ", ".join(parts) or "done"


def card_path_for(output: str | Path) -> Path:
    """``out/movies.jsonl`` -> ``out/movies.card.md``."""
    p = Path(output)
    return p.with_name(p.stem + ".card.md")


def _judge_section(
    rows: Sequence[Mapping[str, Any]], judge_step: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    scores = [r.get("score") for r in rows if isinstance(r.get("score"), int | float)]
    if not (judge_step or scores):
        return None
    judge = dict(judge_step or {})
    if scores:
        ints = [min(5, max(1, int(float(s) + 0.5))) for s in scores if s is not None]
        judge["judged"] = len(ints)
        judge["mean"] = round(sum(float(s) for s in scores if s is not None) / len(ints), 3)
        judge["distribution"] = {k: ints.count(k) for k in range(1, 6)}
    expected = [r.get("score_expected") for r in rows]
    expected_f = [float(e) for e in expected if isinstance(e, int | float)]
    if expected_f:
        judge["mean_expected"] = round(sum(expected_f) / len(expected_f), 3)
    return judge


def build_card(
    title: str,
    fmt: str,
    written: Sequence[tuple[Path, str, int]],
    info: SchemaInfo | None,
    rows: Sequence[Mapping[str, Any]],
    prepared: SplitRows,
    *,
    lineage: Mapping[str, Any],
    roundtrip: Mapping[str, Any] | None = None,
    counts: Mapping[str, Any] | None = None,
    split: float | None = None,
    seed: int = 0,
    spec: PairSpec | None = None,
) -> DataCard:
    """The card of one export: ``rows`` are the input rows (for judge scores), ``prepared``
    what was exported, ``written`` the files (path, part, rows)."""
    from langsynth.lineage import last_step
    from langsynth.quality.inspection import inspect_rows

    generation = lineage.get("generation")
    table: dict[str, Any] = {}
    if generation:
        counts_of_run = generation.get("counts", {})
        table["requested"] = generation.get("requested")
        table["generated (valid)"] = counts_of_run.get("accepted")
        table["rejected attempts (invalid)"] = counts_of_run.get("rejected")
        table["rejected during generation as duplicates"] = counts_of_run.get("duplicates")
    table.update(counts or {})
    dedup_step = last_step(lineage, "dedup")
    if dedup_step:
        table["marked duplicate (dedup step)"] = dedup_step.get("duplicates")
    filter_step = last_step(lineage, "filter")
    if filter_step:
        table["filtered out (filter step)"] = filter_step.get("removed")
    judge_step = last_step(lineage, "judge")
    if judge_step and judge_step.get("below_min_score") is not None:
        table[f"below judge min score {judge_step.get('min_score')}"] = judge_step.get(
            "below_min_score"
        )
    table.update(export_counts(prepared))
    for _, role, n in written:
        if role != "all":
            table[role] = n

    if roundtrip is None:
        rt_step = last_step(lineage, "roundtrip")
        roundtrip = (
            {k: v for k, v in rt_step.items() if k not in ("step", "at")} if rt_step else None
        )

    kept = prepared.kept
    inspection: dict[str, Any] = {}
    for t in inspect_rows(kept).texts:
        inspection[f"{t.name}: distinct-1 / distinct-2"] = f"{t.distinct_1} / {t.distinct_2}"
        inspection[f"{t.name}: mean pairwise similarity"] = t.mean_similarity
    export: dict[str, Any] = {"format": fmt}
    if split is not None and split < 1.0:
        export["split"] = (
            f"train {split:.0%} / validation {1 - split:.0%}, seed {seed}; rows marked as "
            "duplicates of each other are kept on one side"
        )
    summary = prepared.dedup_summary
    export["dedup before export"] = json.dumps({k: summary[k] for k in ("duplicates", "by_method")})
    if spec is not None:
        export["user message"] = (
            f"column `{spec.user_field}`" if spec.user_field else f"template `{spec.user_template}`"
        )
        export["assistant message"] = (
            f"column `{spec.assistant_field}`" if spec.assistant_field else "the record as JSON"
        )
        export["system message"] = f"`{spec.system}`" if spec.system else "none"
    return DataCard(
        title=title,
        files=[(str(p), role, n) for p, role, n in written],
        schema=info,
        fields=content_fields(kept),
        generation=generation,
        steps=list(lineage.get("steps", [])),
        counts={k: v for k, v in table.items() if v is not None},
        judge=_judge_section(rows, judge_step),
        roundtrip=dict(roundtrip) if roundtrip else None,
        inspection=inspection or None,
        export=export,
    )


def export_counts(prepared: SplitRows) -> dict[str, int]:
    """The export's own counts: input rows, duplicates dropped, rows exported."""
    return {
        "input rows": prepared.input_rows,
        "duplicates dropped at export": prepared.dropped,
        "exported": len(prepared.kept),
    }
