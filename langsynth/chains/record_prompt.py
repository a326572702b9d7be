"""The record generator's prompt: the seed's few-shot template, a field guide for small models."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.prompts import FewShotPromptTemplate, PromptTemplate
from pydantic import BaseModel

# langchain_experimental.tabular_synthetic_data.prompts, kept verbatim (seed 001).
SYNTHETIC_FEW_SHOT_PREFIX = (
    "This is a test about generating synthetic data about {subject}. Examples below:"
)
SYNTHETIC_FEW_SHOT_SUFFIX = "Now you generate synthetic data about {subject}. Make sure to {extra}:"
EXAMPLE_PROMPT = PromptTemplate(input_variables=["example"], template="{example}")

DEFAULT_PERSONA = "You generate realistic, varied synthetic data records."


def field_guide(model: type[BaseModel]) -> str:
    """``- name (type): description`` for each field, so small models know what fields mean."""
    lines = []
    schema = model.model_json_schema()
    props = schema.get("properties", {})
    for name, info in model.model_fields.items():
        prop = props.get(name, {})
        if "enum" in prop:
            kind = "one of: " + ", ".join(map(str, prop["enum"]))
        else:
            kind = prop.get("type", "value")
        if kind == "array":
            kind = "list of " + str(prop.get("items", {}).get("type", "values"))
        desc = f": {info.description}" if info.description else ""
        lines.append(f"- {name} ({kind}){desc}")
    return "\n".join(lines)


def few_shot_prompt(
    examples: Sequence[Mapping[str, Any]],
    *,
    prefix: str = SYNTHETIC_FEW_SHOT_PREFIX,
    suffix: str = SYNTHETIC_FEW_SHOT_SUFFIX,
) -> FewShotPromptTemplate:
    """The seed's ``FewShotPromptTemplate`` with each example shown as one JSON line."""

    def line(example: Mapping[str, Any]) -> str:
        # FewShotPromptTemplate formats the joined text again: escape the JSON braces.
        text = json.dumps(dict(example), ensure_ascii=False)
        return text.replace("{", "{{").replace("}", "}}")

    return FewShotPromptTemplate(
        prefix=prefix,
        examples=[{"example": line(ex)} for ex in examples],
        suffix=suffix,
        input_variables=["subject", "extra"],
        example_prompt=EXAMPLE_PROMPT,
    )
