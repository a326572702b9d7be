"""What ``langsynth report`` reads: run directories (both journal layouts), data files, splits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from langsynth.datafile import write_rows
from langsynth.errors import DataFileError
from langsynth.report.source import load_source, split_paths
from tests.report_fixtures import REJECTIONS, make_run, movie_rows, write_jsonl


def test_output_file_with_run_directory(tmp_path: Path) -> None:
    out = make_run(tmp_path, split=True)
    src = load_source(out)
    assert src.data_file == out and src.run_dir == tmp_path / "movies.jsonl.run"
    assert src.rows == movie_rows() and src.rows_from == out
    assert src.manifest is not None and src.manifest["model"] == "openai:gpt-4o-mini"
    assert src.rejections is not None
    assert [r["i"] for r in src.rejections] == [3, 7, 11]
    assert src.rejections[1]["raw_output"] == REJECTIONS[1]["raw_output"]
    assert [(p.role, len(p.rows)) for p in src.parts] == [("train", 14), ("validation", 4)]
    assert src.card == tmp_path / "movies.card.md"
    assert src.notes == [] and src.remarks == []


def test_run_directory_without_output_reads_the_journal(tmp_path: Path) -> None:
    make_run(tmp_path, output=False)
    src = load_source(tmp_path / "movies.jsonl.run")
    assert src.data_file is None
    assert src.rows == movie_rows()
    assert src.rows_from == tmp_path / "movies.jsonl.run" / "journal.jsonl"
    assert any("is not there (yet)" in n for n in src.remarks)
    # The output path of a run still in progress works as well.
    assert load_source(tmp_path / "movies.jsonl").rows == movie_rows()


def test_journal_keeps_the_last_entry_per_index_in_index_order(tmp_path: Path) -> None:
    run = tmp_path / "x.jsonl.run"
    write_jsonl(
        run / "journal.jsonl",
        [{"i": 2, "row": {"t": "c"}}, {"i": 0, "row": {"t": "a"}}, {"i": 2, "row": {"t": "C"}}],
    )
    assert load_source(run).rows == [{"t": "a"}, {"t": "C"}]


def test_first_engine_layout(tmp_path: Path) -> None:
    """records.jsonl (plain records), rejections with attempt/reason/raw, totals in the manifest."""
    run = tmp_path / "bills.csv.run"
    write_jsonl(run / "records.jsonl", [{"a": 1}, {"a": 2}])
    write_jsonl(
        run / "rejected.jsonl",
        [{"attempt": 4, "reason": "bad year", "raw": "{oops", "hints": {}, "kind": "invalid"}],
    )
    (run / "manifest.json").write_text(json.dumps({"schema": "x", "totals": {"valid": 2}}))
    src = load_source(run)
    assert src.rows == [{"a": 1}, {"a": 2}]
    assert src.rejections == [
        {"i": 4, "kind": "invalid", "error": "bad year", "raw_output": "{oops", "hints": {}}
    ]
    assert src.manifest == {"schema": "x", "totals": {"valid": 2}}


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".json", ".jsonl"])
def test_plain_data_files(tmp_path: Path, suffix: str) -> None:
    path = write_rows(tmp_path / f"plain{suffix}", [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}])
    src = load_source(path)
    expected = ["1", "2"] if suffix == ".csv" else [1, 2]  # CSV cells are read as text
    assert [r["a"] for r in src.rows] == expected
    assert src.run_dir is None and src.manifest is None and src.rejections is None
    assert src.parts == [] and src.card is None


def test_split_files_alone(tmp_path: Path) -> None:
    base = tmp_path / "ft.jsonl"
    paths = split_paths(base)
    write_jsonl(paths["train"], [{"q": "a"}, {"q": "b"}])
    write_jsonl(paths["validation"], [{"q": "c"}])
    src = load_source(base)  # the name given to export; it wrote only the parts
    assert src.rows == [
        {"q": "a", "split": "train"},
        {"q": "b", "split": "train"},
        {"q": "c", "split": "validation"},
    ]
    # Pointing at one part finds its sibling.
    part = load_source(paths["validation"])
    assert part.rows == [{"q": "c"}]
    assert [p.role for p in part.parts] == ["train", "validation"]


def test_damaged_manifest_is_a_note(tmp_path: Path) -> None:
    out = make_run(tmp_path)
    (tmp_path / "movies.jsonl.run" / "manifest.json").write_text("{not json")
    src = load_source(out)
    assert src.manifest is None
    assert [n for n in src.notes if "manifest cannot be read" in n]
    assert len(src.notes) == 1


def test_what_is_not_a_source(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="does not exist"):
        load_source(tmp_path / "missing.jsonl")
    (tmp_path / "folder").mkdir()
    with pytest.raises(DataFileError, match="not a run directory"):
        load_source(tmp_path / "folder")
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(DataFileError, match="not a data file"):
        load_source(tmp_path / "notes.txt")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"a": 1}\n[1]\n')
    with pytest.raises(DataFileError, match="line 2"):
        load_source(bad)


def test_quality_step_output_finds_the_generating_run(tmp_path: Path) -> None:
    """A judged file has no run directory; its lineage leads to the generator's."""
    from langsynth.lineage import record_step

    out = make_run(tmp_path)
    judged = write_jsonl(tmp_path / "movies.judged.jsonl", movie_rows())
    record_step(judged, out, "judge", {"judged": 18})
    src = load_source(judged)
    assert src.run_dir is None
    assert src.manifest is not None and src.manifest["model"] == "openai:gpt-4o-mini"
    assert src.rejections is not None and [r["i"] for r in src.rejections] == [3, 7, 11]
    assert [s["step"] for s in src.lineage["steps"]] == ["judge"]
    assert any("generating run" in r for r in src.remarks) and src.notes == []
