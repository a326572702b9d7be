"""Extraction on messy documents: normalized micro F1 per strategy and model.

Runs the extraction chains (``langsynth.chains.extraction``) over the labelled set under
``benchmarks/data/extraction/`` (OCR'd receipts as in SROIE, invoices, e-mails, clinic letters;
written by ``benchmarks/make_extraction_docs.py``) with each strategy, and scores them with
``langsynth.metrics`` (normalized match) as ``langsynth bench-extract`` does. The headline is
the micro F1 pooled over every field of every document; the table also gives it per kind.
``receipt_bare`` runs the receipts with a schema of four bare ``str`` fields (no descriptions),
as a user might write it.

    python benchmarks/extraction_docs.py                      # local, then local-large
    python benchmarks/extraction_docs.py --model local-large --strategies json_schema
    python benchmarks/extraction_docs.py --kinds receipts --limit 20 --option samples=3

``--option NAME=VALUE`` passes a keyword to ``create_extraction_chain`` (VALUE is JSON, or a
string), to measure one change of the chain at a time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import chat_model, make_parser, md_table, model_title, script_main

DATA = Path(__file__).resolve().parent / "data" / "extraction"
SCHEMAS = DATA / "schemas.py"
# kind -> (data file, schema class)
KINDS: dict[str, tuple[str, str]] = {
    "receipts": ("receipts.jsonl", "Receipt"),
    "receipt_bare": ("receipts.jsonl", "ReceiptBare"),
    "invoices": ("invoices.jsonl", "Invoice"),
    "emails": ("emails.jsonl", "Email"),
    "clinic_letters": ("clinic_letters.jsonl", "ClinicLetter"),
}
POOLED = ("receipts", "invoices", "emails", "clinic_letters")  # receipt_bare repeats receipts
STRATEGIES = ("json_schema", "tool_calling", "parser", "json_mode")
MAX_TOKENS = 512


def build_parser() -> argparse.ArgumentParser:
    parser = make_parser(__doc__)
    parser.add_argument(
        "--models",
        nargs="+",
        default=["local", "local-large"],
        help="model specs, one after another (--model picks one)",
    )
    parser.add_argument("--strategies", nargs="+", default=list(STRATEGIES))
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=list(KINDS))
    parser.add_argument("--limit", type=int, default=None, help="first N documents per kind")
    parser.add_argument("--slots", type=int, default=4, help="server slots = concurrency")
    parser.add_argument(
        "--examples",
        type=int,
        default=0,
        help="few-shot examples per kind (from data/extraction/fewshot/, another seed)",
    )
    parser.add_argument(
        "--option", action="append", default=[], help="NAME=VALUE for create_extraction_chain"
    )
    parser.add_argument(
        "--show-errors", type=int, default=0, help="print N mismatched fields per kind"
    )
    return parser


def parse_options(items: list[str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--option needs NAME=VALUE, got {item!r}")
        try:
            options[name] = json.loads(value)
        except json.JSONDecodeError:
            options[name] = value
    return options


def load_kind(kind: str, limit: int | None) -> tuple[Any, list[dict[str, Any]]]:
    from langsynth.datafile import read_rows
    from langsynth.schemas import load_schema

    filename, cls = KINDS[kind]
    return load_schema(f"{SCHEMAS}:{cls}"), read_rows(DATA / filename, limit=limit)


def mismatches(info: Any, rows: list[dict[str, Any]], results: list[Any], n: int) -> list[str]:
    """Up to ``n`` lines ``id field: predicted != gold`` (what to look at when F1 is low)."""
    from langsynth.metrics import compare_records

    out = []
    for row, result in zip(rows, results, strict=True):
        pred = result.prediction
        values = pred.model_dump() if hasattr(pred, "model_dump") else pred.parsed_output or {}
        comparison = compare_records(pred, row["labels"], info.model)
        for name in comparison.mismatches:
            got = values.get(name)
            out.append(f"{row['id']} {name}: {got!r} != {row['labels'][name]!r}")
        if result.error and not values:
            out.append(f"{row['id']}: {result.error[:120]}")
    return out[:n]


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every model in turn (each embedded server is stopped before the next starts)."""
    from langsynth import local

    specs = [args.model] if args.model else list(args.models)
    out: dict[str, Any] = {"models": []}
    for spec in specs:
        try:
            out["models"].append(run_model(args, spec))
        finally:
            local.stop_all()
    return out


