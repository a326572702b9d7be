"""The peers benchmark's own parts, without a model: scoring, request records, the proxy, the
network guard, the virtualenv reuse and the tools' environment."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
NETGUARD = BENCH / "peer_runners" / "netguard"


@pytest.fixture(scope="module")
def bench() -> Iterator[dict[str, ModuleType]]:
    """The benchmark modules (they import each other as top-level modules), dropped after."""
    loaded = set(sys.modules)
    sys.path.insert(0, str(BENCH))
    try:
        yield {
            name: importlib.import_module(name)
            for name in ("peer_proxy", "peer_report", "peer_setup")
        }
    finally:
        sys.path.remove(str(BENCH))
        for name in set(sys.modules) - loaded:
            if str(BENCH) in (getattr(sys.modules[name], "__file__", "") or ""):
                del sys.modules[name]


GOOD = {
    "patient_id": 482913,
    "patient_name": "Odalys Fenwick",
    "diagnosis_code": "K21.9",
    "procedure_code": "43239",
    "total_charge": 1820.5,
    "insurance_claim_amount": 1400.0,
}


def test_score_counts_valid_unique_and_few_shot_copies(bench: dict[str, ModuleType]) -> None:
    copy = {
        "patient_id": 123456,
        "patient_name": "John Doe",
        "diagnosis_code": "J20.9",
        "procedure_code": "99203",
        "total_charge": 500.0,
        "insurance_claim_amount": 350.0,
    }
    same_key = {**GOOD, "patient_id": 777777, "patient_name": "  odalys   FENWICK "}
    over_claim = {**GOOD, "patient_name": "Rui Tanaka", "insurance_claim_amount": 9999.0}
    bad_code = {**GOOD, "patient_name": "Ana Lima", "procedure_code": "9921"}
    records = [GOOD, same_key, copy, over_claim, bad_code, "not json", {**GOOD, "total_charge": 2}]
    out = bench["peer_report"].score(records, "medical_billing")
    assert out["returned"] == 7
    # GOOD, same_key (same normalized key fields) and the copy pass the model; the rest do not.
    assert out["valid"] == 3
    assert out["example_copies"] == 1
    assert out["unique"] == 1
    reasons = dict(out["invalid_reasons"])
    assert reasons["not a JSON object"] == 1
    assert any(r.startswith("procedure_code") for r in reasons)


def test_describe_request_names_the_structured_output_mechanism(
    bench: dict[str, ModuleType],
) -> None:
    describe = bench["peer_proxy"].describe_request
    messages = [{"role": "user", "content": "abc"}]
    cases = {
        "grammar": {"grammar": "root ::= x"},
        "tools": {"tools": [{"type": "function"}]},
        "functions": {"functions": [{"name": "f"}], "tools": []},
        "response_format:json_schema": {"response_format": {"type": "json_schema"}},
        "none": {"response_format": {"type": "text"}},
    }
    for mechanism, extra in cases.items():
        got = describe({"messages": messages, "temperature": 0.9, **extra})
        assert got["mechanism"] == mechanism
        assert got["prompt_chars"] == 3 and got["temperature"] == 0.9


def test_summarize_separates_set_up_calls_and_measures_concurrency(
    bench: dict[str, ModuleType],
) -> None:
    def call(start: float, end: float, **kw: Any) -> dict[str, Any]:
        base = {"path": "/v1/chat/completions", "start": start, "end": end, "in_flight": 1}
        return {**base, "completion_tokens": 10, "prompt_tokens": 100, **kw}

    records = [
        call(0.0, 1.0, completion_tokens=3),  # set-up probe, before the job
        call(10.0, 12.0, in_flight=1),
        call(10.0, 12.0, in_flight=2),
        call(12.0, 14.0, in_flight=1, status=500),
        {"path": "/health", "start": 11.0, "end": 11.1},
    ]
    out = bench["peer_proxy"].summarize(records, (10.0, 14.0))
    assert out["requests"] == 3 and out["setup_requests"] == 1 and out["other_requests"] == 1
    assert out["completion_tokens"] == 30 and out["setup_completion_tokens"] == 3
    assert out["failed_requests"] == 1
    assert out["mean_in_flight"] == 1.5  # 6 s of requests over a 4 s span
    assert out["max_in_flight"] == 2


def test_outbound_connects_reads_strace_output(
    bench: dict[str, ModuleType], tmp_path: Path
) -> None:
    trace = tmp_path / "strace.txt"
    trace.write_text(
        '12 connect(5, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("127.0.0.1")}'
        ", 16) = 0\n"
        "12 connect(6, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), "
        'inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=0}, 28) = -1\n'
        '13 connect(7, {sa_family=AF_UNIX, sun_path="/run/x"}, 110) = 0\n'
    )
    assert bench["peer_report"].outbound_connects(trace) == (2, ["2001:db8::1"])
    assert bench["peer_report"].outbound_connects(tmp_path / "missing.txt") == (0, [])


def test_network_guard_refuses_and_logs_non_loopback(tmp_path: Path) -> None:
    log = tmp_path / "guard.jsonl"
    # A second audit hook behind the guard: if the guard let anything through, this one stops
    # it (a different message), so the test never sends a packet off the machine.
    script = """
