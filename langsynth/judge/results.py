"""The judge's result objects and what is computed from many of them.

Both results follow the run protocol (``ok``, ``error``, ``to_row()``): a row the judge could
not score is a result with ``error`` set, never an exception. :func:`score_summary`,
:func:`spread_warning` (a batch whose scores barely differ), :func:`agreement_rate` and
:func:`pairwise_summary` are what the CLI and the benchmarks print.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from langsynth.judge.constraints import ends_sentence, sentences
from langsynth.normalize import words
from langsynth.results import Usage

COMMENT_MAX_CHARS = 400


class JudgeVerdict(BaseModel):
    """The course's verdict format, ``{"score": 1-5, "comment": "..."}`` (seed 000)."""

    score: int = Field(ge=1, le=5, description="1 (bad) to 5 (excellent)")
    comment: str = Field(
        min_length=1, max_length=COMMENT_MAX_CHARS, description="Why this score, 1-3 sentences"
    )


@dataclass(frozen=True)
class Check:
    """One yes/no question the judge asked and the probability of "yes"."""

    question: str
    p_yes: float
    gate: bool = False  # the request check, which caps the score when it fails


@dataclass
class JudgeResult:
    """A pointwise verdict.

    ``score`` is the digit 1-5 (what ``--min-score`` filters on); ``expected_score`` the
    finer score it was rounded from (from the checks' probabilities, or the mean of the
    sampled digits); ``checks`` the questions asked. ``error`` is set when no verdict was
    obtained, and then ``score`` is ``None``.
    """

    output_columns = ("score", "score_expected", "comment", "error")

    score: int | None
    comment: str | None
    expected_score: float | None = None
    scores: list[int] = field(default_factory=list)
    error: str | None = None
    raw_output: str = ""
    checks: list[Check] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)

    @property
    def ok(self) -> bool:
        return self.error is None and self.score is not None

    def to_row(self) -> dict[str, Any]:
        """``score``, ``score_expected``, ``comment`` and ``error`` for a data row."""
        return {
            "score": self.score,
            "score_expected": self.expected_score,
            "comment": self.comment,
            "error": self.error,
        }

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> JudgeResult:
        """Rebuild a result from a judged row's columns (``judge_error`` of older files too)."""
        score = _number(row.get("score"))
        expected = _number(row.get("score_expected"))
        return cls(
            score=int(score) if score is not None else None,
            comment=row.get("comment"),
            expected_score=expected,
            error=row.get("error") or row.get("judge_error"),
        )


def _number(value: Any) -> float | None:
    """A cell's number, ``None`` for an empty one (``None``, NaN from a DataFrame, text)."""
    if not isinstance(value, int | float) or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


@dataclass
class PairwiseResult:
    """Two orders' verdicts, in terms of the original order (``first``/``second``/``tie``).

    ``winner`` is set only when both orders agree (``consistent``); otherwise it is ``None``
    and the pair should not be used as a preference.
    """

    output_columns = (
        "winner",
        "consistent",
        "verdict_in_order",
        "verdict_swapped",
        "comment_in_order",
        "comment_swapped",
        "error",
    )

    winner: str | None
    consistent: bool
    verdicts: tuple[str | None, str | None]
    comments: tuple[str | None, str | None]
    error: str | None = None
    usage: Usage = field(default_factory=Usage)

    @property
    def ok(self) -> bool:
        return self.error is None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> PairwiseResult:
        """Rebuild a result from a compared row's columns."""
        return cls(
            winner=row.get("winner"),
            consistent=bool(row.get("consistent")),
            verdicts=(row.get("verdict_in_order"), row.get("verdict_swapped")),
            comments=(row.get("comment_in_order"), row.get("comment_swapped")),
            error=row.get("error"),
        )

    def to_row(self) -> dict[str, Any]:
        """The verdict columns of one comparison."""
        return {
            "winner": self.winner,
            "consistent": self.consistent,
            "verdict_in_order": self.verdicts[0],
            "verdict_swapped": self.verdicts[1],
            "comment_in_order": self.comments[0],
            "comment_swapped": self.comments[1],
            "error": self.error,
        }


# --------------------------------------------------------------------------- summaries


