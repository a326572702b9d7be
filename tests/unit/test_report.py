"""``build_report`` / ``make_report``: each section's content, what is missing, self-containment."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from langsynth.pools import ChoicePool
from langsynth.report import build_report, default_report_path, make_report
from langsynth.report import run as run_module
from langsynth.schemas import load_schema
from tests.report_fixtures import make_run, movie_rows, roundtrip_rows, write_jsonl


class _Page(HTMLParser):
    """Collects what a page would load and the ids it defines."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.ids: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "action", "data") and value:
                self.refs.append((tag, name, value))
            if name == "id" and value:
                self.ids.append(value)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def section(html: str, ident: str) -> str:
    match = re.search(rf'<section id="{ident}">(.*?)</section>', html, re.DOTALL)
    assert match, f"no section {ident}"
    return match.group(1)


def test_report_is_one_self_contained_file(tmp_path: Path) -> None:
    out = build_report(make_run(tmp_path, split=True))
    assert out == tmp_path / "movies.report.html"
    html = out.read_text(encoding="utf-8")
    page = parse(html)
    # Every reference stays inside the page: no stylesheet, script, image or font from elsewhere.
    assert all(value.startswith("#") for _, _, value in page.refs), page.refs
    assert "link" not in page.tags and "img" not in page.tags
    assert "@import" not in html and not re.search(r"url\((?!#)", html)
    assert "<script src" not in html
    # Many SVGs share the page: their ids must not collide.
    assert len(page.ids) == len(set(page.ids))
    assert html.count('<svg role="img"') >= 5


def test_run_section_shows_model_prompt_tokens_and_cost(tmp_path: Path) -> None:
    html = make_report(make_run(tmp_path)).html
    run = section(html, "run")
    assert "openai:gpt-4o-mini" in run
    assert "Recommend exactly one movie for: {request}" in run
    assert ">41000<" in run and ">12000<" in run and ">2450<" in run
    # No cost_usd in the manifest: priced from the table. gpt-4o-mini, $/1M: 29k uncached
    # input * 0.15 + 12k cached * 0.075 + 2450 output * 0.60 = $0.006720.
    assert "0.006720" in run
    assert ">37.5<" in run


def test_run_cost_from_the_manifest_and_unknown_prices(tmp_path: Path) -> None:
    html = make_report(make_run(tmp_path / "a", cost_usd=1.25)).html
    assert ">1.25<" in section(html, "run")
    html = make_report(make_run(tmp_path / "b", model="openai-compatible:my-llama")).html
    assert "no price known for openai-compatible:my-llama" in section(html, "run")


def test_first_engine_manifest_totals(tmp_path: Path) -> None:
    run = tmp_path / "bills.csv.run"
    write_jsonl(run / "records.jsonl", [{"a": "x"}, {"a": "y"}])
    manifest = {
        "schema": "medical_billing",
        "model": "local",
        "requested": 2,
        "params": {"temperature": 0.8},
        "totals": {"valid": 2, "rejected": 1, "input_tokens": 900, "output_tokens": 140,
                   "llm_calls": 3, "elapsed_s": 4.0},
    }  # fmt: skip
    (run / "manifest.json").write_text(json.dumps(manifest))
    report = make_report(run)
    facts, cost = run_module.run_facts(manifest)
    assert cost == 0.0 and facts["output_tokens"] == 140 and facts["llm_calls"] == 3
    assert facts["records/s"] == 0.5 and facts["output tokens/s"] == 35.0
    assert "The manifest records no prompt" in " ".join(report.missing)


def test_records_table_is_filterable_and_escapes(tmp_path: Path) -> None:
    html = make_report(make_run(tmp_path)).html
    records = section(html, "records")
    assert 'data-table="records-table"' in records and 'class="data sortable"' in records
    assert records.count("<tr>") == 1 + len(movie_rows())  # header + rows
    # Numbers sort as numbers.
    assert 'data-v="1980"' in records
    rejections = section(html, "rejections")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rejections
    assert "<script>alert" not in html


def test_records_table_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run_module, "MAX_TABLE_ROWS", 5)
    records = section(make_report(make_run(tmp_path)).html, "records")
    assert "The first 5 of 18 rows are shown" in records
    assert records.count("<tr>") == 6


def test_duplicates_found_with_the_schema_dedup_fields(tmp_path: Path) -> None:
    report = make_report(make_run(tmp_path))
    dups = next(s for s in report.sections if s.id == "duplicates")
    assert dups.badge == "2 duplicates"
    html = section(report.html, "duplicates")
    # Row 5 repeats row 1's title (movie_recommendation dedups on title); row 9's reason is
    # row 3's with one word changed.
    assert re.search(r'data-v="5">5</td><td class="num" data-v="1">1</td><td>exact', html)
    assert re.search(r'data-v="9">9</td><td class="num" data-v="3">3</td><td>minhash', html)


def test_duplicate_marks_of_a_dedup_step_are_used(tmp_path: Path) -> None:
    rows = [dict(r, duplicate_of=None, duplicate_method=None) for r in movie_rows(4)]
    rows[2].update(duplicate_of=0, duplicate_method="fuzzy", duplicate_similarity=0.95)
    path = write_jsonl(tmp_path / "marked.jsonl", rows)
    html = section(make_report(path).html, "duplicates")
    assert "carry the marks of a dedup step" in html and ">fuzzy<" in html


