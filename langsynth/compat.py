"""Drop-in replacements for the imports of LangChain's "Generate Synthetic Data" tutorial.

The tutorial (seed 001) uses ``langchain_experimental``'s ``create_openai_data_generator``,
which calls the legacy OpenAI ``functions`` API (local servers cannot parse it), runs its
``runs`` sequentially, never validates, and happily returns duplicates. Change only the
import lines and the same code runs on the embedded model, concurrently, with validation
and without duplicates::

    from langchain_core.prompts import FewShotPromptTemplate, PromptTemplate
    from pydantic import BaseModel
    from langsynth.compat import (
        OPENAI_TEMPLATE, SYNTHETIC_FEW_SHOT_PREFIX, SYNTHETIC_FEW_SHOT_SUFFIX,
        ChatOpenAI, create_openai_data_generator,
    )

``ChatOpenAI(...)`` here returns the model configured for langsynth (``LANGSYNTH_MODEL``,
else the embedded one), so tutorial code needs no API key; set
``LANGSYNTH_MODEL=openai:gpt-4o-mini`` to run it on OpenAI.
"""

from __future__ import annotations

import logging
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.prompts import BasePromptTemplate, PromptTemplate
from pydantic import BaseModel

from langsynth._async import run_sync
from langsynth.chains.generator import RecordGenerator
from langsynth.chains.record_prompt import SYNTHETIC_FEW_SHOT_PREFIX, SYNTHETIC_FEW_SHOT_SUFFIX
from langsynth.errors import GenerationError

log = logging.getLogger(__name__)

OPENAI_TEMPLATE = PromptTemplate(input_variables=["example"], template="{example}")

__all__ = [
    "OPENAI_TEMPLATE",
    "SYNTHETIC_FEW_SHOT_PREFIX",
    "SYNTHETIC_FEW_SHOT_SUFFIX",
    "ChatOpenAI",
    "SyntheticDataGenerator",
    "create_openai_data_generator",
]


def ChatOpenAI(
    *,
    temperature: float | None = None,
    max_tokens: int | None = None,
    seed: int | None = None,
    model: str | None = None,
    **kwargs: Any,
) -> BaseChatModel:
    """Stand-in for ``langchain_openai.ChatOpenAI`` in tutorial code: the langsynth model.

    A ``model=`` name such as ``gpt-3.5-turbo`` is ignored (it would need an OpenAI key);
    the model comes from ``LANGSYNTH_MODEL`` (default: the embedded one).
    """
    from langsynth.llm import get_chat_model

    if model is not None:
        log.info("compat.ChatOpenAI: ignoring model=%r; using LANGSYNTH_MODEL or local", model)
    return get_chat_model(temperature=temperature, max_tokens=max_tokens, seed=seed, **kwargs)


class SyntheticDataGenerator:
    """``langchain_experimental``'s generator interface on :class:`RecordGenerator`.

    ``generate(subject=..., extra=..., runs=N)`` returns N valid, unique schema objects
    (generated concurrently); ``results`` accumulates them across calls, as the original does.
    """

    def __init__(
        self,
        template: BasePromptTemplate,
        llm: BaseChatModel,
        output_schema: type[BaseModel],
        concurrency: int = 4,
        **kwargs: Any,
    ) -> None:
        self.template = template
        self.llm = llm
        self.output_schema = output_schema
        self.concurrency = concurrency
        self.options = kwargs
        self.results: list[BaseModel] = []

    def _generator(self, subject: str, extra: str) -> RecordGenerator:
        return RecordGenerator(
            self.output_schema,
            self.llm,
            prompt=self.template,
            subject=subject,
            extra=extra or "make the data realistic and varied",
            concurrency=self.concurrency,
            **self.options,
        )

    async def agenerate(
        self, subject: str, runs: int, *args: Any, extra: str = "", **kwargs: Any
    ) -> list[BaseModel]:
        """Generate ``runs`` records about ``subject`` (``extra``: an added instruction)."""
        result = await self._generator(subject, extra).agenerate(runs)
        if not result.records:
            raise GenerationError(result.message or "no valid record was generated")
        if not result.complete:
            log.warning(result.message)
        self.results.extend(result.records)
        return list(result.records)

    def generate(
        self, subject: str, runs: int, *args: Any, extra: str = "", **kwargs: Any
    ) -> list[BaseModel]:
        """Synchronous :meth:`agenerate` (also works inside a notebook's event loop)."""
        return run_sync(self.agenerate(subject, runs, *args, extra=extra, **kwargs))


def create_openai_data_generator(
    output_schema: type[BaseModel],
    llm: BaseChatModel,
    prompt: BasePromptTemplate,
    output_parser: Any = None,
    **kwargs: Any,
) -> SyntheticDataGenerator:
    """Same signature as ``langchain_experimental``'s; works on any chat model with
    structured output (JSON schema or tool calling), including the embedded one.
    ``output_parser`` is accepted and ignored: records are validated with Pydantic."""
    return SyntheticDataGenerator(template=prompt, llm=llm, output_schema=output_schema, **kwargs)
