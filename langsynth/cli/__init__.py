"""The ``langsynth`` command line. Thin: it parses, calls the library, prints with Rich.

Each sub-module registers its commands on :data:`app`; importing them here wires them up.
"""

from langsynth.cli import augment as _augment  # noqa: F401  (registers commands)
from langsynth.cli import export as _export  # noqa: F401
from langsynth.cli import generate as _generate  # noqa: F401
from langsynth.cli import judge as _judge  # noqa: F401
from langsynth.cli import models as _models  # noqa: F401
from langsynth.cli import quality as _quality  # noqa: F401
from langsynth.cli import report as _report  # noqa: F401
from langsynth.cli import roundtrip as _roundtrip  # noqa: F401
from langsynth.cli import schemas as _schemas  # noqa: F401
from langsynth.cli import score as _score  # noqa: F401
from langsynth.cli import synthesis as _synthesis  # noqa: F401
from langsynth.cli._app import app, main

# `langsynth --help` lists commands in the order of the workflow, not of registration.
_ORDER = [
    "models", "serve", "schemas", "generate", "text", "extract", "score", "bench-extract",
    "roundtrip", "judge", "dedup", "filter", "inspect", "export", "push-to-hub", "report",
]  # fmt: skip


def _rank(command: object) -> int:
    callback = getattr(command, "callback", None)
    name = getattr(command, "name", None) or getattr(callback, "__name__", "").replace("_", "-")
    name = name.removesuffix("-command")
    return _ORDER.index(name) if name in _ORDER else len(_ORDER)


app.registered_commands.sort(key=_rank)

__all__ = ["app", "main"]
