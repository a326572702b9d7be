"""``export_rows``: dedup, the seeded split, one format, and the data card, in one call.

Formats: row files (``csv``, ``jsonl``, ``parquet``), fine-tuning files (``openai-chat``,
``alpaca``), and ``hf``: a Hugging Face ``DatasetDict`` folder (``save_to_disk``) whose
``README.md`` is the data card under the Hub's YAML metadata, optionally pushed to the Hub.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from langsynth.export.hub import CardMetadata, HubApi

FORMATS = ("csv", "jsonl", "parquet", "openai-chat", "alpaca", "hf")
SUFFIXES = {
    "csv": (".csv",),
    "jsonl": (".jsonl", ".ndjson"),
    "parquet": (".parquet",),
    "openai-chat": (".jsonl",),
    "alpaca": (".jsonl", ".json"),
}


@dataclass
class ExportResult:
    """Files written (path, part, rows), counts, the data card's path, and the Hub URL when
    pushed."""

    files: list[tuple[Path, str, int]]
    card: Path | None
    counts: dict[str, int]
    hub_url: str | None = None


def _part_path(output: Path, role: str) -> Path:
    if role == "all":
        return output
    return output.with_name(f"{output.stem}.{role}{output.suffix}")


def _check_suffix(output: Path, fmt: str) -> None:
    if fmt == "hf":
        from langsynth.export.hf import check_output_folder

        check_output_folder(output)
        return
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
        spec = PairSpec(None, None, info.request_template, spec.system)
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
    card_metadata: CardMetadata | None = None,
    push_to_hub: str | None = None,
    private: bool = False,
    hub_api: HubApi | None = None,
) -> ExportResult:
    """Write ``rows`` as ``fmt``, optionally split, with a data card beside the output.

    ``fmt="hf"`` writes a ``DatasetDict`` folder (``train``, and ``validation`` with a
    split) whose ``README.md`` is the card, always written; ``card_metadata`` overrides what
    its YAML header derives (license, languages, task categories, pretty name).
    ``push_to_hub``: a Hub repo id to upload that folder to (:func:`~.hub.push_to_hub`,
    token from ``HF_TOKEN``; ``private`` for a new repo; ``hub_api`` replaces ``HfApi``).
    ``schema``: a SchemaInfo (or name) for defaults (user template, persona, dedup fields,
    Hugging Face features).
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
    if push_to_hub is not None and fmt != "hf":
        raise ConfigurationError("Pushing to the Hub needs --format hf (a dataset folder).")
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
    if fmt == "hf":
        # A DatasetDict has named splits: without --split everything is "train".
        parts = {("train" if role == "all" else role): part for role, part in prepared.parts}
        written = [(out / name, name, len(part)) for name, part in parts.items()]
    else:
        written = [
            _write_part(_part_path(out, role), role, fmt, part, spec, subject)
            for role, part in prepared.parts
        ]

    card_path = None
    if card or fmt == "hf":
        # An hf card is the folder's README: it names the splits relative to itself (the
        # folder may move, e.g. to the Hub).
        listed = [(Path(p.name), r, n) for p, r, n in written] if fmt == "hf" else written
        doc = build_card(
            out.name,
            fmt,
            listed,
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
        if fmt == "hf":
            card_path = _write_hf(out, parts, info, doc.to_markdown(), card_metadata)
        else:
            card_path = card_path_for(out)
            card_path.write_text(doc.to_markdown(), encoding="utf-8")
    hub_url = None
    if push_to_hub is not None:
        from langsynth.export.hub import push_to_hub as push_folder

        hub_url = push_folder(out, push_to_hub, private=private, api=hub_api)
    return ExportResult(written, card_path, export_counts(prepared), hub_url)


def _write_part(
    path: Path,
    role: str,
    fmt: str,
    rows: list[dict[str, Any]],
    spec: PairSpec | None,
    subject: str,
) -> tuple[Path, str, int]:
    """Write one part (``all``, ``train`` or ``validation``) of a file format, checked first."""
    if fmt in FINE_TUNING_FORMATS:
        assert spec is not None  # resolved for every fine-tuning format
        if fmt == "openai-chat":
            examples = to_openai_chat(rows, spec, subject)
            issues = validate_openai_chat(examples, min_examples=1)
            problem = "the OpenAI fine-tuning API would reject this file."
        else:
            examples = to_alpaca(rows, spec, subject)
            issues = validate_alpaca(examples)
            problem = "invalid Alpaca examples."
        if issues:
            raise ExportFormatError(f"{path}: {problem}", issues)
        _write_examples(path, examples)
    else:
        write_rows(path, rows)
    return path, role, len(rows)


def _write_hf(
    out: Path,
    parts: Mapping[str, list[dict[str, Any]]],
    info: Any,
    card_markdown: str,
    metadata: CardMetadata | None,
) -> Path:
    """The DatasetDict folder with the data card as its README (the Hub's dataset card)."""
    from langsynth.export.hf import save_dataset_dict, to_hf_dataset_dict
    from langsynth.export.hub import card_data, dataset_card

    dataset_dict = to_hf_dataset_dict(parts, info)
    features = next(iter(dataset_dict.values())).features
    pretty = info.description if info is not None and info.description else out.name
    sizes = {name: int(dataset.data.nbytes) for name, dataset in dataset_dict.items()}
    data = card_data(parts, features, metadata=metadata, title=pretty, num_bytes=sizes)
    save_dataset_dict(out, dataset_dict, readme=dataset_card(data, card_markdown))
    return out / "README.md"
