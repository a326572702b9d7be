"""One error hierarchy: every error langsynth raises on purpose is a :class:`LangsynthError`.

Messages say what went wrong *and what to do next*; subclasses carry diagnostics
(paths, line numbers, raw model output) as attributes so callers need not parse text.
"""

from __future__ import annotations

from typing import Any


class LangsynthError(Exception):
    """Base class of all langsynth errors."""


class ConfigurationError(LangsynthError):
    """A model spec or setting is invalid."""


class MissingAPIKeyError(ConfigurationError):
    """A remote model was requested but its API key is not set."""

    def __init__(self, variable: str, spec: str) -> None:
        self.variable = variable
        self.spec = spec
        super().__init__(
            f"Model {spec!r} needs an API key, but {variable} is not set. "
            f"Set {variable} in the environment or in a .env file in the working directory, "
            "or use the embedded model with --model local (no key needed)."
        )


class EmbeddedModelError(LangsynthError):
    """The embedded model's weights are missing or damaged."""


class ModelNotInstalledError(EmbeddedModelError):
    """A part package of the embedded model is not installed."""


class ModelIntegrityError(EmbeddedModelError):
    """The assembled model file does not have the expected size or sha256."""


class ServerError(LangsynthError):
    """The embedded llama.cpp server failed to start or died.

    ``log_tail`` holds the last lines of the server's log.
    """

    def __init__(self, message: str, log_tail: str = "") -> None:
        self.log_tail = log_tail
        text = message
        if log_tail:
            text += "\n--- last lines of the server log ---\n" + log_tail
        super().__init__(text)


class ServerStartError(ServerError):
    """The embedded server did not come up."""


class ServerDiedError(ServerError):
    """The embedded server stopped answering while in use."""


class SchemaError(LangsynthError):
    """A schema reference (``name``, ``file.py:Class``, ``module:Class``) cannot be loaded."""


class ExamplesError(LangsynthError):
    """A few-shot examples file cannot be read or does not validate.

    ``path``, ``line`` and ``field`` locate the problem when known.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.field = field
        where = ""
        if path is not None:
            where = f"{path}"
            if line is not None:
                where += f", line {line}"
            if field is not None:
                where += f", field {field!r}"
            where += ": "
        super().__init__(where + message)


class DataFileError(LangsynthError):
    """An input data file (JSONL/CSV/parquet) cannot be read; names the file and line."""


class OutputExistsError(LangsynthError):
    """The output file exists and neither resume nor overwrite was requested."""


class GenerationError(LangsynthError):
    """A generation run could not produce what was asked.

    ``kept`` is the number of records that were accepted before it stopped.
    """

    def __init__(self, message: str, *, kept: int = 0, raw_output: Any = None) -> None:
        self.kept = kept
        self.raw_output = raw_output
        super().__init__(message)


class ExtractionError(LangsynthError):
    """An extraction chain was set up or called wrongly (unknown strategy, bad input)."""


class ExportFormatError(LangsynthError):
    """Exported fine-tuning data would be rejected by its consumer (e.g. OpenAI's API).

    ``issues`` lists ``(line, problem)`` pairs (1-based lines of the output file).
    """

    def __init__(self, message: str, issues: list[tuple[int, str]] | None = None) -> None:
        self.issues = list(issues or [])
        shown = "; ".join(f"line {line}: {problem}" for line, problem in self.issues[:5])
        more = f" (and {len(self.issues) - 5} more)" if len(self.issues) > 5 else ""
        super().__init__(message + (f" {shown}{more}" if shown else ""))


class PricingError(ConfigurationError):
    """A price table (a file or ``LANGSYNTH_PRICES``) is malformed; says the expected form."""


class EstimateError(LangsynthError):
    """A cost/time projection cannot be made (e.g. the pilot accepted no records)."""
