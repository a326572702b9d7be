"""Data quality without an LLM: dedup, heuristic filters, PII scrubbing, inspection.

>>> from langsynth.quality import scrub_pii
>>> scrub_pii("write to lee@example.org")
'write to [EMAIL]'
"""

from langsynth.quality.diversity import distinct_n
from langsynth.quality.duplicates import DedupResult, DuplicateCluster, dedup
from langsynth.quality.filters import (
    ConflictingResponses,
    ContainsPii,
    EchoesInput,
    EmptyFields,
    FilterResult,
    HtmlRemnants,
    Length,
    RepetitiveNgrams,
    RowFilter,
    default_filters,
    filter_rows,
    strip_html,
)
from langsynth.quality.inspection import (
    InspectionReport,
    inspect_rows,
    pairwise_similarity,
    plot_inspection,
)
from langsynth.quality.pii import PiiMatch, contains_pii, find_pii, luhn_valid, scrub_pii

__all__ = [
    "ConflictingResponses",
    "ContainsPii",
    "DedupResult",
    "DuplicateCluster",
    "EchoesInput",
    "EmptyFields",
    "FilterResult",
    "HtmlRemnants",
    "InspectionReport",
    "Length",
    "PiiMatch",
    "RepetitiveNgrams",
    "RowFilter",
    "contains_pii",
    "dedup",
    "default_filters",
    "distinct_n",
    "filter_rows",
    "find_pii",
    "inspect_rows",
    "luhn_valid",
    "pairwise_similarity",
    "plot_inspection",
    "scrub_pii",
    "strip_html",
]
