"""The split is seeded, sized, done after dedup, and keeps duplicates on one side."""

from __future__ import annotations

from pathlib import Path

import pytest

from langsynth.datafile import read_rows
from langsynth.errors import ConfigurationError
from langsynth.export import export_rows, split_indices
from tests.unit.export_data import movies


def test_split_is_seeded_sized_and_keeps_groups_together() -> None:
    train, val = split_indices(100, train_fraction=0.9, seed=1)
    assert len(val) == 10 and len(train) == 90 and not set(train) & set(val)
    assert split_indices(100, train_fraction=0.9, seed=1) == (train, val)
    assert split_indices(100, train_fraction=0.9, seed=2) != (train, val)
    groups = [i // 4 for i in range(40)]  # groups of four
    train, val = split_indices(40, train_fraction=0.8, seed=0, groups=groups)
    for g in range(10):
        members = {i for i in range(40) if groups[i] == g}
        assert members <= set(train) or members <= set(val)


def test_a_split_of_a_few_rows_leaves_neither_side_empty(tmp_path: Path) -> None:
    assert split_indices(5, train_fraction=0.9, seed=0)[1] != []  # round(0.5) would be 0
    assert len(split_indices(2, train_fraction=0.05, seed=0)[0]) == 1
    assert split_indices(5, train_fraction=1.0, seed=0) == ([0, 1, 2, 3, 4], [])
    result = export_rows(movies(2), tmp_path / "ft.jsonl", "openai-chat", split=0.9)
    assert [n for _, _, n in result.files] == [1, 1]
    with pytest.raises(ConfigurationError, match="cannot be split"):
        export_rows(movies(1), tmp_path / "one.jsonl", "openai-chat", split=0.9)


def test_export_split_drops_duplicates_first_and_no_duplicate_crosses(tmp_path: Path) -> None:
    rows = movies(30)
    rows += [dict(rows[i], reason=rows[i]["reason"] + " Truly.") for i in range(0, 30, 3)]
    out = tmp_path / "data.jsonl"
    result = export_rows(rows, out, "jsonl", split=0.8, seed=3)
    assert result.counts["duplicates dropped at export"] == 10
    train = read_rows(tmp_path / "data.train.jsonl")
    val = read_rows(tmp_path / "data.validation.jsonl")
    assert len(train) + len(val) == 30 and len(val) == 6
    assert "score" not in train[0]  # bookkeeping columns left out by default

    # Keeping the duplicates: each stays on its original's side.
    export_rows(rows, out, "jsonl", split=0.8, seed=3, drop_duplicates=False)
    train = read_rows(tmp_path / "data.train.jsonl")
    val = read_rows(tmp_path / "data.validation.jsonl")
    assert len(train) + len(val) == 40
    side = {r["title"]: "train" for r in train}
    for r in val:
        assert side.get(r["title"]) != "train", f"{r['title']} crosses the split"
