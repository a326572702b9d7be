"""export_rows writes each row format so that read_rows reads it back."""

from __future__ import annotations

from pathlib import Path

from langsynth.datafile import read_rows
from langsynth.export import export_rows
from tests.unit.export_data import TITLES, movies


def test_csv_and_parquet_round_trip(tmp_path: Path) -> None:
    for suffix, fmt in ((".csv", "csv"), (".parquet", "parquet")):
        out = tmp_path / f"d{suffix}"
        export_rows(movies(4), out, fmt)
        back = read_rows(out)
        assert [r["title"] for r in back] == list(TITLES[:4])
