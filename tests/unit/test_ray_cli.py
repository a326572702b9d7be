"""``--engine ray --endpoints`` on the commands that run steps (stub endpoints, session Ray)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import RAY_MISSING

pytest.importorskip("ray", reason=RAY_MISSING)

from langsynth.cli import app
from langsynth.datafile import read_rows
from langsynth.runs import read_manifest
from langsynth.testing.stub_server import StubServer

pytestmark = [pytest.mark.ray, pytest.mark.usefixtures("ray_instance")]

runner = CliRunner()


@pytest.fixture(scope="module")
def urls() -> Iterator[str]:
    with StubServer(endpoints=2, latency_s=0.02, tokens_per_s=2000, seed=21) as stub:
        yield ",".join(stub.urls)


def cli(*args: str) -> Any:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def served_by_both(output: Path) -> dict[str, Any]:
    manifest = read_manifest(output)
    assert manifest is not None and manifest["status"] == "complete"
    endpoints = manifest["executor"]["endpoints"]
    assert len(endpoints) == 2 and all(e["completed"] > 0 for e in endpoints)
    return manifest


def test_generate_on_ray_writes_n_records_and_prints_the_endpoints(
    urls: str, tmp_path: Path
) -> None:
    out = tmp_path / "bills.jsonl"
    result = cli(
        "generate", "medical_billing", "-n", "8", "-o", str(out), "--seed", "3",
        "--engine", "ray", "--endpoints", urls, "--slots-per-endpoint", "2",
    )  # fmt: skip
    assert len(read_rows(out)) == 8
    assert "Endpoints (2 alive at the end)" in result.stdout
    for url in urls.split(","):
        assert url.removeprefix("http://").removesuffix("/v1") in result.stdout
    manifest = served_by_both(out)
    assert manifest["model"] == "openai-compatible:stub"
    assert manifest["params"]["seed"] == 3 and manifest["executor"]["slots"] == 4


def test_text_then_extract_on_ray_keep_the_input_order(urls: str, tmp_path: Path) -> None:
    records = tmp_path / "records.jsonl"
    rows = [
        {
            "patient_id": 100 + i,
            "patient_name": f"Name {i}",
            "diagnosis_code": "J45.909",
            "procedure_code": "99213",
            "total_charge": 100.0 + i,
            "insurance_claim_amount": 80.0 + i,
        }
        for i in range(6)
    ]
    records.write_text("".join(json.dumps(r) + "\n" for r in rows))
    texts = tmp_path / "texts.jsonl"
    ray = ("--engine", "ray", "--endpoints", urls)
    cli("text", "medical_billing", "-i", str(records), "-o", str(texts), "--json", *ray)
    written = read_rows(texts)
    assert [r["labels"]["patient_id"] for r in written] == [r["patient_id"] for r in rows]
    assert all(r["text"] for r in written)
    served_by_both(texts)
    preds = tmp_path / "preds.jsonl"
    cli("extract", "-s", "medical_billing", "-i", str(texts), "-o", str(preds), "--json", *ray)
    predicted = read_rows(preds)
    assert [r["id"] for r in predicted] == [r["id"] for r in written]
    assert all(r["prediction"] for r in predicted)  # the stub answers schema-valid records
    served_by_both(preds)
    # The same extraction as shards with Ray Data: the same rows, in some order.
    shards = tmp_path / "preds-sharded"
    result = cli("extract", "-s", "medical_billing", "-i", str(texts), "-o", str(shards),
                 "--engine", "ray-data", "--endpoints", urls)  # fmt: skip
    assert "shards" in result.stdout
    sharded = [row for path in sorted(shards.glob("part-*.jsonl")) for row in read_rows(path)]
    assert sorted(r["id"] for r in sharded) == sorted(r["id"] for r in predicted)
    assert {k for r in sharded for k in r} == {k for r in predicted for k in r}
    served_by_both(shards)


def test_roundtrip_on_ray_journals_both_stages(urls: str, tmp_path: Path) -> None:
    out = tmp_path / "rt.jsonl"
    cli(
        "roundtrip", "medical_billing", "-n", "3", "-o", str(out), "--seed", "4",
        "--engine", "ray", "--endpoints", urls, "--json",
    )  # fmt: skip
    assert len(read_rows(out)) == 3
    generated = read_manifest(out.with_name(out.name + ".run") / "generated.jsonl")
    assert generated is not None and generated["executor"]["engine"] == "ray"
    manifest = read_manifest(out)
    assert manifest is not None and manifest["job"] == "roundtrip"
    assert manifest["executor"]["totals"]["completed"] == 3
