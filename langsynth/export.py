"""Export: CSV/JSONL/parquet, fine-tuning formats, a seeded split, and a data card.

Fine-tuning formats (seeds 003 and 004: data as instruction/response pairs):

- ``openai-chat``: one ``{"messages": [system?, user, assistant]}`` per line, checked against
  what OpenAI's fine-tuning API accepts (:func:`validate_openai_chat`);
- ``alpaca``: ``{"instruction", "input", "output"}`` (Stanford Alpaca's format).

How a row becomes a (user, assistant) pair: rows with prompt/response columns
(``prompt``/``instruction``/``question``/``input`` and ``response``/``output``/``answer``/
``completion``) are used as they are; a bare record becomes the answer (as JSON) to a
request made from its fields (``user_template``; for movie recommendations
``"Recommend one {genre} movie."``), the way the generator was asked for it.

The train/validation split is seeded and done after dedup: duplicates are dropped first
(``drop_duplicates``), and rows still linked by ``duplicate_of`` always land on the same
side, so no duplicate crosses the split. Beside every export a Markdown data card records
the schema, models and parameters, prompts, counts from generation to export, judge scores,
round-trip figures when known, and the date.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langsynth._version import __version__
from langsynth.datafile import write_rows
from langsynth.errors import ConfigurationError, ExportFormatError
from langsynth.quality.fields import BOOKKEEPING_COLUMNS, content_fields, value_text

FORMATS = ("csv", "jsonl", "parquet", "openai-chat", "alpaca")
FINE_TUNING_FORMATS = ("openai-chat", "alpaca")
# What OpenAI's fine-tuning API accepts in a chat example (its data-preparation checks).
OPENAI_ROLES = ("system", "user", "assistant", "tool", "function")
OPENAI_MESSAGE_KEYS = ("role", "content", "name", "weight", "function_call", "tool_calls")
OPENAI_MIN_EXAMPLES = 10
OPENAI_MAX_EXAMPLE_TOKENS = 65_536

PROMPT_COLUMNS = ("prompt", "instruction", "question", "request", "query", "input")
RESPONSE_COLUMNS = ("response", "output", "answer", "completion")


# --------------------------------------------------------------------------- pairs


@dataclass(frozen=True)
class PairSpec:
    """How rows become (user, assistant) pairs; see the module docstring."""

    user_field: str | None = None
    assistant_field: str | None = None
    user_template: str | None = None
    system: str | None = None

    def resolve(self, rows: Sequence[Mapping[str, Any]]) -> PairSpec:
        """Fill in detected prompt/response columns."""
        fields = content_fields(rows)
        lower = {f.lower(): f for f in fields}
        user = self.user_field or next((lower[c] for c in PROMPT_COLUMNS if c in lower), None)
        assistant = self.assistant_field or next(
            (lower[c] for c in RESPONSE_COLUMNS if c in lower), None
        )
        if user is None or assistant is None:
            user, assistant = None, None
        for name in (user, assistant):
            if name is not None and name not in fields:
                raise ConfigurationError(f"Column {name!r} is not in the data ({fields}).")
        return PairSpec(user, assistant, self.user_template, self.system)


def _record_json(row: Mapping[str, Any]) -> str:
    data = {k: v for k, v in row.items() if k not in BOOKKEEPING_COLUMNS and not k.startswith("_")}
    return json.dumps(data, ensure_ascii=False)


def row_pair(row: Mapping[str, Any], spec: PairSpec, subject: str = "record") -> tuple[str, str]:
    """The (user, assistant) texts of one row under a resolved :class:`PairSpec`."""
    if spec.user_field and spec.assistant_field:
        user = value_text(row.get(spec.user_field))
        lower = {k.lower(): k for k in row}
        input_key = lower.get("input")
        if input_key not in (None, spec.user_field, spec.assistant_field) and row.get(input_key):
            user += "\n\n" + value_text(row.get(input_key))
        return user, value_text(row.get(spec.assistant_field))
    template = spec.user_template or f"Generate one realistic {subject} record as JSON."
    try:
        user = template.format(**{k: value_text(v) for k, v in row.items()})
    except (KeyError, IndexError) as exc:
        raise ConfigurationError(
            f"The user template {template!r} uses {exc}, which the row does not have; "
            f"its fields are {list(row)}."
        ) from None
    return user, _record_json(row)


def to_openai_chat(
    rows: Sequence[Mapping[str, Any]], spec: PairSpec, subject: str = "record"
) -> list[dict[str, Any]]:
    """``{"messages": [...]}`` examples for OpenAI chat fine-tuning."""
    out = []
    for row in rows:
        user, assistant = row_pair(row, spec, subject)
        messages = []
        if spec.system:
            messages.append({"role": "system", "content": spec.system})
        messages.append({"role": "user", "content": user})
        messages.append({"role": "assistant", "content": assistant})
        out.append({"messages": messages})
    return out


def to_alpaca(
    rows: Sequence[Mapping[str, Any]], spec: PairSpec, subject: str = "record"
) -> list[dict[str, Any]]:
    """``{"instruction", "input", "output"}`` examples (Stanford Alpaca)."""
    out = []
    for row in rows:
        if spec.user_field and spec.assistant_field:
            lower = {k.lower(): k for k in row}
            input_key = lower.get("input")
            extra = ""
            if input_key not in (None, spec.user_field, spec.assistant_field):
                extra = value_text(row.get(input_key))
            instruction = value_text(row.get(spec.user_field))
            output = value_text(row.get(spec.assistant_field))
        else:
            instruction, output = row_pair(row, spec, subject)
            extra = ""
        out.append({"instruction": instruction, "input": extra, "output": output})
    return out


def _estimate_tokens(text: str) -> int:
    # ~4 characters per token for Latin script, ~1 per character for CJK/Hangul.
    wide = sum(1 for c in text if ord(c) > 0x2E80)
    return wide + (len(text) - wide + 3) // 4


def validate_openai_chat(
    examples: Sequence[Any], *, min_examples: int = OPENAI_MIN_EXAMPLES
) -> list[tuple[int, str]]:
    """Problems OpenAI's fine-tuning API would reject, as ``(line, problem)`` (1-based).

    The checks of OpenAI's data-preparation guide: each line a JSON object with a non-empty
    ``messages`` list; each message a dict with ``role`` and ``content``, no unknown keys,
    a known role, string content that is not empty (unless it is a tool/function call);
    ``weight`` only 0 or 1 and only on assistant messages; at least one assistant message;
    an estimated size under the per-example token limit; and at least ``min_examples``
    examples in the file.
    """
    issues: list[tuple[int, str]] = []
    for line, example in enumerate(examples, start=1):
        if not isinstance(example, dict):
            issues.append((line, "not a JSON object"))
            continue
        unknown_top = sorted(set(example) - {"messages", "tools", "parallel_tool_calls"})
        if unknown_top:
            issues.append((line, f"unknown top-level key(s) {unknown_top}"))
        messages = example.get("messages")
        if not isinstance(messages, list) or not messages:
            issues.append((line, "missing or empty 'messages' list"))
            continue
        size = 0
        for i, message in enumerate(messages):
            where = f"message {i}"
            if not isinstance(message, dict):
                issues.append((line, f"{where} is not an object"))
                continue
            if "role" not in message or "content" not in message:
                issues.append((line, f"{where} lacks 'role' or 'content'"))
            unknown = sorted(set(message) - set(OPENAI_MESSAGE_KEYS))
            if unknown:
                issues.append((line, f"{where} has unknown key(s) {unknown}"))
            role = message.get("role")
            if role not in OPENAI_ROLES:
                issues.append((line, f"{where} has unknown role {role!r}"))
            content = message.get("content")
            is_call = bool(message.get("function_call") or message.get("tool_calls"))
            if not is_call and (not isinstance(content, str) or not content.strip()):
                issues.append((line, f"{where} ({role}) has no text content"))
            if "weight" in message:
                if role != "assistant":
                    issues.append((line, f"{where}: 'weight' is only allowed on assistant"))
                elif message["weight"] not in (0, 1):
                    issues.append((line, f"{where}: 'weight' must be 0 or 1"))
            size += _estimate_tokens(content) if isinstance(content, str) else 0
        if not any(isinstance(m, dict) and m.get("role") == "assistant" for m in messages):
            issues.append((line, "no assistant message"))
        if size > OPENAI_MAX_EXAMPLE_TOKENS:
            issues.append((line, f"about {size} tokens, over {OPENAI_MAX_EXAMPLE_TOKENS}"))
    if len(examples) < min_examples:
        issues.append(
            (0, f"{len(examples)} examples; the fine-tuning API needs at least {min_examples}")
        )
    return issues


def validate_alpaca(examples: Sequence[Any]) -> list[tuple[int, str]]:
    """Problems in Alpaca examples: exactly instruction/input/output strings, non-empty
    instruction and output."""
    issues: list[tuple[int, str]] = []
    for line, example in enumerate(examples, start=1):
        if not isinstance(example, dict):
            issues.append((line, "not a JSON object"))
            continue
        if set(example) != {"instruction", "input", "output"}:
            issues.append((line, f"keys {sorted(example)}, expected instruction/input/output"))
        for key in ("instruction", "input", "output"):
            if not isinstance(example.get(key), str):
                issues.append((line, f"{key!r} is not a string"))
        for key in ("instruction", "output"):
            if isinstance(example.get(key), str) and not example[key].strip():
                issues.append((line, f"{key!r} is empty"))
    return issues


# --------------------------------------------------------------------------- split


def split_indices(
    n: int, *, train_fraction: float, seed: int = 0, groups: Sequence[int] | None = None
) -> tuple[list[int], list[int]]:
    """Seeded train/validation row indices; rows of one group stay on one side.

    ``groups[i]`` is the group of row ``i`` (e.g. its ``duplicate_of``, or ``i``).
    The validation side gets whole groups until it holds ``round((1 - f) * n)`` rows, and at
    least one row (at most ``n - 1``) when ``f < 1`` and there are two rows or more.
    """
    if not 0.0 < train_fraction <= 1.0:
        raise ConfigurationError(f"--split must be in (0, 1], got {train_fraction}.")
    group_of = list(groups) if groups is not None else list(range(n))
    members: dict[int, list[int]] = {}
    for i, g in enumerate(group_of):
        members.setdefault(g, []).append(i)
    order = sorted(members)
    random.Random(seed).shuffle(order)
    target = round((1.0 - train_fraction) * n)
    if train_fraction < 1.0 and n >= 2:
        # A split that leaves one side empty is no split (and an empty file to upload).
        target = min(n - 1, max(1, target))
    validation: list[int] = []
    for g in order:
        if len(validation) >= target:
            break
        validation.extend(members[g])
    chosen = set(validation)
    return [i for i in range(n) if i not in chosen], sorted(validation)


# --------------------------------------------------------------------------- data card


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


# --------------------------------------------------------------------------- export


@dataclass
class ExportResult:
    """Files written, counts, and the data card's path."""

    files: list[tuple[Path, str, int]]
    card: Path | None
    counts: dict[str, int]


