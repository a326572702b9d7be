"""Field-level comparison of predicted and gold records: the one comparison used everywhere.

The round trip, ``langsynth score``, ``langsynth bench-extract``, the benchmarks and the notebooks
all score through this module, so one set of rules decides what counts as right.

>>> from langsynth.metrics import compare_records, score_dataset
>>> gold = {"Actor": "Tom Hanks", "Film": ["Big", "Splash"]}
>>> pred = {"Actor": "tom hanks", "Film": ["Big"]}
>>> c = compare_records(pred, gold)
>>> (c.tp, c.fp, c.fn)
(2.0, 0.0, 1.0)
>>> score_dataset([pred], [gold]).micro.recall
0.6666666666666666

Match modes (``match=``):

- ``exact``: Python equality (``500 == 500.0``; strings byte for byte).
- ``normalized`` (default): strings are NFKC-normalized, casefolded, whitespace collapsed and edge
  punctuation trimmed; values that read as numbers are compared as decimals after removing
  currency symbols, codes (``RM``, ``S$``, ``USD``) and thousands separators (``"$1,500.00"``
  equals ``1500``); values that read as dates are compared as ISO dates (``"03/05/2024"``
  equals ``"2024-03-05"``).
- ``fuzzy``: ANLS on the normalized strings: ``1 - normalized Levenshtein distance`` when that
  distance is below 0.5, else 0. Numbers and dates still match exactly (as in ``normalized``):
  ``50`` is not 67 % of ``500``.

Counting rules, per field of the schema:

- scalar field: both null: not counted; equal: TP; a value where the gold is null: FP;
  null where the gold has a value: FN; both present and different: FP + FN.
  With ``fuzzy``, a pair of similarity ``s`` counts ``s`` TP, ``1 - s`` FP and ``1 - s`` FN.
- list field: set semantics over normalized items (duplicates collapse): each item in both is a
  TP, each predicted item not in the gold an FP, each gold item not predicted an FN. With
  ``fuzzy``, items are paired greedily by best similarity and each pair counts as a scalar does.
- null means ``None``, a blank string, or an empty list; outside ``exact`` also a string of
  only punctuation (it normalizes to nothing), so a list item ``","`` is not a value.
- a field absent from the gold mapping (as opposed to present with null or ``[]``) is *not
  annotated*: it is not scored at all for that record, whatever was predicted.
- a failed prediction (nothing parsed) counts as all-null: every gold value is an FN. It is never
  dropped from the totals and never counts as record-exact. A prediction that parsed but does
  not validate against the schema is scored on the values it has and lowers the schema-valid rate.

Report (:class:`MetricsReport`): micro P/R/F1 pooled over all fields' counts; macro P/R/F1 the
mean of the per-field values over fields that have any count; per-field P/R/F1 and support
(TP + FN, the number of gold values); record-level exact rate (no FP and no FN in any scored
field); parse rate; schema-valid rate. A ratio whose denominator is 0 is 0.0.
"""

from __future__ import annotations

from langsynth.metrics.compare import (
    PRF,
    FieldCounts,
    FieldScore,
    RecordComparison,
    compare_records,
)
from langsynth.metrics.predictions import (
    ExtractionFailure,
    ScoredPredictions,
    gold_records,
    labelled_texts,
    prediction_of,
    row_id,
    score_predictions,
)
from langsynth.metrics.report import MetricsReport, aggregate, score_dataset
from langsynth.metrics.values import (
    ANLS_THRESHOLD,
    MATCH_MODES,
    FailedPrediction,
    MatchMode,
    anls,
    canonical,
    is_list_field,
    parse_date,
    parse_number,
    similarity,
)

__all__ = [
    "ANLS_THRESHOLD",
    "MATCH_MODES",
    "PRF",
    "ExtractionFailure",
    "FailedPrediction",
    "FieldCounts",
    "FieldScore",
    "MatchMode",
    "MetricsReport",
    "RecordComparison",
    "ScoredPredictions",
    "aggregate",
    "anls",
    "canonical",
    "compare_records",
    "gold_records",
    "is_list_field",
    "labelled_texts",
    "parse_date",
    "parse_number",
    "prediction_of",
    "row_id",
    "score_dataset",
    "score_predictions",
    "similarity",
]
