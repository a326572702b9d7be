"""A simulated OpenAI-compatible fleet: many stub endpoints on loopback, one asyncio loop.

Scale-out code (the Ray actor pool, the scale-out benchmark) needs many endpoints that
behave like llama.cpp or vLLM servers without their compute: each stub answers
``/v1/chat/completions`` after a configurable time to first token plus output tokens at a
configurable rate, with usage counts, and returns **schema-valid** records
(:class:`~langsynth.testing.fake_records.RecordFaker`) for the schema a request asks for:
``response_format`` ``json_schema`` (found by its name, or faked from the schema sent),
llama.cpp's ``grammar`` (the registered schema whose field names the grammar spells), a
forced tool call, or ``json_object``. Plain requests get plain text. Streaming (SSE) works.
Faults can be injected per endpoint: ``always`` (HTTP 500 on every call), ``hang`` (never
answer) and ``die_after`` (stop listening after k answered calls, as a killed server does).
``/v1/models``, ``/health`` and ``/stats`` (the endpoint's counters) are served too.

:mod:`langsynth.testing.stub_server` runs a fleet as its own process (command line).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from langsynth.errors import ConfigurationError
from langsynth.testing.fake_records import RecordFaker

if TYPE_CHECKING:
    from aiohttp import web

    from langsynth.schemas import SchemaInfo

FAULTS = ("none", "always", "hang", "die_after")
CHARS_PER_TOKEN = 4  # a rough tokenizer: usage counts only need the right order of magnitude


@dataclass
class EndpointBehaviour:
    """How one stub endpoint answers."""

    latency_s: float = 0.05  # time to first token
    tokens_per_s: float = 200.0  # decode speed of one request
    text_tokens: int = 60  # length of a plain-text answer
    fault: str = "none"  # one of FAULTS
    die_after: int = 0  # with fault="die_after": answered calls before the endpoint dies
    model: str = "stub"

    def __post_init__(self) -> None:
        if self.fault not in FAULTS:
            raise ConfigurationError(f"Unknown stub fault {self.fault!r}; use one of {FAULTS}.")
        if self.latency_s < 0 or self.tokens_per_s <= 0:
            raise ConfigurationError("Stub latency must be >= 0 and tokens/s > 0.")


@dataclass
class EndpointStats:
    """Counters of one stub endpoint (``GET /stats``)."""

    requests: int = 0
    answered: int = 0
    failed: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    in_flight: int = 0
    max_in_flight: int = 0


@dataclass
class _Endpoint:
    index: int
    behaviour: EndpointBehaviour
    fakers: dict[str, RecordFaker]
    stats: EndpointStats = field(default_factory=EndpointStats)
    url: str = ""
    dead: bool = False
    runner: Any = None
    generic: dict[str, RecordFaker] = field(default_factory=dict)


def _tokens(text: str) -> int:
    return max(1, len(text) // CHARS_PER_TOKEN)


class StubFleet:
    """Stub endpoints on consecutive free ports of 127.0.0.1, all served by the running loop.

    >>> fleet = StubFleet(["medical_billing"], [EndpointBehaviour()] * 2)  # doctest: +SKIP
    >>> urls = await fleet.start()  # doctest: +SKIP
    """

    def __init__(
        self,
        schemas: Sequence[str | type[BaseModel] | SchemaInfo] = (),
        behaviours: Sequence[EndpointBehaviour] = (EndpointBehaviour(),),
        *,
        seed: int = 0,
        host: str = "127.0.0.1",
    ) -> None:
        from langsynth.schemas import load_schema

        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ConfigurationError("The stub endpoint binds loopback only (127.0.0.1).")
        self.infos = [load_schema(s) for s in schemas]
        self.host = host
        self.endpoints: list[_Endpoint] = []
        for i, behaviour in enumerate(behaviours):
            # Each endpoint its own seed: endpoints of one fleet must not answer alike, or
            # dedup across endpoints would see the same records.
            made = [RecordFaker.for_schema(info, seed=seed * 1000 + i) for info in self.infos]
            fakers = {faker.title: faker for faker in made}
            self.endpoints.append(_Endpoint(i, behaviour, fakers))

    @property
    def urls(self) -> list[str]:
        """OpenAI base URLs (``http://127.0.0.1:PORT/v1``), one per endpoint."""
        return [e.url for e in self.endpoints]

    async def start(self) -> list[str]:
        """Bind every endpoint; returns their OpenAI base URLs."""
        try:
            from aiohttp import web
        except ImportError:
            raise ConfigurationError(
                "The stub endpoint needs aiohttp: pip install 'langsynth[ray]'."
            ) from None
        for endpoint in self.endpoints:
            app = web.Application(client_max_size=64 * 1024 * 1024)
            app.router.add_post("/v1/chat/completions", self._handler(endpoint, self._chat))
            app.router.add_get("/v1/models", self._handler(endpoint, self._models))
            app.router.add_get("/health", self._handler(endpoint, self._health))
            app.router.add_get("/stats", self._handler(endpoint, self._stats))
            runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
            await runner.setup()
            site = web.TCPSite(runner, self.host, 0)
            await site.start()
            port = runner.addresses[0][1]
            endpoint.runner = runner
            endpoint.url = f"http://{self.host}:{port}/v1"
        return self.urls

    async def stop(self) -> None:
        """Close every endpoint (in-flight requests are dropped)."""
        for endpoint in self.endpoints:
            await self._close(endpoint)

    async def _close(self, endpoint: _Endpoint) -> None:
        endpoint.dead = True
        runner, endpoint.runner = endpoint.runner, None
        if runner is not None:
            await runner.cleanup()

    def stats(self) -> list[dict[str, Any]]:
        """Counters of every endpoint, in order."""
        return [asdict(e.stats) | {"url": e.url, "dead": e.dead} for e in self.endpoints]

    # ------------------------------------------------------------------ handlers

    def _handler(self, endpoint: _Endpoint, func: Any) -> Any:
        async def handle(request: web.Request) -> web.StreamResponse:
            if endpoint.dead:  # a request that raced the shutdown: drop it like a dead server
                if request.transport is not None:
                    request.transport.abort()
                raise ConnectionResetError("stub endpoint is dead")
            return await func(endpoint, request)

        return handle

    async def _health(self, endpoint: _Endpoint, request: web.Request) -> web.StreamResponse:
        from aiohttp import web

        if endpoint.behaviour.fault == "always":
            return web.json_response({"status": "error"}, status=503)
        return web.json_response({"status": "ok"})

    async def _stats(self, endpoint: _Endpoint, request: web.Request) -> web.StreamResponse:
        from aiohttp import web

        return web.json_response(asdict(endpoint.stats))

    async def _models(self, endpoint: _Endpoint, request: web.Request) -> web.StreamResponse:
        from aiohttp import web

        model = {"id": endpoint.behaviour.model, "object": "model", "owned_by": "langsynth-stub"}
        return web.json_response({"object": "list", "data": [model]})

    async def _chat(self, endpoint: _Endpoint, request: web.Request) -> web.StreamResponse:
        from aiohttp import web

        stats, behaviour = endpoint.stats, endpoint.behaviour
        stats.requests += 1
        stats.in_flight += 1
        stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        try:
            try:
                body = await request.json()
            except ValueError:
                stats.failed += 1
                return _error(400, "the request body is not JSON")
            if behaviour.fault == "always":
                stats.failed += 1
                return _error(500, "stub endpoint: injected failure")
            if behaviour.fault == "hang":
                await asyncio.sleep(24 * 3600)  # until the client gives up and disconnects
            content, tool_call = self._answer(endpoint, body)
            prompt = sum(_tokens(str(m.get("content") or "")) for m in body.get("messages", []))
            completion = _tokens(content)
            finish = "tool_calls" if tool_call else "stop"
            limit = body.get("max_completion_tokens") or body.get("max_tokens")
            if isinstance(limit, int) and 0 < limit < completion:
                content, completion, finish = content[: limit * CHARS_PER_TOKEN], limit, "length"
            if body.get("stream"):
                response = await self._stream(request, endpoint, body, content, tool_call, finish)
            else:
                await asyncio.sleep(behaviour.latency_s + completion / behaviour.tokens_per_s)
                message: dict[str, Any] = {"role": "assistant", "content": content}
                if tool_call:
                    message = {"role": "assistant", "content": None, "tool_calls": [tool_call]}
                    tool_call["function"]["arguments"] = content
                response = web.json_response(
                    {
                        "id": f"chatcmpl-stub-{endpoint.index}-{stats.requests}",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": behaviour.model,
                        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                        "usage": _usage(prompt, completion),
                    }
                )
            stats.answered += 1
            stats.prompt_tokens += prompt
            stats.completion_tokens += completion
            if behaviour.fault == "die_after" and stats.answered >= behaviour.die_after:
                # Answer this one, then go away as a killed server does.
                asyncio.get_running_loop().call_soon(
                    lambda: asyncio.ensure_future(self._close(endpoint))
                )
            return response
        finally:
            stats.in_flight -= 1

    async def _stream(
        self,
        request: web.Request,
        endpoint: _Endpoint,
        body: dict[str, Any],
        content: str,
        tool_call: dict[str, Any] | None,
        finish: str,
    ) -> web.StreamResponse:
        from aiohttp import web

        behaviour = endpoint.behaviour
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        base = {
            "id": f"chatcmpl-stub-{endpoint.index}-{endpoint.stats.requests}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": behaviour.model,
        }

        async def send(delta: dict[str, Any], reason: str | None = None, **extra: Any) -> None:
            chunk = base | {"choices": [{"index": 0, "delta": delta, "finish_reason": reason}]}
            await response.write(f"data: {json.dumps(chunk | extra)}\n\n".encode())

        await asyncio.sleep(behaviour.latency_s)
        await send({"role": "assistant", "content": ""})
        if tool_call:
            tool_call["function"]["arguments"] = content
            await asyncio.sleep(_tokens(content) / behaviour.tokens_per_s)
            await send({"tool_calls": [tool_call | {"index": 0}]})
        else:
            piece = 8 * CHARS_PER_TOKEN  # eight tokens per chunk
            for start in range(0, len(content), piece):
                await asyncio.sleep(8 / behaviour.tokens_per_s)
                await send({"content": content[start : start + piece]})
        await send({}, finish)
        if (body.get("stream_options") or {}).get("include_usage"):
            prompt = sum(_tokens(str(m.get("content") or "")) for m in body.get("messages", []))
            usage = _usage(prompt, _tokens(content))
            await response.write(
                f"data: {json.dumps(base | {'choices': [], 'usage': usage})}\n\n".encode()
            )
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    # ------------------------------------------------------------------ content

    def _answer(
        self, endpoint: _Endpoint, body: dict[str, Any]
    ) -> tuple[str, dict[str, Any] | None]:
        """The reply text (JSON for structured requests) and, for a forced tool, the call."""
        fmt = body.get("response_format") or {}
        if fmt.get("type") == "json_schema":
            spec = fmt.get("json_schema") or {}
            faker = self._faker(endpoint, spec.get("name"), spec.get("schema"))
            return json.dumps(faker.make()), None
        if isinstance(body.get("grammar"), str):
            faker = self._grammar_faker(endpoint, body["grammar"])
            return json.dumps(faker.make(), separators=(",", ":")), None
        tools = body.get("tools") or []
        choice = body.get("tool_choice")
        if tools and choice not in (None, "none", "auto"):
            wanted = choice.get("function", {}).get("name") if isinstance(choice, dict) else None
            tool = next(
                (t for t in tools if t.get("function", {}).get("name") == wanted), tools[0]
            )["function"]
            faker = self._faker(endpoint, tool.get("name"), tool.get("parameters"))
            call: dict[str, Any] = {"id": f"call_{endpoint.stats.requests}", "type": "function"}
            call["function"] = {"name": tool.get("name"), "arguments": ""}
            return json.dumps(faker.make()), call
        if fmt.get("type") == "json_object" and endpoint.fakers:
            return json.dumps(next(iter(endpoint.fakers.values())).make()), None
        words = next(iter(endpoint.fakers.values())).vocabulary if endpoint.fakers else ["stub"]
        count = max(1, endpoint.behaviour.text_tokens * CHARS_PER_TOKEN // 7)
        start = endpoint.stats.requests % max(1, len(words))
        text = " ".join(words[(start + 7 * i) % len(words)] for i in range(count))
        return text[:1].upper() + text[1:] + ".", None

    def _grammar_faker(self, endpoint: _Endpoint, grammar: str) -> RecordFaker:
        """The faker for a llama.cpp grammar: llguidance's ``%json {schema}`` carries the
        schema itself; a GBNF grammar spells the field names as quoted literals."""
        start = grammar.find("%json")
        if start >= 0:
            try:
                schema, _ = json.JSONDecoder().raw_decode(grammar[start + len("%json") :].lstrip())
            except ValueError:
                schema = None
            if isinstance(schema, dict):
                return self._faker(endpoint, schema.get("title"), schema)
        for faker in endpoint.fakers.values():
            names = faker.model.model_fields if faker.model is not None else {}
            if names and all(f'\\"{name}\\"' in grammar for name in names):
                return faker
        if not endpoint.fakers:
            raise ConfigurationError("A grammar request, but the stub serves no schema.")
        return next(iter(endpoint.fakers.values()))

    def _faker(self, endpoint: _Endpoint, name: Any, schema: Any) -> RecordFaker:
        if isinstance(name, str) and name in endpoint.fakers:
            return endpoint.fakers[name]
        if isinstance(schema, dict):
            title = schema.get("title")
            if isinstance(title, str) and title in endpoint.fakers:
                return endpoint.fakers[title]
            key = json.dumps(schema, sort_keys=True)
            if key not in endpoint.generic:
                endpoint.generic[key] = RecordFaker(schema=schema, seed=endpoint.index)
            return endpoint.generic[key]
        raise ConfigurationError("A structured request without a schema.")


def _usage(prompt: int, completion: int) -> dict[str, Any]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0},
    }


def _error(status: int, message: str) -> web.StreamResponse:
    from aiohttp import web

    kind = "server_error" if status >= 500 else "invalid_request_error"
    return web.json_response({"error": {"message": message, "type": kind}}, status=status)
