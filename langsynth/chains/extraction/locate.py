"""Locate-then-extract: a first call names the lines that hold each field.

On a long, noisy document a small model asked for every value at once often takes a value
from the wrong place (a subtotal for the total, the cashier for the company) or stops at the
first line of a value printed over several. Asking first only *where* each field is printed
(line numbers of the numbered document) is an easier question; the extraction call is then
shown those lines, quoted, beside the document.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import BaseModel, Field, create_model

from langsynth.chains.extraction.prompts import field_lines, numbered
from langsynth.chains.structured import raw_text, structured_runnable

__all__ = ["locate_notes", "locate_runnable", "parse_json_object", "parse_locations"]

MAX_LINES = 8  # per field: an address is rarely printed over more


def parse_json_object(text: str) -> dict[str, Any] | None:
    """The JSON object in a model's answer (fenced or bare), else ``None``."""
    from langchain_core.utils.json import parse_json_markdown

    try:
        value = parse_json_markdown(text)
    except Exception:  # any non-JSON answer
        return None
    return value if isinstance(value, dict) else None


def _locations_model(model: type[BaseModel]) -> type[BaseModel]:
    fields: dict[str, Any] = {
        name: (list[int], Field(default_factory=list, max_length=MAX_LINES))
        for name in model.model_fields
    }
    return create_model(f"{model.__name__}Lines", **fields)


def _system(model: type[BaseModel]) -> str:
    return (
        "You find where the fields of a record are printed in a document shown with numbered "
        f"lines (`12| text`). The fields:\n{field_lines(model)}\n\n"
        "For each field, answer the numbers of the lines that hold its value (all of them "
        "when the value is printed over several lines), or [] if the document does not give "
        "it. Answer with one JSON object: field name -> list of line numbers."
    )


def locate_runnable(
    model: type[BaseModel], llm: BaseChatModel, strategy: str
) -> Runnable[str, dict[str, Any]]:
    """document -> ``{"raw", "parsed", "parsing_error"}`` with the line numbers per field."""
    where = _locations_model(model)
    system = SystemMessage(content=_system(model))

    def messages(document: str) -> list[Any]:
        return [system, HumanMessage(content=f'"""\n{numbered(document)}\n"""')]

    if strategy == "parser":

        def parse(message: Any) -> dict[str, Any]:
            return {"raw": message, "parsed": parse_json_object(raw_text(message))}

        return RunnableLambda(messages) | llm | RunnableLambda(parse)
    method = {"json_schema": "json_schema", "tool_calling": "function_calling"}.get(
        strategy, "json_mode"
    )
    runnable, _ = structured_runnable(llm, where, method)
    return RunnableLambda(messages) | runnable


def parse_locations(result: Any, model: type[BaseModel]) -> dict[str, list[int]]:
    """``{field: [line, ...]}`` from a locate answer; anything unreadable is dropped."""
    if not isinstance(result, Mapping):
        return {}
    parsed = result.get("parsed")
    if isinstance(parsed, BaseModel):
        parsed = parsed.model_dump()
    if not isinstance(parsed, Mapping):
        return {}
    out: dict[str, list[int]] = {}
    for name in model.model_fields:
        value = parsed.get(name)
        if isinstance(value, list):
            lines = [v for v in value if isinstance(v, int) and not isinstance(v, bool)]
            if lines:
                out[name] = sorted(set(lines))[:MAX_LINES]
    return out


def locate_notes(locations: Mapping[str, list[int]], document: str) -> str:
    """The hint shown to the extraction call: each field's lines, quoted."""
    lines = [line.rstrip() for line in document.splitlines() if line.strip()]
    notes = []
    for name, numbers in locations.items():
        quoted = [f"{n}| {lines[n - 1]}" for n in numbers if 1 <= n <= len(lines)]
        if quoted:
            notes.append(f"- {name}: " + " / ".join(quoted))
    if not notes:
        return ""
    return "Where a first reading found the values (check them against the document):\n" + (
        "\n".join(notes)
    )