def _split_paths(output: Path) -> tuple[Path, Path]:
    return (
        output.with_name(f"{output.stem}.train{output.suffix}"),
        output.with_name(f"{output.stem}.validation{output.suffix}"),
    )


def _check_suffix(output: Path, fmt: str) -> None:
    expected = {
        "csv": (".csv",),
        "jsonl": (".jsonl", ".ndjson"),
        "parquet": (".parquet",),
        "openai-chat": (".jsonl",),
        "alpaca": (".jsonl", ".json"),
    }[fmt]
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

    ``schema``: a SchemaInfo (or name) for defaults (user template, persona, fields).
    ``lineage``: :func:`langsynth.lineage.read_lineage` of the input, for the card's counts.
    ``counts``: extra known counts (``generated``, ``rejected``, ...) for the card.
    """
    from langsynth.quality.duplicates import dedup
    from langsynth.schemas import SchemaInfo, load_schema

    if fmt not in FORMATS:
        raise ConfigurationError(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS)}.")
    out = Path(output)
    _check_suffix(out, fmt)
    info: SchemaInfo | None = load_schema(schema) if schema is not None else None
    data = [dict(r) for r in rows]
    if not data:
        raise ConfigurationError("Nothing to export: the input has no rows.")

    # Dedup before the split, so that no duplicate can cross it.
    kwargs = dict(dedup_kwargs or {})
    if info is not None and info.dedup_fields and "key_fields" not in kwargs:
        kwargs["key_fields"] = list(info.dedup_fields)
    marked = dedup(data, **kwargs)
    groups_all = [
        r["duplicate_of"] if r["duplicate_of"] is not None else i for i, r in enumerate(marked.rows)
    ]
    if drop_duplicates:
        keep = [i for i, r in enumerate(marked.rows) if r["duplicate_of"] is None]
    else:
        keep = list(range(len(data)))
    dropped = len(data) - len(keep)
    kept_rows = [data[i] for i in keep]
    groups = [groups_all[i] for i in keep]
    if not include_bookkeeping:
        kept_rows = [
            {k: v for k, v in r.items() if k not in BOOKKEEPING_COLUMNS and not k.startswith("_")}
            for r in kept_rows
        ]

    parts: list[tuple[Path, str, list[dict[str, Any]]]]
    if split is not None and split < 1.0:
        if len(kept_rows) < 2:
            raise ConfigurationError(
                f"{len(kept_rows)} row(s) cannot be split into train and validation; export "
                "without --split, or with more rows."
            )
        train_idx, val_idx = split_indices(
            len(kept_rows), train_fraction=split, seed=seed, groups=groups
        )
        train_path, val_path = _split_paths(out)
        parts = [
            (train_path, "train", [kept_rows[i] for i in train_idx]),
            (val_path, "validation", [kept_rows[i] for i in val_idx]),
        ]
    else:
        parts = [(out, "all", kept_rows)]

    subject = (info.subject or info.name) if info else "record"
    spec = pairs or PairSpec()
    if fmt in FINE_TUNING_FORMATS:
        spec = spec.resolve(kept_rows)
        if spec.user_template is None and spec.user_field is None and info is not None:
            from langsynth.chains.judge import default_rubric

            spec = PairSpec(None, None, default_rubric(info).request_template, spec.system)
        if spec.system is None and info is not None and info.persona:
            spec = PairSpec(spec.user_field, spec.assistant_field, spec.user_template, info.persona)

    written: list[tuple[Path, str, int]] = []
    for path, role, part_rows in parts:
        if fmt == "openai-chat":
            examples = to_openai_chat(part_rows, spec, subject)
            issues = validate_openai_chat(examples, min_examples=1)
            if issues:
                raise ExportFormatError(
                    f"{path}: the OpenAI fine-tuning API would reject this file.", issues
                )
            _write_examples(path, examples)
        elif fmt == "alpaca":
            examples = to_alpaca(part_rows, spec, subject)
            issues = validate_alpaca(examples)
            if issues:
                raise ExportFormatError(f"{path}: invalid Alpaca examples.", issues)
            _write_examples(path, examples)
        else:
            write_rows(path, part_rows)
        written.append((path, role, len(part_rows)))

    result_counts = {
        "input rows": len(data),
        "duplicates dropped at export": dropped,
        "exported": len(kept_rows),
    }
    card_path = None
    if card:
        card_path = card_path_for(out)
        doc = _build_card(
            out,
            fmt,
            written,
            info,
            kept_rows,
            data,
            lineage or {},
            roundtrip,
            dict(counts or {}),
            result_counts,
            marked.summary(),
            split,
            seed,
            spec if fmt in FINE_TUNING_FORMATS else None,
        )
        card_path.write_text(doc.to_markdown(), encoding="utf-8")
    return ExportResult(written, card_path, result_counts)


def _build_card(
    out: Path,
    fmt: str,
    written: list[tuple[Path, str, int]],
    info: Any,
    kept_rows: list[dict[str, Any]],
    data: list[dict[str, Any]],
    lineage: Mapping[str, Any],
    roundtrip: Mapping[str, Any] | None,
    counts: dict[str, Any],
    export_counts: dict[str, int],
    dedup_summary: dict[str, Any],
    split: float | None,
    seed: int,
    spec: PairSpec | None,
) -> DataCard:
    from langsynth.lineage import last_step
    from langsynth.quality.inspection import inspect_rows

    generation = lineage.get("generation")
    steps = list(lineage.get("steps", []))
    table: dict[str, Any] = {}
    if generation:
        totals = generation.get("totals", {})
        table["requested"] = generation.get("requested")
        table["generated (valid)"] = totals.get("valid")
        table["rejected attempts (invalid)"] = totals.get("rejected")
        table["rejected during generation as duplicates"] = totals.get("duplicates")
    for key, value in counts.items():
        table[key] = value
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
    table.update(export_counts)
    for _, role, n in written:
        if role != "all":
            table[role] = n

    judge: dict[str, Any] | None = None
    scores = [r.get("score") for r in data if isinstance(r.get("score"), int | float)]
    if judge_step or scores:
        judge = dict(judge_step or {})
        if scores:
            ints = [min(5, max(1, int(float(s) + 0.5))) for s in scores if s is not None]
            judge["judged"] = len(ints)
            judge["mean"] = round(sum(float(s) for s in scores if s is not None) / len(ints), 3)
            judge["distribution"] = {k: ints.count(k) for k in range(1, 6)}
        expected = [r.get("score_expected") for r in data]
        expected_f = [float(e) for e in expected if isinstance(e, int | float)]
        if expected_f:
            judge["mean_expected"] = round(sum(expected_f) / len(expected_f), 3)

    if roundtrip is None:
        rt_step = last_step(lineage, "roundtrip")
        roundtrip = (
            {k: v for k, v in rt_step.items() if k not in ("step", "at")} if rt_step else None
        )

    report = inspect_rows(kept_rows)
    inspection: dict[str, Any] = {}
    for t in report.texts:
        inspection[f"{t.name}: distinct-1 / distinct-2"] = f"{t.distinct_1} / {t.distinct_2}"
        inspection[f"{t.name}: mean pairwise similarity"] = t.mean_similarity
    export: dict[str, Any] = {"format": fmt}
    if split is not None and split < 1.0:
        export["split"] = (
            f"train {split:.0%} / validation {1 - split:.0%}, seed {seed}; rows marked as "
            "duplicates of each other are kept on one side"
        )
    export["dedup before export"] = json.dumps(
        {k: dedup_summary[k] for k in ("duplicates", "by_method")}
    )
    if spec is not None:
        export["user message"] = (
            f"column `{spec.user_field}`" if spec.user_field else f"template `{spec.user_template}`"
        )
        export["assistant message"] = (
            f"column `{spec.assistant_field}`" if spec.assistant_field else "the record as JSON"
        )
        export["system message"] = f"`{spec.system}`" if spec.system else "none"
    fields = content_fields(kept_rows)
    return DataCard(
        title=out.name,
        files=[(str(p), role, n) for p, role, n in written],
        schema=info,
        fields=fields,
        generation=generation,
        steps=steps,
        counts={k: v for k, v in table.items() if v is not None},
        judge=judge,
        roundtrip=dict(roundtrip) if roundtrip else None,
        inspection=inspection or None,
        export=export,
    )
