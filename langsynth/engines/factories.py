"""Picklable step factories: how every process of a run builds the same step.

A step holds a chat model (an HTTP client bound to one process and event loop), so a Ray
actor cannot receive the driver's step; it receives ``factory(llm) -> step`` and builds its
own copy on its endpoint's chat model. :class:`StepFactory` is that factory for the
built-in steps the CLI runs — the record generator and the row-parallel jobs — and the local
engine uses it too (``factory(get_chat_model(...))``), so a step is made one way whatever
runs it::

    factory = step_factory("generate", schema="medical_billing", seed=7, max_retries=1)
    gen = factory(get_chat_model("local", temperature=0.9, seed=7))      # in this process

Options are the step's own constructor arguments (schema, examples, seed, ...); the chat
model comes from the caller. A schema loaded from a file travels by value (see
:func:`langsynth.engines.ray.ship_user_schemas`); other files an option names (few-shot
examples) are read where the step is built, so on a cluster they must be on every node.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel

from langsynth.errors import ConfigurationError


def _record_generator(llm: BaseChatModel, **options: Any) -> Any:
    from langsynth.chains.generator import RecordGenerator

    return RecordGenerator(options.pop("schema"), llm, **options)


def _dataset_generator(llm: BaseChatModel, **options: Any) -> Any:
    from langsynth.chains.text import DatasetGenerator

    return DatasetGenerator(llm, **options)


def _extraction_chain(llm: BaseChatModel, **options: Any) -> Any:
    from langsynth.chains.extraction import ExtractionChain

    return ExtractionChain(options.pop("schema"), llm, **options)


def _round_trip(
    llm: BaseChatModel, *, extract_settings: Mapping[str, Any] | None = None, **options: Any
) -> Any:
    from langsynth.chains.roundtrip import RoundTrip

    # The extractor reads on the same endpoint with its own sampling (temperature 0 is best).
    extract_llm = llm.model_copy(update=dict(extract_settings)) if extract_settings else None
    return RoundTrip(options.pop("schema"), llm, extract_llm=extract_llm, **options)


# job -> builder(llm, **options); module-level functions, so a factory pickles by reference.
BUILDERS: dict[str, Callable[..., Any]] = {
    "generate": _record_generator,
    "text": _dataset_generator,
    "extract": _extraction_chain,
    "roundtrip": _round_trip,
}
# Jobs whose builder needs a schema.
_NEEDS_SCHEMA = ("generate", "extract", "roundtrip")


@dataclass(frozen=True)
class StepFactory:
    """``factory(llm) -> step`` for a built-in job (``generate``, ``text``, ``extract``,
    ``roundtrip``) with the step's constructor ``options``; picklable."""

    job: str
    options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.job not in BUILDERS:
            raise ConfigurationError(
                f"No step factory for job {self.job!r}; built-in jobs: {', '.join(BUILDERS)}. "
                "For your own step pass any picklable factory(llm) -> step."
            )
        if self.job in _NEEDS_SCHEMA and "schema" not in self.options:
            raise ConfigurationError(f"A {self.job} step needs a schema option.")

    def __call__(self, llm: BaseChatModel) -> Any:
        return BUILDERS[self.job](llm, **dict(self.options))


def step_factory(job: str, **options: Any) -> StepFactory:
    """The factory of built-in step ``job`` with constructor ``options`` (see the module)."""
    return StepFactory(job, options)
