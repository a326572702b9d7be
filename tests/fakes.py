"""Fake chat models for unit tests (no sockets, no model).

``FakeChatModel`` answers from a script. Structured output goes through LangChain's
tool-calling path (``bind_tools`` returns self, answers carry ``tool_calls``), as
LangChain's own tests do. A scripted answer is one of:

- a ``dict``: a tool call with these arguments (i.e. a structured record),
- a ``str``: plain text content (garbage for a structured call),
- an ``Exception`` instance: raised from the call,
- an ``AIMessage``: returned as it is (e.g. with log-probabilities, see :func:`yes_no_reply`),
- a callable ``(messages) -> answer``: computed from the prompt.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict, PrivateAttr

Answer = dict[str, Any] | str | Exception | Callable[[list[BaseMessage]], Any]


class FakeChatModel(BaseChatModel):
    """A scripted chat model; ``cycle=True`` repeats the script forever."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    answers: Sequence[Any] = ()
    cycle: bool = False
    output_tokens: int = 20
    tool_name: str | None = None
    _calls: list[list[BaseMessage]] = PrivateAttr(default_factory=list)
    _script: Any = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "fake-chat"

    @property
    def calls(self) -> list[list[BaseMessage]]:
        return self._calls

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> FakeChatModel:  # type: ignore[override]
        self.tool_name = convert_to_openai_tool(tools[0])["function"]["name"]
        return self

    def _next(self, messages: list[BaseMessage]) -> Any:
        with self._lock:
            if self._script is None:
                self._script = itertools.cycle(self.answers) if self.cycle else iter(self.answers)
            self._calls.append(list(messages))
            try:
                answer = next(self._script)
            except StopIteration:
                raise AssertionError("FakeChatModel ran out of scripted answers") from None
        if callable(answer) and not isinstance(answer, BaseException):
            answer = answer(messages)
        return answer

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        answer = self._next(messages)
        if isinstance(answer, BaseException):
            raise answer
        usage = {
            "input_tokens": 50,
            "output_tokens": self.output_tokens,
            "total_tokens": 50 + self.output_tokens,
        }
        if isinstance(answer, AIMessage):
            message = answer
        elif isinstance(answer, dict):
            message = AIMessage(
                content="",
                tool_calls=[
                    {
                        "name": self.tool_name or "record",
                        "args": answer,
                        "id": "call_1",
                        "type": "tool_call",
                    }
                ],
                usage_metadata=usage,  # type: ignore[arg-type]
            )
        else:
            message = AIMessage(content=str(answer), usage_metadata=usage)  # type: ignore[arg-type]
        return ChatResult(generations=[ChatGeneration(message=message)])


def yes_no_reply(p_yes: float) -> AIMessage:
    """A one-token answer with the log-probabilities a llama.cpp/OpenAI server reports."""
    import math

    p_yes = min(max(p_yes, 1e-6), 1 - 1e-6)
    top = [
        {"token": "yes", "logprob": math.log(p_yes * 0.9)},
        {"token": "No", "logprob": math.log((1 - p_yes) * 0.9)},
        {"token": "The", "logprob": math.log(0.1)},
    ]
    top.sort(key=lambda t: -t["logprob"])
    return AIMessage(
        content=top[0]["token"],
        response_metadata={"logprobs": {"content": [{**top[0], "top_logprobs": top}]}},
        usage_metadata={"input_tokens": 50, "output_tokens": 1, "total_tokens": 51},
    )


def cut_off(content: str, usage: dict[str, Any] | None = None) -> Exception:
    """What openai raises for a structured answer cut at ``max_tokens``:
    ``LengthFinishReasonError`` with the partial completion (and its usage, if given)."""
    import openai
    from openai.types.chat import ChatCompletion

    choice = {
        "index": 0,
        "finish_reason": "length",
        "message": {"role": "assistant", "content": content},
    }
    data: dict[str, Any] = {
        "id": "c",
        "object": "chat.completion",
        "created": 0,
        "model": "m",
        "choices": [choice],
    }
    if usage is not None:
        data["usage"] = usage
    return openai.LengthFinishReasonError(completion=ChatCompletion.model_validate(data))
