"""The judge with a scripted model: checklist scoring, the gate, rules, pairwise swap, the run
engine (journal, resume) and the CLI."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import BaseMessage
from typer.testing import CliRunner

from langsynth.cli import app
from langsynth.datafile import read_rows, write_rows
from langsynth.errors import ConfigurationError
from langsynth.judge import (
    PairwiseJudge,
    PointwiseJudge,
    SelfJudgingWarning,
    agreement_rate,
    self_judging_message,
)
from langsynth.judge.checklist import combine, decisive
from langsynth.judge.results import Check
from langsynth.judge.writing import REFERENCE_SYSTEM, WRITER_SYSTEM
from langsynth.runs import read_manifest
from tests.fakes import FakeChatModel, yes_no_reply
from tests.records import BILL

runner = CliRunner()
REQUEST = "Recommend one horror movie."
HANGUL = re.compile(r"[가-힣]")


def _text(messages: list[BaseMessage]) -> str:
    return str(messages[-1].content)


def _response(text: str) -> str:
    return text.split("RESPONSE:\n", 1)[1].split("\n\nQUESTION", 1)[0]


def checker(writer: list[str] | None = None) -> Any:
    """A fake judge: writes questions, answers yes (0.95) for responses with GOOD, no (0.1)
    otherwise, writes a comment when asked, and no reference (the requests are open)."""

    def answer(messages: list[BaseMessage]) -> Any:
        system = str(messages[0].content)
        text = _text(messages)
        if system == REFERENCE_SYSTEM:
            return "NONE"
        if system == WRITER_SYSTEM:
            if writer is not None:
                writer.append(text)
            return "Is the movie a horror film?"
        if "QUESTION" in text:
            return yes_no_reply(0.95 if "GOOD" in _response(text) else 0.1)
        return "A short comment."

    return answer


def test_fitting_answers_score_high_and_the_gate_caps_the_others() -> None:
    written: list[str] = []
    fake = FakeChatModel(answers=[checker(written)], cycle=True)
    judge = PointwiseJudge(fake, criteria="fits the request; is a real film", language="en")
    rows = [
        {"request": REQUEST, "title": "GOOD Alien", "year": 1979, "reason": "A creature."},
        {"request": REQUEST, "title": "Mamma Mia!", "year": 2008, "reason": "ABBA songs."},
        {"request": REQUEST, "title": "GOOD Hereditary", "year": 2018, "reason": "Grief."},
    ]
    results = judge.run(rows).results
    assert [r.score for r in results] == [5, 1, 5]
    assert results[1].expected_score is not None and results[1].expected_score <= 2.0
    # the gate and one question per criterion, written once for the one request
    assert len(written) == 3
    assert [c.gate for c in results[0].checks] == [True, False, False]
    assert all(r.comment == "A short comment." for r in results)


def test_the_question_writer_sees_worked_examples_before_the_request() -> None:
    from langsynth.judge.writing import CRITERION_SHOTS, GATE_SHOTS

    def writer_calls(shots: bool) -> list[list[BaseMessage]]:
        fake = FakeChatModel(answers=[checker()], cycle=True)
        judge = PointwiseJudge(fake, criteria="fits the request", language="en", shots=shots)
        judge.invoke({"request": REQUEST, "title": "GOOD Alien", "year": 1979, "reason": "x"})
        return [m for m in fake.calls if str(m[0].content) == WRITER_SYSTEM]

    gate, criterion = writer_calls(True)
    assert len(gate) == 2 + 2 * len(GATE_SHOTS) and len(criterion) == 2 + 2 * len(CRITERION_SHOTS)
    assert [m.type for m in gate[1:3]] == ["human", "ai"]
    assert str(gate[2].content) == GATE_SHOTS[0][1]
    assert REQUEST in _text(gate) and REQUEST not in str(gate[1].content)
    assert "CRITERION:\nfits the request" in _text(criterion)
    assert [len(m) for m in writer_calls(False)] == [2, 2]


def test_several_writings_of_the_gate_are_asked_and_averaged() -> None:
    from langsynth.judge.writing import GATE_SHOTS

    def answer(messages: list[BaseMessage]) -> Any:
        system, text = str(messages[0].content), _text(messages)
        if system == REFERENCE_SYSTEM:
            return "NONE"
        if system == WRITER_SYSTEM:
            # the first example shown decides the writing: one misreads the request
            first = str(messages[2].content) if len(messages) > 2 else ""
            return "Is it a comedy?" if first == GATE_SHOTS[0][1] else "Is it a horror film?"
        return yes_no_reply(0.9 if "horror" in text.rsplit("QUESTION", 1)[1] else 0.1)

    def judged(writings: int) -> Any:
        fake = FakeChatModel(answers=[answer], cycle=True)
        judge = PointwiseJudge(
            fake, criteria="fits", language="en", comment="checks", writings=writings
        )
        result = judge.invoke({"request": REQUEST, "title": "Alien", "year": 1979, "reason": "x"})
        gates = [m for m in fake.calls if str(m[0].content) == WRITER_SYSTEM][:-1]
        return result, gates

    one, gates = judged(1)
    assert len(gates) == 1 and one.checks[0].p_yes == pytest.approx(0.1, abs=0.01)
    three, gates = judged(3)
    # written three times, the examples rotated: two other writings, one a duplicate
    assert len(gates) == 3
    assert [str(g[2].content) for g in gates] == [q for _, q in GATE_SHOTS[:3]]
    assert three.checks[0].question == "Is it a comedy?" and three.checks[0].gate
    assert three.checks[0].p_yes == pytest.approx(0.5, abs=0.01)  # mean of 0.1 and 0.9
    assert three.expected_score > one.expected_score
    with pytest.raises(ConfigurationError, match="writings"):
        PointwiseJudge(FakeChatModel(answers=[]), criteria="fits", writings=0)


def test_written_questions_are_asked_about_the_response_alone() -> None:
    def asked(**options: Any) -> list[str]:
        fake = FakeChatModel(answers=[checker()], cycle=True)
        judge = PointwiseJudge(fake, criteria="fits", language="en", comment="checks", **options)
        judge.invoke({"request": REQUEST, "title": "GOOD Alien", "year": 1979, "reason": "x"})
        return [_text(m) for m in fake.calls if "QUESTION" in _text(m)]

    blind = asked()
    assert len(blind) == 2 and all("REQUEST" not in t and "GOOD Alien" in t for t in blind)
    # with the request: the ablation, and the generic questions used when none is written
    assert all(REQUEST in t for t in asked(blind=False))
    assert all(REQUEST in t for t in asked(specific=False))


def test_a_closed_requests_questions_are_asked_with_the_request() -> None:
    def answer(messages: list[BaseMessage]) -> Any:
        system = str(messages[0].content)
        if system == REFERENCE_SYSTEM:
            return "102"
        if system == WRITER_SYSTEM:
            return "Is the response the product of 17 and 6?"
        return yes_no_reply(0.9)

    fake = FakeChatModel(answers=[answer], cycle=True)
    judge = PointwiseJudge(fake, criteria="correct", language="en", comment="checks")
    result = judge.invoke({"instruction": "What is 17 multiplied by 6?", "response": "102"})
    asked = [_text(m) for m in fake.calls if "QUESTION" in _text(m)]
    assert len(asked) == 3 and all("17 multiplied by 6" in t for t in asked)
    assert any(c.question.startswith("The correct answer is: 102") for c in result.checks)


def test_rules_score_before_any_model_call() -> None:
    fake = FakeChatModel(answers=[])  # any call fails the test
    bill = {**BILL, "insurance_claim_amount": 265.0}  # claim > charge
    results = PointwiseJudge(fake, schema="medical_billing", language="en").run([bill]).results
    assert results[0].score == 1 and "schema rule" in (results[0].comment or "")
    story = {"request": 'Write a story that uses the words "jump" and "ball".', "response": "Hi."}
    empty = {"request": REQUEST, "title": "Alien", "year": 1979, "reason": ""}
    judge = PointwiseJudge(fake, language="ko")
    words, blank = judge.run([story, empty]).results
    assert words.score is not None and words.score <= 2 and "'jump'" in (words.comment or "")
    assert blank.score is not None and blank.score <= 2 and HANGUL.search(blank.comment or "")
    assert fake.calls == []


def test_comments_from_the_checks_in_korean_or_english() -> None:
    fake = FakeChatModel(answers=[checker()], cycle=True)
    row = {"request": REQUEST, "title": "Mamma Mia!", "year": 2008, "reason": "ABBA."}
    ko = PointwiseJudge(fake, criteria="a; b", language="ko", comment="checks").invoke(row)
    en = PointwiseJudge(fake, criteria="a; b", language="en", comment="checks").invoke(row)
    assert HANGUL.search(ko.comment or "") and "요청한 것을 주지 않습니다" in (ko.comment or "")
    assert not HANGUL.search(en.comment or "") and "does not give" in (en.comment or "")


def test_an_answer_neither_yes_nor_no_is_a_failed_row_not_a_crash() -> None:
    def answer(messages: list[BaseMessage]) -> Any:
        if str(messages[0].content) == WRITER_SYSTEM:
            return "Is it horror?"
        return "Perhaps"

    judge = PointwiseJudge(FakeChatModel(answers=[answer], cycle=True), criteria="fits")
    result = judge.run([("Q", "A")]).results[0]
    assert not result.ok and result.score is None and "neither yes nor no" in (result.error or "")
    assert result.to_row()["error"] == result.error


def test_a_bug_is_raised_not_recorded_as_a_row() -> None:
    judge = PointwiseJudge(FakeChatModel(answers=[TypeError("bug")], cycle=True), criteria="x")
    with pytest.raises(TypeError, match="bug"):
        judge.invoke(("Q", "A"))


def test_run_journals_and_resume_skips_judged_rows(tmp_path: Path) -> None:
    rows = [
        {"request": REQUEST, "title": f"GOOD {i}", "year": 2000, "reason": "Scary."}
        for i in range(3)
    ]
    out = tmp_path / "judged.jsonl"
    fake = FakeChatModel(answers=[checker()], cycle=True)
    first = PointwiseJudge(fake, criteria="fits").run(rows, output=out)
    assert [r["score"] for r in read_rows(out)] == [5, 5, 5]
    assert set(first.rows[0]) >= {"title", "score", "score_expected", "comment", "error"}
    manifest = read_manifest(out)
    assert manifest is not None and manifest["job"] == "judge"
    assert manifest["status"] == "complete"
    again = PointwiseJudge(FakeChatModel(answers=[]), criteria="fits")  # no call allowed
    resumed = again.run(rows, output=out, resume=True)
    assert len(resumed.rows) == 3 and resumed.results == []


def test_criteria_language_and_self_judging() -> None:
    judge = PointwiseJudge(FakeChatModel(), criteria="is short; is correct")
    assert judge.rubric.criteria == ("is short", "is correct")
    with pytest.raises(ConfigurationError, match="language"):
        PointwiseJudge(FakeChatModel(), language="fr")
    assert self_judging_message("local", "local") is not None
    assert self_judging_message("local-large", "local") is None
    with pytest.warns(SelfJudgingWarning, match="self-judging is biased"):
        PointwiseJudge(FakeChatModel(), generator_model="FakeChatModel")
    with warnings.catch_warnings():
        warnings.simplefilter("error", SelfJudgingWarning)
        PointwiseJudge(FakeChatModel(), generator_model="local")


# --------------------------------------------------------------------------- pairwise


def pair_checker(biased_to: str | None = None) -> Any:
    """Answers about the named side: yes if it contains GOOD (or always for ``biased_to``)."""

    def answer(messages: list[BaseMessage]) -> Any:
        if str(messages[0].content) == WRITER_SYSTEM:
            return "Is the movie a horror film?"
        text = _text(messages)
        side = text.split("QUESTION about RESPONSE ", 1)[1][0]
        if biased_to is not None:
            return yes_no_reply(0.95 if side == biased_to else 0.1)
        a = text.split("RESPONSE A:\n", 1)[1].split("\n\nRESPONSE B:", 1)[0]
        b = text.split("RESPONSE B:\n", 1)[1].split("\n\nQUESTION", 1)[0]
        return yes_no_reply(0.95 if "GOOD" in (a if side == "A" else b) else 0.1)

    return answer


def test_pairwise_swaps_the_order_and_keeps_consistent_verdicts() -> None:
    fake = FakeChatModel(answers=[pair_checker()], cycle=True)
    judge = PairwiseJudge(fake, criteria="fits", mode="together")
    results = judge.run([("req", "GOOD one", "bad one"), ("req", "bad one", "GOOD one")]).results
    assert [r.winner for r in results] == ["first", "second"]
    assert agreement_rate(results) == 1.0
    texts = [_text(m) for m in fake.calls if "RESPONSE A" in _text(m)]
    assert any(t.index("GOOD") < t.index("bad") for t in texts)
    assert any(t.index("bad") < t.index("GOOD") for t in texts)


def test_position_biased_verdicts_are_dropped() -> None:
    fake = FakeChatModel(answers=[pair_checker(biased_to="B")], cycle=True)
    judge = PairwiseJudge(fake, criteria="fits", mode="together")
    results = judge.run([("req", "x", "y")]).results
    assert results[0].winner is None and results[0].verdicts == ("second", "first")
    assert agreement_rate(results) == 0.0
    assert results[0].to_row()["consistent"] is False


def test_separate_pairwise_judges_each_response_on_its_own() -> None:
    fake = FakeChatModel(answers=[checker()], cycle=True)
    judge = PairwiseJudge(fake, criteria="fits", language="en")
    triples = [("req", "GOOD one", "bad one"), ("req", "bad one", "GOOD one"), ("req", "x", "y")]
    results = judge.run(triples).results
    assert [r.winner for r in results] == ["first", "second", "tie"]
    assert all(r.consistent for r in results) and agreement_rate(results) == 1.0
    assert not any("GOOD one" in _text(m) and "bad one" in _text(m) for m in fake.calls)
    assert "A is better" in (results[0].comments[0] or "")
    with pytest.raises(ConfigurationError, match="mode"):
        PairwiseJudge(fake, mode="both")


# --------------------------------------------------------------------------- the CLI


def _cli(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_cli_scores_rows_warns_on_no_spread_and_resumes(
    use_fake: list[FakeChatModel], tmp_path: Path
) -> None:
    rows = [
        {"request": REQUEST, "title": f"GOOD {i}", "year": 2000, "reason": "Scary."}
        for i in range(4)
    ]
    write_rows(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    use_fake.append(FakeChatModel(answers=[checker()], cycle=True))
    args = ["judge", "-i", str(tmp_path / "in.jsonl"), "-o", str(out), "--criteria", "a; b"]
    args += ["--language", "en"]
    done = _cli(*args, "--min-score", "4")
    assert done.exit_code == 0, done.output
    assert "all 4 rows scored 5: the judge may not be discriminating" in done.output
    assert [r["score"] for r in read_rows(out)] == [5] * 4
    assert len(read_rows(tmp_path / "out.kept.jsonl")) == 4
    refused = runner.invoke(app, args)
    assert refused.exit_code != 0 and "--resume" in str(refused.exception)
    use_fake.append(FakeChatModel(answers=[]))
    resumed = _cli(*args, "--resume")
    assert resumed.exit_code == 0 and "wrote 4 rows" in resumed.output


def test_cli_pairwise_writes_comparisons(use_fake: list[FakeChatModel], tmp_path: Path) -> None:
    rows = [{"request": "req", "response": t} for t in ("GOOD a", "bad b", "bad c", "GOOD d")]
    write_rows(tmp_path / "in.jsonl", rows)
    out = tmp_path / "pairs.jsonl"
    use_fake.append(FakeChatModel(answers=[checker()], cycle=True))
    done = _cli("judge", "-i", str(tmp_path / "in.jsonl"), "-o", str(out), "--pairwise")
    assert done.exit_code == 0, done.output
    compared = read_rows(out)
    assert [r["winner"] for r in compared] == ["first", "second"]
    assert json.loads(json.dumps(compared[0]))["request"] == "req"
    manifest = read_manifest(out)
    assert manifest is not None and manifest["job"] == "pairwise"


def test_calibration_reads_answers_against_the_yes_bias() -> None:
    from langsynth.judge.checklist import calibrated

    assert calibrated(0.8, 0.8) == 0.0 and calibrated(1.0, 0.5) == 1.0
    assert calibrated(0.95, 0.99) == pytest.approx(0.5)  # the baseline is capped at 0.9

    def biased(messages: list[BaseMessage]) -> Any:
        if str(messages[0].content) == WRITER_SYSTEM:
            return "Is the movie a horror film?"
        text = _text(messages)
        if "QUESTION" in text:  # yes to almost anything, a little surer for the good one
            return yes_no_reply(0.97 if "GOOD" in _response(text) else 0.8)
        return "A comment."

    rows = [("Recommend one horror movie.", "GOOD Alien"), ("Recommend one horror movie.", "Up")]
    plain = PointwiseJudge(FakeChatModel(answers=[biased], cycle=True), criteria="fits")
    fair = PointwiseJudge(
        FakeChatModel(answers=[biased], cycle=True), criteria="fits", calibrate=True
    )
    good, bad = plain.run(rows).results
    assert good.score == 5 and bad.score is not None and bad.score >= 4  # biased: no gap
    good, bad = fair.run(rows).results
    assert bad.score == 1 and good.score is not None and good.score >= 4


def test_a_comment_in_the_wrong_language_is_replaced_by_the_composed_one() -> None:
    def english(messages: list[BaseMessage]) -> Any:
        reply = checker()(messages)
        return "The score is 5 of 5 because it fits." if reply == "A short comment." else reply

    row = {"request": REQUEST, "title": "GOOD Alien", "year": 1979, "reason": "A creature."}
    result = PointwiseJudge(FakeChatModel(answers=[english], cycle=True), criteria="a").invoke(row)
    assert result.comment and HANGUL.search(result.comment) and "The score" not in result.comment


def test_a_closed_request_is_checked_against_the_answer_the_model_writes_once() -> None:
    from langsynth.judge.writing import REFERENCE_SYSTEM

    def solver(messages: list[BaseMessage]) -> Any:
        system, text = str(messages[0].content), _text(messages)
        if system == REFERENCE_SYSTEM:
            if "poem" in text:  # a writer that "solves" an open request with a sentence
                return "The sea is blue and the waves sing softly at night."
            return "102" if "17" in text else "NONE"
        if system == WRITER_SYSTEM:
            return "Is the answer a number?"
        if "QUESTION: The correct answer is: 102." in text:
            return yes_no_reply(0.9 if "102" in _response(text) else 0.2)
        return yes_no_reply(0.9) if "QUESTION" in text else "A comment."

    fake = FakeChatModel(answers=[solver], cycle=True)
    judge = PointwiseJudge(fake, criteria="is correct", language="en")  # reference: default on
    rows = [("What is 17 times 6?", "102"), ("What is 17 times 6?", "112"), ("Write a poem.", "Hi")]
    right, wrong, open_ended = judge.run(rows).results
    assert right.score is not None and right.score >= 4
    assert wrong.score is not None and wrong.score <= 2
    assert [c.gate for c in right.checks].count(True) == 2  # the gate and the reference
    # a sentence is no short answer: no reference check for the open request
    assert [c.gate for c in open_ended.checks].count(True) == 1
    written = [m for m in fake.calls if str(m[0].content) == REFERENCE_SYSTEM]
    assert len(written) == 2  # once per distinct request


def test_separate_pairwise_checks_the_records_behind_coded_json_responses() -> None:
    bill = {
        "patient_id": 482913,
        "patient_name": "GOOD Marisol Okafor",
        "diagnosis_code": "J20.9",
        "procedure_code": "99213",
        "total_charge": 185.0,
        "insurance_claim_amount": 148.0,
    }
    broken = {**bill, "patient_name": "GOOD Ana Lima", "insurance_claim_amount": 265.0}
    fake = FakeChatModel(answers=[checker()], cycle=True)
    for schema in ("medical_billing", None):  # given, or recognised by the record's fields
        judge = PairwiseJudge(fake, schema=schema, criteria="fits")
        rows = judge.pairs([bill, broken], request="Write a billing record.")
        result = judge.invoke(rows[0])
        assert result.winner == "first"  # the broken claim scores 1; the valid record does not


def test_written_gate_questions_are_read_one_a_line_up_to_the_limit() -> None:
    from langsynth.judge.writing import clean_questions

    text = "1. Is it a poem?\n- Is it about leaves\n\nIs it a poem?\nQuestion: Is it in Spanish?"
    assert clean_questions(text, 3) == ["Is it a poem?", "Is it about leaves?", "Is it in Spanish?"]
    assert clean_questions(text) == ["Is it a poem?"]
    assert clean_questions("ok\n") == []


def test_a_check_is_read_decisively_and_the_scale_keeps_its_ends() -> None:
    assert decisive(0.0) == pytest.approx(0.0) and decisive(1.0) == pytest.approx(1.0)
    assert decisive(0.5) == pytest.approx(0.5)
    assert decisive(0.7) > 0.9 and decisive(0.35) < 0.15  # pushed towards yes / no
    values = [decisive(p / 20) for p in range(21)]
    assert values == sorted(values)  # the order of the answers is kept
    assert decisive(0.7, sharpness=0) == 0.7


def test_checks_a_small_judge_answers_at_0_7_score_high_and_at_0_35_low() -> None:
    held = [Check("fits?", 0.7, gate=True), Check("a reason?", 0.72), Check("a year?", 0.68)]
    failed = [Check("fits?", 0.35, gate=True), Check("a reason?", 0.4), Check("a year?", 0.3)]
    assert combine(held) > 4.4 and combine(failed) < 1.5
    # read as they are, both land nearer the middle
    assert combine(held, sharpness=0) < 3.5 and combine(failed, sharpness=0) > 1.5


def test_only_the_first_written_gate_question_caps_the_score() -> None:
    """The writer's second question is an attribute read from the request ("to watch alone?"):
    a horror film that does not say so loses points but is not capped like a comedy."""

    def answer(messages: list[BaseMessage]) -> Any:
        system, text = str(messages[0].content), _text(messages)
        if system == REFERENCE_SYSTEM:
            return "NONE"
        if system == WRITER_SYSTEM:
            if "CRITERION" in text:
                return "Does the reason explain the choice?"
            return "Is the movie a horror film?\nIs the movie for watching alone?"
        if "alone" in text.split("QUESTION:", 1)[1]:
            return yes_no_reply(0.1)  # no response here says so
        return yes_no_reply(0.95 if "GOOD" in _response(text) else 0.1)

    fake = FakeChatModel(answers=[answer], cycle=True)
    judge = PointwiseJudge(fake, criteria="the reason explains it", language="en", comment="checks")
    request = "Recommend a horror movie to watch alone on a rainy night."
    horror, comedy = judge.run(
        [
            {"request": request, "title": "GOOD The Conjuring", "reason": "GOOD a haunted farm"},
            {"request": request, "title": "Paddington", "reason": "A polite bear."},
        ]
    ).results
    assert [c.gate for c in horror.checks] == [True, False, False]
    assert horror.checks[1].question == "Is the movie for watching alone?"
    assert horror.score is not None and 3 <= horror.score <= 4  # one criterion of two missed
    assert comedy.score == 1


def test_a_two_syllable_korean_genre_breaks_no_rule() -> None:
    fake = FakeChatModel(answers=[checker()], cycle=True)
    judge = PointwiseJudge(fake, schema="movie_recommendation", language="ko", comment="checks")
    row = {
        "request": REQUEST,
        "title": "GOOD 곡성",
        "year": 2016,
        "genre": "공포",
        "reason": "GOOD 마을에 번지는 기이한 죽음.",
    }
    result = judge.invoke(row)
    assert not any(c.question.startswith("schema:") for c in result.checks)
    assert result.score == 5


def test_a_comment_that_loops_to_its_token_limit_is_kept_once() -> None:
    from langchain_core.messages import AIMessage

    from langsynth.judge.results import clean_comment

    loop = "제목과 출시년도가 정확합니다. " * 4 + "제목과 출시년도가"

    def looping(messages: list[BaseMessage]) -> Any:
        reply = checker()(messages)
        if reply != "A short comment.":
            return reply
        return AIMessage(content=loop, response_metadata={"finish_reason": "length"})

    row = {"request": REQUEST, "title": "GOOD 곡성", "year": 2016, "reason": "GOOD 기이한 죽음."}
    judge = PointwiseJudge(FakeChatModel(answers=[looping], cycle=True), criteria="a")
    assert judge.invoke(row).comment == "제목과 출시년도가 정확합니다."
    # a sentence said again later is dropped; decimals, and a reply that ended, are kept whole
    said_twice = "It is a horror film. The year is right. It is a horror film."
    assert clean_comment(said_twice) == "It is a horror film. The year is right."
    assert (
        clean_comment("It weighs 1.5 kg. Not met: the year")
        == "It weighs 1.5 kg. Not met: the year"
    )
    assert clean_comment("It fits. The reason is vague and the", truncated=True) == "It fits."
