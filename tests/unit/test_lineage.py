"""Lineage: the generator's manifest and each quality step travel with the data files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from langsynth.errors import DataFileError
from langsynth.lineage import last_step, read_lineage, record_step, steps_path


def test_a_generated_file_starts_its_lineage_from_the_run_manifest(tmp_path: Path) -> None:
    data = tmp_path / "movies.jsonl"
    data.write_text("{}\n")
    run = tmp_path / "movies.jsonl.run"
    run.mkdir()
    (run / "manifest.json").write_text(json.dumps({"schema": "movie_recommendation"}))
    assert read_lineage(data) == {"generation": {"schema": "movie_recommendation"}, "steps": []}

    dedup_out = tmp_path / "dedup.jsonl"
    record_step(dedup_out, data, "dedup", {"duplicates": 2})
    filter_out = tmp_path / "clean.jsonl"
    record_step(filter_out, dedup_out, "filter", {"removed": 1})
    lineage = read_lineage(filter_out)
    assert lineage["generation"] == {"schema": "movie_recommendation"}
    assert [s["step"] for s in lineage["steps"]] == ["dedup", "filter"]
    assert lineage["steps"][0]["input"] == str(data)
    assert last_step(lineage, "dedup") == lineage["steps"][0]
    assert last_step(lineage, "judge") is None
    assert steps_path(filter_out).name == "clean.jsonl.steps.json"


def test_a_file_without_history_has_an_empty_lineage_and_damage_is_reported(
    tmp_path: Path,
) -> None:
    data = tmp_path / "plain.csv"
    assert read_lineage(data) == {"generation": None, "steps": []}
    steps_path(data).write_text("{not json")
    with pytest.raises(DataFileError, match="damaged lineage"):
        read_lineage(data)


def test_a_run_over_a_generated_file_carries_the_generation_and_adds_its_step(
    tmp_path: Path,
) -> None:
    from langsynth.chains.generator import RecordGenerator
    from langsynth.chains.text import DatasetGenerator
    from langsynth.lineage import read_lineage
    from tests.fakes import FakeChatModel

    actors = [{"Actor": f"Actor {c}", "Film": [f"Film {c}"]} for c in "AB"]
    records = tmp_path / "actors.jsonl"
    RecordGenerator("actor_filmography", FakeChatModel(answers=actors), examples=[]).generate(
        2, output=records
    )
    texts = tmp_path / "texts.jsonl"
    writer = FakeChatModel(answers=["Actor A starred in Film A.", "Actor B starred in Film B."])
    DatasetGenerator(writer, concurrency=1).run(records, output=texts)
    lineage = read_lineage(texts)
    assert lineage["generation"]["job"] == "generate"
    assert lineage["generation"]["counts"]["accepted"] == 2
    (step,) = lineage["steps"]
    assert step["step"] == "text" and step["input"] == str(records)
    assert step["rows"] == 2 and step["verified"] == 2  # text_summary of the output
    assert read_lineage(records)["steps"] == []
