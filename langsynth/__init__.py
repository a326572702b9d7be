"""langsynth: schema-typed synthetic data with LangChain, with proof of quality.

The public API is listed in ``__all__``. Names are imported lazily (PEP 562) so that
``import langsynth`` and the CLI start fast; ``from langsynth import X`` works as usual.
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
    # errors
    "LangsynthError": "langsynth.errors",
    "ConfigurationError": "langsynth.errors",
    "MissingAPIKeyError": "langsynth.errors",
    "EmbeddedModelError": "langsynth.errors",
    "ModelNotInstalledError": "langsynth.errors",
    "ModelIntegrityError": "langsynth.errors",
    "ServerError": "langsynth.errors",
    "ServerStartError": "langsynth.errors",
    "ServerDiedError": "langsynth.errors",
    "SchemaError": "langsynth.errors",
    "ExamplesError": "langsynth.errors",
    "DataFileError": "langsynth.errors",
    "OutputExistsError": "langsynth.errors",
    "GenerationError": "langsynth.errors",
    "ExtractionError": "langsynth.errors",
    "ExportFormatError": "langsynth.errors",
    # models
    "Settings": "langsynth.llm",
    "get_chat_model": "langsynth.llm",
    "get_judge_model": "langsynth.llm",
    # records -> text (dataset generator)
    "DatasetGenerator": "langsynth.chains.text",
    "create_data_generation_chain": "langsynth.chains.text",
    # text -> records (extraction)
    "ExtractionChain": "langsynth.chains.extraction",
    "ExtractionFailure": "langsynth.chains.extraction",
    "create_extraction_chain": "langsynth.chains.extraction",
    "bench_strategy": "langsynth.chains.extraction",
    # field metrics
    "MetricsReport": "langsynth.metrics",
    "compare_records": "langsynth.metrics",
    "score_dataset": "langsynth.metrics",
    # round trip
    "RoundTrip": "langsynth.chains.roundtrip",
    "RoundTripResult": "langsynth.chains.roundtrip",
    "round_trip": "langsynth.chains.roundtrip",
    "round_trip_filter": "langsynth.chains.roundtrip",
    # judge
    "PointwiseJudge": "langsynth.chains.judge",
    "PairwiseJudge": "langsynth.chains.judge",
    "JudgeVerdict": "langsynth.chains.judge",
    "JudgeResult": "langsynth.chains.judge",
    "PairwiseResult": "langsynth.chains.judge",
    "SelfJudgingWarning": "langsynth.chains.judge",
    "agreement_rate": "langsynth.chains.judge",
    # quality (no LLM)
    "dedup": "langsynth.quality",
    "filter_rows": "langsynth.quality",
    "scrub_pii": "langsynth.quality",
    "inspect_rows": "langsynth.quality",
    "plot_inspection": "langsynth.quality",
    # export
    "export_rows": "langsynth.export",
    "to_hf_dataset": "langsynth.export",
    "validate_openai_chat": "langsynth.export",
    # schemas and pools
    "SchemaInfo": "langsynth.schemas",
    "load_schema": "langsynth.schemas",
    "load_examples": "langsynth.schemas",
    "register_schema": "langsynth.schemas",
    "ChoicePool": "langsynth.pools",
    "RangePool": "langsynth.pools",
    "FakerPool": "langsynth.pools",
    "CountPool": "langsynth.pools",
    "FunctionPool": "langsynth.pools",
    # generation
    "RecordGenerator": "langsynth.chains.generator",
    "GenerationResult": "langsynth.chains.generator",
    "Rejection": "langsynth.chains.generator",
    "RunStats": "langsynth.chains.generator",
    # data files
    "read_rows": "langsynth.datafile",
    "write_rows": "langsynth.datafile",
    # diversity and synthesis techniques (seeds 002, 004)
    "BackTranslator": "langsynth.diversity",
    "HierarchicalStoryGenerator": "langsynth.diversity",
    "LabeledTextGenerator": "langsynth.diversity",
    "Paraphraser": "langsynth.diversity",
    "ReverseInstruction": "langsynth.diversity",
    "RuleTemplate": "langsynth.diversity",
    "SelfInstruct": "langsynth.diversity",
    "StoryGenerator": "langsynth.diversity",
    "TextbookGenerator": "langsynth.diversity",
    "Vocabulary": "langsynth.diversity",
    "VocabularyPool": "langsynth.diversity",
    "bias_variants": "langsynth.diversity",
    "contains_word": "langsynth.diversity",
    "load_vocabulary": "langsynth.diversity",
    "missing_words": "langsynth.diversity",
    # diversity metrics
    "distinct_n": "langsynth.quality.diversity",
    "diversity_report": "langsynth.quality.diversity",
    "mean_pairwise_similarity": "langsynth.quality.diversity",
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


if TYPE_CHECKING:  # pragma: no cover
    from langsynth.chains.extraction import (  # noqa: F401
        ExtractionChain,
        ExtractionFailure,
        bench_strategy,
        create_extraction_chain,
    )
    from langsynth.chains.generator import (  # noqa: F401
        GenerationResult,
        RecordGenerator,
        Rejection,
        RunStats,
    )
    from langsynth.chains.judge import (  # noqa: F401
        JudgeResult,
        JudgeVerdict,
        PairwiseJudge,
        PairwiseResult,
        PointwiseJudge,
        SelfJudgingWarning,
        agreement_rate,
    )
    from langsynth.chains.roundtrip import (  # noqa: F401
        RoundTrip,
        RoundTripResult,
        round_trip,
        round_trip_filter,
    )
    from langsynth.chains.text import DatasetGenerator, create_data_generation_chain  # noqa: F401
    from langsynth.datafile import read_rows, write_rows  # noqa: F401
    from langsynth.diversity import (  # noqa: F401
        BackTranslator,
        HierarchicalStoryGenerator,
        LabeledTextGenerator,
        Paraphraser,
        ReverseInstruction,
        RuleTemplate,
        SelfInstruct,
        StoryGenerator,
        TextbookGenerator,
        Vocabulary,
        VocabularyPool,
        bias_variants,
        contains_word,
        load_vocabulary,
        missing_words,
    )
    from langsynth.errors import (  # noqa: F401
        ConfigurationError,
        DataFileError,
        EmbeddedModelError,
        ExamplesError,
        ExportFormatError,
        ExtractionError,
        GenerationError,
        LangsynthError,
        MissingAPIKeyError,
        ModelIntegrityError,
        ModelNotInstalledError,
        OutputExistsError,
        SchemaError,
        ServerDiedError,
        ServerError,
        ServerStartError,
    )
    from langsynth.export import export_rows, to_hf_dataset, validate_openai_chat  # noqa: F401
    from langsynth.llm import Settings, get_chat_model, get_judge_model  # noqa: F401
    from langsynth.metrics import MetricsReport, compare_records, score_dataset  # noqa: F401
    from langsynth.pools import (  # noqa: F401
        ChoicePool,
        CountPool,
        FakerPool,
        FunctionPool,
        RangePool,
    )
    from langsynth.quality import (  # noqa: F401
        dedup,
        filter_rows,
        inspect_rows,
        plot_inspection,
        scrub_pii,
    )
    from langsynth.quality.diversity import (  # noqa: F401
        distinct_n,
        diversity_report,
        mean_pairwise_similarity,
    )
    from langsynth.schemas import (  # noqa: F401
        SchemaInfo,
        load_examples,
        load_schema,
        register_schema,
    )
