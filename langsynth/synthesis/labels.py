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
from dataclasses import dataclass, field
from typing import Any, ClassVar

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig

from langsynth.errors import ConfigurationError
from langsynth.model_errors import row_failure
from langsynth.results import Usage
from langsynth.runs import MapStep
from langsynth.schemas.info import describe_validation_error
from langsynth.schemas.labeled_text import LabeledText
from langsynth.synthesis.task import acomplete, balanced, is_refusal

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
    usage: Usage = field(default_factory=Usage)
    error: str | None = None
    raw_output: str = ""

    @property
    def output_tokens(self) -> int:
        return self.usage.output_tokens

    @property
    def ok(self) -> bool:
        return self.record is not None

    def to_row(self) -> dict[str, Any]:
        """The record, plus the topic it was written about (``None`` when none was drawn):
        every row has the declared ``text, label, topic`` columns."""
        if self.record is None:
            return {}
        return {**self.record.model_dump(), "topic": self.request.topic or None}


class LabeledTextGenerator(MapStep):
    """A label (and topic) -> a :class:`LabeledText` written for that label.

    ``run(balanced_requests(n, labels, ...))`` writes one text per request: one attempt each,
    since a replacement would break the label balance; a failed one goes to the rejections.
    ``domain`` names what to write ("product review"), ``label_name`` what the label is
    ("sentiment"); ``label_descriptions`` may explain a label to the model.
    """

    job: ClassVar[str] = "labeled"
    input_columns = ("label",)
    output_columns = ("text", "label", "topic")
    keep_failed = False

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

    def rows_of(self, inputs: Sequence[Any]) -> list[Mapping[str, Any]]:
        rows: list[Mapping[str, Any]] = []
        for item in inputs:
            request = LabelRequest.coerce(item)
            rows.append({"label": request.label, "topic": request.topic})
        return rows

    def output_rows(self, index: int, row: Mapping[str, Any], result: Any) -> list[dict[str, Any]]:
        return [result.to_row()]

    def rejected_row(self, index: int, row: Mapping[str, Any], result: Any) -> dict[str, Any]:
        return {**dict(row), "error": result.error, "raw_output": result.raw_output}

    def manifest_params(self) -> dict[str, Any]:
        return {
            "model": self.model_spec(),
            "domain": self.domain,
            "label_name": self.label_name,
            "label_descriptions": self.label_descriptions,
        }

    async def aprocess(
        self, input: LabelRequest | Mapping[str, Any] | str, config: RunnableConfig | None = None
    ) -> LabeledResult:
        request = LabelRequest.coerce(input)
        result = LabeledResult(request=request)
        try:
            completion = await acomplete(
                self.llm, self.prompt(request), system=self.system, config=config
            )
        except Exception as exc:
            result.error = row_failure(exc)
            return result
        result.usage = completion.usage
        result.raw_output = completion.text
        text = clean_text(completion.text)
        if is_refusal(text):
            result.error = f"the model refused: {text[:80]}"
            return result
        try:
            result.record = LabeledText(text=text, label=request.label)
        except ValueError as exc:
            result.error = describe_validation_error(exc)
        return result
