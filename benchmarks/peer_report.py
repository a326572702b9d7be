"""Scoring and tables of the peers benchmark: what each tool's records are worth, side by side.

Every tool's records are validated with langsynth's own Pydantic model of the schema and keyed
with :func:`langsynth.chains.generator.record_key` on the schema's ``dedup_fields``; a record
equal to a few-shot example does not count as unique (it was copied, not generated).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from common import fmt, md_table

VALID_TARGET = 2.0  # langsynth's valid unique records/s >= 2 x the best peer's (issue 15)

_CONNECT = re.compile(
    r'connect\(\d+, \{sa_family=AF_INET6?, .*?(?:inet_addr|inet_pton)\((?:AF_INET6, )?"([^"]+)"'
)


def score(records: list[Any], schema: str) -> dict[str, Any]:
    """Returned / schema-valid / unique counts and the commonest reasons records were invalid."""
    from pydantic import ValidationError

    from langsynth.chains.generator import record_key
    from langsynth.schemas import load_schema

    info = load_schema(schema)
    examples = {record_key(e, info.dedup_fields) for e in info.load_examples()}
    reasons: Counter[str] = Counter()
    keys: set[tuple[Any, ...]] = set()
    valid = copies = 0
    for record in records:
        if not isinstance(record, dict):
            reasons["not a JSON object"] += 1
            continue
        try:
            parsed = info.model.model_validate(record)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "record"
            reasons[f"{where}: {first.get('msg', '')}"[:90]] += 1
            continue
        valid += 1
        key = record_key(parsed, info.dedup_fields)
        if key in examples:
            copies += 1
        else:
            keys.add(key)
    return {
        "returned": len(records),
        "valid": valid,
        "unique": len(keys),
        "example_copies": copies,
        "invalid_reasons": reasons.most_common(4),
    }


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_LOG_ERROR = re.compile(r"(\bERROR\b|\b[A-Z][A-Za-z]*Error: |\bException: )")


def log_errors(log_file: Path, top: int = 2) -> list[tuple[str, int]]:
    """The commonest error lines a tool logged (its own account of what went wrong)."""
    if not log_file.is_file():
        return []
    found: Counter[str] = Counter()
    for raw in log_file.read_text(errors="replace").splitlines():
        line = _ANSI.sub("", raw)
        if "%|" in line or line.lstrip().startswith("File "):  # progress bars, tracebacks
            continue
        if _LOG_ERROR.search(line):
            found[" ".join(line.split())[:240]] += 1
    return found.most_common(top)


def outbound_connects(strace_file: Path) -> tuple[int, list[str]]:
    """(all inet connects, the non-loopback ones) from an ``strace -e trace=connect`` log."""
    if not strace_file.is_file():
        return 0, []
    hosts = _CONNECT.findall(strace_file.read_text(errors="replace"))
    outside = [h for h in hosts if not (h.startswith("127.") or h in ("::1", "::ffff:127.0.0.1"))]
    return len(hosts), sorted(set(outside))


def rates(row: dict[str, Any]) -> None:
    """Add the per-second and per-record figures to a tool's row (in place)."""
    wall, tokens = row.get("wall_s"), row["requests"]["completion_tokens"]
    row["valid_unique_per_s"] = round(row["unique"] / wall, 4) if wall else None
    row["output_tokens_per_s"] = round(tokens / wall, 2) if wall else None
    row["output_tokens_per_record"] = (
        round(tokens / row["returned"], 1) if row["returned"] else None
    )


