"""Every job on the run engine keeps the same promises, through its library call.

One table (``JOBS`` in tests/unit/engine_jobs.py) maps each job name to a factory building
the real step on a fake chat model, the answers that model gives (computed from the prompt,
valid for that step's parsing) and the step's inputs. Each job is then checked for the same
guarantees:

(a) a run to an output writes the journal and the manifest (``complete``, counts) and every
    output row has the step's declared ``output_columns``;
(b) the model endpoint dying mid-run (the fake raises what ``langchain-openai`` raises for a
    dead server) stops the run with one clear :class:`LangsynthError`, keeps every finished
    row on disk, and ``resume=True`` with a working model completes with exactly the
    expected rows, none repeated, none lost;
(c) an existing output without ``resume``/``overwrite`` is refused before any model call
    and is left as it was;
(d) a fault of one request (a timeout) is that row's error, kept in the output or in the
    rejections as the step declares, and the run goes on.

To add a job: append a ``Job`` (factory, answers, inputs) to ``JOBS`` in engine_jobs.py;
:func:`test_the_table_covers_every_job_on_the_engine` fails until a new job is in the table.
"""

from __future__ import annotations

import ast
import itertools
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from langchain_core.messages import BaseMessage
from langchain_openai.chat_models.base import OpenAIConnectionError

from langsynth.errors import (
    LangsynthError,
    ModelUnavailableError,
    OutputExistsError,
    RunFailedError,
)
from langsynth.runs import RunResult, read_manifest, run_dir_for
from tests.fakes import FakeChatModel
from tests.unit.engine_jobs import JOBS, MODEL_JOBS, PENDING, Answer, Job

# Where the endpoint dies: REQUEST is what the real client (langchain-openai over openai)
# raises when the server is gone: ``OpenAIConnectionError("Connection error.")``.
REQUEST = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")


def dead_server() -> Exception:
    return OpenAIConnectionError(message="Connection error.", request=REQUEST)


def dying(answer: Answer, after: int) -> Answer:
    """``answer`` for the first ``after`` calls, then the dead server's error for every call."""
    calls = itertools.count()

    def call(messages: list[BaseMessage]) -> Any:
        return answer(messages) if next(calls) < after else dead_server()

    return call


def fake(answer: Answer) -> FakeChatModel:
    return FakeChatModel(answers=[answer], cycle=True)


def run(job: Job, step: Any, **options: Any) -> RunResult:
    """The job's batch verb: ``generate(n, ...)`` for sources, ``run(rows, ...)`` for maps."""
    if job.n is not None:
        return step.generate(job.n, **options)
    result = step.run(list(job.rows or ()), **options)
    return getattr(result, "run", result)  # RoundTrip wraps its RunResult with the scores


def journal_of(output: Path) -> list[dict[str, Any]]:
    path = run_dir_for(output) / "journal.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def output_rows(output: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.read_text().splitlines()]