def score_summary(results: Sequence[JudgeResult]) -> dict[str, Any]:
    """Count, mean, spread, distribution (1..5) and failures of pointwise results."""
    scores = [r.score for r in results if r.score is not None]
    expected = [r.expected_score for r in results if r.expected_score is not None]
    return {
        "judged": len(scores),
        "failed": len(results) - len(scores),
        "mean": round(statistics.fmean(scores), 3) if scores else None,
        "mean_expected": round(statistics.fmean(expected), 3) if expected else None,
        "stdev_expected": round(statistics.pstdev(expected), 3) if len(expected) > 1 else None,
        "distribution": {k: scores.count(k) for k in range(1, 6)},
    }


# Below this many scored rows a batch may well be uniform by chance.
SPREAD_MIN_ROWS = 4
# Probability-weighted scores whose standard deviation is below this do not discriminate.
SPREAD_MIN_STDEV = 0.15
SPREAD_HINT = (
    "check a few rows by hand, write sharper --criteria, or try a stronger --judge-model "
    "(README, 'A judge you can trust')"
)


def spread_warning(results: Sequence[JudgeResult]) -> str | None:
    """A one-line warning when a batch's scores barely differ, else ``None``.

    >>> spread_warning([JudgeResult(5, "ok", 5.0)] * 8)  # doctest: +ELLIPSIS
    'all 8 rows scored 5: the judge may not be discriminating; ...'
    """
    scored = [r for r in results if r.score is not None]
    if len(scored) < SPREAD_MIN_ROWS:
        return None
    digits = {r.score for r in scored}
    if len(digits) == 1:
        return (
            f"all {len(scored)} rows scored {digits.pop()}: the judge may not be "
            f"discriminating; {SPREAD_HINT}"
        )
    expected = [r.expected_score for r in scored if r.expected_score is not None]
    if len(expected) == len(scored) and statistics.pstdev(expected) < SPREAD_MIN_STDEV:
        return (
            f"the scores of {len(scored)} rows hardly differ (standard deviation "
            f"{statistics.pstdev(expected):.2f}): the judge may not be discriminating; "
            f"{SPREAD_HINT}"
        )
    return None


def rows_scoring_at_least(
    rows: Sequence[Mapping[str, Any]], min_score: int
) -> list[dict[str, Any]]:
    """The judged rows whose ``score`` is at least ``min_score`` (unscored rows left out)."""

    return [dict(r) for r in rows if (s := _number(r.get("score"))) is not None and s >= min_score]


def agreement_rate(results: Sequence[PairwiseResult]) -> float | None:
    """Share of compared pairs whose two orders agreed (``None`` if none was compared)."""
    compared = [r for r in results if r.error is None]
    if not compared:
        return None
    return sum(1 for r in compared if r.consistent) / len(compared)


def win_counts(results: Sequence[PairwiseResult]) -> dict[str, int]:
    """How often ``first``, ``second`` or ``tie`` won, over the consistent verdicts."""
    kept = [r for r in results if r.consistent]
    return {w: sum(1 for r in kept if r.winner == w) for w in ("first", "second", "tie")}


def pairwise_summary(results: Sequence[PairwiseResult]) -> dict[str, Any]:
    """Pairs, failures, consistent verdicts, agreement rate and win counts."""
    rate = agreement_rate(results)
    return {
        "pairs": len(results),
        "failed": sum(1 for r in results if r.error),
        "consistent": sum(1 for r in results if r.consistent),
        "agreement_rate": round(rate, 3) if rate is not None else None,
        "wins": win_counts(results),
    }


_LOOP = re.compile(r"(\S.{7,}?)(?:\s*\1)+")  # a phrase said again right after itself


def clean_comment(text: str, *, truncated: bool = False) -> str:
    """A model's comment without the loop a small model can fall into: a phrase repeated right
    after itself is kept once, a sentence said again is dropped, and (``truncated``: the reply
    hit its token limit) so is an unfinished last sentence after complete ones."""
    kept: list[str] = []
    seen: set[tuple[str, ...]] = set()
    for sentence in sentences(_LOOP.sub(r"\1", text.strip())):
        key = tuple(words(sentence))
        if key and key not in seen:
            seen.add(key)
            kept.append(sentence)
    if truncated and len(kept) > 1 and not ends_sentence(kept[-1]):
        kept.pop()
    return " ".join(kept)
