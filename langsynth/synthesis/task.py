"""What the synthesis components share: one text call to the model and refusal detection.

Every component is a step of the run engine (:mod:`langsynth.runs`): sources (stories,
textbook excerpts, self-instruct) make new rows until N are accepted, map steps (labeled
texts, reverse instructions, paraphrases, back-translation) make rows from input rows. A
model call goes through :func:`acomplete`; a failure about the answer becomes the result's
``error`` via :func:`langsynth.model_errors.row_failure`, anything else stops the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import RunnableConfig

from langsynth.results import Usage

T = TypeVar("T")


@dataclass(frozen=True)
class Completion:
    """A model's text answer with what it cost and whether it was cut off by ``max_tokens``."""

    text: str
    usage: Usage = field(default_factory=Usage)
    truncated: bool = False

    @property
    def output_tokens(self) -> int:
        return self.usage.output_tokens


def messages_for(prompt: str, system: str | None = None) -> list[BaseMessage]:
    """A chat message list: optional system prompt, then the user prompt."""
    messages: list[BaseMessage] = [SystemMessage(system)] if system else []
    messages.append(HumanMessage(prompt))
    return messages


def _completion(message: Any) -> Completion:
    content = message.content if isinstance(message.content, str) else str(message.content)
    finish = (getattr(message, "response_metadata", None) or {}).get("finish_reason")
    return Completion(content.strip(), Usage.of(message), finish == "length")


async def acomplete(
    llm: BaseChatModel,
    prompt: str,
    *,
    system: str | None = None,
    config: RunnableConfig | None = None,
) -> Completion:
    """Ask ``llm`` for plain text."""
    return _completion(await llm.ainvoke(messages_for(prompt, system), config=config))


# Refusals are not data worth training on (the cleaned Alpaca data drops them too).
REFUSALS = (
    "as an ai language model",
    "as an ai assistant, i cannot",
    "i cannot fulfill",
    "i cannot assist",
    "i can't assist",
    "i cannot discuss",
    "i'm sorry, but i can",
    "i am sorry, but i can",
    "i'm unable to",
)


def is_refusal(text: str) -> bool:
    """Whether a model answer is a refusal ("I'm sorry, but I can't assist with that.")."""
    lowered = " ".join(text.lower().replace("\u2019", "'").split())
    return any(r in lowered for r in REFUSALS)


def balanced(values: Sequence[T], n: int, rng: Any) -> list[T]:
    """``n`` values cycling through ``values`` (counts differ by at most one), shuffled."""
    out = [values[i % len(values)] for i in range(n)]
    rng.shuffle(out)
    return out
