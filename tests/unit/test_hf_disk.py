"""read_rows reads folders written by save_to_disk: a Dataset, or a split of a DatasetDict."""

from __future__ import annotations

import sys
from pathlib import Path

import datasets
import pytest
from datasets import ClassLabel, Dataset, DatasetDict, Features, List, Value

from langsynth.datafile import read_rows
from langsynth.errors import DataFileError, MissingExtraError

FEATURES = Features(
    {
        "text": Value("string"),
        "label": ClassLabel(names=["negative", "positive"]),
        "tags": List(ClassLabel(names=["short", "long"])),
        "meta": {"source": ClassLabel(names=["web", "book"]), "pages": Value("int64")},
    }
)
ROWS = [
    {
        "text": "Loved it.",
        "label": "positive",
        "tags": ["short"],
        "meta": {"source": "web", "pages": 1},
    },
    {"text": "Dull.", "label": "negative", "tags": [], "meta": None},
    {
        "text": "A long and winding review.",
        "label": None,
        "tags": ["long", "short"],
        "meta": {"source": "book", "pages": 300},
    },
]


def saved_dict(tmp_path: Path) -> Path:
    out = tmp_path / "reviews"
    DatasetDict(
        {
            "train": Dataset.from_list(ROWS[:2], features=FEATURES),
            "test": Dataset.from_list(ROWS[2:], features=FEATURES),
        }
    ).save_to_disk(str(out))
    return out


def test_a_saved_dataset_reads_back_with_label_names(tmp_path: Path) -> None:
    out = tmp_path / "one"
    Dataset.from_list(ROWS, features=FEATURES).save_to_disk(str(out))
    assert read_rows(out) == ROWS
    assert read_rows(out, limit=1) == ROWS[:1]


def test_a_dataset_dict_reads_train_by_default_or_the_split_asked_for(tmp_path: Path) -> None:
    out = saved_dict(tmp_path)
    assert read_rows(out) == ROWS[:2]
    assert read_rows(out, split="test") == ROWS[2:]
    assert read_rows(out / "test") == ROWS[2:]  # a split's own folder is a Dataset


def test_bad_dataset_folders_and_splits_are_clear_errors(tmp_path: Path) -> None:
    out = saved_dict(tmp_path)
    with pytest.raises(DataFileError, match=r"no split 'validation'; its splits are train, test"):
        read_rows(out, split="validation")
    only_test = tmp_path / "only_test"
    DatasetDict({"test": Dataset.from_list(ROWS, features=FEATURES)}).save_to_disk(str(only_test))
    with pytest.raises(DataFileError, match=r"no split 'train'; its splits are test"):
        read_rows(only_test)
    with pytest.raises(DataFileError, match="one dataset, not a DatasetDict"):
        read_rows(out / "train", split="train")
    (tmp_path / "plain").mkdir()
    with pytest.raises(DataFileError, match="not a dataset written by save_to_disk"):
        read_rows(tmp_path / "plain")
    rows_file = tmp_path / "rows.jsonl"
    rows_file.write_text('{"a": 1}\n')
    with pytest.raises(DataFileError, match="is a file: a split"):
        read_rows(rows_file, split="train")
    (out / "test" / "state.json").write_text("{broken")
    with pytest.raises(DataFileError, match="cannot read the saved dataset"):
        read_rows(out, split="test")


def test_without_the_extra_the_error_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = saved_dict(tmp_path)
    monkeypatch.setitem(sys.modules, "datasets", None)  # import datasets -> ImportError
    with pytest.raises(MissingExtraError, match=r"pip install 'langsynth\[hf\]'"):
        read_rows(out)
    monkeypatch.setitem(sys.modules, "datasets", datasets)
    assert read_rows(out) == ROWS[:2]
