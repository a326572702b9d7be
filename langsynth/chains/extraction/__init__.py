"""Extraction chains: text -> schema-typed record, with four interchangeable strategies.

``create_extraction_chain(schema, llm, strategy=...)`` returns a Runnable that maps a text (or
``{"text": ...}``) to a validated Pydantic record, or to an :class:`ExtractionFailure` that keeps
the raw model output and the reason; it never raises for a bad answer, so ``batch`` and
``run`` always return one result per text. Strategies:

- ``json_schema``: ``response_format`` with the schema's JSON Schema (grammar-constrained on
  llama.cpp and vLLM, structured outputs on OpenAI); on the embedded llama.cpp server every
  text value is also constrained to a verbatim span of the document
  (:mod:`langsynth.chains.spans`);
- ``tool_calling``: the schema as a tool the model must call (``tool_choice="required"`` on
  OpenAI-compatible servers; the embedded llama.cpp server does not force the call for Qwen2.5
  Coder, which writes it as JSON text: the tool is named there and the call read from the text);
- ``parser``: ``PydanticOutputParser`` format instructions in the prompt and the model's free
  text parsed (what seed 001 does);
- ``json_mode``: ``response_format={"type": "json_object"}`` and Pydantic validation.

All strategies share one prompt built for small models reading messy documents
(:mod:`.prompts`): the schema's fields with types, descriptions and a copy rule per field,
then optional few-shot examples, then the document between clear delimiters. Options:
``line_numbers``, ``locate`` (a first pass names the lines of each field, :mod:`.locate`),
``samples`` (self-consistency: a field-wise vote, :mod:`.vote`).

>>> chain = create_extraction_chain("actor_filmography", llm)  # doctest: +SKIP
>>> chain.invoke("Tom Hanks starred in Big and Splash.")  # doctest: +SKIP
ActorFilmography(Actor='Tom Hanks', Film=['Big', 'Splash'])
"""

from langsynth.chains.extraction.bench import bench_strategy, percentile
from langsynth.chains.extraction.chain import (
    NO_TOOL_CALL,
    OUTPUT_COLUMNS,
    STRATEGIES,
    ExtractionChain,
    create_extraction_chain,
)
from langsynth.chains.extraction.prompts import (
    extraction_system_prompt,
    field_lines,
    numbers_as_digits,
)
from langsynth.chains.extraction.result import Extraction
from langsynth.metrics import ExtractionFailure

__all__ = [
    "NO_TOOL_CALL",
    "OUTPUT_COLUMNS",
    "STRATEGIES",
    "Extraction",
    "ExtractionChain",
    "ExtractionFailure",
    "bench_strategy",
    "create_extraction_chain",
    "extraction_system_prompt",
    "field_lines",
    "numbers_as_digits",
    "percentile",
]
