"""langsynth through its CLI (``langsynth generate SCHEMA -n N ...``) of this checkout.

Runs the Typer app in-process after importing it (untimed), so the timed part is the command
itself, as for the peers; ``LANGSYNTH_LOCAL_URL`` points the ``local`` model at the shared
server. The records are read back from the command's JSONL output.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from _runner import Job, main
from pydantic import BaseModel


def build(config: dict[str, Any], model: type[BaseModel]) -> Job:
    from langsynth.cli import main as cli_main

    work = Path(config["work_dir"])
    output, summary = work / "records.jsonl", work / "summary.json"
    argv = [
        "generate", config["schema"], "-n", str(config["n"]), "-o", str(output),
        "--model", "local", "--concurrency", str(config["concurrency"]),
        "--temperature", str(config["temperature"]), "--max-tokens", str(config["max_tokens"]),
        "--overwrite", "--summary-json", str(summary), "--preview", "0",
    ]  # fmt: skip

    def job() -> tuple[list[Any], dict[str, Any]]:
        sys.argv = ["langsynth", *argv]
        try:
            cli_main()
        except SystemExit as exc:
            if exc.code not in (0, None):
                raise RuntimeError(f"langsynth generate exited with {exc.code}") from None
        lines = output.read_text().splitlines() if output.is_file() else []
        notes = json.loads(summary.read_text()) if summary.is_file() else {}
        return [json.loads(line) for line in lines if line.strip()], {"summary": notes}

    return job


if __name__ == "__main__":
    raise SystemExit(main(build))
