"""A recording pass-through proxy in front of the model server, for the peers benchmark.

Every tool talks to the one embedded llama.cpp server through this proxy (127.0.0.1), which
forwards each request unchanged and notes what a server log would: which tool sent it (the
benchmark sets ``tag`` before each tool), when it started and ended, how many requests were in
flight, which structured-output mechanism the body asked for (``response_format``, ``tools``,
legacy ``functions``), temperature / max tokens / ``n`` as sent, the prompt size, and the
server's reply: status, usage and llama.cpp's ``timings`` (prompt tokens processed vs taken
from the cache, tokens decoded). The forwarding costs well under a millisecond per request.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


def describe_request(body: dict[str, Any]) -> dict[str, Any]:
    """What a chat-completions body asks for, without the prompt text itself."""
    messages = body.get("messages") or []
    chars = 0
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            chars += len(content)
        elif isinstance(content, list):
            chars += sum(
                len(str(part.get("text", ""))) for part in content if isinstance(part, dict)
            )
    fmt = body.get("response_format")
    if body.get("grammar"):
        mechanism = "grammar"
    elif body.get("json_schema"):
        mechanism = "json_schema (llama.cpp field)"
    elif body.get("functions"):
        mechanism = "functions"
    elif body.get("tools"):
        mechanism = "tools"
    elif isinstance(fmt, dict) and fmt.get("type") not in (None, "text"):
        mechanism = f"response_format:{fmt.get('type')}"
    else:
        mechanism = "none"
    return {
        "mechanism": mechanism,
        "temperature": body.get("temperature"),
        "max_tokens": body.get("max_tokens", body.get("max_completion_tokens")),
        "n": body.get("n", 1),
        "stream": bool(body.get("stream")),
        "messages": len(messages),
        "prompt_chars": chars,
        "body_keys": sorted(body),
    }


def describe_response(body: dict[str, Any]) -> dict[str, Any]:
    """Usage, llama.cpp timings and the first choice's output text from a completion reply."""
    usage = body.get("usage") or {}
    timings = body.get("timings") or {}
    choices = body.get("choices") or [{}]
    message = choices[0].get("message") or {}
    text = message.get("content") or ""
    for call in message.get("tool_calls") or []:
        text += (call.get("function") or {}).get("arguments") or ""
    if message.get("function_call"):
        text += message["function_call"].get("arguments") or ""
    return {
        "prompt_tokens": usage.get("prompt_tokens"),
        "completion_tokens": usage.get("completion_tokens"),
        "prompt_processed": timings.get("prompt_n"),
        "prompt_cached": timings.get("cache_n"),
        "finish_reason": choices[0].get("finish_reason"),
        "choices": len(body.get("choices") or []),
        "output": text[:400],
    }


