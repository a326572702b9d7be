"""The judge on the embedded 1.5B model (the default judge), for real.

The labelled check: 8 Korean answers to the course exercise's horror request, 4 horror films
and 4 films of other genres, judged as a user would (``--criteria "a; b; c" --language ko``).
The fitting ones must score clearly higher (the judge before this check gave all 8 a 5), the
comments must be Korean, and a record that breaks a schema rule must score at most 2.
The figures over the whole labelled benchmark are ``benchmarks/judge_quality.py``'s.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from langsynth.judge import PairwiseJudge, PointwiseJudge, agreement_rate
from tests.records import BILL

pytestmark = pytest.mark.integration

REQUEST = "비 오는 밤에 혼자 볼 무서운 공포 영화 하나 추천해 줘."
CRITERIA = (
    "사용자의 요구(예: 공포 영화)에 맞는가; 제목, 연도, 추천 이유를 모두 포함했는가; "
    "이유가 설득력 있는가"
)
LABELLED = [
    json.loads(line)
    for line in (Path(__file__).parent / "judge_labelled.jsonl").read_text().splitlines()
]
# the course's answer format: title, year, reason (no genre: the judge must know it)
FITTING = [
    {"title": r["title"], "year": r["year"], "reason": r["reason"]} for r in LABELLED if r["fits"]
]
OTHER = [
    {"title": r["title"], "year": r["year"], "reason": r["reason"]}
    for r in LABELLED
    if not r["fits"]
]
HANGUL = re.compile(r"[가-힣]")


@pytest.fixture(scope="module")
def judge_llm() -> Iterator[Any]:
    """The default judge: the embedded 1.5B model, deterministic; its server is stopped after
    this module (unless it is an external one from LANGSYNTH_LOCAL_LARGE_URL)."""
    from langsynth.llm import get_judge_model

    llm = get_judge_model("local-large", temperature=0.0)
    yield llm
    server = getattr(llm, "_server", None)
    if server is not None:
        server.stop()


def test_fitting_answers_score_clearly_higher_with_korean_comments(judge_llm: Any) -> None:
    # the scores of all 8 (comments composed from the checks), then the model's own Korean
    # comment on one fitting and one other answer (a comment is the slowest call per row)
    judge = PointwiseJudge(
        judge_llm, criteria=CRITERIA, language="ko", concurrency=2, comment="checks"
    )
    rows = [{"request": REQUEST, **r} for r in FITTING + OTHER]
    start = time.perf_counter()
    results = judge.run(rows).results
    elapsed = time.perf_counter() - start
    for row, r in zip(rows, results, strict=True):
        print(f"{row['title']:>14}: {r.score} ({r.expected_score}) | {r.comment}")
    assert all(r.ok for r in results), [r.error for r in results]
    assert all(r.comment and HANGUL.search(r.comment) for r in results)
    commenter = PointwiseJudge(judge_llm, criteria=CRITERIA, language="ko", concurrency=2)
    written = commenter.run([rows[0], rows[4]]).results
    for r in written:
        print(f"written comment: {r.score} | {r.comment}")
    assert all(r.ok and r.comment and HANGUL.search(r.comment) for r in written)
    assert (written[0].score or 0) > (written[1].score or 0)  # the horror film above the other
    good, bad = results[:4], results[4:]
    gap = statistics.fmean(r.score or 0 for r in good) - statistics.fmean(r.score or 0 for r in bad)
    lowest_good = min(r.expected_score or 0 for r in good)
    highest_bad = max(r.expected_score or 0 for r in bad)
    print(
        f"gap {gap:.2f}; lowest fitting {lowest_good}, highest other {highest_bad}; {elapsed:.0f} s"
    )
    assert gap >= 1.5
    assert statistics.fmean(r.score or 0 for r in bad) <= 3.0


def test_english_comments_and_a_record_breaking_a_rule(judge_llm: Any) -> None:
    records = [dict(BILL)]
    records.append({**records[0], "insurance_claim_amount": 265.0})  # claim > charge
    judge = PointwiseJudge(judge_llm, schema="medical_billing", language="en", concurrency=2)
    results = judge.run(records).results
    for r in results:
        print(f"record: {r.score} ({r.expected_score}) | {r.comment}")
    assert all(r.ok for r in results), [r.error for r in results]
    assert results[1].score is not None and results[1].score <= 2
    assert results[0].comment and not HANGUL.search(results[0].comment)
    assert (results[0].score or 0) > (results[1].score or 0)


def test_pairwise_agrees_across_orders_and_picks_the_fitting_answer(judge_llm: Any) -> None:
    judge = PairwiseJudge(judge_llm, criteria=CRITERIA, language="ko", concurrency=2)
    triples = [(REQUEST, FITTING[i], OTHER[i]) for i in range(2)]
    triples += [(REQUEST, OTHER[i], FITTING[i]) for i in range(2, 4)]
    expected = ["first", "first", "second", "second"]
    results = judge.run(triples).results
    for r in results:
        print(f"pairwise: in order {r.verdicts[0]}, swapped {r.verdicts[1]} -> {r.winner}")
    assert all(r.ok for r in results), [r.error for r in results]
    rate = agreement_rate(results)
    print(f"pairwise agreement rate: {rate}")
    assert rate is not None and rate >= 0.75
    kept = [(want, r.winner) for want, r in zip(expected, results, strict=True) if r.consistent]
    assert all(winner == want for want, winner in kept)
