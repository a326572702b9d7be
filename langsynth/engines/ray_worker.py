"""The worker side of a Ray actor pool: one endpoint's chat model and component.

Kept apart from :mod:`langsynth.engines.ray` (the driver side) so each side reads on its own.
Every reply is a plain tuple ``(kind, payload, usage)``: ``"ok"`` with the component's
result, ``"fault"`` with a one-line reason when the endpoint failed (the driver retries
elsewhere), ``"suspect"`` with ``(reason, result)`` when the component returned a (failed)
result but the server answered *every* model request of the call with a 5xx — an endpoint
whose engine died often still serves HTTP; the driver retries elsewhere and counts it against
the endpoint, and keeps the result if the row fails the same way on a second endpoint —
and ``"error"`` with the exception for anything else. Exceptions travel inside the
reply because Ray cannot re-raise those whose constructor takes other arguments than a
message (the OpenAI SDK's, for one); one that still cannot be pickled becomes a
:class:`~langsynth.errors.RemoteError` with the worker's traceback.
"""

from __future__ import annotations

import asyncio
import contextvars
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.outputs import LLMResult

from langsynth.engines.endpoints import Endpoint, describe_fault, is_endpoint_fault
from langsynth.errors import RemoteError

ComponentFactory = Callable[[BaseChatModel], Any]


@dataclass
class _CallTally:
    """The model requests of one call: answered, failed with a 5xx, failed otherwise."""

    answered: int = 0
    server_errors: int = 0
    other_errors: int = 0
    last_error: str = ""

    @property
    def only_server_errors(self) -> bool:
        return self.server_errors > 0 and not self.answered and not self.other_errors


# The tally of the call running in this task (each actor call is its own asyncio task, and
# the counter runs inline, in the task of the model request).
_TALLY: contextvars.ContextVar[_CallTally | None] = contextvars.ContextVar(
    "langsynth_call_tally", default=None
)


class _UsageCounter(BaseCallbackHandler):
    """Counts the chat model's requests and tokens inside the actor."""

    run_inline = True  # no thread hop per callback, and the caller's context

    def __init__(self) -> None:
        self.delta: Counter[str] = Counter()

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        self.delta["requests"] += 1
        tally = _TALLY.get()
        if tally is not None:
            tally.answered += 1
        for generations in response.generations:
            for generation in generations:
                usage = getattr(getattr(generation, "message", None), "usage_metadata", None)
                if not usage:
                    continue
                self.delta["input_tokens"] += int(usage.get("input_tokens") or 0)
                self.delta["output_tokens"] += int(usage.get("output_tokens") or 0)
                details = usage.get("input_token_details") or {}
                self.delta["cached_input_tokens"] += int(details.get("cache_read") or 0)

    def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
        self.delta["request_errors"] += 1
        tally = _TALLY.get()
        if tally is None:
            return
        status = getattr(error, "status_code", None)
        if isinstance(status, int) and status >= 500:
            tally.server_errors += 1
            tally.last_error = describe_fault(error)
        else:
            tally.other_errors += 1

    def take(self) -> dict[str, int]:
        delta, self.delta = dict(self.delta), Counter()
        return delta


# ("ok" | "fault" | "suspect" | "error", payload, usage delta)
Reply = tuple[str, Any, dict[str, int]]


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives the trip to the driver, else a :class:`RemoteError` saying it."""
    from ray import cloudpickle

    text = "".join(traceback.format_exception(exc))
    try:
        cloudpickle.loads(cloudpickle.dumps(exc))
    except Exception:
        return RemoteError(
            f"{type(exc).__name__} in a Ray worker: {exc}",
            type_name=f"{type(exc).__module__}.{type(exc).__qualname__}",
            remote_traceback=text,
        )
    exc.add_note("Raised in a Ray worker:\n" + text)
    return exc


def endpoint_chat_model(
    endpoint: Endpoint,
    model: str | None,
    llm_kwargs: dict[str, Any],
    callbacks: Sequence[BaseCallbackHandler] = (),
) -> BaseChatModel:
    """The chat model of ``endpoint`` (no retries of its own: a fault moves the work).

    The driver builds the same one (never called) for its copy of the step, so both copies
    record the same model and sampling settings.
    """
    from langsynth.llm import Settings, get_chat_model

    settings = Settings(base_url=endpoint.url, api_key=endpoint.api_key)
    kwargs = {"max_retries": 0, **llm_kwargs}
    kwargs["callbacks"] = [*kwargs.get("callbacks", []), *callbacks]
    return get_chat_model(f"openai-compatible:{model or 'default'}", settings=settings, **kwargs)


class ComponentActor:
    """One endpoint's chat model and the component built on it, inside a Ray worker."""

    def __init__(
        self, factory: ComponentFactory, endpoint: Endpoint, llm_kwargs: dict[str, Any]
    ) -> None:
        self.factory = factory
        self.endpoint = endpoint
        self.llm_kwargs = llm_kwargs
        self.counter = _UsageCounter()
        self.component: Any = None

    async def setup(self, probe: bool) -> Reply:
        """Check the endpoint answers, then build the component. Returns the model name."""
        model = self.endpoint.model
        if probe or model is None:
            try:
                model = await self._probe() or model
            except Exception as exc:
                if is_endpoint_fault(exc):
                    return ("fault", describe_fault(exc), {})
                return ("error", _portable(exc), {})
        try:
            llm = endpoint_chat_model(self.endpoint, model, self.llm_kwargs, [self.counter])
            self.component = self.factory(llm)
        except Exception as exc:
            return ("error", _portable(exc), {})
        return ("ok", model, {})

    async def _probe(self) -> str | None:
        import httpx

        headers = {}
        if self.endpoint.api_key is not None:
            headers["Authorization"] = f"Bearer {self.endpoint.api_key.get_secret_value()}"
        async with httpx.AsyncClient(timeout=15) as client:
            reply = await client.get(self.endpoint.url + "/models", headers=headers)
        if reply.status_code >= 500 or reply.status_code in (401, 403):
            reply.raise_for_status()
        try:
            models = reply.json().get("data") or []
            return str(models[0]["id"]) if models else None
        except (ValueError, KeyError, TypeError, AttributeError):
            return None  # a server without /models: the configured name is used

    async def call(self, method: str, arg: Any) -> Reply:
        """``component.<method>(arg)``, awaited if it is a coroutine."""
        tally = _CallTally()
        token = _TALLY.set(tally)
        try:
            result = getattr(self.component, method)(arg)
            if asyncio.iscoroutine(result):
                result = await result
        except Exception as exc:
            if is_endpoint_fault(exc):
                return ("fault", describe_fault(exc), self.counter.take())
            return ("error", _portable(exc), self.counter.take())
        finally:
            _TALLY.reset(token)
        if tally.only_server_errors:
            reason = f"server error on every request ({tally.last_error})"
            return ("suspect", (reason, result), self.counter.take())
        return ("ok", result, self.counter.take())
