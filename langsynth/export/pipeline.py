"""``export_rows``: dedup, the seeded split, one format, and the data card, in one call."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langsynth.datafile import write_rows
from langsynth.errors import ConfigurationError, ExportFormatError
from langsynth.export.card import build_card, card_path_for, export_counts
from langsynth.export.formats import (
    FINE_TUNING_FORMATS,
    PairSpec,
    to_alpaca,
    to_openai_chat,
)
from langsynth.export.split import dedup_and_split
from langsynth.export.validate import validate_alpaca, validate_openai_chat

FORMATS = ("csv", "jsonl", "parquet", "openai-chat", "alpaca")
SUFFIXES = {
    "csv": (".csv",),
    "jsonl": (".jsonl", ".ndjson"),
    "parquet": (".parquet",),
    "openai-chat": (".jsonl",),
    "alpaca": (".jsonl", ".json"),
}


@dataclass
class ExportResult:
    """Files written, counts, and the data card's path."""

    files: list[tuple[Path, str, int]]
    card: Path | None
    counts: dict[str, int]


def _part_path(output: Path, role: str) -> Path:
    if role == "all":
        return output
    return output.with_name(f"{output.stem}.{role}{output.suffix}")


def _check_suffix(output: Path, fmt: str) -> None:
    expected = SUFFIXES[fmt]
    if output.suffix.lower() not in expected:
        raise ConfigurationError(
            f"--format {fmt} writes {' or '.join(expected)} files; name the output "
            f"{output.stem}{expected[0]}."
        )


def _write_examples(path: Path, examples: list[dict[str, Any]]) -> None:
    if path.suffix.lower() == ".json":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(examples, ensure_ascii=False, indent=2) + "\n")
    else:
        write_rows(path, examples)


def _pair_spec(pairs: PairSpec | None, rows: list[dict[str, Any]], info: Any) -> PairSpec:
    """Detected prompt/response columns, else the schema's request template and persona."""
    spec = (pairs or PairSpec()).resolve(rows)
    if spec.user_template is None and spec.user_field is None and info is not None:
        from langsynth.chains.judge import default_rubric

        spec = PairSpec(None, None, default_rubric(info).request_template, spec.system)
    if spec.system is None and info is not None and info.persona:
        spec = PairSpec(spec.user_field, spec.assistant_field, spec.user_template, info.persona)
    return spec


def export_rows(
    rows: Sequence[Mapping[str, Any]],
    output: str | Path,
    fmt: str,
    *,
    split: float | None = None,
    seed: int = 0,
    drop_duplicates: bool = True,
    dedup_kwargs: Mapping[str, Any] | None = None,
    pairs: PairSpec | None = None,
    schema: Any = None,
    include_bookkeeping: bool = False,
    lineage: Mapping[str, Any] | None = None,
    roundtrip: Mapping[str, Any] | None = None,
    card: bool = True,
    counts: Mapping[str, Any] | None = None,
) -> ExportResult:
    """Write ``rows`` as ``fmt``, optionally split, with a data card beside the output.

    ``schema``: a SchemaInfo (or name) for defaults (user template, persona, dedup fields).
    ``dedup_kwargs``: settings of :func:`langsynth.quality.dedup` (``threshold``,
    ``methods``, ...); what is not given is resolved there, as for ``langsynth dedup``.
    ``lineage``: :func:`langsynth.lineage.read_lineage` of the input, for the card's counts.
    ``counts``: extra known counts (``generated``, ``rejected``, ...) for the card.
    """
    from langsynth.schemas import SchemaInfo, load_schema

    if fmt not in FORMATS:
        raise ConfigurationError(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS)}.")
    out = Path(output)
    _check_suffix(out, fmt)
    info: SchemaInfo | None = load_schema(schema) if schema is not None else None
    prepared = dedup_and_split(
        rows,
        split=split,
        seed=seed,
        drop_duplicates=drop_duplicates,
        schema=info,
        dedup_kwargs=dedup_kwargs,
        include_bookkeeping=include_bookkeeping,
    )

    subject = (info.subject or info.name) if info else "record"
    spec = _pair_spec(pairs, prepared.kept, info) if fmt in FINE_TUNING_FORMATS else None
    written: list[tuple[Path, str, int]] = []
    for role, part_rows in prepared.parts:
        path = _part_path(out, role)
        if fmt == "openai-chat":
            assert spec is not None
            examples = to_openai_chat(part_rows, spec, subject)
            issues = validate_openai_chat(examples, min_examples=1)
            if issues:
                raise ExportFormatError(
                    f"{path}: the OpenAI fine-tuning API would reject this file.", issues
                )
            _write_examples(path, examples)
        elif fmt == "alpaca":
            assert spec is not None
            examples = to_alpaca(part_rows, spec, subject)
            issues = validate_alpaca(examples)
            if issues:
                raise ExportFormatError(f"{path}: invalid Alpaca examples.", issues)
            _write_examples(path, examples)
        else:
            write_rows(path, part_rows)
        written.append((path, role, len(part_rows)))

    card_path = None
    if card:
        card_path = card_path_for(out)
        doc = build_card(
            out.name,
            fmt,
            written,
            info,
            rows,
            prepared,
            lineage=lineage or {},
            roundtrip=roundtrip,
            counts=counts,
            split=split,
            seed=seed,
            spec=spec,
        )
        card_path.write_text(doc.to_markdown(), encoding="utf-8")
    return ExportResult(written, card_path, export_counts(prepared))
