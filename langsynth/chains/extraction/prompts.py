"""What an extraction chain says to the model: system prompt, field rules, the document, examples.

The prompt is built for small models reading messy documents (OCR'd receipts, scanned letters,
e-mail threads): each field gets its type, its description and one rule for how to copy it
(a date without the time, an amount without the currency, every line of an address); the
document can be shown with numbered lines so that a value printed over several lines is seen
as one block.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, cast

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from pydantic import BaseModel

from langsynth.errors import ExtractionError

__all__ = [
    "extraction_system_prompt",
    "few_shot_messages",
    "field_hint",
    "field_lines",
    "is_address_field",
    "numbered",
    "numbers_as_digits",
    "user_message",
]


def _json_type(prop: Mapping[str, Any]) -> str:
    if "enum" in prop:
        return "one of: " + ", ".join(json.dumps(v) for v in prop["enum"])
    if "anyOf" in prop:
        kinds = [_json_type(p) for p in prop["anyOf"] if p.get("type") != "null"]
        nullable = any(p.get("type") == "null" for p in prop["anyOf"])
        return " or ".join(kinds) + (" or null" if nullable else "")
    kind = str(prop.get("type", "value"))
    if kind == "array":
        return "list of " + _json_type(prop.get("items", {})) + "s"
    return kind


def numbers_as_digits(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of a JSON Schema where every integer/number may also be a string of digits.

    Small models like to quote identifiers (``"271037"``). Under a grammar that forbids the
    quote, Qwen2.5 0.5B then wrote a wrong first digit (671037) in half of the medical
    billing texts. Allowing a digit string (which Pydantic converts, then range-checks) keeps
    the answer grammar-constrained and lets the model copy the number.
    """

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {key: walk(value) for key, value in node.items()}
        kind = out.get("type")
        if kind in ("integer", "number"):
            pattern = r"^-?[0-9]+$" if kind == "integer" else r"^-?[0-9]+(\.[0-9]+)?$"
            keep = {k: v for k, v in out.items() if k in ("title", "description", "default")}
            numeric = {k: v for k, v in out.items() if k not in keep}
            return {**keep, "anyOf": [numeric, {"type": "string", "pattern": pattern}]}
        return out

    result: dict[str, Any] = walk(schema)
    return result


# What a field's *name* says about how its value is printed on business documents; the words
# are matched as whole parts of the name (snake_case, camelCase or spaces).
_DATE_WORDS = {"date", "dob", "birth", "day", "dated"}
_AMOUNT_WORDS = {
    "total", "amount", "price", "cost", "sum", "balance", "fee", "charge", "tax", "subtotal",
    "paid", "due", "payable", "vat", "gst",
}  # fmt: skip
_ADDRESS_WORDS = {"address", "addr", "location"}
_NAME_WORDS = {"company", "vendor", "merchant", "shop", "store", "seller", "supplier", "issuer"}


def _name_words(name: str) -> set[str]:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return {w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w}


def is_address_field(name: str, prop: Mapping[str, Any]) -> bool:
    """A text field whose name says it holds a postal address."""
    return _json_type(prop).startswith("string") and bool(_name_words(name) & _ADDRESS_WORDS)


def field_hint(name: str, prop: Mapping[str, Any]) -> str:
    """How to copy one field, from its JSON type and what its name says it holds."""
    kind = _json_type(prop)
    words = _name_words(name)
    is_text = kind.startswith("string")
    if kind.startswith("list"):
        return "Every item the document gives, each copied as printed; [] if none."
    if is_text and words & _DATE_WORDS:
        return "The date only, copied as printed (without the time)."
    if (is_text or kind.startswith(("number", "integer"))) and words & _AMOUNT_WORDS:
        return (
            "The number only, as printed, without the currency; the final amount, not a "
            "subtotal, tax, cash tendered or change."
            if words & {"total", "payable", "balance", "paid"}
            else "The number only, as printed, without the currency."
        )
    if is_text and words & _ADDRESS_WORDS:
        return (
            "Copy every line of the address as printed, from the first (number, street) to "
            "the last (postcode, city, state), joined with spaces."
        )
    if is_text and words & _NAME_WORDS:
        return (
            "The business name as printed (with Sdn Bhd, Ltd, Inc, ...); all of its lines if "
            "it is printed over two; not a person's name or a slogan."
        )
    if is_text:
        return "Copy it exactly as printed."
    return ""


