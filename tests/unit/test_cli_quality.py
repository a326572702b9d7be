"""``langsynth judge/dedup/filter/inspect/export`` end to end (a fake judge; no sockets)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import BaseMessage
from typer.testing import CliRunner

from langsynth.cli import app
from langsynth.datafile import read_rows, write_rows
from langsynth.judge.writing import WRITER_SYSTEM
from langsynth.lineage import read_lineage
from langsynth.runs import read_manifest
from langsynth.schemas import load_schema
from tests.fakes import FakeChatModel, yes_no_reply

runner = CliRunner()

REASONS = [
    "A crew in deep space meets a creature that hunts them one by one in the dark corridors.",
    "Two driven men on opposite sides of the law circle each other across a restless city.",
    "An old widower ties thousands of balloons to his house and floats away to find a dream.",
    "A crew in deep space meets a creature that hunts them one by one in the dark hallways.",
    "A young chef rat in Paris secretly cooks for a famous restaurant with a clumsy friend.",
]


def movie_rows() -> list[dict[str, Any]]:
    titles = ["Alien", "Heat", "Up", "Alien 2", "Ratatouille"]
    genres = ["horror", "crime", "animation", "horror", "animation"]
    return [
        {"title": t, "year": 1980 + i, "genre": g, "reason": r}
        for i, (t, g, r) in enumerate(zip(titles, genres, REASONS, strict=True))
    ]


def movie_variants() -> list[dict[str, Any]]:
    """Three variants of each movie: titles "Alien 0", "Alien 1", ...; reasons + "Variant k"."""
    return [
        dict(r, title=f"{r['title']} {k}", reason=f"{r['reason']} Variant {k}.")
        for k in range(3)
        for r in movie_rows()
    ]


def invoke(*args: str) -> Any:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return result


def test_dedup_writes_kept_rows_marks_and_lineage(tmp_path: Path) -> None:
    src = tmp_path / "movies.jsonl"
    write_rows(src, movie_rows())
    out, marked, report = tmp_path / "d.jsonl", tmp_path / "m.jsonl", tmp_path / "r.json"
    result = invoke(
        "dedup",
        "-i",
        str(src),
        "-o",
        str(out),
        "--marked",
        str(marked),
        "--report",
        str(report),
        "--schema",
        "movie_recommendation",
    )
    assert result.exit_code == 0, result.output
    assert [r["title"] for r in read_rows(out)] == ["Alien", "Heat", "Up", "Ratatouille"]
    marks = [r["duplicate_of"] for r in read_rows(marked)]
    assert marks == [None, None, None, 0, None]
    assert json.loads(report.read_text())["clusters"][0]["duplicates"] == [3]
    step = read_lineage(out)["steps"][-1]
    assert step["step"] == "dedup" and step["duplicates"] == 1
    assert "Duplicate clusters" in result.output


def test_dedup_rejects_unknown_columns(tmp_path: Path) -> None:
    src = tmp_path / "movies.jsonl"
    write_rows(src, movie_rows())
    result = runner.invoke(
        app, ["dedup", "-i", str(src), "-o", str(tmp_path / "o.jsonl"), "--fields", "plot"]
    )
    assert result.exit_code != 0
    assert "no column(s) plot" in str(result.exception)


def test_filter_scrubs_pii_and_writes_rejected_rows(tmp_path: Path) -> None:
    rows = movie_rows()
    rows[1]["reason"] = "Call 010-1234-5678 to hear why two men circle each other in a city."
    rows[2]["reason"] = "Great."
    src = tmp_path / "movies.csv"
    write_rows(src, rows)
    out = tmp_path / "clean.csv"
    result = invoke("filter", "-i", str(src), "-o", str(out), "--scrub-pii")
    assert result.exit_code == 0, result.output
    kept = read_rows(out)
    assert [r["title"] for r in kept] == ["Alien", "Heat", "Alien 2", "Ratatouille"]
    assert kept[1]["reason"].startswith("Call [PHONE] to hear")
    rejected = read_rows(tmp_path / "clean.rejected.csv")
    assert rejected[0]["filter_reason"].startswith("too short")


def test_inspect_prints_json_and_writes_a_plot(tmp_path: Path) -> None:
    src = tmp_path / "movies.parquet"
    write_rows(src, [dict(r, score=1 + i) for i, r in enumerate(movie_rows())])
    png = tmp_path / "inspect.png"
    result = invoke("inspect", str(src), "--plot", str(png), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["rows"] == 5 and report["scores"]["mean"] == 3.0
    assert png.stat().st_size > 5_000
    table = invoke("inspect", str(src))
    assert "Diversity of reason" in table.output and "Judge scores" in table.output


def test_export_openai_chat_with_split_and_card(tmp_path: Path) -> None:
    src = tmp_path / "movies.jsonl"
    rows = movie_variants()
    write_rows(src, rows)
    out = tmp_path / "ft" / "movies.jsonl"
    result = invoke(
        "export",
        str(src),
        "--format",
        "openai-chat",
        "-o",
        str(out),
        "--split",
        "0.8",
        "--schema",
        "movie_recommendation",
        "--threshold",
        "0.95",
    )
    assert result.exit_code == 0, result.output
    train = (tmp_path / "ft" / "movies.train.jsonl").read_text().splitlines()
    val = (tmp_path / "ft" / "movies.validation.jsonl").read_text().splitlines()
    # "Ratatouille 1" and "Ratatouille 2" are fuzzy duplicates of "Ratatouille 0" (ratio 92.3).
    assert len(train) + len(val) == 13 and len(val) == 3
    assert json.loads(train[0])["messages"][1]["content"].startswith("Recommend one ")
    assert (tmp_path / "ft" / "movies.card.md").is_file()


@pytest.mark.parametrize("threshold", [None, "0.95"])
def test_export_drops_the_duplicates_dedup_finds(tmp_path: Path, threshold: str | None) -> None:
    src = tmp_path / "movies.jsonl"
    rows = movie_variants()
    write_rows(src, rows)
    extra = ["--threshold", threshold] if threshold else []
    schema = ["--schema", "movie_recommendation"]
    deduped = invoke("dedup", "-i", str(src), "-o", str(tmp_path / "d.jsonl"), *schema, *extra)
    assert deduped.exit_code == 0, deduped.output
    exported = invoke(
        "export", str(src), "-f", "jsonl", "-o", str(tmp_path / "e.jsonl"), *schema, *extra
    )
    assert exported.exit_code == 0, exported.output
    kept = [r["title"] for r in read_rows(tmp_path / "d.jsonl")]
    assert [r["title"] for r in read_rows(tmp_path / "e.jsonl")] == kept
    assert len(kept) < len(rows)  # the two commands agree on a set that has duplicates


@pytest.fixture
def fake_judge(monkeypatch: pytest.MonkeyPatch) -> list[FakeChatModel]:
    models: list[FakeChatModel] = []

    def fake_get_judge_model(spec: str | None = None, **kwargs: Any) -> FakeChatModel:
        return models.pop(0)

    monkeypatch.setattr("langsynth.llm.get_judge_model", fake_get_judge_model)
    return models


def by_title(messages: list[BaseMessage]) -> Any:
    """The checklist judge's calls: questions, then yes (0.95) for the Alien films (the
    horror rows) and no (0.1) otherwise, then a Korean comment."""
    text = str(messages[-1].content)
    if str(messages[0].content) == WRITER_SYSTEM:
        return "Is the movie a horror film?"
    if "QUESTION" in text:
        response = text.split("RESPONSE:", 1)[1]
        return yes_no_reply(0.95 if "Alien" in response else 0.1)
    return "짧은 평가"


def test_judge_adds_columns_in_input_order_and_writes_kept_rows(
    fake_judge: list[FakeChatModel], tmp_path: Path
) -> None:
    fake_judge.append(FakeChatModel(answers=[by_title], cycle=True))
    src = tmp_path / "movies.jsonl"
    write_rows(src, movie_rows())
    out = tmp_path / "judged.jsonl"
    result = invoke(
        "judge",
        "-i",
        str(src),
        "-o",
        str(out),
        "--schema",
        "movie_recommendation",
        "--min-score",
        "4",
        "--concurrency",
        "3",
    )
    assert result.exit_code == 0, result.output
    judged = read_rows(out)
    assert [r["title"] for r in judged] == [r["title"] for r in movie_rows()]
    assert [r["score"] for r in judged] == [5, 1, 1, 5, 1]
    assert all(r["comment"] == "짧은 평가" for r in judged)
    kept = read_rows(tmp_path / "judged.kept.jsonl")
    assert [r["title"] for r in kept] == ["Alien", "Alien 2"]
    step = read_lineage(tmp_path / "judged.kept.jsonl")["steps"][-1]
    assert step["step"] == "judge" and step["min_score"] == 4
    assert step["distribution"] == {"1": 3, "2": 0, "3": 0, "4": 0, "5": 2}  # JSON keys
    manifest = read_manifest(out)
    assert manifest is not None and manifest["job"] == "judge"
    assert manifest["params"]["criteria"] == list(
        load_schema("movie_recommendation").judge_criteria
    )


def test_judge_resumes_after_a_dead_server_and_refuses_to_clobber(
    fake_judge: list[FakeChatModel], tmp_path: Path
) -> None:
    import httpx
    import openai

    src = tmp_path / "movies.jsonl"
    write_rows(src, movie_rows())
    out = tmp_path / "judged.jsonl"

    def dies_at_up(messages: list[BaseMessage]) -> Any:
        if "balloons" in str(messages[-1].content):
            raise openai.APIConnectionError(request=httpx.Request("POST", "http://127.0.0.1:9"))
        return by_title(messages)

    fake_judge.append(FakeChatModel(answers=[dies_at_up], cycle=True))
    args = ["judge", "-i", str(src), "-o", str(out), "--schema", "movie_recommendation"]
    failed = runner.invoke(app, [*args, "--concurrency", "1"])
    assert failed.exit_code != 0
    assert "--resume" in str(failed.exception) and "stopped answering" in str(failed.exception)
    assert [r["title"] for r in read_rows(out)] == ["Alien", "Heat"]
    refused = runner.invoke(app, args)
    assert refused.exit_code != 0 and "--resume" in str(refused.exception)
    fake = FakeChatModel(answers=[by_title], cycle=True)
    fake_judge.append(fake)
    result = invoke(*args, "--resume")
    assert result.exit_code == 0, result.output
    judged = read_rows(out)
    assert [r["title"] for r in judged] == [r["title"] for r in movie_rows()]
    assert [r["score"] for r in judged] == [5, 1, 1, 5, 1]
    checked = [str(m[-1].content) for m in fake.calls if "QUESTION" in str(m[-1].content)]
    assert checked and not any("dark corridors" in t or "restless city" in t for t in checked)


def test_judge_warns_when_the_generator_judges_itself(
    fake_judge: list[FakeChatModel], tmp_path: Path
) -> None:
    fake_judge.append(FakeChatModel(answers=[by_title], cycle=True))
    src = tmp_path / "movies.jsonl"
    write_rows(src, movie_rows()[:1])
    result = invoke(
        "judge",
        "-i",
        str(src),
        "-o",
        str(tmp_path / "j.jsonl"),
        "--generator-model",
        "FakeChatModel",
    )
    assert result.exit_code == 0
    assert "self-judging is biased" in result.output


def test_judge_pairwise_reports_agreement(fake_judge: list[FakeChatModel], tmp_path: Path) -> None:
    def first_slot(messages: list[BaseMessage]) -> Any:
        if str(messages[0].content) == WRITER_SYSTEM:
            return "Is it a horror film?"
        text = str(messages[-1].content)
        return yes_no_reply(0.9 if "QUESTION about RESPONSE A" in text else 0.1)

    fake_judge.append(FakeChatModel(answers=[first_slot], cycle=True))
    src = tmp_path / "movies.jsonl"
    write_rows(src, movie_rows()[:4])
    out = tmp_path / "pairs.jsonl"
    result = invoke(
        "judge",
        "-i",
        str(src),
        "-o",
        str(out),
        "--pairwise",
        "--pairwise-mode",
        "together",
        "--schema",
        "movie_recommendation",
    )
    assert result.exit_code == 0, result.output
    rows = read_rows(out)
    assert len(rows) == 2
    assert all(r["consistent"] is False and r["winner"] is None for r in rows)
    assert rows[0]["request"] == "Recommend one horror movie."
    assert "agreement rate" in result.output
