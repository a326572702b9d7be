"""The run engine on toy steps (no model): exactly N, resume, faults, lock, budget."""

from __future__ import annotations

import asyncio
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from langsynth.errors import (
    ModelUnavailableError,
    OutputExistsError,
    RunFailedError,
    RunInputChangedError,
    RunLockedError,
)
from langsynth.results import Usage
from langsynth.runs import Budget, MapStep, SourceStep, read_manifest, run_dir_for
from langsynth.runs.protocols import Verdict
from langsynth.runs.store import RunStore


@dataclass
class Res:
    value: Any
    error: str | None = None
    raw_output: str = ""
    usage: Usage = field(default_factory=lambda: Usage(10, 5, 0, 1))

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_row(self) -> dict[str, Any]:
        return {"value": self.value}


class Square(MapStep):
    """x -> x*x; fails for 'bad' rows; the endpoint dies at ``die_at``."""

    job = "square"
    input_columns = ("x",)
    output_columns = ("value",)

    def __init__(self, die_at: int | None = None, keep_failed: bool = True) -> None:
        self.die_at = die_at
        self.calls = 0
        self.keep_failed = keep_failed

    async def aprocess(self, input: Any, config: Any = None) -> Res:
        self.calls += 1
        await asyncio.sleep(0.001 * (input["x"] % 3))
        if self.die_at is not None and input["x"] == self.die_at:
            raise ModelUnavailableError("the model server stopped answering.")
        if input.get("bad"):
            return Res(None, error="bad row", raw_output="garbage")
        return Res(input["x"] ** 2)


class Counter(SourceStep):
    """Attempt i yields value i // 2 (so every value comes twice: duplicates)."""

    job = "count"
    output_columns = ("value",)

    def __init__(self, invalid_every: int = 0, die_at: int | None = None) -> None:
        self.invalid_every = invalid_every
        self.die_at = die_at
        self.seen_indices: list[int] = []

    def input_at(self, index: int) -> Any:
        return {"index": index}

    async def aprocess(self, input: Any, config: Any = None) -> Res:
        index = input["index"]
        self.seen_indices.append(index)
        if self.die_at is not None and index >= self.die_at:
            raise ModelUnavailableError("the model server stopped answering.")
        if self.invalid_every and index % self.invalid_every == 0:
            return Res(None, error="invalid JSON", raw_output="{oops")
        return Res(index // 2)

    def admission(self, existing: Any) -> Any:
        seen = {r["value"] for r in existing}

        class Dedup:
            def admit(self, result: Res) -> Verdict | None:
                if result.value in seen:
                    return ("duplicate", "duplicate of an accepted record")
                seen.add(result.value)
                return None

        return Dedup()


ROWS = [{"x": i} for i in range(10)]


def test_map_in_memory_keeps_input_order_and_failed_rows() -> None:
    rows = [*ROWS[:3], {"x": 3, "bad": True}]
    result = Square().run(rows, concurrency=3)
    assert [r.get("value") for r in result.rows] == [0, 1, 4, None]
    assert result.stats.failed == 1 and result.stats.accepted == 4
    assert result.output is None and result.complete


def test_map_without_keep_failed_sends_failures_to_rejections(tmp_path: Path) -> None:
    out = tmp_path / "sq.jsonl"
    rows = [*ROWS[:3], {"x": 3, "bad": True}]
    result = Square(keep_failed=False).run(rows, output=out)
    assert [r["value"] for r in result.rows] == [0, 1, 4]
    rejected = [
        json.loads(x) for x in (run_dir_for(out) / "rejected.jsonl").read_text().splitlines()
    ]
    assert rejected == [{"i": 3, "kind": "failed", "error": "bad row", "raw_output": "garbage"}]


def test_map_output_journal_manifest_and_order(tmp_path: Path) -> None:
    out = tmp_path / "sq.jsonl"
    result = Square().run(ROWS, output=out, concurrency=4)
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["value"] for r in lines] == [i * i for i in range(10)]
    manifest = read_manifest(out)
    assert manifest is not None
    assert manifest["status"] == "complete" and manifest["job"] == "square"
    assert manifest["counts"]["accepted"] == 10
    assert manifest["usage"]["output_tokens"] == 50
    assert manifest["columns"] == {"input": ["x"], "output": ["value"]}
    assert result.stats.usage.calls == 10


def test_map_fault_keeps_rows_and_resume_finishes_without_repeats(tmp_path: Path) -> None:
    out = tmp_path / "sq.jsonl"
    step = Square(die_at=6)
    with pytest.raises(RunFailedError) as info:
        step.run(ROWS, output=out, concurrency=1)
    assert isinstance(info.value.cause, ModelUnavailableError)
    assert info.value.kept == 6 and "--resume" in str(info.value)
    manifest = read_manifest(out)
    assert manifest is not None and manifest["status"] == "failed"
    again = Square()
    result = again.run(ROWS, output=out, resume=True)
    assert again.calls == 4  # rows 6..9 only
    assert [r["value"] for r in result.rows] == [i * i for i in range(10)]
    assert len(out.read_text().splitlines()) == 10
    assert read_manifest(out)["sessions"] == 2  # type: ignore[index]


def test_resume_refuses_another_input(tmp_path: Path) -> None:
    out = tmp_path / "sq.jsonl"
    Square().run(ROWS[:3], output=out)
    with pytest.raises(RunInputChangedError, match="inputs"):
        Square().run(ROWS[:4], output=out, resume=True)


