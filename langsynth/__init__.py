"""langsynth: schema-typed synthetic data with LangChain, with evidence that it is right.

The public API is ``__all__`` (what a user needs for the whole workflow: models, schemas,
the generator, text and extraction, the round trip, the judge, quality, export, the run
engine's result and budget). Everything else is importable from its module
(``langsynth.synthesis``, ``langsynth.metrics``, ``langsynth.quality``, ...).

Names are imported lazily (PEP 562) so that ``import langsynth`` and the CLI start fast;
``from langsynth import X`` works as usual. ``_EXPORTS`` is the one list: ``__all__`` is
made from it, and a test checks that the type-checking imports below name the same things.
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING, Any

# langchain-experimental announces its sunset on import; we use only its prompt constants.
warnings.filterwarnings("ignore", message=".*langchain-experimental.*sunset.*")

from langsynth._version import __version__  # noqa: E402  (after the warning filter)

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "LangsynthError": "langsynth.errors",
    # models
    "get_chat_model": "langsynth.llm",
    "get_judge_model": "langsynth.llm",
    # schemas
    "SchemaInfo": "langsynth.schemas",
    "load_schema": "langsynth.schemas",
    "register_schema": "langsynth.schemas",
    # records, texts, records again
    "RecordGenerator": "langsynth.chains.generator",
    "DatasetGenerator": "langsynth.chains.text",
    "ExtractionChain": "langsynth.chains.extraction",
    "create_extraction_chain": "langsynth.chains.extraction",
    "RoundTrip": "langsynth.chains.roundtrip",
    "round_trip": "langsynth.chains.roundtrip",
    "round_trip_filter": "langsynth.chains.roundtrip",
    "score_dataset": "langsynth.metrics",
    # judge
    "PointwiseJudge": "langsynth.judge",
    "PairwiseJudge": "langsynth.judge",
    # the run engine
    "MapStep": "langsynth.runs",
    "SourceStep": "langsynth.runs",
    "RunResult": "langsynth.runs",
    "Budget": "langsynth.runs",
    # quality, export, data files
    "dedup": "langsynth.quality",
    "filter_rows": "langsynth.quality",
    "scrub_pii": "langsynth.quality",
    "inspect_rows": "langsynth.quality",
    "diversity_report": "langsynth.quality.diversity",
    "export_rows": "langsynth.export",
    "to_hf_dataset": "langsynth.export",
    "read_rows": "langsynth.datafile",
    "write_rows": "langsynth.datafile",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'langsynth' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # pragma: no cover - the same names as _EXPORTS (a test checks it)
    from langsynth.chains.extraction import ExtractionChain, create_extraction_chain
    from langsynth.chains.generator import RecordGenerator
    from langsynth.chains.roundtrip import RoundTrip, round_trip, round_trip_filter
    from langsynth.chains.text import DatasetGenerator
    from langsynth.datafile import read_rows, write_rows
    from langsynth.errors import LangsynthError
    from langsynth.export import export_rows, to_hf_dataset
    from langsynth.judge import PairwiseJudge, PointwiseJudge
    from langsynth.llm import get_chat_model, get_judge_model
    from langsynth.metrics import score_dataset
    from langsynth.quality import dedup, filter_rows, inspect_rows, scrub_pii
    from langsynth.quality.diversity import diversity_report
    from langsynth.runs import Budget, MapStep, RunResult, SourceStep
    from langsynth.schemas import SchemaInfo, load_schema, register_schema
