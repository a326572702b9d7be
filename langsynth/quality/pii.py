"""PII detection and scrubbing: emails, phone numbers, card numbers, national-id numbers.

:func:`scrub_pii` replaces each item found with a typed placeholder (``[EMAIL]``, ``[PHONE]``,
``[CARD_NUMBER]``, ``[NATIONAL_ID]``) and leaves every other character byte-for-byte as it
was, so scrubbed data differs from the input only where PII was.

Detection is pattern-based and errs on the side of precision: a digit run counts as a card
number only if it passes the Luhn check, a national id only if its date part is a real date
(Korean resident registration numbers) or its parts are in the issued ranges (US SSNs), and a
phone number only if it is written with separators, parentheses or a ``+`` country code.

>>> scrub_pii("Mail kim@example.com or call 010-1234-5678.")
'Mail [EMAIL] or call [PHONE].'
>>> scrub_pii("card 4111 1111 1111 1111, ref 4111 1111 1111 1112")
'card [CARD_NUMBER], ref 4111 1111 1111 1112'
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from langsynth.errors import ConfigurationError

EMAIL = "EMAIL"
PHONE = "PHONE"
CARD_NUMBER = "CARD_NUMBER"
NATIONAL_ID = "NATIONAL_ID"
PII_KINDS = (EMAIL, CARD_NUMBER, NATIONAL_ID, PHONE)  # also the priority on overlaps


@dataclass(frozen=True)
class PiiMatch:
    """One item of PII: its kind, where it is (``text[start:end]``) and the matched text."""

    kind: str
    start: int
    end: int
    text: str


_EMAIL_RE = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}"
    r"(?![\w-])"
)
# 13-19 digits, optionally grouped by single spaces or dashes.
_CARD_RE = re.compile(r"(?<![\w.-])\d(?:[ -]?\d){12,18}(?![\w-]|[.,]\d)")
# Korean resident registration number: YYMMDD-GNNNNNN.
_KR_RRN_RE = re.compile(r"(?<![\w-])(\d{2})(\d{2})(\d{2})[- ]?([1-8])\d{6}(?![\w-])")
# US social security number: AAA-GG-SSSS (with dashes only, to stay clear of other numbers).
_US_SSN_RE = re.compile(r"(?<![\w-])(\d{3})-(\d{2})-(\d{4})(?![\w-])")
_PHONE_RES = (
    # international: +82 10-1234-5678, +1 (555) 123-4567, +44 20 7946 0958
    re.compile(
        r"(?<![\w+])\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,4}(?!\w)"
    ),
    # Korean: 010-1234-5678, 02-123-4567, 031.123.4567
    re.compile(r"(?<![\w.-])0\d{1,2}([-. ])\d{3,4}\1\d{4}(?![\w-])"),
    # North American: (555) 123-4567, 555-123-4567, 555.123.4567
    re.compile(r"(?<![\w.-])(?:\(\d{3}\) ?|\d{3}([-.]))\d{3}[-.]\d{4}(?![\w-])"),
)


def luhn_valid(number: str) -> bool:
    """True if the digits of ``number`` pass the Luhn checksum (separators are ignored)."""
    digits = [int(c) for c in number if c.isdigit()]
    if len(digits) < 2:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card_ok(m: re.Match[str]) -> bool:
    digits = re.sub(r"\D", "", m.group(0))
    return 13 <= len(digits) <= 19 and len(set(digits)) > 1 and luhn_valid(digits)


def _kr_rrn_ok(m: re.Match[str]) -> bool:
    yy, mm, dd, gender = (int(g) for g in m.groups())
    century = {1: 1900, 2: 1900, 5: 1900, 6: 1900, 3: 2000, 4: 2000, 7: 2000, 8: 2000}[gender]
    try:
        datetime.date(century + yy, mm, dd)
    except ValueError:
        return False
    return True


def _us_ssn_ok(m: re.Match[str]) -> bool:
    area, group, serial = m.groups()
    return (
        area not in ("000", "666")
        and not area.startswith("9")
        and group != "00"
        and serial != "0000"
    )


def _phone_ok(m: re.Match[str]) -> bool:
    digits = re.sub(r"\D", "", m.group(0))
    return 7 <= len(digits) <= 15


_DETECTORS: dict[str, list[tuple[re.Pattern[str], Callable[[re.Match[str]], bool]]]] = {
    EMAIL: [(_EMAIL_RE, lambda m: True)],
    CARD_NUMBER: [(_CARD_RE, _card_ok)],
    NATIONAL_ID: [(_KR_RRN_RE, _kr_rrn_ok), (_US_SSN_RE, _us_ssn_ok)],
    PHONE: [(r, _phone_ok) for r in _PHONE_RES],
}


def _check_kinds(kinds: Iterable[str] | None) -> tuple[str, ...]:
    if kinds is None:
        return PII_KINDS
    chosen = tuple(k.upper() for k in kinds)
    unknown = [k for k in chosen if k not in PII_KINDS]
    if unknown:
        raise ConfigurationError(f"unknown PII kind(s) {unknown}; choose from {list(PII_KINDS)}")
    return chosen


def find_pii(text: str, *, kinds: Iterable[str] | None = None) -> list[PiiMatch]:
    """All PII items in ``text``, left to right, without overlaps.

    Where two detectors claim overlapping text, the kind earlier in :data:`PII_KINDS` wins
    (an email beats the digits inside it; a Luhn-valid card number beats a phone pattern).
    """
    if not text:
        return []
    taken: list[PiiMatch] = []
    for kind in PII_KINDS:
        if kind not in _check_kinds(kinds):
            continue
        for pattern, accept in _DETECTORS[kind]:
            for m in pattern.finditer(text):
                if not accept(m):
                    continue
                start, end = m.span()
                if any(start < t.end and t.start < end for t in taken):
                    continue
                taken.append(PiiMatch(kind, start, end, m.group(0)))
    return sorted(taken, key=lambda t: t.start)


def scrub_pii(
    text: str,
    *,
    kinds: Iterable[str] | None = None,
    placeholder: str = "[{kind}]",
) -> str:
    """Replace each PII item in ``text`` with a typed placeholder; keep everything else as is.

    ``placeholder`` is formatted with ``kind`` (``EMAIL``, ``PHONE``, ``CARD_NUMBER``,
    ``NATIONAL_ID``). ``kinds`` limits what is scrubbed.
    """
    matches = find_pii(text, kinds=kinds)
    if not matches:
        return text
    parts: list[str] = []
    pos = 0
    for m in matches:
        parts.append(text[pos : m.start])
        parts.append(placeholder.format(kind=m.kind))
        pos = m.end
    parts.append(text[pos:])
    return "".join(parts)


def contains_pii(text: str, *, kinds: Iterable[str] | None = None) -> bool:
    """True if :func:`find_pii` finds anything in ``text``."""
    return bool(find_pii(text, kinds=kinds))