def test_existing_output_needs_resume_or_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "sq.jsonl"
    Square().run(ROWS[:2], output=out)
    with pytest.raises(OutputExistsError, match="--resume"):
        Square().run(ROWS[:2], output=out)
    result = Square().run(ROWS[:3], output=out, overwrite=True)
    assert len(result.rows) == 3


def test_a_second_writer_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "sq.jsonl"
    holder = RunStore(out, job="square")
    holder.open(params={})
    try:
        with pytest.raises(RunLockedError, match=str(os.getpid())):
            Square().run(ROWS, output=out, resume=True)
    finally:
        holder.close(status="complete", updates={})


def test_torn_last_journal_line_is_recovered(tmp_path: Path) -> None:
    out = tmp_path / "sq.jsonl"
    with pytest.raises(RunFailedError):
        Square(die_at=5).run(ROWS, output=out, concurrency=1)
    journal = run_dir_for(out) / "journal.jsonl"
    with journal.open("a") as fh:
        fh.write('{"i": 5, "row": {"val')  # kill -9 in the middle of a write
    result = Square().run(ROWS, output=out, resume=True)
    assert [r["value"] for r in result.rows] == [i * i for i in range(10)]
    assert all(line.endswith("}") for line in journal.read_text().splitlines())


def test_outputs_keep_the_users_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        for name in ("sq.jsonl", "sq.csv", "sq.parquet"):
            out = tmp_path / name
            Square().run(ROWS[:3], output=out)
            Square().run(ROWS[:4], output=out, overwrite=True)
            assert stat.S_IMODE(out.stat().st_mode) == 0o644, name
    finally:
        os.umask(old)


def test_source_gives_exactly_n_unique(tmp_path: Path) -> None:
    result = Counter(invalid_every=5).generate(7, concurrency=3)
    values = [r["value"] for r in result.rows]
    assert len(values) == 7 and len(set(values)) == 7
    assert result.stats.duplicates >= 1 and result.stats.rejected >= 1
    assert {r["kind"] for r in result.rejected} <= {"duplicate", "invalid", "surplus"}


def test_source_resume_after_fault_reaches_exactly_n(tmp_path: Path) -> None:
    out = tmp_path / "c.jsonl"
    with pytest.raises(RunFailedError):
        Counter(die_at=6).generate(8, output=out, concurrency=2)
    kept = [json.loads(x)["value"] for x in out.read_text().splitlines()]
    assert 0 < len(kept) < 8
    second = Counter()
    result = second.generate(8, output=out, resume=True, concurrency=2)
    values = [r["value"] for r in result.rows]
    assert len(values) == 8 and len(set(values)) == 8 and values[: len(kept)] == kept
    assert min(second.seen_indices) >= 6  # new attempts, no index used twice


def test_source_fail_fast_and_cap() -> None:
    class Broken(Counter):
        async def aprocess(self, input: Any, config: Any = None) -> Res:
            return Res(None, error="no JSON")

    result = Broken().generate(3, fail_fast_after=4, concurrency=1)
    assert result.status == "incomplete" and "4 attempts in a row" in result.message
    capped = Counter(invalid_every=2).generate(5, max_attempts=6, concurrency=1)
    assert capped.status == "incomplete" and "attempt cap (6)" in capped.message


def test_budget_stops_cleanly_and_resume_continues(tmp_path: Path) -> None:
    out = tmp_path / "c.jsonl"
    result = Counter().generate(10, output=out, budget=Budget(max_tokens=60), concurrency=1)
    assert result.status == "budget" and "token budget" in result.message
    assert read_manifest(out)["status"] == "budget"  # type: ignore[index]
    rest = Counter().generate(10, output=out, resume=True, concurrency=1)
    assert rest.complete and len(rest.rows) == 10


def test_a_bug_is_not_a_row() -> None:
    class Buggy(Square):
        async def aprocess(self, input: Any, config: Any = None) -> Res:
            raise TypeError("unsupported operand")

    with pytest.raises(TypeError, match="unsupported operand"):
        Buggy().run(ROWS[:2])


def test_missing_input_column_is_a_clear_error() -> None:
    from langsynth.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="no column 'x'"):
        Square().run([{"y": 1}])


def test_counts_are_output_rows_when_an_input_makes_several(tmp_path: Path) -> None:
    class Twice(Square):
        def output_rows(self, index: int, row: Any, result: Any) -> list[dict[str, Any]]:
            return [{"x": row["x"], "copy": c, **result.to_row()} for c in (1, 2)]

    out = tmp_path / "twice.jsonl"
    with pytest.raises(RunFailedError) as info:
        Twice(die_at=3).run(ROWS[:5], output=out, concurrency=1)
    assert info.value.kept == 6 and read_manifest(out)["counts"]["accepted"] == 6  # type: ignore[index]
    result = Twice().run(ROWS[:5], output=out, resume=True)
    assert len(result.rows) == result.stats.accepted == 10
    assert read_manifest(out)["counts"]["accepted"] == 10  # type: ignore[index]
    fresh = Twice().run(ROWS[:5], output=tmp_path / "fresh.jsonl")
    assert fresh.stats.accepted == 10 and fresh.manifest["counts"]["accepted"] == 10  # type: ignore[index]
