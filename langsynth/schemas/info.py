"""What langsynth knows about a record schema, and its few-shot examples."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from langsynth.errors import DataFileError, ExamplesError
from langsynth.pools import Pool


@dataclass(frozen=True)
class SchemaInfo:
    """A record schema with what the generator needs to know about it.

    ``dedup_fields``: fields whose normalized values identify a duplicate (``None``: all).
    ``pools``: default per-record attribute hints. ``persona``: an optional system prompt.
    ``text_fields``: free-text fields (used by inspection and diversity metrics).
    ``judge_criteria``: what the judge checks by default, most important first.
    ``request_template``: the request a bare record answers, formatted with its fields
    (``"Recommend one {genre} movie."``); ``None``: "Generate one realistic {subject} record".
    ``glossary``: per field, what coded values mean (``{"diagnosis_code": {"J20.9": "acute
    bronchitis"}}``); the judge sees the meaning beside the code.
    """

    name: str
    model: type[BaseModel]
    description: str = ""
    subject: str = ""
    extra: str = "make the data realistic and varied"
    examples_file: str | None = None
    persona: str | None = None
    dedup_fields: tuple[str, ...] | None = None
    pools: Mapping[str, Pool] = field(default_factory=dict)
    text_fields: tuple[str, ...] = ()
    judge_criteria: tuple[str, ...] = ()
    request_template: str | None = None
    glossary: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def fields(self) -> list[str]:
        return list(self.model.model_fields)

    def load_examples(self) -> list[dict[str, Any]]:
        """The built-in few-shot examples (validated), or ``[]`` if there are none."""
        if self.examples_file is None:
            return []
        ref = resources.files("langsynth.fewshot_examples") / self.examples_file
        with resources.as_file(ref) as path:
            return load_examples(path, self.model)

    def record_of(
        self, row: Mapping[str, Any], *, label_field: str = "labels", where: str = "input"
    ) -> dict[str, Any]:
        """The record held by a data row: ``row[label_field]`` if it is an object, else the row,
        restricted to the schema's fields (a clear error if it has none of them)."""
        nested = row.get(label_field)
        source: Mapping[str, Any] = nested if isinstance(nested, Mapping) else row
        record = {k: source[k] for k in self.fields if k in source}
        if not record:
            raise DataFileError(
                f"{where}: none of the fields of {self.name} ({', '.join(self.fields)}) is in "
                f"the row or in its {label_field!r} object."
            )
        return record


def describe_validation_error(exc: BaseException) -> str:
    """``field: message; field: message`` for a Pydantic error (no URLs or input dumps);
    the message of any other exception."""
    if not isinstance(exc, ValidationError):
        return str(exc)
    errors = exc.errors()
    if not errors:
        return str(exc)
    return "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ())) or 'record'}: {e.get('msg')}" for e in errors
    )


def format_validation_error(exc: ValidationError) -> tuple[str | None, str]:
    """First failing field and the one-line message (:func:`describe_validation_error`)."""
    errors = exc.errors()
    loc = ".".join(str(p) for p in errors[0].get("loc", ())) or None if errors else None
    return loc, describe_validation_error(exc)


def load_examples(path: str | Path, model: type[BaseModel] | None = None) -> list[dict[str, Any]]:
    """Read few-shot examples from JSONL (one JSON object per line; blank lines skipped).

    Each example is validated against ``model``; problems raise :class:`ExamplesError`
    naming the file, the line and the field.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ExamplesError("file does not exist", path=str(p)) from None
    except UnicodeDecodeError:
        raise ExamplesError("not UTF-8 text; save it as UTF-8 JSONL", path=str(p)) from None
    examples: list[dict[str, Any]] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ExamplesError(
                f"not valid JSON ({exc.msg}, column {exc.colno}); each line must be one "
                "JSON object",
                path=str(p),
                line=lineno,
            ) from None
        if not isinstance(obj, dict):
            raise ExamplesError(
                f"expected a JSON object, got {type(obj).__name__}", path=str(p), line=lineno
            )
        if model is not None:
            unknown = sorted(set(obj) - set(model.model_fields))
            if unknown:
                raise ExamplesError(
                    f"unknown field(s) {', '.join(unknown)}; the schema has "
                    f"{', '.join(model.model_fields)}",
                    path=str(p),
                    line=lineno,
                    field=unknown[0],
                )
            try:
                obj = model.model_validate(obj).model_dump(mode="json")
            except ValidationError as exc:
                loc, message = format_validation_error(exc)
                raise ExamplesError(
                    f"does not validate against {model.__name__}: {message}",
                    path=str(p),
                    line=lineno,
                    field=loc,
                ) from None
        examples.append(obj)
    if not examples:
        raise ExamplesError("no examples in the file (it is empty)", path=str(p))
    return examples
