"""Label-seeded classification data (seed 002): the class label is one of the prompt's entities.

Ask for "a product review whose sentiment is negative" and the label of the answer is known;
a balanced set of such prompts gives balanced training data for a local classifier. A topic
drawn per prompt (a noun from the shipped vocabulary, or your own list) keeps the texts of one
label from all being alike.

>>> [r.label for r in balanced_requests(4, ["positive", "negative"], seed=0)].count("negative")
2
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig

from langsynth.errors import ConfigurationError
from langsynth.schemas.labeled_text import LabeledText
from langsynth.synthesis.task import (
    LLMTask,
    acomplete,
    balanced,
    is_fatal,
    is_refusal,
    row_error,
)

LABEL_PROMPT = (
    'Write one {domain} whose {label_name} is "{label}"{description}.{topic} '
    "Write only the text itself, in 1 to 3 sentences."
)

_PREFIX = re.compile(r"^\s*(?:text|review|example|answer)\s*:\s*", re.IGNORECASE)


@dataclass(frozen=True)
class LabelRequest:
    """One prompt: the label to write for and an optional topic."""

    label: str
    topic: str | None = None

    @classmethod
    def coerce(cls, value: LabelRequest | Mapping[str, Any] | str) -> LabelRequest:
        if isinstance(value, LabelRequest):
            return value
        if isinstance(value, str):
            return cls(value)
        return cls(str(value["label"]), value.get("topic"))


def balanced_requests(
    n: int,
    labels: Sequence[str],
    *,
    topics: Sequence[str] | None = None,
    seed: int | None = None,
) -> list[LabelRequest]:
    """``n`` requests with each label equally often (counts differ by at most one), shuffled.

    With ``topics``, each request also gets a topic drawn at random.
    """
    if len(set(labels)) < 2:
        raise ConfigurationError("Label-seeded data needs at least two distinct labels.")
    rng = random.Random(seed)
    chosen = balanced(list(dict.fromkeys(labels)), n, rng)
    return [LabelRequest(label, rng.choice(topics) if topics else None) for label in chosen]


def clean_text(text: str) -> str:
    """First paragraph of the answer, without a ``Review:`` prefix or surrounding quotes."""
    para = next((p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()), "")
    para = _PREFIX.sub("", " ".join(para.split()))
    if len(para) >= 2 and para[0] in '"\u201c' and para[-1] in '"\u201d':
        para = para[1:-1].strip()
    return para


@dataclass
class LabeledResult:
    """One attempt: the labeled record (``None`` if it failed) and its cost."""

    request: LabelRequest
    record: LabeledText | None = None
    output_tokens: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.record is not None

    @property
    def reason(self) -> str | None:
        return self.error

    def to_row(self) -> dict[str, Any]:
        """The record, plus the topic it was written about (when one was drawn)."""
        if self.record is None:
            return {}
        row = self.record.model_dump()
        if self.request.topic:
            row["topic"] = self.request.topic
        return row

    def to_rejected_row(self) -> dict[str, Any]:
        return {"label": self.request.label, "topic": self.request.topic, "reason": self.reason}


class LabeledTextGenerator(LLMTask[LabelRequest | Mapping[str, Any] | str, LabeledResult]):
    """A Runnable: a label (and topic) -> a :class:`LabeledText` written for that label.

    ``domain`` names what to write ("product review"), ``label_name`` what the label is
    ("sentiment"); ``label_descriptions`` may explain a label to the model.
    """

    def __init__(
        self,
        llm: BaseChatModel,
        *,
        domain: str = "product review",
        label_name: str = "sentiment",
        label_descriptions: Mapping[str, str] | None = None,
        system: str | None = None,
        concurrency: int = 4,
    ) -> None:
        self.llm = llm
        self.domain = domain
        self.label_name = label_name
        self.label_descriptions = dict(label_descriptions or {})
        self.system = system
        self.concurrency = concurrency

    def prompt(self, request: LabelRequest) -> str:
        described = self.label_descriptions.get(request.label)
        return LABEL_PROMPT.format(
            domain=self.domain,
            label_name=self.label_name,
            label=request.label,
            description=f" ({described})" if described else "",
            topic=f" It is about: {request.topic}." if request.topic else "",
        )

    async def _arun(
        self, input: LabelRequest | Mapping[str, Any] | str, config: RunnableConfig | None
    ) -> LabeledResult:
        request = LabelRequest.coerce(input)
        result = LabeledResult(request=request)
        try:
            completion = await acomplete(
                self.llm, self.prompt(request), system=self.system, config=config
            )
            result.output_tokens = completion.output_tokens
            text = clean_text(completion.text)
            if is_refusal(text):
                result.error = f"the model refused: {text[:80]}"
                return result
            result.record = LabeledText(text=text, label=request.label)
        except Exception as exc:
            if is_fatal(exc):
                raise
            result.error = row_error(exc)
        return result
