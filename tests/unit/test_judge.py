"""The judge with a scripted model: prompts, inputs, retries, logprobs, pairwise swap."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage

from langsynth.chains.judge import (
    JudgeItem,
    PairwiseJudge,
    PointwiseJudge,
    SelfJudgingWarning,
    agreement_rate,
    default_rubric,
    parse_criteria,
    score_distribution,
    score_summary,
    self_judging_message,
    to_item,
)
from langsynth.errors import ConfigurationError
from tests.fakes import FakeChatModel

MOVIE = {"title": "Alien", "year": 1979, "genre": "horror", "reason": "A creature stalks a crew."}


def last_user_text(messages: list[BaseMessage]) -> str:
    return str(messages[-1].content)


def test_system_prompt_has_criteria_scale_and_comment_language() -> None:
    judge = PointwiseJudge(FakeChatModel(), schema="movie_recommendation", language="ko")
    system = judge.system_prompt()
    assert "1. The response gives what the request asks for" in system
    assert "2 = does not give what the request asks for" in system
    assert "Write the comment in Korean" in system
    en = PointwiseJudge(FakeChatModel(), schema="movie_recommendation", language="en")
    assert "Write the comment in English" in en.system_prompt()


def test_anchor_examples_are_earlier_turns_with_comments_in_the_language() -> None:
    judge = PointwiseJudge(FakeChatModel(), schema="movie_recommendation", language="ko")
    messages = judge.messages(MOVIE)
    anchors = default_rubric("movie_recommendation").examples
    assert len(messages) == 1 + 2 * len(anchors) + 1
    first_answer = json.loads(str(messages[2].content))
    assert first_answer == {"score": anchors[0].score, "comment": anchors[0].comment_ko}
    assert {json.loads(str(m.content))["score"] for m in messages[2:-1:2]} == {1, 2, 3, 5}


def test_a_record_answers_the_request_made_from_its_fields() -> None:
    rubric = default_rubric("movie_recommendation")
    item = to_item(MOVIE, rubric=rubric)
    assert item.request == "Recommend one horror movie."
    # the field the request was made from is not shown: the judge must check it, not read it
    assert json.loads(item.response) == {k: v for k, v in MOVIE.items() if k != "genre"}
    generic = to_item(
        {"patient_name": "Kim"}, rubric=default_rubric("medical_billing"), subject="medical_billing"
    )
    assert generic.request == "Generate one realistic medical_billing record."


def test_pairs_rows_with_prompt_columns_and_alpaca_rows() -> None:
    rubric = default_rubric(None)
    assert to_item(("Q?", "A."), rubric=rubric) == JudgeItem("Q?", "A.")
    row = {"prompt": "Recommend a comedy.", "response": "Some Like It Hot", "score": 3}
    assert to_item(row, rubric=rubric) == JudgeItem("Recommend a comedy.", "Some Like It Hot")
    alpaca = {"instruction": "Translate.", "input": "good morning", "output": "bonjour"}
    assert to_item(alpaca, rubric=rubric) == JudgeItem("Translate.\n\ngood morning", "bonjour")
    with pytest.raises(TypeError, match="cannot judge"):
        to_item(42, rubric=rubric)


def test_invalid_verdict_is_retried_with_the_error_fed_back() -> None:
    fake = FakeChatModel(answers=[{"score": 9, "comment": "great"}, {"score": 4, "comment": "ok"}])
    result = PointwiseJudge(fake, schema="movie_recommendation").invoke(MOVIE)
    assert (result.score, result.comment, result.error) == (4, "ok", None)
    assert result.expected_score == 4.0  # no log-probabilities: the digit itself
    assert "invalid" in last_user_text(fake.calls[1])


def test_a_row_without_a_verdict_is_an_error_result_not_a_crash() -> None:
    fake = FakeChatModel(answers=["no json here", "still none", {"score": 5, "comment": "fine"}])
    judge = PointwiseJudge(fake, concurrency=1)
    results = judge.judge([("Q1", "A1"), ("Q2", "A2")])
    assert results[0].score is None and results[0].error
    assert results[1].score == 5
    assert results[0].to_columns()["judge_error"] == results[0].error
    summary = score_summary(results)
    assert summary["judged"] == 1 and summary["failed"] == 1


def test_samples_are_averaged() -> None:
    fake = FakeChatModel(
        answers=[
            {"score": 5, "comment": "a"},
            {"score": 4, "comment": "b"},
            {"score": 4, "comment": "c"},
        ]
    )
    result = PointwiseJudge(fake, samples=3).invoke(("Q", "A"))
    assert result.scores == [5, 4, 4]
    assert result.score == 4 and result.expected_score == pytest.approx(4.333, abs=1e-3)


def test_score_distribution_is_read_from_logprobs() -> None:
    def tok(token: str, alts: dict[str, float] | None = None) -> dict[str, Any]:
        import math

        top = [{"token": t, "logprob": math.log(p)} for t, p in (alts or {token: 1.0}).items()]
        return {"token": token, "logprob": top[0]["logprob"], "top_logprobs": top}

    content = [tok("{"), tok(' "'), tok("score"), tok('":'), tok(" ")]
    content.append(tok("4", {"4": 0.5, "5": 0.3, "2": 0.1, "0": 0.05, "The": 0.05}))
    content += [tok(","), tok(' "comment')]
    message = AIMessage(content="", response_metadata={"logprobs": {"content": content}})
    dist = score_distribution(message)
    assert dist is not None
    assert dist == pytest.approx({2: 0.1 / 0.9, 4: 0.5 / 0.9, 5: 0.3 / 0.9})
    assert score_distribution(AIMessage(content="{}")) is None


def test_criteria_from_text_or_file(tmp_path: Path) -> None:
    assert parse_criteria("- fits the request\n2. is polite\n\n") == (
        "fits the request",
        "is polite",
    )
    path = tmp_path / "criteria.txt"
    path.write_text("* short\n* correct\n")
    assert parse_criteria(path) == ("short", "correct")
    assert parse_criteria(str(path)) == ("short", "correct")
    with pytest.raises(ConfigurationError):
        parse_criteria("\n  \n")
    judge = PointwiseJudge(FakeChatModel(), criteria="is short\nis correct")
    assert judge.rubric.criteria == ("is short", "is correct")


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="language"):
        PointwiseJudge(FakeChatModel(), language="fr")


def test_self_judging_is_warned_about() -> None:
    assert self_judging_message("local", "local") is not None
    assert self_judging_message("local-large", "local") is None
    assert self_judging_message("local-large", None) is None
    with pytest.warns(SelfJudgingWarning, match="self-judging is biased"):
        PointwiseJudge(FakeChatModel(), generator_model="FakeChatModel")
    with warnings.catch_warnings():
        warnings.simplefilter("error", SelfJudgingWarning)
        PointwiseJudge(FakeChatModel(), generator_model="local")


def prefers(good: str, biased_to: str | None = None) -> Any:
    """A fake pairwise judge: picks the response containing ``good`` (or always one slot)."""

    def answer(messages: list[BaseMessage]) -> dict[str, str]:
        text = last_user_text(messages)
        if biased_to:
            return {"comment": "the second one", "winner": biased_to}
        a = text.split("RESPONSE A:")[1].split("RESPONSE B:")[0]
        return {"comment": "picked", "winner": "A" if good in a else "B"}

    return answer


def test_pairwise_swaps_the_order_and_keeps_consistent_verdicts() -> None:
    fake = FakeChatModel(answers=[prefers("GOOD")], cycle=True)
    judge = PairwiseJudge(fake)
    results = judge.judge([("req", "GOOD one", "bad one"), ("req", "bad one", "GOOD one")])
    assert [r.winner for r in results] == ["first", "second"]
    assert all(r.consistent for r in results)
    texts = [last_user_text(m) for m in fake.calls]
    assert any(t.index("GOOD") < t.index("bad") for t in texts)
    assert any(t.index("bad") < t.index("GOOD") for t in texts)
    assert agreement_rate(results) == 1.0


def test_position_biased_verdicts_are_dropped() -> None:
    fake = FakeChatModel(answers=[prefers("GOOD", biased_to="B")], cycle=True)
    results = PairwiseJudge(fake).judge([("req", "x", "y"), ("req", "y", "x")])
    assert [r.winner for r in results] == [None, None]
    assert [r.verdicts for r in results] == [("second", "first"), ("second", "first")]
    assert agreement_rate(results) == 0.0
    columns = results[0].to_columns()
    assert columns["consistent"] is False and columns["verdict_swapped"] == "first"
