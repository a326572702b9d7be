"""Paraphrase augmentation (seed 004): each text rewritten ``n`` ways, near-copies dropped."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig

from langsynth.model_errors import row_failure
from langsynth.normalize import words
from langsynth.results import Usage
from langsynth.runs import MapStep
from langsynth.synthesis.augment import rows_with
from langsynth.synthesis.task import acomplete, is_refusal

PARAPHRASE_PROMPT = (
    "Rewrite the following {kind} in {n} different ways. Keep the meaning, change the "
    "wording. Write one per line, numbered 1 to {n}, and nothing else.\n\n{text}"
)
_NUMBERED = re.compile(r"^\s*(?:\d+[.):]|[-*\u2022])\s*(.+?)\s*$")


def parse_list(text: str) -> list[str]:
    """Items of a numbered or bulleted list (or the non-empty lines if there is no list)."""
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    items = [m.group(1) for ln in lines if (m := _NUMBERED.match(ln))]
    items = items or [ln.strip() for ln in lines]
    return [i.strip().strip('"\u201c\u201d').strip() for i in items if i.strip()]


@dataclass
class ParaphraseResult:
    """The paraphrases of one text (near-copies and duplicates removed)."""

    original: str
    paraphrases: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    failure: str | None = None
    raw_output: str = ""

    @property
    def output_tokens(self) -> int:
        return self.usage.output_tokens

    @property
    def ok(self) -> bool:
        return bool(self.paraphrases)

    @property
    def error(self) -> str | None:
        if self.failure:
            return self.failure
        return None if self.paraphrases else "no usable paraphrase"

    def to_row(self) -> dict[str, Any]:
        return {"original": self.original, "paraphrases": self.paraphrases}


class Paraphraser(MapStep):
    """A text (or a row's ``text_field``) -> up to ``n`` paraphrases, one output row each.

    ``kind`` names what is paraphrased in the prompt ("user request", "sentence", ...).
    A paraphrase is dropped if it is a duplicate or differs from the original only in case
    and punctuation. Each output row is the input row with the paraphrase in ``text_field``
    and ``augmentation="paraphrase"``, ``source_index``; a text with no usable paraphrase
    goes to the rejections.
    """

    job: ClassVar[str] = "paraphrase"
    keep_failed = False

    def __init__(
        self,
        llm: BaseChatModel,
        *,
        n: int = 3,
        kind: str = "user request",
        text_field: str = "text",
        concurrency: int = 4,
    ) -> None:
        self.llm = llm
        self.n = n
        self.kind = kind
        self.text_field = text_field
        self.input_columns = (text_field,)
        self.output_columns = (text_field, "augmentation", "source_index")
        self.concurrency = concurrency

    def prompt(self, text: str) -> str:
        return PARAPHRASE_PROMPT.format(kind=self.kind, n=self.n, text=text.strip())

    def rows_of(self, inputs: Sequence[Any]) -> list[Mapping[str, Any]]:
        return [{self.text_field: x} if isinstance(x, str) else x for x in inputs]

    def input_of(self, row: Mapping[str, Any]) -> str:
        return str(row[self.text_field])

    def output_rows(self, index: int, row: Mapping[str, Any], result: Any) -> list[dict[str, Any]]:
        return [
            rows_with(row, self.text_field, p, augmentation="paraphrase", source_index=index)
            for p in result.paraphrases
        ]

    def rejected_row(self, index: int, row: Mapping[str, Any], result: Any) -> dict[str, Any]:
        return {**dict(row), "error": result.error, "raw_output": result.raw_output}

    def manifest_params(self) -> dict[str, Any]:
        return {"model": self.model_spec(), "n": self.n, "kind": self.kind}

    async def aprocess(self, input: str, config: RunnableConfig | None = None) -> ParaphraseResult:
        result = ParaphraseResult(original=input)
        try:
            completion = await acomplete(self.llm, self.prompt(input), config=config)
        except Exception as exc:
            result.failure = row_failure(exc)
            return result
        result.usage = completion.usage
        result.raw_output = completion.text
        seen = {" ".join(words(input))}
        for item in parse_list(completion.text):
            key = " ".join(words(item))
            if not key or key in seen or is_refusal(item) or len(result.paraphrases) >= self.n:
                result.dropped.append(item)
                continue
            seen.add(key)
            result.paraphrases.append(item)
        return result
