"""Judge results: the run protocol, summaries, the spread warning, log-probability reading."""

from __future__ import annotations

import math
from typing import Any

import pytest
from langchain_core.messages import AIMessage

from langsynth.judge import (
    JudgeResult,
    PairwiseResult,
    agreement_rate,
    pairwise_summary,
    score_distribution,
    score_summary,
    spread_warning,
    win_counts,
    yes_probability,
)
from tests.fakes import yes_no_reply


def test_results_follow_the_run_protocol() -> None:
    good = JudgeResult(4, "맞습니다.", expected_score=4.2)
    failed = JudgeResult(None, None, error="no verdict")
    assert good.ok and not failed.ok
    assert good.to_row() == {
        "score": 4,
        "score_expected": 4.2,
        "comment": "맞습니다.",
        "error": None,
    }
    assert set(failed.to_row()) == set(JudgeResult.output_columns)
    assert failed.to_row()["error"] == "no verdict"
    pair = PairwiseResult("first", True, ("first", "first"), ("a", "b"))
    assert pair.ok and set(pair.to_row()) == set(PairwiseResult.output_columns)


def test_results_are_rebuilt_from_judged_rows() -> None:
    row = {"title": "x", "score": 2, "score_expected": 2.4, "comment": "off", "error": None}
    assert JudgeResult.from_row(row).to_row() == {k: row[k] for k in JudgeResult.output_columns}
    old = JudgeResult.from_row({"score": None, "judge_error": "timeout"})  # older files
    assert old.error == "timeout" and not old.ok
    nan = JudgeResult.from_row({"score": float("nan"), "score_expected": float("nan")})
    assert nan.score is None and nan.expected_score is None


def test_score_summary_counts_failures_and_the_distribution() -> None:
    results = [JudgeResult(5, "a", 4.8), JudgeResult(1, "b", 1.2), JudgeResult(None, None)]
    summary = score_summary(results)
    assert summary["judged"] == 2 and summary["failed"] == 1
    assert summary["mean"] == 3.0 and summary["mean_expected"] == 3.0
    assert summary["distribution"] == {1: 1, 2: 0, 3: 0, 4: 0, 5: 1}
    assert summary["stdev_expected"] == pytest.approx(1.8)


def test_a_batch_without_spread_is_warned_about() -> None:
    all_five = [JudgeResult(5, "ok", 4.9)] * 8
    assert spread_warning(all_five) == (
        "all 8 rows scored 5: the judge may not be discriminating; check a few rows by hand, "
        "write sharper --criteria, or try a stronger --judge-model (README, 'A judge you can "
        "trust')"
    )
    close = [JudgeResult(4 + i % 2, "ok", 4.45 + 0.1 * (i % 2)) for i in range(6)]
    assert "hardly differ (standard deviation 0.05)" in (spread_warning(close) or "")
    spread = [JudgeResult(s, "ok", float(s)) for s in (1, 5, 2, 4)]
    assert spread_warning(spread) is None
    assert spread_warning([JudgeResult(5, "ok", 5.0)] * 3) is None  # too few rows to tell
    assert spread_warning([JudgeResult(None, None, error="x")] * 8) is None


def test_pairwise_counts() -> None:
    results = [
        PairwiseResult("first", True, ("first", "first"), ("", "")),
        PairwiseResult(None, False, ("first", "second"), ("", "")),
        PairwiseResult("tie", True, ("tie", "tie"), ("", "")),
        PairwiseResult(None, False, (None, None), (None, None), error="timeout"),
    ]
    assert agreement_rate(results) == pytest.approx(2 / 3)
    assert win_counts(results) == {"first": 1, "second": 0, "tie": 1}
    summary = pairwise_summary(results)
    assert summary["pairs"] == 4 and summary["failed"] == 1 and summary["consistent"] == 2
    assert agreement_rate([]) is None


def test_yes_probability_from_logprobs_or_the_word() -> None:
    assert yes_probability(yes_no_reply(0.8)) == pytest.approx(0.8)
    assert yes_probability(yes_no_reply(0.1)) == pytest.approx(0.1)
    assert yes_probability(AIMessage(content="Yes, it is.")) == 1.0
    assert yes_probability(AIMessage(content="아니요")) == 0.0
    assert yes_probability(AIMessage(content="Maybe")) is None


def test_score_distribution_is_read_from_a_json_verdict() -> None:
    def tok(token: str, alts: dict[str, float] | None = None) -> dict[str, Any]:
        top = [{"token": t, "logprob": math.log(p)} for t, p in (alts or {token: 1.0}).items()]
        return {"token": token, "logprob": top[0]["logprob"], "top_logprobs": top}

    content = [tok("{"), tok(' "'), tok("score"), tok('":'), tok(" ")]
    content.append(tok("4", {"4": 0.5, "5": 0.3, "2": 0.1, "0": 0.05, "The": 0.05}))
    message = AIMessage(content="", response_metadata={"logprobs": {"content": content}})
    assert score_distribution(message) == pytest.approx({2: 0.1 / 0.9, 4: 0.5 / 0.9, 5: 0.3 / 0.9})
    assert score_distribution(AIMessage(content="{}")) is None
