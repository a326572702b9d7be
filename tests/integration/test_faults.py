"""Faults that lose nothing, for real: the CLI in a subprocess on the embedded model.

For each long job (generate, roundtrip, judge): SIGINT, SIGTERM and kill -9 in the middle
keep every row already journalled, and ``--resume`` finishes with exactly the rows asked
for, none lost, none twice; the model server killed in the middle gives one clear line (no
traceback) within 60 s and a resume against a new server completes. Also: a second writer
is refused, a job started from a non-interactive shell (SIGINT ignored) still stops cleanly
on SIGTERM, and an embedded server never outlives a killed CLI.

The jobs talk to a ``langsynth serve`` process (``LANGSYNTH_LOCAL_URL``), so one server
start serves many runs; the server-kill tests start their own.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from langsynth.datafile import read_rows, write_rows
from langsynth.runs import read_manifest, run_dir_for

pytestmark = pytest.mark.integration

LANGSYNTH = str(Path(sys.executable).with_name("langsynth"))
ACTORS = [
    {"Actor": "Mara Quill", "Film": ["The Salt Road", "Night Ferry"]},
    {"Actor": "Tomas Arvid", "Film": ["Glass Harbor"]},
    {"Actor": "Lena Okafor", "Film": ["Paper Moons", "The Long Field"]},
    {"Actor": "Ivo Brandt", "Film": ["Iron Orchard"]},
    {"Actor": "Sofia Reyes", "Film": ["Blue Hour", "Copper Sky"]},
    {"Actor": "Jun Park", "Film": ["Quiet Engines"]},
]
MOVIES = [
    {"request": "Recommend one horror movie.", "title": t, "year": y, "reason": r}
    for t, y, r in [
        ("The Shining", 1980, "A haunted hotel and a father losing his mind."),
        ("Toy Story", 1995, "Toys come alive; a warm family comedy."),
        ("Hereditary", 2018, "Grief turns into a terrifying family curse."),
        ("Mamma Mia!", 2008, "ABBA songs on a sunny Greek island."),
        ("The Exorcist", 1973, "A possessed girl and two priests."),
        ("Paddington", 2014, "A polite bear in London."),
    ]
]


# --------------------------------------------------------------------------- servers


@dataclass
class Server:
    proc: subprocess.Popen[str]
    url: str

    def kill(self) -> None:
        self.proc.kill()  # the llama.cpp child follows (PDEATHSIG)
        self.proc.wait(timeout=30)


def start_server() -> Server:
    proc = subprocess.Popen(
        [LANGSYNTH, "serve", "--model", "local", "--port", "0", "--parallel", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if "export LANGSYNTH_LOCAL_URL=" in line:
            return Server(proc, line.split("=", 1)[1].strip())
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError("langsynth serve did not start")


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    srv = start_server()
    yield srv
    srv.kill()


# --------------------------------------------------------------------------- jobs


@dataclass
class Job:
    """A CLI command, how many rows it must end with, and what makes a row unique."""

    name: str
    args: Callable[[Path], list[str]]
    n: int
    key: Callable[[dict[str, Any]], Any]


def _generate(out: Path) -> list[str]:
    return ["generate", "medical_billing", "-n", "8", "-o", str(out), "--seed", "5"]


def _roundtrip(out: Path) -> list[str]:
    records = out.parent / "actors.jsonl"
    write_rows(records, ACTORS)
    return ["roundtrip", "actor_filmography", "-n", "6", "--records", str(records), "-o", str(out)]


def _judge(out: Path) -> list[str]:
    rows = out.parent / "movies.jsonl"
    write_rows(rows, MOVIES)
    # comments from the checks: the rows, journal and resume are what is under test here
    args = ["judge", "-i", str(rows), "-o", str(out), "--judge-model", "local", "--language", "en"]
    return [*args, "--comment", "checks"]


JOBS = {
    "generate": Job("generate", _generate, 8, lambda r: r["patient_name"].casefold()),
    "roundtrip": Job("roundtrip", _roundtrip, 6, lambda r: r["id"]),
    "judge": Job("judge", _judge, 6, lambda r: r["title"]),
}


def env_for(server: Server) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANGSYNTH_")}
    env.update(LANGSYNTH_LOCAL_URL=server.url, COLUMNS="200", NO_COLOR="1")
    return env


def launch(
    args: Sequence[str], env: dict[str, str], *, sigint: Any = signal.SIG_DFL
) -> subprocess.Popen[str]:
    """The CLI with ``--concurrency 2`` in a new process; SIGINT as a terminal job gets it
    (``SIG_DFL``) or as a job of a non-interactive shell does (``SIG_IGN``)."""

    def child_setup() -> None:
        signal.signal(signal.SIGINT, sigint)

    return subprocess.Popen(
        [LANGSYNTH, *args, "--concurrency", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=child_setup,
    )


def journal_rows(out: Path) -> list[dict[str, Any]]:
    path = run_dir_for(out) / "journal.jsonl"
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["row"] for line in lines if line.endswith("}")]


def wait_for_rows(out: Path, proc: subprocess.Popen[str], k: int, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(journal_rows(out)) >= k:
            return
        if proc.poll() is not None:
            raise AssertionError(f"the job ended before {k} rows: {proc.communicate()}")
        time.sleep(0.2)
    proc.kill()
    raise AssertionError(f"fewer than {k} rows after {timeout} s")


def finish(proc: subprocess.Popen[str], timeout: float = 60) -> tuple[int, str]:
    _, err = proc.communicate(timeout=timeout)
    return proc.returncode, err


def resume_and_check(job: Job, out: Path, env: dict[str, str], kept: list[dict[str, Any]]) -> None:
    """Resume to the end: exactly N rows, each kept row still there, no row twice."""
    done = subprocess.run(
        [LANGSYNTH, *job.args(out), "--concurrency", "2", "--resume"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows = read_rows(out)
    keys = [job.key(r) for r in rows]
    assert len(rows) == job.n, (len(rows), job.n)
    assert len(set(keys)) == len(keys), "a row was written twice"
    assert {job.key(r) for r in kept} <= set(keys), "a row kept before the fault was lost"
    journal = sorted(str(job.key(r)) for r in journal_rows(out))
    assert journal == sorted(map(str, keys)), "the output does not match the journal"
    manifest = read_manifest(out)
    assert manifest is not None and manifest["status"] == "complete"
    assert manifest["sessions"] >= 2


# --------------------------------------------------------------------------- the tests


# Every job and every signal once. Generation (run_source) is stopped cleanly and killed; the
# row-parallel jobs share one loop (run_map): judge is stopped cleanly, roundtrip killed. SIGINT
# and SIGTERM go through one handler (SIGTERM on a generation: the background-job test below).
SIGNALS = [
    ("SIGINT", "generate"),
    ("SIGKILL", "generate"),
    ("SIGTERM", "judge"),
    ("SIGKILL", "roundtrip"),
]


@pytest.mark.parametrize(("how", "job_name"), SIGNALS)
def test_a_signal_mid_run_loses_nothing_and_resume_completes(
    server: Server, tmp_path: Path, job_name: str, how: str
) -> None:
    job, env = JOBS[job_name], env_for(server)
    out = tmp_path / f"{job_name}.jsonl"
    proc = launch(job.args(out), env)
    wait_for_rows(out, proc, 2)
    proc.send_signal(getattr(signal, how))
    code, err = finish(proc)
    kept = journal_rows(out)
    assert len(kept) >= 2
    if how == "SIGKILL":
        assert code == -signal.SIGKILL
    else:
        assert code == 128 + getattr(signal, how), err[-1500:]
        assert "--resume" in err and "Traceback" not in err, err[-1500:]
        manifest = read_manifest(out)
        assert manifest is not None and manifest["status"] == "interrupted"
        assert len(read_rows(out)) == len(kept)  # the output was rewritten from the journal
    resume_and_check(job, out, env, kept)


# one generation and one row-parallel job (the two loops of the run engine)
@pytest.mark.parametrize("job_name", ["generate", "judge"])
def test_a_dead_server_is_one_clear_line_and_resume_on_a_new_server_completes(
    tmp_path: Path, job_name: str
) -> None:
    job = JOBS[job_name]
    out = tmp_path / f"{job_name}.jsonl"
    first = start_server()
    try:
        proc = launch(job.args(out), env_for(first))
        wait_for_rows(out, proc, 2)
        first.kill()
        started = time.monotonic()
        code, err = finish(proc, timeout=90)
        assert time.monotonic() - started < 60, "the dead server was not noticed within 60 s"
    finally:
        if first.proc.poll() is None:
            first.kill()
    lines = [ln for ln in err.splitlines() if ln.strip() and "━" not in ln and "%" not in ln]
    assert code == 2, err[-1500:]
    assert "Traceback" not in err, err[-2000:]
    error_lines = [ln for ln in lines if ln.startswith("error:")]
    assert len(error_lines) == 1 and "--resume" in error_lines[0], err[-1500:]
    manifest = read_manifest(out)
    assert manifest is not None and manifest["status"] == "failed"
    kept = journal_rows(out)
    second = start_server()
    try:
        resume_and_check(job, out, env_for(second), kept)
    finally:
        second.kill()


def test_a_second_writer_is_refused(server: Server, tmp_path: Path) -> None:
    out = tmp_path / "bills.jsonl"
    env = env_for(server)
    proc = launch(_generate(out), env)
    try:
        wait_for_rows(out, proc, 1)
        second = subprocess.run(
            [LANGSYNTH, *_generate(out), "--resume"], capture_output=True, text=True, env=env
        )
        assert second.returncode == 2
        assert "being written by another langsynth process" in second.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        finish(proc)


def test_a_background_job_ignores_sigint_but_stops_cleanly_on_sigterm(
    server: Server, tmp_path: Path
) -> None:
    out = tmp_path / "bills.jsonl"
    proc = launch(_generate(out), env_for(server), sigint=signal.SIG_IGN)
    wait_for_rows(out, proc, 1)
    proc.send_signal(signal.SIGINT)  # what Ctrl-C in another terminal cannot do to `cmd &`
    time.sleep(2)
    assert proc.poll() is None, "a job with SIGINT ignored must keep running"
    proc.send_signal(signal.SIGTERM)
    code, err = finish(proc)
    assert code == 128 + signal.SIGTERM and "--resume" in err
    manifest = read_manifest(out)
    assert manifest is not None and manifest["status"] == "interrupted"


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(c) for c in text]
    return found


def _gone(pid: int, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split()[2]
        except FileNotFoundError:
            return True
        if state == "Z":
            return True
        time.sleep(0.2)
    return False


def test_the_embedded_server_dies_with_a_killed_cli(tmp_path: Path) -> None:
    out = tmp_path / "bills.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANGSYNTH_")}
    proc = launch(_generate(out), env)
    wait_for_rows(out, proc, 1)
    servers = _children(proc.pid)
    assert servers, "the CLI started no embedded server"
    proc.kill()
    proc.wait(timeout=30)
    assert all(_gone(pid) for pid in servers), "an embedded server outlived its parent"
