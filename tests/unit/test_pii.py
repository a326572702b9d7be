"""PII detection and scrubbing: typed placeholders, Luhn, national ids, nothing else touched."""

from __future__ import annotations

import random
import string

import pytest

from langsynth.errors import ConfigurationError
from langsynth.quality import contains_pii, find_pii, luhn_valid, scrub_pii


def test_scrub_pii_is_importable_from_langsynth_quality() -> None:
    import langsynth.quality as quality

    assert quality.scrub_pii is scrub_pii


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail kim.minsu+test@example.co.kr now", "mail [EMAIL] now"),
        ("call 010-1234-5678.", "call [PHONE]."),
        ("office 02-123-4567 or +82 10-9876-5432", "office [PHONE] or [PHONE]"),
        ("US (555) 123-4567, 555.123.4567", "US [PHONE], [PHONE]"),
        ("card 4111 1111 1111 1111 ok", "card [CARD_NUMBER] ok"),
        ("card 4111-1111-1111-1111", "card [CARD_NUMBER]"),
        ("amex 378282246310005.", "amex [CARD_NUMBER]."),
        ("rrn 900101-1234567", "rrn [NATIONAL_ID]"),
        ("ssn 123-45-6789", "ssn [NATIONAL_ID]"),
    ],
)
def test_each_kind_is_replaced_by_its_typed_placeholder(text: str, expected: str) -> None:
    assert scrub_pii(text) == expected


def test_card_number_failing_luhn_stays() -> None:
    assert not luhn_valid("4111111111111112")
    text = "ref 4111 1111 1111 1112 and 4111111111111112"
    assert scrub_pii(text) == text
    assert not contains_pii(text)


def test_luhn_valid_numbers() -> None:
    for number in ("4111111111111111", "5500000000000004", "378282246310005", "79927398713"):
        assert luhn_valid(number)
    assert not luhn_valid("79927398710")


@pytest.mark.parametrize(
    "text",
    [
        "901301-1234567",  # month 13: not a resident registration number
        "666-12-3456",  # SSN area 666 is never issued
        "000-12-3456",
        "date 2023-01-15 at 18:42:07, amount $1234.56",
        "id TX0048213977, ICD J20.9, CPT 99213, patient 123456",
        "price 1234567890123.45",  # a decimal number, not a card
        "years 1999 2005 and 12345678",
    ],
)
def test_lookalikes_are_not_pii(text: str) -> None:
    assert find_pii(text) == []
    assert scrub_pii(text) == text


def test_everything_but_the_pii_is_kept_byte_for_byte() -> None:
    text = "  Dear 김민수,\n\tyour card\u00a04111 1111 1111 1111 (exp 12/29) — mail a@b.io!\r\n"
    out = scrub_pii(text)
    assert out == "  Dear 김민수,\n\tyour card\u00a0[CARD_NUMBER] (exp 12/29) — mail [EMAIL]!\r\n"
    # Reconstruct: the text between matches is untouched.
    matches = find_pii(text)
    rebuilt = text
    for m in reversed(matches):
        rebuilt = rebuilt[: m.start] + f"[{m.kind}]" + rebuilt[m.end :]
    assert rebuilt == out


def test_text_without_pii_is_returned_unchanged() -> None:
    rng = random.Random(3)
    alphabet = string.ascii_letters + " .,;:!?-()\n\t가나다라"
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        assert scrub_pii(text) == text


def test_email_wins_over_digits_inside_it_and_kinds_can_be_limited() -> None:
    text = "write to 01012345678@example.com or call 010-1234-5678"
    assert scrub_pii(text) == "write to [EMAIL] or call [PHONE]"
    assert scrub_pii(text, kinds=["phone"]) == "write to 01012345678@example.com or call [PHONE]"
    assert scrub_pii(text, placeholder="<{kind}>") == "write to <EMAIL> or call <PHONE>"
    with pytest.raises(ConfigurationError, match="unknown PII kind"):
        scrub_pii(text, kinds=["address"])
