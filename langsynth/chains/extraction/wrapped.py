"""Addresses printed over several lines: complete a value the model cut at a line break.

On receipts and letterheads an address wraps over two to five lines, each but the last ending
with a comma ("NO. 5-4, JLN 4/3," / "PUNCAK AWAN, 62949 DESA BANGSAR,"). Small models copy
one or two of those lines (the 0.5B model gave the street line, or the postcode line, for
most receipts). When the answer is a run of whole lines of the document, the lines joined to
it by a trailing comma belong to the same address; :func:`complete_wrapped` adds them. Only
fields named like an address are completed (see
:func:`langsynth.chains.extraction.prompts.field_hint`).
"""

from __future__ import annotations

__all__ = ["complete_wrapped"]

MAX_LINES = 6  # an address longer than this is not one address
_SOFT_END = ".,;:"


def _spans(lines: list[str]) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in lines:
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def complete_wrapped(value: str, document: str) -> str:
    """``value`` grown to the whole comma-joined lines around it, or ``value`` unchanged.

    The value must be found in the document (whitespace aside) and start at the start of a
    line or right after a comma; it then takes the rest of its last line when only punctuation
    is left there, the lines that follow while a line ends with a comma, and the lines before
    while the previous line ends with one.
    """
    lines = [" ".join(line.split()) for line in document.splitlines() if line.strip()]
    needle = " ".join(value.split())
    if not needle or not lines:
        return value
    flat = " ".join(lines)
    pos = flat.find(needle)
    if pos < 0:
        return value
    spans = _spans(lines)
    first = next(i for i, (a, b) in enumerate(spans) if a <= pos <= b)
    last = next(i for i, (a, b) in enumerate(spans) if a < pos + len(needle) <= b)
    before = flat[spans[first][0] : pos].rstrip()
    after = flat[pos + len(needle) : spans[last][1]].strip()
    if (before and not before.endswith(",")) or (after and not all(c in _SOFT_END for c in after)):
        return value  # a part of a line, not a wrapped block
    while last + 1 < len(lines) and lines[last].endswith(",") and last - first < MAX_LINES:
        last += 1
    while first > 0 and lines[first - 1].endswith(",") and last - first < MAX_LINES:
        first -= 1
    grown = " ".join(lines[first : last + 1])
    return grown if len(grown) >= len(needle) else value
