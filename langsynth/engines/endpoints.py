"""Model endpoints of a scale-out run: parsing, counters, and which errors mean "endpoint down".

Ray-free on purpose: the CLI parses ``--endpoints`` and the summary prints counters without
importing Ray, and the fault rules are unit-tested without a cluster.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from pydantic import SecretStr

from langsynth.errors import (
    ConfigurationError,
    LangsynthError,
    ModelUnavailableError,
    ServerError,
)
from langsynth.model_errors import row_failure


@dataclass(frozen=True)
class Endpoint:
    """One OpenAI-compatible server (vLLM, llama.cpp, OpenAI, the stub).

    ``url`` is its OpenAI base URL (``.../v1``); ``slots`` how many requests it serves at
    once; ``model`` the model name to send (``None``: the first one its ``/v1/models``
    lists); ``api_key`` a key if it needs one (never shown in a repr).
    """

    url: str
    slots: int = 4
    model: str | None = None
    api_key: SecretStr | None = None

    def __post_init__(self) -> None:
        if self.slots < 1:
            raise ConfigurationError(f"Endpoint {self.url}: slots must be at least 1.")

    @classmethod
    def parse(cls, text: str, *, slots: int = 4, model: str | None = None) -> Endpoint:
        """``http://host:port`` or ``http://host:port/v1`` (``/v1`` is added when missing)."""
        url = text.strip().rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigurationError(
                f"Endpoint {text!r} is not an http(s) URL; give OpenAI base URLs such as "
                "http://127.0.0.1:8080/v1 (comma-separated for several)."
            )
        if not parts.path.endswith("/v1"):
            url += "/v1"
        return cls(url=url, slots=slots, model=model)

    @property
    def server_url(self) -> str:
        """The URL without ``/v1`` (where llama.cpp serves ``/health``)."""
        return self.url.removesuffix("/v1")


def parse_endpoints(
    endpoints: str | Sequence[str | Endpoint], *, slots: int = 4, model: str | None = None
) -> list[Endpoint]:
    """Endpoints from ``"URL1,URL2"``, a list of URLs, or :class:`Endpoint` objects."""
    items: Sequence[str | Endpoint] = (
        [p for p in endpoints.split(",") if p.strip()] if isinstance(endpoints, str) else endpoints
    )
    out = [
        e if isinstance(e, Endpoint) else Endpoint.parse(e, slots=slots, model=model) for e in items
    ]
    if not out:
        raise ConfigurationError("No endpoints given: pass --endpoints URL1,URL2,...")
    urls = [e.url for e in out]
    twice = sorted({u for u in urls if urls.count(u) > 1})
    if twice:
        raise ConfigurationError(f"Endpoint listed twice: {', '.join(twice)}.")
    return out


@dataclass
class EndpointCounters:
    """What one endpoint did in a run (the summary's per-endpoint table).

    ``calls`` units of work sent, ``completed`` answered, ``faults`` that were the
    endpoint's (refused, server error, no answer in time; each was retried elsewhere),
    ``requests`` / ``request_errors`` model HTTP calls seen by the chat model (a unit of work
    may make several: retries with feedback), and their tokens.
    """

    url: str
    calls: int = 0
    completed: int = 0
    faults: int = 0
    requests: int = 0
    request_errors: int = 0
    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    alive: bool = True
    last_fault: str | None = None

    def add_usage(self, delta: dict[str, int]) -> None:
        """Add a usage delta reported by the endpoint's actor."""
        self.requests += delta.get("requests", 0)
        self.request_errors += delta.get("request_errors", 0)
        self.input_tokens += delta.get("input_tokens", 0)
        self.cached_input_tokens += delta.get("cached_input_tokens", 0)
        self.output_tokens += delta.get("output_tokens", 0)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# Status codes that say "this server cannot serve now", not "this request is wrong".


def is_endpoint_fault(exc: BaseException) -> bool:
    """True if ``exc`` is about the endpoint (retry the work elsewhere), not about the row.

    The components map model/HTTP exceptions with the one mapping,
    :func:`langsynth.model_errors.row_failure`: what it calls "the endpoint cannot serve"
    (:class:`ModelUnavailableError`: connection lost, bad key or URL, rate limit), a dead
    embedded server, and a call that did not answer in time are faults; anything else (a
    bug, a configuration error that would hit every endpoint) is not.
    """
    if isinstance(exc, ModelUnavailableError | ServerError | TimeoutError | ConnectionError):
        return True
    if isinstance(exc, LangsynthError):
        return False
    try:
        row_failure(exc)
    except ModelUnavailableError:
        return True
    except BaseException:
        return False
    return False


def describe_fault(exc: BaseException) -> str:
    """A one-line reason for the log and the summary (no request bodies, no keys)."""
    status = getattr(exc, "status_code", None)
    text = str(exc).splitlines()[0] if str(exc) else ""
    name = type(exc).__name__
    reason = f"{name} {status}" if status else name
    return f"{reason}: {text[:200]}" if text else reason
