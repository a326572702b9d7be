"""The judge on the embedded 1.5B model (the default judge), for real.

The labelled check: 8 recommendations for a horror request, 4 that fit and 4 that do not
(another genre). The default prompt must score the fitting ones higher on average, both the
judge's digit and the probability-weighted score. Numbers are printed (run with -s).
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from langsynth.chains.judge import PairwiseJudge, PointwiseJudge, agreement_rate

pytestmark = pytest.mark.integration

REQUEST = "Recommend one horror movie."
# 4 horror films and 4 films of other genres, with Korean reasons (the course exercise)
LABELLED = [
    json.loads(line)
    for line in (Path(__file__).parent / "judge_labelled.jsonl").read_text().splitlines()
]
FITTING = [{k: v for k, v in r.items() if k != "fits"} for r in LABELLED if r["fits"]]
NOT_FITTING = [{k: v for k, v in r.items() if k != "fits"} for r in LABELLED if not r["fits"]]


@pytest.fixture(scope="module")
def judge_llm() -> Iterator[Any]:
    """The default judge: the embedded 1.5B model, deterministic; its server is stopped after
    this module (unless it is an external one from LANGSYNTH_LOCAL_LARGE_URL)."""
    from langsynth.llm import get_judge_model

    llm = get_judge_model("local-large", temperature=0.0, max_tokens=320)
    yield llm
    server = getattr(llm, "_server", None)
    if server is not None:
        server.stop()


def as_pair(record: dict[str, Any]) -> tuple[str, str]:
    return REQUEST, json.dumps(record, ensure_ascii=False)


def test_default_prompt_scores_fitting_recommendations_higher(judge_llm: Any) -> None:
    # Two requests at a time: each server slot first reads the ~770-token rubric prompt, so
    # fewer busy slots means less prompt processing; later calls reuse the cached prefix.
    judge = PointwiseJudge(judge_llm, schema="movie_recommendation", language="ko", concurrency=2)
    start = time.perf_counter()
    results = judge.judge([as_pair(r) for r in FITTING + NOT_FITTING])
    elapsed = time.perf_counter() - start
    for record, r in zip(FITTING + NOT_FITTING, results, strict=True):
        print(f"{record['title']:>14}: score {r.score} expected {r.expected_score} | {r.comment}")
    assert all(r.error is None for r in results), [r.error for r in results]
    assert all(r.score is not None and 1 <= r.score <= 5 for r in results)
    assert all(r.comment and r.comment.strip() for r in results)
    good, bad = results[:4], results[4:]
    mean = statistics.fmean
    good_score, bad_score = mean(r.score or 0 for r in good), mean(r.score or 0 for r in bad)
    good_exp = mean(r.expected_score or 0 for r in good)
    bad_exp = mean(r.expected_score or 0 for r in bad)
    print(
        f"labelled check: fitting mean score {good_score:.2f} (weighted {good_exp:.2f}), "
        f"not fitting {bad_score:.2f} (weighted {bad_exp:.2f}); {elapsed:.0f} s for 8"
    )
    assert good_score > bad_score
    assert good_exp > bad_exp


def test_records_get_scores_and_comments(judge_llm: Any) -> None:
    from langsynth.schemas import load_schema

    records = load_schema("movie_recommendation").load_examples()[:2]
    judge = PointwiseJudge(judge_llm, schema="movie_recommendation", language="ko", concurrency=2)
    results = judge.judge(records)
    for r in results:
        print(f"record: score {r.score} expected {r.expected_score} | {r.comment}")
    assert all(r.error is None for r in results), [r.error for r in results]
    assert all(r.score is not None and 1 <= r.score <= 5 for r in results)
    assert all(r.expected_score is not None and 1.0 <= r.expected_score <= 5.0 for r in results)
    assert all(r.comment and r.comment.strip() for r in results)


def test_pairwise_swaps_order_and_kept_verdicts_pick_the_fitting_one(judge_llm: Any) -> None:
    judge = PairwiseJudge(judge_llm, schema="movie_recommendation", language="en", concurrency=2)
    triples = [
        (REQUEST, FITTING[0], NOT_FITTING[1]),  # fitting one first
        (REQUEST, NOT_FITTING[2], FITTING[3]),  # fitting one second
    ]
    results = judge.judge(triples)
    for r in results:
        print(f"pairwise: in order {r.verdicts[0]}, swapped {r.verdicts[1]} -> {r.winner}")
    assert all(r.error is None for r in results), [r.error for r in results]
    assert all(None not in r.verdicts and all(r.comments) for r in results)
    rate = agreement_rate(results)
    print(f"pairwise agreement rate: {rate}")
    kept = [
        (expected, r.winner)
        for expected, r in zip(("first", "second"), results, strict=True)
        if r.consistent
    ]
    assert kept, "no verdict survived the order swap"
    assert all(winner == expected for expected, winner in kept)
