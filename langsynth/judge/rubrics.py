"""What the judge grades against: criteria (the user's, or the schema's defaults) and languages.

A user writes criteria the way the course exercise does: one line, several criteria separated
by ``;`` (``"fits the request; has a title, year and reason; the reason convinces"``), or one
per line, or a file. :func:`parse_criteria` turns any of those into a tuple of criteria, each
of which the checklist judge asks as its own yes/no question. Without criteria the schema's
``judge_criteria`` apply (they live with the schema, in ``langsynth/schemas/``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from langsynth.errors import ConfigurationError

if TYPE_CHECKING:
    from pydantic import BaseModel

    from langsynth.schemas import SchemaInfo

Language = Literal["ko", "en"]
LANGUAGES: dict[str, str] = {"ko": "Korean (한국어)", "en": "English"}

# Criteria for records or responses of no built-in schema.
GENERIC_CRITERIA = (
    "The response is correct and consistent, with no wrong facts or contradictions.",
    "It is complete: nothing the request asks for is missing.",
    "It is specific and plausible, with no placeholders.",
)


def check_language(language: str) -> str:
    """``language`` if it is a comment language the judge writes (``ko``, ``en``)."""
    if language not in LANGUAGES:
        raise ConfigurationError(
            f"Unknown comment language {language!r}; use one of {', '.join(LANGUAGES)}."
        )
    return language


@dataclass(frozen=True)
class Rubric:
    """Criteria (most important first) and the request a bare record answers.

    ``request_template`` is formatted with a record's fields (``"Recommend one {genre}
    movie."``); the fields it uses are left out of the response shown to the judge, so the
    judge must check them, not read them.
    """

    criteria: tuple[str, ...]
    request_template: str | None = None

    @property
    def request_fields(self) -> tuple[str, ...]:
        """The record fields the request template uses."""
        if not self.request_template:
            return ()
        return tuple(re.findall(r"{(\w+)}", self.request_template))


GENERIC_RUBRIC = Rubric(criteria=GENERIC_CRITERIA)


def default_rubric(schema: str | SchemaInfo | type[BaseModel] | None = None) -> Rubric:
    """The rubric of ``schema`` (its ``judge_criteria``), or the generic one."""
    if schema is None:
        return GENERIC_RUBRIC
    from langsynth.schemas import load_schema

    info = load_schema(schema)
    return Rubric(
        criteria=tuple(info.judge_criteria) or GENERIC_CRITERIA,
        request_template=info.request_template,
    )


_BULLET_RE = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*")
_SEPARATOR_RE = re.compile(r"[;；]")


def parse_criteria(text: str | Path) -> tuple[str, ...]:
    """Criteria from text or a file: ``;``-separated on a line, one per line, bullets allowed.

    >>> parse_criteria("fits the request; has a year;  ")
    ('fits the request', 'has a year')
    """
    source = str(text)
    if "\n" not in source and len(source) < 4096:
        try:
            path = Path(source)
            if path.is_file():
                source = path.read_text(encoding="utf-8")
        except OSError:
            pass
    items = []
    for line in source.splitlines():
        for part in _SEPARATOR_RE.split(line):
            item = _BULLET_RE.sub("", part).strip()
            if item:
                items.append(item)
    if not items:
        raise ConfigurationError(
            'The criteria are empty; give them on one line separated by ";" '
            '(--criteria "fits the request; is correct") or one per line in a file.'
        )
    return tuple(items)


def resolve_rubric(
    schema: str | SchemaInfo | type[BaseModel] | None,
    criteria: str | Path | Sequence[str] | None,
) -> Rubric:
    """The schema's rubric with ``criteria`` (text, file or a sequence) in place of its own."""
    base = default_rubric(schema)
    if criteria is None:
        return base
    if isinstance(criteria, str | Path):
        chosen = parse_criteria(criteria)
    else:
        chosen = tuple(c.strip() for c in criteria if c and c.strip())
        if not chosen:
            raise ConfigurationError("The criteria are empty; give at least one criterion.")
    return Rubric(criteria=chosen, request_template=base.request_template)