def test_judge_histogram_and_lowest_rows(tmp_path: Path) -> None:
    report = make_report(make_run(tmp_path))
    judge = next(s for s in report.sections if s.id == "judge")
    assert judge.badge == "judge mean 3.67"  # 66 points over 18 rows
    html = section(report.html, "judge")
    assert 'aria-label="judge scores"' in html
    table = html[html.index('id="judge-table"') :]
    first_rows = re.findall(r'<tr><td class="num" data-v="(\d+)">', table)[:3]
    assert first_rows == ["7", "17", "4"]  # scores 1, 1, 2
    assert "요청과 맞지 않습니다." in table


def test_roundtrip_per_field_f1(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "rt.jsonl", roundtrip_rows())
    report = make_report(path, schema="actor_filmography")
    rt = next(s for s in report.sections if s.id == "roundtrip")
    # By hand: Actor TP 2, FP 1, FN 2 -> F1 4/7; Film TP 5, FP 1, FN 2 -> F1 10/13;
    # micro TP 7, FP 2, FN 4 -> F1 0.7.
    assert rt.badge == "micro F1 0.700"
    html = section(report.html, "roundtrip")
    table = html[html.index('id="roundtrip-table"') :]
    f1 = {
        m.group(1): float(m.group(2))
        for m in re.finditer(r'<tr><td>(\w+)</td>(?:<td class="num" data-v="[^"]+">[^<]*</td>){2}'
                             r'<td class="num" data-v="([^"]+)">', table)
    }  # fmt: skip
    assert f1 == pytest.approx({"Actor": 4 / 7, "Film": 10 / 13})
    assert "round-trip F1 per field" in html
    assert rt.missing == []


def test_labels_without_predictions_say_so(tmp_path: Path) -> None:
    rows = [{"id": r["id"], "text": r["text"], "labels": r["labels"]} for r in roundtrip_rows()]
    report = make_report(write_jsonl(tmp_path / "labelled.jsonl", rows))
    assert any("labels but no prediction" in m for m in report.missing)


def test_coverage_against_the_schema_pools(tmp_path: Path) -> None:
    genres = [*sorted({r["genre"] for r in movie_rows()}), "western"]
    base = load_schema("movie_recommendation")
    info = type(base)(name="movies_by_genre", model=base.model, pools={"genre": ChoicePool(genres)})
    html = section(make_report(make_run(tmp_path), schema=info).html, "diversity")
    # 9 of the 10 pool genres occur.
    assert re.search(r"<td>genre</td>.*?<td>90%</td>", html)
    assert "coverage of the pool" in html


def test_split_section_counts_parts_and_leakage(tmp_path: Path) -> None:
    rows = movie_rows(6)
    write_jsonl(tmp_path / "ft.train.jsonl", rows[:4])
    write_jsonl(tmp_path / "ft.validation.jsonl", [rows[1], rows[5]])  # rows[1] leaks
    html = section(make_report(tmp_path / "ft.jsonl").html, "split")
    assert re.search(r"<td>train</td>.*?data-v=\"4\"", html)
    assert "1 rows duplicate a row of another part" in html
    clean = tmp_path / "clean"
    make_run(clean, split=True)
    html = section(make_report(clean / "movies.jsonl").html, "split")
    assert "No row duplicates a row of another part." in html
    assert "The data card (movies.card.md)" in html


def test_a_bare_file_says_what_is_missing(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "one.jsonl", [{"q": "What is 2+2?"}])
    report = make_report(path)
    missing = " ".join(report.missing)
    for fragment in ("No run manifest", "Rejections unknown", "No judge scores",
                     "No round-trip scores", "No export split", "Fewer than two rows"):  # fmt: skip
        assert fragment in missing
    assert "Not in this report" in report.html


def test_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("")
    report = make_report(path)
    assert "No records to show." in report.missing


def test_schema_named_by_a_manifest_is_never_imported(tmp_path: Path) -> None:
    marker = tmp_path / "imported"
    evil = tmp_path / "evil.py"
    evil.write_text(
        f"from pathlib import Path\nPath({str(marker)!r}).write_text('ran')\n"
        "from pydantic import BaseModel\nclass Evil(BaseModel):\n    x: int = 0\n"
    )
    out = make_run(tmp_path, schema=f"{evil}:Evil")
    report = make_report(out)
    assert not marker.exists()
    assert any("was not imported" in m for m in report.missing)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("out/bills.csv", "out/bills.report.html"),
        ("out/bills.csv.run", "out/bills.report.html"),
        ("data.parquet", "data.report.html"),
    ],
)
def test_default_report_path(given: str, expected: str) -> None:
    assert default_report_path(given) == Path(expected)


def test_write_to_a_chosen_path(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "r.html"
    assert build_report(make_run(tmp_path), target) == target
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def _sections(report: Any) -> list[str]:
    return [s.id for s in report.sections]


def test_sections_in_reading_order(tmp_path: Path) -> None:
    report = make_report(make_run(tmp_path))
    assert _sections(report) == [
        "run", "records", "rejections", "fields", "duplicates", "judge", "roundtrip",
        "diversity", "split",
    ]  # fmt: skip


def test_written_file_has_the_usual_mode(tmp_path: Path) -> None:
    import os

    out = build_report(make_run(tmp_path))
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
