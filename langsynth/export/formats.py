"""Fine-tuning formats: how a row becomes a (user, assistant) pair, then an example.

- ``openai-chat``: one ``{"messages": [system?, user, assistant]}`` per line;
- ``alpaca``: ``{"instruction", "input", "output"}`` (Stanford Alpaca's format).

Rows with prompt/response columns (``prompt``/``instruction``/``question``/``input`` and
``response``/``output``/``answer``/``completion``) are used as they are; a bare record becomes
the answer (as JSON) to a request made from its fields (``user_template``; for movie
recommendations ``"Recommend one {genre} movie."``), the way the generator was asked for it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langsynth.errors import ConfigurationError
from langsynth.quality.fields import BOOKKEEPING_COLUMNS, content_fields, value_text

FINE_TUNING_FORMATS = ("openai-chat", "alpaca")
PROMPT_COLUMNS = ("prompt", "instruction", "question", "request", "query", "input")
RESPONSE_COLUMNS = ("response", "output", "answer", "completion")


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


def content_only(row: Mapping[str, Any]) -> dict[str, Any]:
    """The row without bookkeeping columns (``score``, ``duplicate_of``, ``_private``...)."""
    return {k: v for k, v in row.items() if k not in BOOKKEEPING_COLUMNS and not k.startswith("_")}


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
    return user, json.dumps(content_only(row), ensure_ascii=False)


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
