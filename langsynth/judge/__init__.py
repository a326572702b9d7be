"""LLM-as-a-judge (seeds 000 and 004): scores with comments, pairwise with order swap.

- :mod:`~langsynth.judge.rubrics`: criteria (``"a; b; c"``, the schema's defaults), languages;
- :mod:`~langsynth.judge.items`: a row -> the request and the response the judge reads;
  pairing of candidates;
- :mod:`~langsynth.judge.rules`: rule checks (schema rules, empty fields, required words)
  before any model call;
- :mod:`~langsynth.judge.checklist`: the gate and one yes/no question per criterion;
- :mod:`~langsynth.judge.scoring`: P(yes) and score digits from log-probabilities;
- :mod:`~langsynth.judge.pointwise`, :mod:`~langsynth.judge.pairwise`: the two judges;
- :mod:`~langsynth.judge.results`: result objects, summaries, the spread warning.

The judge should be a different or larger model than the generator: when both are the same
model a :class:`SelfJudgingWarning` is issued.
"""

from langsynth.judge.checklist import Checklist, Question
from langsynth.judge.items import (
    JudgeItem,
    as_row,
    as_text,
    pair_rows,
    pairwise_triples,
    to_item,
)
from langsynth.judge.pairwise import PairwiseJudge
from langsynth.judge.pointwise import PointwiseJudge, SelfJudgingWarning, self_judging_message
from langsynth.judge.results import (
    Check,
    JudgeResult,
    JudgeVerdict,
    PairwiseResult,
    agreement_rate,
    pairwise_summary,
    rows_scoring_at_least,
    score_summary,
    spread_warning,
    win_counts,
)
from langsynth.judge.rubrics import (
    LANGUAGES,
    Rubric,
    default_rubric,
    parse_criteria,
    resolve_rubric,
)
from langsynth.judge.rules import infer_schema, record_problems, required_words, rule_problems
from langsynth.judge.scoring import score_distribution, yes_probability

__all__ = [
    "LANGUAGES",
    "Check",
    "Checklist",
    "JudgeItem",
    "JudgeResult",
    "JudgeVerdict",
    "PairwiseJudge",
    "PairwiseResult",
    "PointwiseJudge",
    "Question",
    "Rubric",
    "SelfJudgingWarning",
    "agreement_rate",
    "as_row",
    "as_text",
    "default_rubric",
    "infer_schema",
    "pair_rows",
    "pairwise_summary",
    "pairwise_triples",
    "parse_criteria",
    "record_problems",
    "required_words",
    "resolve_rubric",
    "rows_scoring_at_least",
    "rule_problems",
    "score_distribution",
    "score_summary",
    "self_judging_message",
    "spread_warning",
    "to_item",
    "win_counts",
    "yes_probability",
]
