"""What the benchmark scripts share: the model under test, server counters, tables, machine facts.

Every script exposes ``build_parser()``, ``run(args) -> dict`` and ``to_markdown(result) -> str``
and runs standalone (``python benchmarks/<name>.py --help``); ``run_all.py`` imports them.

For the embedded models a benchmark starts **its own** llama.cpp server (it must control the
number of parallel slots and see the server process), so ``LANGSYNTH_LOCAL_URL`` is ignored
there; to measure a server you started yourself, pass ``--model openai-compatible:NAME`` with
``LANGSYNTH_BASE_URL`` (or ``--model openai:...``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]


def make_parser(doc: str | None, *, model: bool = True) -> argparse.ArgumentParser:
    """A script's parser: its docstring as help, ``--json`` and, if it uses a model,
    ``--model`` and ``--threads``."""
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    if model:
        parser.add_argument("--model", default=None, help="model spec (default: local)")
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help="CPU threads of the embedded server (default: LANGSYNTH_LOCAL_THREADS or all "
            "cores)",
        )
    parser.add_argument("--json", type=Path, default=None, help="also write the raw results here")
    return parser


def script_main(
    build_parser: Callable[[], argparse.ArgumentParser],
    run: Callable[[argparse.Namespace], dict[str, Any]],
    to_markdown: Callable[[dict[str, Any]], str],
    argv: list[str] | None = None,
) -> int:
    """What running a script does: parse, run, write ``--json``, print the Markdown table."""
    args = build_parser().parse_args(argv)
    result = run(args)
    write_json(args.json, result)
    print(to_markdown(result))
    return 0


def is_embedded(spec: str | None) -> bool:
    """True if ``spec`` (None = the configured default) runs on the embedded llama.cpp server."""
    from langsynth.llm import DEFAULT_MODEL, Settings, parse_spec

    chosen = spec or Settings.from_env().model or DEFAULT_MODEL
    return parse_spec(chosen).provider == "local"


def chat_model(spec: str | None, slots: int, *, threads: int | None = None, **kwargs: Any) -> Any:
    """A chat model for ``spec``; an embedded model gets its own server with ``slots`` slots.

    ``LANGSYNTH_LOCAL_URL`` / ``LANGSYNTH_LOCAL_LARGE_URL`` are ignored: a shared server's slot
    count and load are not the benchmark's. The server lives until ``local.stop_all()``.
    """
    from langsynth.llm import Settings, get_chat_model

    settings = Settings.from_env()
    if is_embedded(spec):
        update: dict[str, Any] = {"local_parallel": slots, "local_url": None}
        update["local_large_url"] = None
        if threads:
            update["local_threads"] = threads
        settings = settings.model_copy(update=update)
    return get_chat_model(spec, settings=settings, **kwargs)


def judge_spec(spec: str | None) -> str:
    """The judge model spec: ``spec``, else ``LANGSYNTH_JUDGE_MODEL``, else ``local-large``."""
    from langsynth.llm import DEFAULT_JUDGE_MODEL, Settings

    return spec or Settings.from_env().judge_model or DEFAULT_JUDGE_MODEL


def server_pid(llm: Any) -> int | None:
    """The process id of the embedded server behind ``llm`` (None for any other server)."""
    server = getattr(llm, "_server", None)
    return server.pid if server is not None else None


def endpoint_of(llm: Any) -> tuple[str, str, str]:
    """(base URL, API key, model name) of an OpenAI-compatible LangChain chat model."""
    base = str(getattr(llm, "openai_api_base", "") or "https://api.openai.com/v1")
    secret = getattr(llm, "openai_api_key", None)
    key = secret.get_secret_value() if secret is not None else "none"
    return base, key, str(getattr(llm, "model_name", "local"))


def server_counters(llm: Any) -> dict[str, float] | None:
    """llama.cpp's ``/metrics`` counters (prompt/decoded tokens and seconds), None elsewhere."""
    base, key, _ = endpoint_of(llm)
    root = base.rstrip("/").removesuffix("/v1")
    try:
        resp = httpx.get(root + "/metrics", headers={"Authorization": f"Bearer {key}"}, timeout=10)
        resp.raise_for_status()
    except httpx.HTTPError:
        return None
    out: dict[str, float] = {}
    for line in resp.text.splitlines():
        name, _, value = line.partition(" ")
        if name.startswith("llamacpp:") and value:
            try:
                out[name.removeprefix("llamacpp:")] = float(value)
            except ValueError:
                continue
    return out or None


def counters_delta(
    before: dict[str, float] | None, after: dict[str, float] | None
) -> dict[str, float] | None:
    """What the server did between two :func:`server_counters` readings."""
    if not before or not after:
        return None
    names = (
        "prompt_tokens_total",
        "prompt_tokens_cached_total",
        "prompt_seconds_total",
        "tokens_predicted_total",
        "tokens_predicted_seconds_total",
        "n_decode_total",
    )
    delta = {n: after.get(n, 0.0) - before.get(n, 0.0) for n in names}
    decodes = delta["n_decode_total"]
    # Tokens decoded per llama_decode call: how many slots were busy on average.
    delta["tokens_per_decode"] = delta["tokens_predicted_total"] / decodes if decodes else 0.0
    return delta


def model_title(spec: str | None) -> str:
    """The spec plus, for an embedded model, what it is (for the RESULTS.md headers)."""
    from langsynth.llm import DEFAULT_MODEL, Settings
    from langsynth.model_files import EMBEDDED_MODELS

    chosen = spec or Settings.from_env().model or DEFAULT_MODEL
    model = EMBEDDED_MODELS.get(chosen)
    return f"{chosen} ({model.title}, llama.cpp)" if model else chosen


def machine() -> dict[str, Any]:
    """Cores, CPU model, RAM, Python and OS of this machine."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    ram_gib = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gib = int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return {
        "cores": os.cpu_count() or 0,
        "cpu": cpu,
        "ram_gib": round(ram_gib, 1),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (``ru_maxrss``), MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def proc_status_mib(pid: int, field: str) -> float | None:
    """A memory field of ``/proc/<pid>/status`` (``VmRSS``, ``VmHWM`` = peak), MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def fmt(value: Any, digits: int = 2) -> str:
    """A table cell: rounded floats, ``-`` for missing values."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def md_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table; cells go through :func:`fmt`."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += [
        "| " + " | ".join(fmt(c) if not isinstance(c, str) else c for c in r) + " |" for r in rows
    ]
    return "\n".join(lines)


def write_json(path: Path | None, result: Any) -> None:
    """Write ``result`` as JSON to ``path`` (if given), creating the folder."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
