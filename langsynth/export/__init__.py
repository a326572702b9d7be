"""Export: CSV/JSONL/parquet, fine-tuning formats, a seeded split, and a data card.

- :mod:`~langsynth.export.formats`: how rows become fine-tuning examples (``openai-chat``,
  ``alpaca``);
- :mod:`~langsynth.export.validate`: checks that their consumers will accept them;
- :mod:`~langsynth.export.split`: dedup, then a seeded train/validation split that no
  duplicate crosses;
- :mod:`~langsynth.export.card`: the Markdown data card written beside every export;
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
from langsynth.export.pipeline import FORMATS, ExportResult, export_rows
from langsynth.export.split import SplitRows, dedup_and_split, split_indices
from langsynth.export.validate import validate_alpaca, validate_openai_chat

__all__ = [
    "FINE_TUNING_FORMATS",
    "FORMATS",
    "DataCard",
    "ExportResult",
    "PairSpec",
    "SplitRows",
    "build_card",
    "card_path_for",
    "dedup_and_split",
    "export_rows",
    "row_pair",
    "split_indices",
    "to_alpaca",
    "to_openai_chat",
    "validate_alpaca",
    "validate_openai_chat",
]