def field_lines(model: type[BaseModel], *, hints: bool = True) -> str:
    """``- name (type): description. How to copy it.`` for each field of the schema."""
    props = model.model_json_schema().get("properties", {})
    lines = []
    for name, info in model.model_fields.items():
        prop = props.get(name, {})
        parts = [info.description.rstrip(".") + "." if info.description else ""]
        if hints:
            parts.append(field_hint(name, prop))
        detail = " ".join(p for p in parts if p)
        lines.append(f"- {name} ({_json_type(prop)})" + (f": {detail}" if detail else ""))
    return "\n".join(lines)


def extraction_system_prompt(
    model: type[BaseModel], strategy: str = "json_schema", *, line_numbers: bool = False
) -> str:
    """The system message: what to extract (fields, types, descriptions, how) and the rules."""
    title = model.model_config.get("title") or model.__name__
    keys = ", ".join(model.model_fields)
    view = (
        "The document is shown with numbered lines (`12| text`); the numbers are not part "
        "of the text. "
        if line_numbers
        else ""
    )
    text = (
        f"You extract one {title} record from a document. It may be OCR text of a scanned "
        "page: lines broken in two, misread characters, stray marks, and many numbers and "
        f"labels that are not wanted. {view}The fields:\n{field_lines(model)}\n\n"
        "Rules:\n"
        # "character by character": the 0.5B model otherwise "corrects" OCR'd names and
        # shortens values to their first line (an address to its street).
        "- Copy every value exactly as it is printed in the document, character by character, "
        "misreadings included; do not correct, shorten, reformat or complete it.\n"
        "- A value printed over several lines: copy all of its lines, joined with one space.\n"
        # "digit by digit": the 0.5B model otherwise let "6-digit" in a field description
        # replace the first digit of an ID (342453 -> 642453) in 2 of 19 medical texts.
        "- Copy numbers and IDs digit by digit. Number fields: digits only, without currency "
        "signs or thousands separators.\n"
        "- If the document does not give a value, use null (an empty list for a list field).\n"
        "- Never invent values that are not in the document."
    )
    if strategy == "json_mode":
        text += f"\n\nAnswer with one JSON object with exactly these keys: {keys}."
    elif strategy == "parser":
        from langchain_core.output_parsers import PydanticOutputParser

        parser = PydanticOutputParser(pydantic_object=model)
        text += "\n\n" + parser.get_format_instructions()
    return text


def numbered(text: str) -> str:
    """The document with its line numbers (``1| first line``), blank lines dropped."""
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    width = len(str(len(lines)))
    return "\n".join(f"{i:>{width}}| {line}" for i, line in enumerate(lines, 1))


def user_message(text: str, *, line_numbers: bool = False, notes: str = "") -> HumanMessage:
    """The document between clear delimiters (numbered if asked), then optional notes."""
    body = numbered(text) if line_numbers else text
    extra = f"\n\n{notes}" if notes else ""
    return HumanMessage(content=f'Extract the record from this document:\n"""\n{body}\n"""{extra}')


def as_text(value: Any) -> str:
    """The text of an extraction input: a string or a mapping with a ``text`` key."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("text"), str):
        return cast("str", value["text"])
    raise ExtractionError(
        f"An extraction input must be a text or a mapping with a 'text' key, got "
        f"{type(value).__name__}."
    )


def example_pair(example: Any) -> tuple[str, Mapping[str, Any]]:
    """A few-shot example as ``(text, record)``: a pair or a ``{"text", "labels"}`` row."""
    if isinstance(example, tuple) and len(example) == 2:
        text, record = example
    elif isinstance(example, Mapping) and "text" in example:
        text = example["text"]
        record = example.get("labels", example.get("record"))
    else:
        raise ExtractionError(
            "A few-shot example must be a (text, record) pair or a mapping with 'text' and "
            "'labels' keys."
        )
    if isinstance(record, BaseModel):
        record = record.model_dump(mode="json")
    if not isinstance(text, str) or not isinstance(record, Mapping):
        raise ExtractionError("A few-shot example needs a text (str) and a record (mapping).")
    return text, record


def few_shot_messages(
    examples: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    tool_name: str | None = None,
    line_numbers: bool = False,
) -> list[BaseMessage]:
    """User/answer message pairs for the examples (tool calls when ``tool_name`` is given)."""
    messages: list[BaseMessage] = []
    for i, (text, record) in enumerate(examples):
        messages.append(user_message(text, line_numbers=line_numbers))
        if tool_name is None:
            messages.append(AIMessage(content=json.dumps(dict(record), ensure_ascii=False)))
            continue
        # What langchain_core's (beta) tool_example_to_messages builds.
        call_id = f"example_{i}"
        call = {"name": tool_name, "args": dict(record), "id": call_id, "type": "tool_call"}
        messages.append(AIMessage(content="", tool_calls=[call]))
        messages.append(
            ToolMessage(content="You have correctly called this tool.", tool_call_id=call_id)
        )
    return messages
