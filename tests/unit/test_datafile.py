from __future__ import annotations

from pathlib import Path

import pytest

from langsynth.datafile import CsvAppender, JsonlAppender, file_format, read_rows, write_rows
from langsynth.errors import DataFileError

ROWS = [
    {"Actor": "Tom Hanks", "Film": ["Big", "Splash"], "score": 4.5, "note": None},
    {"Actor": "Ana", "Film": ["Quiet Harbor"], "score": 3.0, "note": "한국어 ok"},
]


@pytest.mark.parametrize("suffix", [".jsonl", ".json", ".csv", ".parquet"])
def test_round_trip_every_format(tmp_path: Path, suffix: str) -> None:
    path = write_rows(tmp_path / f"rows{suffix}", ROWS)
    back = read_rows(path)
    assert [r["Actor"] for r in back] == ["Tom Hanks", "Ana"]
    assert back[0]["Film"] == ["Big", "Splash"]
    assert back[1]["note"] == "한국어 ok"
    assert back[0]["note"] is None
    assert float(back[0]["score"]) == 4.5
    assert list(tmp_path.glob("*.tmp")) == []


def test_bad_jsonl_line_names_file_and_line(tmp_path: Path) -> None:
    p = tmp_path / "bad.jsonl"
    p.write_text('{"a": 1}\n\n{"a": 2,}\n')
    with pytest.raises(DataFileError, match=r"bad.jsonl, line 3: not valid JSON"):
        read_rows(p)


def test_non_object_line(tmp_path: Path) -> None:
    p = tmp_path / "bad.jsonl"
    p.write_text('{"a": 1}\n[1, 2]\n')
    with pytest.raises(DataFileError, match="line 2: expected a JSON object"):
        read_rows(p)


def test_missing_file_and_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="does not exist"):
        read_rows(tmp_path / "nope.jsonl")
    with pytest.raises(DataFileError, match="unsupported file type"):
        file_format("data.xlsx")


def test_limit(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "r.jsonl", [{"i": i} for i in range(10)])
    assert [r["i"] for r in read_rows(path, limit=3)] == [0, 1, 2]


def test_appenders_write_each_row_immediately(tmp_path: Path) -> None:
    jl = JsonlAppender(tmp_path / "a.jsonl")
    jl.write(ROWS[0])
    assert read_rows(tmp_path / "a.jsonl") == [ROWS[0]]  # visible before close
    jl.close()
    with CsvAppender(tmp_path / "a.csv", ["Actor", "Film"]) as c:
        c.write(ROWS[0])
        assert read_rows(tmp_path / "a.csv") == [{"Actor": "Tom Hanks", "Film": ["Big", "Splash"]}]
    with CsvAppender(tmp_path / "a.csv", ["Actor", "Film"]) as c:  # appending keeps one header
        c.write(ROWS[1])
    assert [r["Actor"] for r in read_rows(tmp_path / "a.csv")] == ["Tom Hanks", "Ana"]