def check_columns(job: Job, step: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """Every row has the declared output columns; a map step may pass its input columns on."""
    declared = set(step.output_columns)
    passed_on = {k for r in job.rows or () for k in r}
    assert declared, f"{job.name} declares no output_columns"
    for row in rows:
        assert declared <= set(row), f"{job.name}: row lacks {declared - set(row)}"
        extra = set(row) - declared - passed_on
        assert not extra, f"{job.name}: undeclared columns {extra}"


# --------------------------------------------------------------------------- the table itself


def jobs_in_source() -> dict[str, str]:
    """``job`` name -> class, for every class in langsynth that declares ``job: ClassVar``
    (the engine's own base classes and test doubles left out)."""
    root = Path(__file__).resolve().parents[2] / "langsynth"
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith(("runs/", "testing/")):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            for item in node.body:  # ``job: ClassVar[str] = "x"`` or ``job = "x"``
                targets = (
                    [item.target]
                    if isinstance(item, ast.AnnAssign)
                    else item.targets
                    if isinstance(item, ast.Assign)
                    else []
                )
                value = getattr(item, "value", None)
                if any(isinstance(t, ast.Name) and t.id == "job" for t in targets) and (
                    isinstance(value, ast.Constant) and isinstance(value.value, str)
                ):
                    found[value.value] = f"{relative}:{node.name}"
    return found


def test_the_table_covers_every_job_on_the_engine() -> None:
    in_source = jobs_in_source()
    table = {job.name for job in JOBS}
    assert len(table) == len(JOBS), "a job is in the table twice"
    missing = {name: where for name, where in in_source.items() if name not in table}
    landed = {name: where for name, where in missing.items() if name in PENDING}
    assert not landed, f"now on the engine, add them to JOBS (and drop from PENDING): {landed}"
    assert not missing, f"jobs on the engine without a row in JOBS: {missing}"
    assert table <= set(in_source), f"not jobs of the engine: {table - set(in_source)}"


@pytest.mark.parametrize("job", JOBS, ids=str)
def test_the_factory_builds_the_named_job(job: Job) -> None:
    step = job.build(fake(job.answers()))
    assert type(step).job == job.name
    assert (job.n is None) != (job.rows is None), "a job has rows (map) or n (source)"
    if job.n is not None:
        assert hasattr(step, "generate")


# --------------------------------------------------------------------------- (a) a run on disk


def rows_in_output_order(job: Job, journal: Sequence[Mapping[str, Any]]) -> list[Any]:
    """The journal's rows in the order the output holds them: input order for map jobs,
    acceptance (journal) order for sources."""
    entries = list(journal) if job.n is not None else sorted(journal, key=lambda e: e["i"])
    return [e["row"] for e in entries]


@pytest.mark.parametrize("job", JOBS, ids=str)
def test_a_run_writes_journal_manifest_and_declared_columns(job: Job, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    step = job.build(fake(job.answers()))
    result = run(job, step, output=out, concurrency=2)
    assert result.status == "complete", result.message
    rows = output_rows(out)
    journal = journal_of(out)
    assert rows == rows_in_output_order(job, journal) == result.rows
    assert rows, "the run wrote no rows"
    check_columns(job, step, rows)
    manifest = read_manifest(out)
    assert manifest is not None
    assert manifest["job"] == job.name and manifest["status"] == "complete"
    assert manifest["counts"]["accepted"] == len(rows)
    assert manifest["columns"]["output"] == list(step.output_columns)
    if job.n is not None:
        assert len(rows) == job.n and manifest["requested"] == job.n
    else:
        assert manifest["requested"] == len(job.rows or ())
        assert {e["i"] for e in journal} == set(range(len(job.rows or ())))
    if job.model:
        assert manifest["usage"]["llm_calls"] >= len(job.rows or ()) + (job.n or 0)


# --------------------------------------------------------------------------- (b) a dead server


def rejected_of(output: Path) -> list[dict[str, Any]]:
    path = run_dir_for(output) / "rejected.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize("job", MODEL_JOBS, ids=str)
def test_a_dead_server_keeps_finished_rows_and_resume_completes(job: Job, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    answers = job.answers()  # one state for both sessions: records stay new across them
    finished: list[int] = []
    dies = job.build(fake(dying(answers, after=2 * job.calls + 1)))
    with pytest.raises(RunFailedError) as info:
        run(job, dies, output=out, concurrency=2, on_result=lambda i, _r: finished.append(i))
    error = info.value
    assert isinstance(error, LangsynthError) and isinstance(error.cause, ModelUnavailableError)
    message = str(error)
    assert "\n" not in message and "Traceback" not in message
    assert "stopped answering" in message and "--resume" in message and str(out) in message

    kept = journal_of(out)
    kept_indices = {e["i"] for e in kept}
    total = job.n if job.n is not None else len(job.rows or ())
    assert 0 < len(kept_indices) < total
    # every finished, accepted row is on disk: in the journal and in the output file
    assert kept_indices == set(finished) - {int(r["i"]) for r in rejected_of(out)}
    assert output_rows(out) == rows_in_output_order(job, kept)
    assert error.kept == len(kept), "the message must count the rows kept on disk"
    manifest = read_manifest(out)
    assert manifest is not None and manifest["status"] == "failed"
    assert "stopped answering" in manifest["error"]
    assert manifest["counts"]["accepted"] == len(kept)

    works = job.build(fake(answers))
    result = run(job, works, output=out, resume=True, concurrency=2)
    assert result.status == "complete", result.message
    final = output_rows(out)
    journal = journal_of(out)
    assert final == rows_in_output_order(job, journal) == result.rows
    indices = [e["i"] for e in journal]
    if job.n is not None:  # exactly N: the kept rows first and once, no attempt index reused
        assert len(final) == job.n
        assert len({json.dumps(r, sort_keys=True) for r in final}) == job.n
        assert final[: len(kept)] == [e["row"] for e in kept]
        assert len(set(indices)) == len(indices)
        assert result.stats.accepted_this_session == job.n - len(kept)
    else:  # the rows of a run that never failed; only the inputs not done were run again
        reference = run(job, job.build(fake(job.answers())))
        assert final == reference.rows
        assert set(indices) == set(range(total))
        assert [e for e in journal if e["i"] in kept_indices] == kept
        assert len(result.results) == total - len(kept_indices)
    check_columns(job, works, final)
    manifest = read_manifest(out)
    assert manifest is not None and manifest["status"] == "complete"
    assert manifest["sessions"] == 2 and manifest["counts"]["accepted"] == len(final)


# --------------------------------------------------------------------------- (c) refusal


@pytest.mark.parametrize("job", JOBS, ids=str)
def test_an_existing_output_is_refused_without_resume_or_overwrite(
    job: Job, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    run(job, job.build(fake(job.answers())), output=out)
    before = out.read_bytes(), (run_dir_for(out) / "journal.jsonl").read_bytes()
    llm = fake(job.answers())
    with pytest.raises(OutputExistsError, match="--resume") as info:
        run(job, job.build(llm), output=out)
    assert "--overwrite" in str(info.value) and str(out) in str(info.value)
    assert llm.calls == []  # refused before any model call
    assert (out.read_bytes(), (run_dir_for(out) / "journal.jsonl").read_bytes()) == before


# --------------------------------------------------------------------------- (d) one bad answer


def timing_out_first(answer: Answer) -> Answer:
    """The first call times out (a fault of that one request), the others are answered."""
    calls = itertools.count()
    timeout = openai.APITimeoutError(request=REQUEST)

    def call(messages: list[BaseMessage]) -> Any:
        return timeout if next(calls) == 0 else answer(messages)

    return call


@pytest.mark.parametrize("job", MODEL_JOBS, ids=str)
def test_a_failed_request_is_one_row_and_the_run_goes_on(job: Job, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    step = job.build(fake(timing_out_first(job.answers())))
    result = run(job, step, output=out, concurrency=1)
    assert result.status == "complete", result.message
    rejected = rejected_of(out)
    journal = journal_of(out)
    if job.n is not None:  # the attempt is rejected with its reason; N are still made
        assert len(output_rows(out)) == job.n
        assert [r["i"] for r in rejected] == [0] and "timed out" in rejected[0]["error"]
        assert 0 not in {e["i"] for e in journal}
    elif step.keep_failed:  # the row is in the output, with its error and every column
        assert rejected == []
        first = [e["row"] for e in journal if e["i"] == 0]
        assert len(first) == 1 and "timed out" in str(first[0]["error"])
        check_columns(job, step, first)
        assert all(not e["row"]["error"] for e in journal if e["i"] != 0)
    else:  # the input goes to the rejections with its reason, the others to the output
        assert [r["i"] for r in rejected] == [0] and "timed out" in rejected[0]["error"]
        assert {e["i"] for e in journal} == set(range(1, len(job.rows or ())))
