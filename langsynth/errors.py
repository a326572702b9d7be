"""One error hierarchy: every error langsynth raises on purpose is a :class:`LangsynthError`.

Messages say what went wrong *and what to do next*; subclasses carry diagnostics
(paths, line numbers, raw model output) as attributes so callers need not parse text.
"""

from __future__ import annotations

from typing import Any


def _rebuild(cls: type[BaseException], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    exc = cls.__new__(cls)
    BaseException.__init__(exc, *args)
    exc.__dict__.update(state)
    return exc


class LangsynthError(Exception):
    """Base class of all langsynth errors.

    Every subclass pickles whatever its ``__init__`` takes (attributes are restored as they
    are), so an error raised in a Ray worker reaches the driver as itself.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


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


class ModelUnavailableError(LangsynthError):
    """The model endpoint cannot serve the run (connection lost, bad key, unknown model, quota).

    Not about one row: the run stops, keeps what it finished, and can be resumed.
    """


class RunLockedError(LangsynthError):
    """Another process is writing the same output (its run directory is locked)."""


class RunInputChangedError(LangsynthError):
    """``resume`` was asked for, but the job or its input differs from the run on disk."""


class RunFailedError(LangsynthError):
    """A run stopped on an error that is not about one row; what it finished is kept.

    ``cause`` is the error, ``kept`` the number of rows kept, ``output`` the output path.
    """

    def __init__(self, message: str, *, cause: BaseException, kept: int, output: Any) -> None:
        self.cause = cause
        self.kept = kept
        self.output = output
        super().__init__(message)


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM stopped a run; what it finished is kept (``kept`` rows in ``output``).

    A ``KeyboardInterrupt``, so code that handles Ctrl-C handles it; ``signum`` tells which
    signal (``signal.SIGINT`` or ``signal.SIGTERM``).
    """

    def __init__(self, message: str = "", *, signum: int = 2, kept: int = 0, output: Any = None):
        self.signum = signum
        self.kept = kept
        self.output = output
        super().__init__(message)


class MissingExtraError(LangsynthError):
    """A feature needs an optional extra that is not installed; says which to install."""

    def __init__(self, feature: str, extra: str) -> None:
        self.extra = extra
        super().__init__(f"{feature} needs the optional extra: pip install 'langsynth[{extra}]'")


class HubError(LangsynthError):
    """A Hugging Face Hub upload cannot be made (no ``HF_TOKEN``, bad repo id, refused)."""


class EndpointError(LangsynthError):
    """A model endpoint of a scale-out run failed: refused, server error, no answer in time."""


class AllEndpointsDownError(EndpointError):
    """Every endpoint of a scale-out run is out of rotation.

    ``failures`` maps each endpoint URL to the last fault seen there.
    """

    def __init__(self, message: str, failures: dict[str, str] | None = None) -> None:
        self.failures = dict(failures or {})
        super().__init__(message)


class RemoteError(LangsynthError):
    """An exception raised in a Ray worker that could not be sent back as itself.

    ``type_name`` is its class, ``remote_traceback`` the worker's traceback text.
    """

    def __init__(self, message: str, *, type_name: str = "", remote_traceback: str = "") -> None:
        self.type_name = type_name
        self.remote_traceback = remote_traceback
        super().__init__(message)


class PricingError(ConfigurationError):
    """A price table (a file or ``LANGSYNTH_PRICES``) is malformed; says the expected form."""


class EstimateError(LangsynthError):
    """A cost/time projection cannot be made (e.g. the pilot accepted no records)."""


class JudgeInputError(LangsynthError):
    """A value cannot be judged: not a row, a ``(request, response)`` pair or a JudgeItem.

    The judge records it as that row's failure instead of raising.
    """
