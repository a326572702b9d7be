"""Model configuration: the one place that turns a model spec into a LangChain chat model.

Specs (``--model`` on the CLI, ``LANGSYNTH_MODEL`` in the environment or ``.env``):

- ``local`` — the embedded Qwen2.5 Coder 0.5B Instruct on a llama.cpp server (default)
- ``local-large`` — the embedded Qwen2.5 Coder 1.5B Instruct (default judge)
- ``local:/path/model.gguf`` — any GGUF file on the embedded server
- ``openai:<model>`` — OpenAI, key from ``OPENAI_API_KEY``
- ``openai-compatible:<model>`` — vLLM, Ollama, llama-server, ... at ``LANGSYNTH_BASE_URL``
  with optional ``LANGSYNTH_API_KEY``

Precedence: explicit argument, then the environment / ``.env``, then ``local``.
Keys are held as :class:`pydantic.SecretStr` and never appear in a repr, log or error.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, ConfigDict, PrivateAttr, SecretStr

from langsynth.errors import ConfigurationError, MissingAPIKeyError
from langsynth.local import LocalServer, ServerConfig, shared_server
from langsynth.model_files import EMBEDDED_MODELS, SMALL, ensure_model
from langsynth.specs import model_spec_of as model_spec_of  # re-exported

log = logging.getLogger(__name__)

DEFAULT_MODEL = "local"
DEFAULT_JUDGE_MODEL = "local-large"
PROVIDERS = ("local", "openai", "openai-compatible")


class Settings(BaseModel):
    """Every model-related setting, read from the environment and ``.env``."""

    model_config = ConfigDict(frozen=True)

    model: str | None = None
    judge_model: str | None = None
    openai_api_key: SecretStr | None = None
    base_url: str | None = None
    api_key: SecretStr | None = None
    local_model_path: Path | None = None
    local_url: str | None = None
    local_large_url: str | None = None
    cache_dir: Path | None = None
    local_parallel: int = 4
    local_ctx: int = 4096
    local_threads: int | None = None
    local_cache_mib: int = 512

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, dotenv: bool = True) -> Settings:
        """Read settings; ``.env`` in the working directory fills what the environment lacks."""
        env: dict[str, str] = {}
        if dotenv:
            from dotenv import dotenv_values, find_dotenv

            path = find_dotenv(usecwd=True)
            if path:
                env.update({k: v for k, v in dotenv_values(path).items() if v is not None})
        env.update(os.environ if environ is None else environ)

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        def get_int(name: str, default: int | None) -> int | None:
            value = get(name)
            if value is None:
                return default
            try:
                return int(value)
            except ValueError:
                raise ConfigurationError(f"{name} must be an integer, got {value!r}.") from None

        return cls(
            model=get("LANGSYNTH_MODEL"),
            judge_model=get("LANGSYNTH_JUDGE_MODEL"),
            openai_api_key=SecretStr(v) if (v := get("OPENAI_API_KEY")) else None,
            base_url=get("LANGSYNTH_BASE_URL"),
            api_key=SecretStr(v) if (v := get("LANGSYNTH_API_KEY")) else None,
            local_model_path=Path(v).expanduser() if (v := get("LANGSYNTH_LOCAL_MODEL")) else None,
            local_url=get("LANGSYNTH_LOCAL_URL"),
            local_large_url=get("LANGSYNTH_LOCAL_LARGE_URL"),
            cache_dir=Path(v).expanduser() if (v := get("LANGSYNTH_CACHE_DIR")) else None,
            local_parallel=get_int("LANGSYNTH_LOCAL_PARALLEL", 4) or 4,
            local_ctx=get_int("LANGSYNTH_LOCAL_CTX", 4096) or 4096,
            local_threads=get_int("LANGSYNTH_LOCAL_THREADS", None),
            local_cache_mib=get_int("LANGSYNTH_LOCAL_CACHE_MIB", 512) or 0,
        )


@dataclass(frozen=True)
class ModelSpec:
    """A parsed model spec. ``provider`` is one of :data:`PROVIDERS`."""

    provider: str
    name: str
    path: Path | None = None

    def __str__(self) -> str:
        if self.provider == "local":
            return f"local:{self.path}" if self.path else self.name
        return f"{self.provider}:{self.name}"


def parse_spec(spec: str) -> ModelSpec:
    """Parse a model spec such as ``local``, ``local:/x.gguf`` or ``openai:gpt-4o-mini``."""
    text = spec.strip()
    if text in EMBEDDED_MODELS:
        return ModelSpec("local", text)
    provider, sep, rest = text.partition(":")
    rest = rest.strip()
    if sep and provider == "local" and rest:
        return ModelSpec("local", "local", Path(rest).expanduser())
    if sep and provider in ("openai", "openai-compatible") and rest:
        return ModelSpec(provider, rest)
    raise ConfigurationError(
        f"Unknown model spec {spec!r}. Use one of: local, local-large, local:/path/model.gguf, "
        "openai:<model> (e.g. openai:gpt-4o-mini), openai-compatible:<model> "
        "(with LANGSYNTH_BASE_URL)."
    )


class LocalChatOpenAI(ChatOpenAI):
    """``ChatOpenAI`` on the embedded server; a dead server becomes :class:`ServerDiedError`."""

    _server: LocalServer | None = PrivateAttr(default=None)

    def _check_server(self, exc: Exception) -> None:
        import openai

        if self._server is not None and isinstance(exc, openai.APIConnectionError):
            self._server.check_alive()

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        try:
            return super()._generate(messages, *args, **kwargs)
        except Exception as exc:
            self._check_server(exc)
            raise

    async def _agenerate(
        self, messages: list[BaseMessage], *args: Any, **kwargs: Any
    ) -> ChatResult:
        try:
            return await super()._agenerate(messages, *args, **kwargs)
        except Exception as exc:
            self._check_server(exc)
            raise


def local_server_config(settings: Settings, model_path: Path) -> ServerConfig:
    return ServerConfig(
        model_path=model_path,
        parallel=settings.local_parallel,
        ctx_per_slot=settings.local_ctx,
        threads=settings.local_threads or (os.cpu_count() or 2),
        cache_ram_mib=settings.local_cache_mib,
    )


def local_model_path(parsed: ModelSpec, settings: Settings) -> Path:
    """The GGUF file a local spec runs: explicit path, LANGSYNTH_LOCAL_MODEL, or embedded."""
    if parsed.path is not None:
        return parsed.path
    if parsed.name == SMALL.spec and settings.local_model_path is not None:
        return settings.local_model_path
    return ensure_model(EMBEDDED_MODELS[parsed.name], settings.cache_dir)


def get_chat_model(
    spec: str | None = None,
    *,
    temperature: float | None = None,
    max_tokens: int | None = None,
    seed: int | None = None,
    settings: Settings | None = None,
    **kwargs: Any,
) -> BaseChatModel:
    """Return a chat model for ``spec`` (see module docstring for the spec syntax).

    >>> llm = get_chat_model("local", temperature=0.8)  # doctest: +SKIP
    >>> llm.invoke("Say hi").content  # doctest: +SKIP
    """
    settings = settings or Settings.from_env()
    chosen = spec or settings.model or DEFAULT_MODEL
    return _build(parse_spec(chosen), settings, temperature, max_tokens, seed, kwargs)


def get_judge_model(
    spec: str | None = None,
    *,
    settings: Settings | None = None,
    **kwargs: Any,
) -> BaseChatModel:
    """Like :func:`get_chat_model`, for the judge.

    Precedence: ``spec``, then ``LANGSYNTH_JUDGE_MODEL``, then ``local-large``.
    """
    settings = settings or Settings.from_env()
    chosen = spec or settings.judge_model or DEFAULT_JUDGE_MODEL
    return get_chat_model(chosen, settings=settings, **kwargs)


def reseeded(llm: BaseChatModel, offset: int) -> BaseChatModel:
    """``llm`` with its sampling seed moved by ``offset`` (unchanged without an int seed).

    A chat model with a fixed ``seed`` answers an identical prompt identically, so a
    re-ask or a schema without per-record hints would get the same answer again; a seed per
    record or attempt (``seed + offset``) keeps a seeded run reproducible and varied.
    """
    base = getattr(llm, "seed", None)
    if not offset or not isinstance(base, int) or isinstance(base, bool):
        return llm
    return llm.model_copy(update={"seed": base + offset})


LOCAL_DEFAULT_MAX_TOKENS = 1024


def _build(
    parsed: ModelSpec,
    settings: Settings,
    temperature: float | None,
    max_tokens: int | None,
    seed: int | None,
    extra: dict[str, Any],
) -> BaseChatModel:
    common: dict[str, Any] = {"metadata": {"langsynth_spec": str(parsed)}}
    if temperature is not None:
        common["temperature"] = temperature
    if max_tokens is not None:
        common["max_tokens"] = max_tokens
    if seed is not None:
        common["seed"] = seed
    common.update(extra)

    if parsed.provider == "local":
        # A small local model can loop until its context is full (minutes on 2 cores); a cap
        # turns that into a prompt "length" failure that the caller retries or reports.
        common.setdefault("max_tokens", LOCAL_DEFAULT_MAX_TOKENS)
        external = settings.local_large_url if parsed.name == "local-large" else settings.local_url
        if external and parsed.path is None:
            # A server started elsewhere with `langsynth serve`.
            return ChatOpenAI(
                base_url=external.rstrip("/") + "/v1",
                api_key=SecretStr("local"),
                model=parsed.name,
                timeout=common.pop("timeout", 600),
                max_retries=common.pop("max_retries", 1),
                **common,
            )
        path = local_model_path(parsed, settings)
        server = shared_server(local_server_config(settings, path))
        llm = LocalChatOpenAI(
            base_url=server.openai_base_url,
            api_key=server.api_key or SecretStr("local"),
            model=path.stem,
            timeout=common.pop("timeout", 600),
            max_retries=common.pop("max_retries", 1),
            **common,
        )
        llm._server = server
        return llm

    if parsed.provider == "openai":
        if settings.openai_api_key is None:
            raise MissingAPIKeyError("OPENAI_API_KEY", str(parsed))
        return ChatOpenAI(model=parsed.name, api_key=settings.openai_api_key, **common)

    if settings.base_url is None:
        raise ConfigurationError(
            f"Model {str(parsed)!r} needs LANGSYNTH_BASE_URL, the server's OpenAI-compatible "
            "endpoint (e.g. http://localhost:8000/v1 for vLLM, http://localhost:11434/v1 for "
            "Ollama). Set it in the environment or in .env."
        )
    return ChatOpenAI(
        model=parsed.name,
        base_url=settings.base_url,
        api_key=settings.api_key or SecretStr("not-needed"),
        **common,
    )
