"""The dataset card of an hf export is what the Hub reads, and push_to_hub uploads the folder
through the Hub client, with the token from HF_TOKEN only (a fake client: no network)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets
import pytest
from huggingface_hub import DatasetCard

from langsynth.datafile import read_rows
from langsynth.errors import HubError
from langsynth.export import CardMetadata, export_rows, push_to_hub
from langsynth.export.hub import guess_languages, size_category
from tests.unit.export_data import movies

TOKEN = "hf_test_token_never_shown"


def test_the_readme_is_a_dataset_card_the_hub_and_load_dataset_read(tmp_path: Path) -> None:
    out = tmp_path / "movies"
    export_rows(movies(20), out, "hf", split=0.8, schema="movie_recommendation")
    card = DatasetCard.load(out / "README.md")
    data = card.data.to_dict()
    assert data["license"] == "unknown"
    assert data["language"] == ["en"]
    assert data["size_categories"] == ["n<1K"]
    assert data["task_categories"] == ["text-generation"]  # the reason is long text
    assert data["pretty_name"].startswith("Movie recommendations")
    assert data["configs"] == [
        {
            "config_name": "default",
            "data_files": [
                {"split": "train", "path": "train/*.arrow"},
                {"split": "validation", "path": "validation/*.arrow"},
            ],
        }
    ]
    info = data["dataset_info"]
    assert [f["name"] for f in info["features"]] == ["title", "year", "genre", "reason"]
    assert [(s["name"], s["num_examples"]) for s in info["splits"]] == [
        ("train", 16),
        ("validation", 4),
    ]
    assert all(s["num_bytes"] > 0 for s in info["splits"])
    assert "# Data card: movies" in card.text and "| train | 16 |" in card.text
    assert "| `train` | train | 16 |" in card.text  # splits named relative to the README

    # The Hub's loader follows the configs: the same rows as save_to_disk's reader.
    loaded = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "cache"))
    assert {name: len(split) for name, split in loaded.items()} == {"train": 16, "validation": 4}
    assert loaded["validation"].to_list() == read_rows(out, split="validation")


def test_card_metadata_can_be_given_and_labels_make_a_classification_set(tmp_path: Path) -> None:
    rows = [
        {"text": f"Review number {i}: the product was {'great' if i % 2 else 'poor'} to use.",
         "label": "positive" if i % 2 else "negative"}
        for i in range(6)
    ]  # fmt: skip
    out = tmp_path / "reviews"
    export_rows(rows, out, "hf", schema="labeled_text")
    assert DatasetCard.load(out / "README.md").data.task_categories == ["text-classification"]
    given = CardMetadata(
        license="cc-by-4.0", languages=["fr"], task_categories=["other"], pretty_name="Avis"
    )
    export_rows(rows, out, "hf", card_metadata=given)
    data = DatasetCard.load(out / "README.md").data
    assert (data.license, data.language, data.task_categories, data.pretty_name) == (
        "cc-by-4.0",
        ["fr"],
        ["other"],
        "Avis",
    )


def test_languages_from_scripts_and_size_categories() -> None:
    assert guess_languages([{"title": "Alien", "comment": "무서운 우주 영화입니다"}]) == [
        "en",
        "ko",
    ]
    assert guess_languages([{"t": "東京の映画です"}]) == ["ja"]
    assert guess_languages([{"t": "这是一部电影"}]) == ["zh"]
    assert guess_languages([{"n": 3, "tags": ["Привет мир"]}]) == ["ru"]
    assert guess_languages([{"n": 3}]) == []
    assert [size_category(n) for n in (0, 999, 1000, 54_321, 2_000_000)] == [
        "n<1K",
        "n<1K",
        "1K<n<10K",
        "10K<n<100K",
        "1M<n<10M",
    ]


class FakeHubApi:
    """Records what push_to_hub asks the Hub client to do."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.fail = fail

    def create_repo(self, repo_id: str, **kwargs: Any) -> str:
        self.calls.append(("create_repo", {"repo_id": repo_id, **kwargs}))
        return f"https://huggingface.co/datasets/me/{repo_id.split('/')[-1]}"

    def upload_folder(self, **kwargs: Any) -> str:
        if self.fail is not None:
            raise self.fail
        self.calls.append(("upload_folder", kwargs))
        return "https://huggingface.co/datasets/me/movies/commit/abc"


@pytest.fixture
def hf_token(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    return TOKEN


def test_export_pushes_the_folder_with_the_token_from_hf_token(
    tmp_path: Path, hf_token: str
) -> None:
    api = FakeHubApi()
    out = tmp_path / "movies"
    result = export_rows(
        movies(10), out, "hf", split=0.8, push_to_hub="me/movies", private=True, hub_api=api
    )
    assert result.hub_url == "https://huggingface.co/datasets/me/movies"
    assert api.calls == [
        (
            "create_repo",
            {
                "repo_id": "me/movies",
                "repo_type": "dataset",
                "private": True,
                "exist_ok": True,
                "token": TOKEN,
            },
        ),
        (
            "upload_folder",
            {
                "repo_id": "me/movies",
                "folder_path": str(out),
                "repo_type": "dataset",
                "commit_message": "Upload dataset made with langsynth 0.1.0",
                "token": TOKEN,
            },
        ),
    ]


def test_pushing_refuses_what_it_cannot_upload(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hf_token: str
) -> None:
    out = tmp_path / "movies"
    export_rows(movies(10), out, "hf")
    with pytest.raises(HubError, match="not a Hub repo id"):
        push_to_hub(out, "not a repo", api=FakeHubApi())
    with pytest.raises(HubError, match="not a folder written by `langsynth export --format hf`"):
        push_to_hub(tmp_path, "me/movies", api=FakeHubApi())
    # The Hub client's HTTP errors are OSErrors (HfHubHTTPError, OfflineModeIsEnabled).
    refused = FakeHubApi(fail=ConnectionError(f"403 Forbidden for token {TOKEN}"))
    with pytest.raises(HubError, match="failed: 403 Forbidden") as caught:
        push_to_hub(out, "me/movies", api=refused)
    assert TOKEN not in str(caught.value)
    monkeypatch.delenv("HF_TOKEN")
    with pytest.raises(HubError, match="set HF_TOKEN"):
        push_to_hub(out, "me/movies", api=FakeHubApi())
    (tmp_path / ".env").write_text(f"HF_TOKEN={TOKEN}\n")
    api = FakeHubApi()
    push_to_hub(out, "me/movies", api=api)
    assert api.calls[0][1]["token"] == TOKEN


def test_the_real_client_is_offline_in_tests(tmp_path: Path, hf_token: str) -> None:
    out = tmp_path / "movies"
    export_rows(movies(10), out, "hf")
    with pytest.raises(HubError, match="failed"):
        push_to_hub(out, "me/movies")  # HfApi with HF_HUB_OFFLINE=1: refused, no request


def test_push_needs_the_hf_format(tmp_path: Path) -> None:
    from langsynth.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="needs --format hf"):
        export_rows(movies(3), tmp_path / "m.jsonl", "jsonl", push_to_hub="me/movies")
