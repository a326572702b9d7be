"""Reverse instruction (seed 004): existing long-form text -> the instruction it answers.

The text becomes the response of an ``instruction_example``; the model only writes the
request, which is checked with the Self-Instruct filters (:mod:`~langsynth.synthesis.instructions`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig
from pydantic import ValidationError

from langsynth.errors import ConfigurationError
from langsynth.model_errors import row_failure
from langsynth.quality.diversity import rouge_l
from langsynth.runs import MapStep
from langsynth.schemas.info import describe_validation_error
from langsynth.schemas.instruction_example import InstructionExample
from langsynth.synthesis.instructions import (
    InstructionResult,
    SelfInstructFilter,
    _loose_example,
)
from langsynth.synthesis.task import acomplete

# Measured on the 0.5B model: asking "what request would this text answer" gave "What is the
# main idea of the text?" for most texts; naming the topic fixed most; few-shot examples were
# copied verbatim.
REVERSE_PROMPT = (
    'Text:\n"""\n{text}\n"""\n\n'
    "Write the question or instruction a user gave to get exactly this text. "
    "Mention the topic of the text. Write only the question or instruction."
)
# A reverse instruction that points at "the text" instead of asking for it is useless.
_GENERIC_REQUEST = re.compile(
    r"\b(the|this|given|above|provided) (text|passage|paragraph|answer)\b|\bthe user\b",
    re.IGNORECASE,
)
_REQUEST_PREFIX = re.compile(
    r"^\s*(?:\*\*)?(?:request|question|user|instruction)\s*(?:\*\*)?\s*:\s*(?:\*\*)?\s*",
    re.IGNORECASE,
)


class ReverseInstruction(MapStep):
    """Existing long-form text -> ``instruction_example`` whose response is that text.

    The input is the text, or a row with a ``text_field`` (default ``"text"``). Texts longer
    than ``max_chars`` are shown cut to fit a small model's context (the response keeps all).
    A text whose instruction fails the filters goes to the rejections.
    """

    job: ClassVar[str] = "reverse-instruction"
    output_columns = tuple(InstructionExample.model_fields)
    keep_failed = False

    def __init__(
        self,
        llm: BaseChatModel,
        *,
        text_field: str = "text",
        max_chars: int = 2000,
        filters: SelfInstructFilter | None = None,
        concurrency: int = 4,
    ) -> None:
        self.llm = llm
        self.text_field = text_field
        self.input_columns = (text_field,)
        self.max_chars = max_chars
        self.filters = filters or SelfInstructFilter()
        self.concurrency = concurrency

    def prompt(self, text: str) -> str:
        shown = text if len(text) <= self.max_chars else text[: self.max_chars] + " ..."
        return REVERSE_PROMPT.format(text=shown.strip())

    def rows_of(self, inputs: Sequence[Any]) -> list[Mapping[str, Any]]:
        return [{self.text_field: x} if isinstance(x, str) else x for x in inputs]

    def input_of(self, row: Mapping[str, Any]) -> str:
        return str(row[self.text_field])

    def output_rows(self, index: int, row: Mapping[str, Any], result: Any) -> list[dict[str, Any]]:
        return [result.to_row()]

    def rejected_row(self, index: int, row: Mapping[str, Any], result: Any) -> dict[str, Any]:
        return {
            **result.to_row(),
            "source": result.source,
            "error": result.error,
            "raw_output": result.raw_output,
        }

    def manifest_params(self) -> dict[str, Any]:
        return {"model": self.model_spec(), "text_field": self.text_field}

    async def aprocess(
        self, input: str | Mapping[str, Any], config: RunnableConfig | None = None
    ) -> InstructionResult:
        text = input if isinstance(input, str) else self.rows_of([input])[0][self.text_field]
        if not isinstance(text, str):
            raise ConfigurationError(
                f"Row has no text field {self.text_field!r}; choose the field with --field."
            )
        result = InstructionResult(source="reverse")
        try:
            step = await acomplete(self.llm, self.prompt(text), config=config)
        except Exception as exc:
            result.failure = row_failure(exc)
            return result
        result.usage = step.usage
        result.raw_output = step.text
        first = next((ln for ln in step.text.splitlines() if ln.strip()), "")
        instruction = _REQUEST_PREFIX.sub("", first).strip().strip('"\u201c\u201d').strip()
        result.record = _loose_example(instruction, "", text)
        result.filtered = self.filters.check_instruction(instruction, [])
        if not result.filtered and rouge_l(instruction, text) >= self.filters.max_similarity:
            result.filtered = "the instruction copies the text"
        if not result.filtered and _GENERIC_REQUEST.search(instruction):
            result.filtered = "generic instruction: it points at the text instead of asking for it"
        if not result.filtered:
            try:
                result.record = InstructionExample(instruction=instruction, input="", response=text)
            except ValidationError as exc:
                result.filtered = describe_validation_error(exc)
        return result