def verdict(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """langsynth against the best peer on usable records/s and on raw decode tokens/s."""
    ours = next((r for r in rows if r["tool"] == "langsynth"), None)
    peers = [r for r in rows if r["tool"] != "langsynth"]
    if ours is None or not peers:
        return {}
    best = max(peers, key=lambda r: r.get("valid_unique_per_s") or 0.0)
    fastest = max(peers, key=lambda r: r.get("output_tokens_per_s") or 0.0)
    best_rate = best.get("valid_unique_per_s") or 0.0
    fast_rate = fastest.get("output_tokens_per_s") or 0.0
    ours_rate = ours.get("valid_unique_per_s") or 0.0
    ours_tps = ours.get("output_tokens_per_s") or 0.0
    return {
        "best_peer": best["tool"],
        "valid_unique_ratio": round(ours_rate / best_rate, 2) if best_rate else None,
        "fastest_peer": fastest["tool"],
        "tokens_per_s_ratio": round(ours_tps / fast_rate, 2) if fast_rate else None,
    }


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _failure(row: dict[str, Any]) -> str:
    return _one_line(_failure_text(row))


def _failure_text(row: dict[str, Any]) -> str:
    if row.get("error"):
        return row["error"].splitlines()[0][:160]
    errors = row.get("notes", {}).get("errors") or []
    if errors:
        return (
            f"{len(errors)} of {row['notes'].get('attempts', '?')} runs raised: {errors[0][:120]}"
        )
    if row["returned"] < row["n"]:
        logged = row.get("log_errors") or []
        why = f": {logged[0][0][:140]}" if logged else ""
        return f"returned {row['returned']} of {row['n']} records{why}"
    return ""


def to_markdown(result: dict[str, Any]) -> str:
    """The tables of one benchmark run (what results/peers.md and RESULTS.md show)."""
    job = result["job"]
    rows = result["rows"]
    lines = [
        f"Schema `{job['schema']}`, N = {job['n']} records per tool, concurrency "
        f"{job['concurrency']}, temperature {job['temperature']}, max tokens {job['max_tokens']}, "
        f"one embedded server ({job['model']}, {job['slots']} slots) shared by every tool, "
        "tools run one after another in the order of the table. Valid = passes langsynth's "
        "Pydantic model; unique = "
        f"distinct normalized key fields ({', '.join(job['dedup_fields'] or ['all fields'])}), "
        "few-shot copies excluded; "
        "tokens are the server's usage counts; wall = the tool's job call (set-up excluded).",
        "",
    ]
    table = []
    for r in rows:
        table.append([
            f"**{r['tool']}**" if r["tool"] == "langsynth" else r["tool"],
            r.get("version") or "-", r["returned"], r["valid"], r["example_copies"], r["unique"],
            fmt(r.get("valid_unique_per_s"), 3), fmt(r.get("output_tokens_per_record"), 1),
            fmt(r.get("output_tokens_per_s"), 1), fmt(r.get("wall_s"), 1), _failure(r) or "-",
        ])  # fmt: skip
    lines.append(md_table(
        ["tool", "version", "records", "valid", "few-shot copies", "unique", "valid unique rec/s",
         "out tok/record", "out tok/s", "wall s", "how it failed"], table))  # fmt: skip
    v = result.get("verdict") or {}
    if v:
        lines += [
            "",
            f"- langsynth vs the best peer ({v['best_peer']}): **{fmt(v['valid_unique_ratio'])}x** "
            f"valid unique records/s (target >= {VALID_TARGET:g}x); vs the fastest decoder "
            f"({v['fastest_peer']}): **{fmt(v['tokens_per_s_ratio'])}x** output tokens/s "
            "(target >= 1x).",
        ]
    pattern = []
    for r in rows:
        q = r["requests"]
        pattern.append([
            r["tool"], ", ".join(q["mechanisms"]) or "-",
            f"{q['requests']}" + (f" +{q['setup_requests']} set-up" if q["setup_requests"] else ""),
            fmt(q["prompt_tokens_per_request"], 0), fmt(q["uncached_prompt_tokens_per_request"], 0),
            f"{fmt(q['mean_in_flight'], 1)} / {q['max_in_flight']}",
            ", ".join(q["temperatures"]) or "-", ", ".join(q["max_tokens"]) or "-",
            ", ".join(q["finish_reasons"]) or "-",
            fmt((r.get("server") or {}).get("prompt_tokens_total"), 0),
            fmt((r.get("server") or {}).get("prompt_seconds_total"), 1),
        ])  # fmt: skip
    lines += ["", "Request pattern at the server (recorded by a pass-through proxy):", ""]
    headers = ["tool", "structured output sent", "requests", "prompt tok/req",
               "uncached prompt tok/req", "in flight mean / max", "temperature sent",
               "max_tokens sent", "finish", "server: prompt tok processed",
               "server: prompt s (all slots)"]  # fmt: skip
    lines.append(md_table(headers, pattern))
    lines += ["", "Why records were invalid (commonest first):", ""]
    for r in rows:
        reasons = "; ".join(f"{why} ({n})" for why, n in r["invalid_reasons"]) or "none"
        lines.append(f"- {r['tool']}: {reasons}")
    lines += ["", "Failures in full (with the commonest error lines each tool logged):", ""]
    for r in rows:
        for text, count in r.get("log_errors") or []:
            lines.append(f"- {r['tool']} log ({count}x): `{text}`")
        if r.get("error"):
            lines.append(f"- {r['tool']}: `{_one_line(r['error'])[:600]}`")
        errors = r.get("notes", {}).get("errors") or []
        for e in sorted(set(errors))[:2]:
            lines.append(f"- {r['tool']} ({errors.count(e)} runs): `{_one_line(e)[:300]}`")
    lines += [
        "",
        "Network: every tool ran with its telemetry off and a guard that refuses connections "
        "outside loopback (Python audit hook), under `strace`:",
        "",
    ]
    for r in rows:
        net = r["network"]
        refused = ", ".join(net["refused"]) or "none"
        outside = ", ".join(net["strace_outbound"]) or "none"
        lines.append(
            f"- {r['tool']}: refused by the guard: {refused}; connects seen by strace: "
            f"{net['strace_connects']}, outside loopback: {outside}"
        )
    if job.get("langsynth_commit"):
        lines += ["", f"langsynth code: commit {job['langsynth_commit']} of `langsynth/`."]
    lines += ["", "Versions: " + "; ".join(
        f"{r['tool']}: " + ", ".join(f"{k} {v}" for k, v in r.get("versions", {}).items())
        for r in rows if r.get("versions")
    )]  # fmt: skip
    return "\n".join(lines)


def headline(result: dict[str, Any]) -> str | None:
    v = result.get("verdict") or {}
    if not v:
        return None
    return (
        f"langsynth {fmt(v['valid_unique_ratio'])}x the best peer's valid unique records/s "
        f"({v['best_peer']}; target >= {VALID_TARGET:g}x), {fmt(v['tokens_per_s_ratio'])}x the "
        f"fastest peer's output tokens/s ({v['fastest_peer']})"
    )
