"""``langsynth export --format hf`` and ``langsynth push-to-hub``: parsing and printing (the
Hub client is a fake; the token is never printed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import pytest
from typer.testing import CliRunner

from langsynth.cli import app
from langsynth.datafile import read_rows, write_rows
from tests.unit.export_data import movies

runner = CliRunner()
TOKEN = "hf_cli_token_never_printed"


class FakeHfApi:
    instances: ClassVar[list[FakeHfApi]] = []

    def __init__(self, **kwargs: Any) -> None:
        self.init = kwargs
        self.calls: list[str] = []
        FakeHfApi.instances.append(self)

    def create_repo(self, repo_id: str, **kwargs: Any) -> str:
        self.calls.append(f"create_repo {repo_id} private={kwargs['private']}")
        return f"https://huggingface.co/datasets/{repo_id}"

    def upload_folder(self, **kwargs: Any) -> None:
        self.calls.append(f"upload_folder {Path(kwargs['folder_path']).name}")


@pytest.fixture
def fake_hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> type[FakeHfApi]:
    import huggingface_hub

    FakeHfApi.instances = []
    monkeypatch.setattr(huggingface_hub, "HfApi", FakeHfApi)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.chdir(tmp_path)
    return FakeHfApi


def test_export_hf_writes_a_dataset_folder_that_every_input_reads(tmp_path: Path) -> None:
    src = tmp_path / "movies.jsonl"
    write_rows(src, movies(20))
    out = tmp_path / "hf" / "movies"
    result = runner.invoke(
        app,
        ["export", str(src), "-f", "hf", "-o", str(out), "--split", "0.8",
         "--schema", "movie_recommendation", "--license", "cc-by-4.0", "--language", "en"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "validation" in result.output and "data card" in result.output
    assert "license: cc-by-4.0" in (out / "README.md").read_text()
    # A command that reads --input takes the folder, and --split picks the split.
    inspected = runner.invoke(app, ["inspect", str(out), "--split", "validation", "--json"])
    assert inspected.exit_code == 0, inspected.output
    assert json.loads(inspected.output)["rows"] == 4
    missing = runner.invoke(app, ["inspect", str(out), "--split", "test"])
    assert missing.exit_code != 0
    assert "its splits are train, validation" in str(missing.exception)
    deduped = tmp_path / "deduped.jsonl"
    done = runner.invoke(app, ["dedup", "-i", str(out), "-o", str(deduped)])
    assert done.exit_code == 0, done.output
    assert len(read_rows(deduped)) == 16  # train by default


def test_push_to_hub_uploads_and_never_prints_the_token(
    tmp_path: Path, fake_hub: type[FakeHfApi]
) -> None:
    src = tmp_path / "movies.jsonl"
    write_rows(src, movies(10))
    out = tmp_path / "movies_hf"
    exported = runner.invoke(
        app, ["export", str(src), "-f", "hf", "-o", str(out), "--push-to-hub", "me/movies"]
    )
    assert exported.exit_code == 0, exported.output
    assert "pushed to https://huggingface.co/datasets/me/movies" in exported.output
    pushed = runner.invoke(app, ["push-to-hub", "me/movies", "-i", str(out), "--private"])
    assert pushed.exit_code == 0, pushed.output
    assert f"pushed {out} to https://huggingface.co/datasets/me/movies" in pushed.output
    assert [api.calls for api in fake_hub.instances] == [
        ["create_repo me/movies private=False", "upload_folder movies_hf"],
        ["create_repo me/movies private=True", "upload_folder movies_hf"],
    ]
    assert fake_hub.instances[0].init["token"] == TOKEN  # from HF_TOKEN
    assert TOKEN not in exported.output + pushed.output


def test_push_to_hub_without_a_token_says_what_to_set(
    tmp_path: Path, fake_hub: type[FakeHfApi], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "movies_hf"
    src = tmp_path / "movies.jsonl"
    write_rows(src, movies(5))
    assert runner.invoke(app, ["export", str(src), "-f", "hf", "-o", str(out)]).exit_code == 0
    monkeypatch.delenv("HF_TOKEN")
    result = runner.invoke(app, ["push-to-hub", "me/movies", "-i", str(out)])
    assert result.exit_code != 0 and "set HF_TOKEN" in str(result.exception)
    assert fake_hub.instances == []
