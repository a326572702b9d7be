"""Back-translation check (seed 004): text -> pivot language -> back, kept if it survives."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig

from langsynth.model_errors import row_failure
from langsynth.quality.diversity import rouge_l
from langsynth.results import Usage
from langsynth.runs import MapStep
from langsynth.synthesis.task import acomplete

TRANSLATE_PROMPT = (
    "Translate the following text into {language}. Write only the translation.\n\n{text}"
)

# Scripts a pivot language must be written in, to catch a "translation" that is a copy.
_SCRIPTS: dict[str, str] = {
    "korean": "\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f",
    "japanese": "\u3040-\u30ff\u4e00-\u9fff",
    "chinese": "\u4e00-\u9fff",
    "russian": "\u0400-\u04ff",
    "ukrainian": "\u0400-\u04ff",
    "greek": "\u0370-\u03ff",
    "arabic": "\u0600-\u06ff",
    "hebrew": "\u0590-\u05ff",
    "hindi": "\u0900-\u097f",
    "thai": "\u0e00-\u0e7f",
}


def script_share(text: str, language: str) -> float | None:
    """Share of the letters of ``text`` in ``language``'s script (``None``: a Latin script)."""
    chars = _SCRIPTS.get(language.strip().lower())
    if chars is None:
        return None
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum(bool(re.match(f"[{chars}]", c)) for c in letters) / len(letters)


def round_trip_similarity(original: str, round_trip: str) -> float:
    """How close the back-translation is to the original: ROUGE-L F1 on lower-cased words."""
    return rouge_l(original, round_trip)


@dataclass
class BackTranslationResult:
    """One item's round trip: the pivot translation, the way back, their similarity, the verdict."""

    original: str
    translation: str = ""
    round_trip: str = ""
    similarity: float = 0.0
    kept: bool = False
    error: str | None = None
    usage: Usage = field(default_factory=Usage)

    @property
    def output_tokens(self) -> int:
        return self.usage.output_tokens

    @property
    def ok(self) -> bool:
        return self.kept

    @property
    def raw_output(self) -> str:
        return self.translation

    def to_row(self) -> dict[str, Any]:
        return {
            "translation": self.translation,
            "round_trip": self.round_trip,
            "round_trip_similarity": round(self.similarity, 3),
            "kept": self.kept,
            "error": self.error,
        }


class BackTranslator(MapStep):
    """Text -> translation into ``pivot`` -> back to ``source``, kept if similar enough.

    ``back_llm`` translates back (seed 004: ideally another model; default the same).
    An item is kept when the round trip's :func:`round_trip_similarity` is at least
    ``threshold``, and, for a pivot in a non-Latin script, the translation is really in it.
    Output rows are the input rows plus ``translation, round_trip, round_trip_similarity,
    kept, error``; rows that are not kept go to the rejections unless ``keep_all``.
    """

    job: ClassVar[str] = "backtranslate"
    output_columns = ("translation", "round_trip", "round_trip_similarity", "kept", "error")

    def __init__(
        self,
        llm: BaseChatModel,
        *,
        pivot: str = "Korean",
        source: str = "English",
        threshold: float = 0.5,
        back_llm: BaseChatModel | None = None,
        min_script_share: float = 0.5,
        text_field: str = "text",
        keep_all: bool = False,
        concurrency: int = 4,
    ) -> None:
        self.llm = llm
        self.back_llm = back_llm or llm
        self.pivot = pivot
        self.source = source
        self.threshold = threshold
        self.min_script_share = min_script_share
        self.text_field = text_field
        self.input_columns = (text_field,)
        self.keep_failed = keep_all
        self.concurrency = concurrency

    @staticmethod
    def prompt(text: str, language: str) -> str:
        return TRANSLATE_PROMPT.format(language=language, text=text.strip())

    def rows_of(self, inputs: Sequence[Any]) -> list[Mapping[str, Any]]:
        return [{self.text_field: x} if isinstance(x, str) else x for x in inputs]

    def input_of(self, row: Mapping[str, Any]) -> str:
        return str(row[self.text_field])

    def rejected_row(self, index: int, row: Mapping[str, Any], result: Any) -> dict[str, Any]:
        return {**dict(row), **result.to_row(), "raw_output": result.translation}

    def manifest_params(self) -> dict[str, Any]:
        return {
            "model": self.model_spec(),
            "pivot": self.pivot,
            "source": self.source,
            "threshold": self.threshold,
            "keep_all": self.keep_failed,
        }

    async def aprocess(
        self, input: str, config: RunnableConfig | None = None
    ) -> BackTranslationResult:
        result = BackTranslationResult(original=input)
        try:
            there = await acomplete(self.llm, self.prompt(input, self.pivot), config=config)
            result.translation = there.text
            result.usage.add(there.usage)
            back = await acomplete(
                self.back_llm, self.prompt(there.text, self.source), config=config
            )
        except Exception as exc:
            result.error = row_failure(exc)
            return result
        result.round_trip = back.text
        result.usage.add(back.usage)
        share = script_share(result.translation, self.pivot)
        result.similarity = round_trip_similarity(input, result.round_trip)
        if share is not None and share < self.min_script_share:
            result.error = f"the translation is not in {self.pivot} ({share:.0%} of its letters)"
        elif share is None and rouge_l(input, result.translation) >= 0.9:
            result.error = f"the translation is a copy of the original, not {self.pivot}"
        elif result.similarity < self.threshold:
            result.error = (
                f"round trip too different (similarity {result.similarity:.2f} < "
                f"{self.threshold:.2f})"
            )
        result.kept = result.error is None
        return result
