"""Export: CSV/JSONL/parquet, fine-tuning formats, a seeded split, and a data card.

- :mod:`~langsynth.export.formats`: how rows become fine-tuning examples (``openai-chat``,
  ``alpaca``);
- :mod:`~langsynth.export.validate`: checks that their consumers will accept them;
- :mod:`~langsynth.export.split`: dedup, then a seeded train/validation split that no
  duplicate crosses;
- :mod:`~langsynth.export.card`: the Markdown data card written beside every export;
- :mod:`~langsynth.export.hf`: rows as a Hugging Face ``Dataset`` with features from the
  schema (:func:`to_hf_dataset`), and the ``DatasetDict`` folder of ``--format hf``;
- :mod:`~langsynth.export.hub`: the dataset card's Hub metadata, and :func:`push_to_hub`;
- :mod:`~langsynth.export.pipeline`: :func:`export_rows`, all of it in one call.

>>> from langsynth.export import split_indices
>>> split_indices(10, train_fraction=0.8, seed=0)[1]
[7, 8]
"""

from langsynth.export.card import DataCard, build_card, card_path_for
from langsynth.export.formats import (
    FINE_TUNING_FORMATS,
    PairSpec,
    row_pair,
    to_alpaca,
    to_openai_chat,
)
from langsynth.export.hf import hf_features, schema_features, to_hf_dataset, to_hf_dataset_dict
from langsynth.export.hub import CardMetadata, push_to_hub
from langsynth.export.pipeline import FORMATS, ExportResult, export_rows
from langsynth.export.split import SplitRows, dedup_and_split, split_indices
from langsynth.export.validate import validate_alpaca, validate_openai_chat

__all__ = [
    "FINE_TUNING_FORMATS",
    "FORMATS",
    "CardMetadata",
    "DataCard",
    "ExportResult",
    "PairSpec",
    "SplitRows",
    "build_card",
    "card_path_for",
    "dedup_and_split",
    "export_rows",
    "hf_features",
    "push_to_hub",
    "row_pair",
    "schema_features",
    "split_indices",
    "to_alpaca",
    "to_hf_dataset",
    "to_hf_dataset_dict",
    "to_openai_chat",
    "validate_alpaca",
    "validate_openai_chat",
]