import socket, sys
def safety(event, args):
    watched = event in ("socket.getaddrinfo", "socket.connect")
    if watched and any(s in repr(args) for s in ("invalid", "192.0.2.")):
        raise RuntimeError("SAFETY: the guard let this through")
sys.addaudithook(safety)
results = []
for host in ("example.invalid", "192.0.2.7"):
    try:
        socket.create_connection((host, 443), timeout=1)
    except OSError as exc:
        results.append(type(exc).__name__ + ": " + str(exc))
    except RuntimeError as exc:
        results.append(str(exc))
raw = socket.socket()
try:
    raw.connect(("192.0.2.7", 443))
except OSError as exc:
    results.append(type(exc).__name__ + ": " + str(exc))
except RuntimeError as exc:
    results.append(str(exc))
server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen(1)
local = socket.create_connection(server.getsockname(), timeout=1)  # loopback is allowed
results.append("loopback ok")
print("\\n".join(results))
"""
    env = {"PYTHONPATH": str(NETGUARD), "PEERS_NETGUARD_LOG": str(log), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert not any("SAFETY" in line for line in lines), lines
    assert sum("refused (no network)" in line for line in lines) == 3
    assert lines[-1] == "loopback ok"
    logged = [json.loads(line) for line in log.read_text().splitlines()]
    targets = [(e["event"], e["target"].split(":")[0]) for e in logged]
    assert targets == [
        ("socket.getaddrinfo", "example.invalid"),
        ("socket.getaddrinfo", "192.0.2.7"),
        ("socket.connect", "192.0.2.7"),
    ]
    assert all(e["where"] for e in logged)


class _FakeServer(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        reply = {
            "choices": [{"message": {"content": body["messages"][0]["content"][::-1]},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 12, "completion_tokens": 5},
            "timings": {"prompt_n": 2, "cache_n": 10},
        }  # fmt: skip
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_proxy_forwards_unchanged_and_records_usage(bench: dict[str, ModuleType]) -> None:
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), _FakeServer)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    proxy = bench["peer_proxy"].RecordingProxy(f"http://127.0.0.1:{upstream.server_port}")
    proxy.start()
    try:
        proxy.tag = "tool-a"
        body = {"messages": [{"role": "user", "content": "hello"}], "grammar": "g", "n": 1}
        request = urllib.request.Request(
            proxy.base_url + "/v1/chat/completions",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as resp:
            reply = json.loads(resp.read())
    finally:
        proxy.stop()
        upstream.shutdown()
        upstream.server_close()
    assert reply["choices"][0]["message"]["content"] == "olleh"
    (record,) = proxy.for_tag("tool-a")
    assert record["status"] == 200 and record["mechanism"] == "grammar"
    assert record["completion_tokens"] == 5 and record["prompt_cached"] == 10
    assert record["output"] == "olleh" and record["end"] >= record["start"]


def test_venv_with_matching_stamp_is_reused_without_pip(
    bench: dict[str, ModuleType], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = bench["peer_setup"]
    monkeypatch.setattr(setup, "VENVS", tmp_path)
    peer = setup.BY_NAME["distilabel"]
    (peer.venv / "bin").mkdir(parents=True)
    peer.python.write_text("")
    (peer.venv / setup.STAMP).write_text("\n".join(peer.requirements) + "\n")

    def no_pip(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("pip must not run for a ready venv")

    monkeypatch.setattr(setup.subprocess, "run", no_pip)
    assert setup.ensure_venv(peer, tmp_path / "install.log") is None
    (peer.venv / setup.STAMP).write_text("distilabel==0.0.1\n")  # another pin: reinstall
    with pytest.raises(AssertionError, match="pip must not run"):
        setup.ensure_venv(peer, tmp_path / "install.log")


def test_tool_env_drops_keys_and_switches_telemetry_off(
    bench: dict[str, ModuleType], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup = bench["peer_setup"]
    monkeypatch.setenv("OPENAI_API_KEY", "sk-real-secret")
    monkeypatch.setenv("LANGSMITH_API_KEY", "ls-secret")
    peer = setup.BY_NAME["curator"]
    env = setup.tool_env(peer, tmp_path / "work", tmp_path / "guard.jsonl")
    assert "sk-real-secret" not in env.values() and "LANGSMITH_API_KEY" not in env
    assert env["TELEMETRY_ENABLED"] == "false" and env["LITELLM_LOCAL_MODEL_COST_MAP"] == "True"
    assert env["CURATOR_CACHE_DIR"] == str(tmp_path / "work" / "cache")
    assert env["TIKTOKEN_CACHE_DIR"] == str(peer.venv / "tiktoken-cache")
    assert env["PYTHONPATH"] == str(NETGUARD) and env["PEERS_NETGUARD_LOG"].endswith(".jsonl")
    dd = setup.tool_env(setup.BY_NAME["data_designer"], tmp_path, tmp_path / "g.jsonl")
    assert dd["NEMO_TELEMETRY_ENABLED"] == "false"