class RecordingProxy:
    """Forward HTTP requests to ``upstream`` and keep one record per request."""

    def __init__(self, upstream: str, log: Path | None = None) -> None:
        parts = urlsplit(upstream)
        self.log = log  # each record is also appended here as it completes (JSON lines)
        if log is not None:
            log.parent.mkdir(parents=True, exist_ok=True)
            log.write_text("")
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.tag = "-"
        self.records: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._in_flight = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> RecordingProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def for_tag(self, tag: str) -> list[dict[str, Any]]:
        with self._lock:
            return [r for r in self.records if r["tool"] == tag]

    def _enter(self) -> int:
        with self._lock:
            self._in_flight += 1
            return self._in_flight

    def _leave(self, record: dict[str, Any]) -> None:
        with self._lock:
            self._in_flight -= 1
            self.records.append(record)
            if self.log is not None:
                with self.log.open("a") as fh:
                    fh.write(json.dumps(record) + "\n")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def do_GET(self) -> None:
                self._forward()

            def do_POST(self) -> None:
                self._forward()

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                record: dict[str, Any] = {
                    "tool": proxy.tag,
                    "path": self.path,
                    "method": self.command,
                    "start": time.time(),
                }
                record["in_flight"] = proxy._enter()
                try:
                    if raw and self.path.endswith("/completions"):
                        try:
                            record.update(describe_request(json.loads(raw)))
                        except (ValueError, AttributeError):
                            record["mechanism"] = "unparsable body"
                    self._relay(raw, record)
                finally:
                    record["end"] = time.time()
                    proxy._leave(record)

            def _relay(self, raw: bytes, record: dict[str, Any]) -> None:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_HEADERS}
                headers["Content-Length"] = str(len(raw))
                conn = http.client.HTTPConnection(
                    proxy.upstream_host, proxy.upstream_port, timeout=900
                )
                try:
                    conn.request(self.command, self.path, body=raw, headers=headers)
                    resp = conn.getresponse()
                    record["status"] = resp.status
                    streaming = "event-stream" in (resp.getheader("Content-Type") or "")
                    self.send_response(resp.status)
                    for key, value in resp.getheaders():
                        if key.lower() not in _HOP_HEADERS:
                            self.send_header(key, value)
                    if streaming:  # pass events through as they come, then close
                        self.send_header("Connection", "close")
                        self.end_headers()
                        tail = b""
                        while chunk := resp.read1(65536):
                            self.wfile.write(chunk)
                            self.wfile.flush()
                            tail = (tail + chunk)[-20000:]
                        self.close_connection = True
                        record.update(_stream_summary(tail))
                        return
                    data = resp.read()
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    if self.path.endswith("/completions"):
                        try:
                            record.update(describe_response(json.loads(data)))
                        except (ValueError, AttributeError):
                            record["output"] = data[:400].decode("utf-8", "replace")
                except (BrokenPipeError, ConnectionResetError) as exc:  # the client hung up
                    record.update(client_gone=f"{type(exc).__name__}")
                    self.close_connection = True
                except OSError as exc:  # the server went away: tell the client, record it
                    record.update(status=502, error=f"{type(exc).__name__}: {exc}")
                    self.send_error(502, "upstream model server unreachable")
                finally:
                    conn.close()

        return Handler


def _stream_summary(tail: bytes) -> dict[str, Any]:
    """Usage and timings from the last events of a streamed reply (llama.cpp puts them there)."""
    for line in reversed(tail.decode("utf-8", "replace").splitlines()):
        if line.startswith("data: {") and ("usage" in line or "timings" in line):
            try:
                event = json.loads(line[6:])
            except ValueError:
                continue
            return {k: v for k, v in describe_response(event).items() if k != "output"}
    return {}


def summarize(records: list[dict[str, Any]], window: tuple[float, float] | None) -> dict[str, Any]:
    """One tool's request pattern; requests that started outside ``window`` are set-up calls."""
    calls = [r for r in records if r.get("path", "").endswith("/completions")]
    inside = [r for r in calls if window is None or window[0] - 0.5 <= r["start"] <= window[1]]

    def total(key: str, rows: list[dict[str, Any]]) -> int:
        return sum(int(r.get(key) or 0) for r in rows)

    n = len(inside)
    span = (max(r["end"] for r in inside) - min(r["start"] for r in inside)) if inside else 0.0
    busy = sum(r["end"] - r["start"] for r in inside)
    return {
        "requests": n,
        "setup_requests": len(calls) - n,
        "other_requests": len(records) - len(calls),
        "failed_requests": sum(1 for r in inside if (r.get("status") or 0) >= 400),
        "completion_tokens": total("completion_tokens", inside),
        "setup_completion_tokens": total("completion_tokens", calls)
        - total("completion_tokens", inside),
        "prompt_tokens_per_request": round(total("prompt_tokens", inside) / n, 1) if n else None,
        "uncached_prompt_tokens_per_request": round(total("prompt_processed", inside) / n, 1)
        if n
        else None,
        "mean_in_flight": round(busy / span, 2) if span else None,
        "max_in_flight": max((r.get("in_flight", 0) for r in inside), default=0),
        "mechanisms": sorted({str(r.get("mechanism")) for r in inside}),
        "temperatures": sorted({str(r.get("temperature")) for r in inside}),
        "max_tokens": sorted({str(r.get("max_tokens")) for r in inside}),
        "n_values": sorted({str(r.get("n")) for r in inside}),
        "streamed": any(r.get("stream") for r in inside),
        "finish_reasons": sorted({str(r.get("finish_reason")) for r in inside}),
    }
