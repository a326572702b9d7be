"""Report sections about the run itself: its manifest, the accepted records, the rejections."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langsynth.pricing import cost_of, price_for, unknown_price_message
from langsynth.report.markup import Section, kv, pre, row_table, table
from langsynth.report.source import ReportSource, manifest_json
from langsynth.runs import run_dir_for

MAX_TABLE_ROWS = 5000  # beyond this the page gets slow; the note says how many are left out
# Where a manifest may hold the prompt (the engine's manifest, or a run's params).
PROMPT_KEYS = ("system_prompt", "system", "prompt", "prompt_template", "template", "messages")


def all_columns(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every column of ``rows``, in first-seen order."""
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(str(k) for k in row))
    return list(seen)


def run_usage(manifest: Mapping[str, Any]) -> dict[str, int]:
    """Token counts of a manifest: the engine's ``usage``, or the first engine's ``totals``."""
    usage = manifest.get("usage") or manifest.get("totals") or {}
    calls = usage.get("llm_calls", usage.get("calls"))
    return {
        "input_tokens": int(usage.get("input_tokens") or 0),
        "cached_input_tokens": int(usage.get("cached_input_tokens") or 0),
        "output_tokens": int(usage.get("output_tokens") or 0),
        "llm_calls": int(calls or 0),
    }


def run_facts(manifest: Mapping[str, Any]) -> tuple[dict[str, Any], float | None]:
    """The headline numbers of a run (model, status, counts, tokens, cost, time, rates) and
    its cost in USD (``None``: the model's price is unknown)."""
    params = manifest.get("params") or {}
    totals = manifest.get("totals") or {}
    counts = dict(manifest.get("counts") or {})
    if not counts:
        counts = {
            "requested": manifest.get("requested"),
            **{
                k: totals.get(k) for k in ("valid", "rejected", "duplicates", "attempts", "retries")
            },
        }
    model = manifest.get("model") or params.get("model")
    usage = run_usage(manifest)
    elapsed = manifest.get("elapsed_s", totals.get("elapsed_s"))
    cost = manifest.get("cost_usd")
    cost_text: Any = cost
    if cost is None:
        cost = cost_of(usage, model)
        price = price_for(model)
        cost_text = (
            f"{cost:.6f} (price: {price.source})"
            if cost is not None and price is not None
            else unknown_price_message(model)
        )
    accepted = counts.get("valid", counts.get("accepted", counts.get("ok")))
    rate = None
    if isinstance(elapsed, int | float) and elapsed > 0:
        rate = {
            "records/s": round(accepted / elapsed, 3) if isinstance(accepted, int) else None,
            "output tokens/s": round(usage["output_tokens"] / elapsed, 2),
        }
    facts = {
        "job": manifest.get("job"),
        "schema": manifest.get("schema"),
        "model": model,
        "status": manifest.get("status"),
        "started": manifest.get("started_at"),
        "finished": manifest.get("finished_at"),
        "sessions": manifest.get("sessions"),
        **{k: v for k, v in counts.items() if v is not None},
        **usage,
        "cost (USD)": cost_text,
        "elapsed (s)": elapsed,
        **(rate or {}),
    }
    return facts, cost


def _prompts(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The prompt parts a manifest records (system prompt, prompt template, ...)."""
    params = manifest.get("params") or {}
    found: dict[str, Any] = {}
    for where in (manifest, params):
        for key in PROMPT_KEYS:
            if where.get(key) and key not in found:
                found[key] = where[key]
    return found


def _lacking(src: ReportSource, name: str) -> str:
    """Why a run file is not there: the run directory lacks it, or there is no run directory."""
    if src.run_dir is not None:
        return f"{src.run_dir.name} has no {name}"
    return f"there is no {run_dir_for(src.data_file or src.path).name} directory beside it"


def run_section(src: ReportSource) -> Section:
    """Model, prompt, parameters, tokens, cost, time; then the quality steps applied since."""
    sec = Section("run", "Run")
    manifest = src.manifest
    if manifest is None:
        return sec.lack(
            f"No run manifest ({_lacking(src, 'manifest.json')}): the model, prompt, "
            f"parameters, tokens, cost and time of the run that made {src.title} are unknown."
        )
    facts, cost = run_facts(manifest)
    sec.add(kv(facts))
    sec.badge = "cost unknown" if cost is None else f"{cost:.4f} USD" if cost else "0 USD"
    prompts = _prompts(manifest)
    for key, prompt in prompts.items():
        text = prompt if isinstance(prompt, str) else manifest_json(prompt)
        sec.add(f"<h3>Prompt: {key.replace('_', ' ')}</h3>", pre(text))
    if not prompts:
        sec.lack("The manifest records no prompt (only the parameters below).")
    params = {k: v for k, v in (manifest.get("params") or {}).items() if k not in prompts}
    if params:
        sec.add("<h3>Parameters</h3>", kv(params))
    steps = src.lineage.get("steps") or []
    if steps:
        keys = ["step", "input", "output", "at"]
        extra = [k for s in steps for k in s if k not in keys]
        cols = keys + list(dict.fromkeys(extra))[:6]
        sec.add(
            "<h3>Steps applied since</h3>", table(cols, [[s.get(c) for c in cols] for s in steps])
        )
    sec.add(pre(manifest_json(manifest), summary="The whole manifest (JSON)"))
    return sec


def records_section(src: ReportSource) -> Section:
    """The accepted records as one sortable, filterable table."""
    sec = Section("records", "Accepted records")
    rows = src.rows
    if not rows:
        return sec.lack("No records to show.")
    where = f" from {src.rows_from.name}" if src.rows_from else ""
    shown = rows[:MAX_TABLE_ROWS]
    sec.add(f"<p>{len(rows)} rows{where}. Click a column to sort; type to filter.</p>")
    if len(rows) > len(shown):
        sec.add(f"<p class='note'>The first {len(shown)} of {len(rows)} rows are shown.</p>")
    sec.add(row_table(shown, all_columns(shown), "records-table", index=range(len(shown))))
    sec.badge = f"{len(rows)} record{'s' if len(rows) != 1 else ''}"
    return sec


def rejections_section(src: ReportSource) -> Section:
    """Every rejected attempt: its index, kind, the reason, and what the model said."""
    sec = Section("rejections", "Rejections")
    rejected = src.rejections
    if rejected is None:
        return sec.lack(f"Rejections unknown: {_lacking(src, 'rejected.jsonl')}.")
    if not rejected:
        sec.add("<p>No attempt was rejected.</p>")
        sec.badge = "0 rejected"
        return sec
    kinds: dict[str, int] = {}
    for r in rejected:
        kinds[str(r.get("kind") or "-")] = kinds.get(str(r.get("kind") or "-"), 0) + 1
    sec.add(kv({f"kind: {k}": n for k, n in sorted(kinds.items())}))
    shown = rejected[:MAX_TABLE_ROWS]
    cols = ["i", "kind", "error", "raw_output"]
    cols += [c for c in all_columns(shown) if c not in cols]
    sec.add(row_table(shown, cols, "rejections-table"))
    sec.badge = f"{len(rejected)} rejected"
    return sec