def run_model(args: argparse.Namespace, spec: str) -> dict[str, Any]:
    from langsynth.chains.extraction import create_extraction_chain
    from langsynth.datafile import read_rows
    from langsynth.metrics import score_dataset

    options = parse_options(args.option)
    llm = chat_model(spec, args.slots, threads=args.threads, temperature=0, max_tokens=MAX_TOKENS)
    data = {kind: load_kind(kind, args.limit) for kind in args.kinds}
    out: dict[str, Any] = {
        "model": model_title(spec),
        "options": {**options, **({"examples": args.examples} if args.examples else {})},
        "n": {kind: len(rows) for kind, (_, rows) in data.items()},
        "strategies": {},
    }
    for strategy in args.strategies:
        per_kind: dict[str, Any] = {}
        pooled = {"tp": 0.0, "fp": 0.0, "fn": 0.0}
        started = time.perf_counter()
        calls = output_tokens = 0
        for kind, (info, rows) in data.items():
            shots = read_rows(DATA / "fewshot" / KINDS[kind][0])[: args.examples]
            chain = create_extraction_chain(info, llm, strategy, examples=shots, **options)
            texts = [r["text"] for r in rows]
            results = chain.run(texts, concurrency=args.slots, progress=False).results
            report = score_dataset(
                [r.prediction for r in results], [r["labels"] for r in rows], info.model
            )
            counts = {k: sum(getattr(f.counts, k) for f in report.fields.values())
                      for k in ("tp", "fp", "fn")}  # fmt: skip
            if kind in POOLED:
                for k in pooled:
                    pooled[k] += counts[k]
            calls += sum(r.usage.calls for r in results)
            output_tokens += sum(r.usage.output_tokens for r in results)
            per_kind[kind] = {
                "micro_f1": report.micro.f1,
                "parse_rate": report.parse_rate,
                "valid_rate": report.schema_valid_rate,
                "exact": report.record_exact,
                "fields": {n: round(f.prf.f1, 3) for n, f in report.fields.items()},
                "errors": sorted({r.error.split(":")[0][:80] for r in results if r.error}),
            }
            if args.show_errors:
                for line in mismatches(info, rows, results, args.show_errors):
                    print(f"  [{strategy}/{kind}] {line}", file=sys.stderr)
            print(f"{strategy} {kind}: micro F1 {report.micro.f1:.3f}", file=sys.stderr)
        p = pooled["tp"] / (pooled["tp"] + pooled["fp"]) if pooled["tp"] else 0.0
        r = pooled["tp"] / (pooled["tp"] + pooled["fn"]) if pooled["tp"] else 0.0
        out["strategies"][strategy] = {
            "micro_f1": 2 * p * r / (p + r) if p + r else 0.0,
            "kinds": per_kind,
            "elapsed_s": round(time.perf_counter() - started, 1),
            "llm_calls": calls,
            "output_tokens": output_tokens,
        }
    return out


def to_markdown(result: dict[str, Any]) -> str:
    return "\n\n".join(model_markdown(r) for r in result["models"])


def model_markdown(result: dict[str, Any]) -> str:
    kinds = list(result["n"])
    headers = ["strategy", "micro F1 (pooled)", *[f"{k} ({result['n'][k]})" for k in kinds],
               "parse rate", "calls/doc", "s"]  # fmt: skip
    rows = []
    docs = sum(result["n"][k] for k in kinds)
    for name, s in result["strategies"].items():
        parse = min(s["kinds"][k]["parse_rate"] for k in kinds)
        per_kind = [f"{s['kinds'][k]['micro_f1']:.3f}" for k in kinds]
        calls = f"{s['llm_calls'] / docs:.1f}"
        rows.append(
            [name, f"**{s['micro_f1']:.3f}**", *per_kind, f"{parse:.2f}", calls,
             f"{s['elapsed_s']:.0f}"]
        )  # fmt: skip
    lines = [
        f"Model {result['model']}; chain options {result['options'] or 'default'}. "
        "Normalized micro F1 over every field (pooled over receipts, invoices, e-mails and "
        "clinic letters; `receipt_bare` = receipts with a description-less schema); "
        "parse rate = the lowest over the kinds.",
        "",
        md_table(headers, rows),
    ]
    fails = {
        name: {k: v["errors"] for k, v in s["kinds"].items() if v["errors"]}
        for name, s in result["strategies"].items()
    }
    for name, errors in fails.items():
        if errors:
            lines.append(
                f"\n- {name} failures: "
                + "; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items())
            )
    return "\n".join(lines)


def headline(result: dict[str, Any]) -> str:
    parts = []
    for r in result["models"]:
        best = max(r["strategies"].items(), key=lambda kv: kv[1]["micro_f1"])
        parts.append(f"{r['model'].split(' ')[0]} micro F1 {best[1]['micro_f1']:.3f} ({best[0]})")
    return "best per model: " + ", ".join(parts)


if __name__ == "__main__":
    sys.exit(script_main(build_parser, run, to_markdown))
