"""``langsynth report`` end to end (hand-built run directory; no model, no sockets)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from langsynth.cli import app
from tests.report_fixtures import make_run, write_jsonl

runner = CliRunner()


def test_report_of_a_run(tmp_path: Path) -> None:
    out = make_run(tmp_path, split=True)
    result = runner.invoke(app, ["report", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    written = tmp_path / "movies.report.html"
    assert written.is_file() and "wrote" in result.output
    assert "18 records" in result.output and "3 rejected" in result.output
    assert "No round-trip scores" in result.output  # what is missing is printed


def test_report_output_option_and_missing_parts(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "plain.jsonl", [{"q": "a b c d e f"}, {"q": "g h i j k l"}])
    target = tmp_path / "r" / "plain.html"
    result = runner.invoke(app, ["report", str(data), "-o", str(target)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert target.is_file()
    assert "No run manifest" in result.output and "No judge scores" in result.output


def test_report_of_nothing_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(tmp_path / "missing.csv")])
    assert result.exit_code != 0
    assert "does not exist" in str(result.exception)


def test_report_is_listed_in_help() -> None:
    result = runner.invoke(app, ["--help"])
    assert "report" in result.output
