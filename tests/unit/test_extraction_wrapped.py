"""Addresses cut at a line break get their comma-joined lines back."""

from __future__ import annotations

from pydantic import BaseModel

from langsynth.chains.extraction import create_extraction_chain
from langsynth.chains.extraction.wrapped import complete_wrapped
from tests.fakes import FakeChatModel

DOC = (
    "~ SUNRISE ~\nRESTORAN SUNRISE\n(639615-W)\nNO. R-55-07,\nLORONG LEDANG 4/41, KOTA BENDAHARA,\n"
    "16385 KAMPUNG BARU JASA, KELANTAN DARUL NAIM.\nTEL: 03-555 1234\nTOTAL: 9.00"
)
FULL = (
    "NO. R-55-07, LORONG LEDANG 4/41, KOTA BENDAHARA, 16385 KAMPUNG BARU JASA, KELANTAN DARUL NAIM."
)


def test_any_line_of_a_wrapped_address_grows_to_the_whole_address() -> None:
    assert complete_wrapped("NO. R-55-07,", DOC) == FULL
    assert complete_wrapped("16385 KAMPUNG BARU JASA, KELANTAN DARUL NAIM", DOC) == FULL
    assert complete_wrapped("KOTA BENDAHARA,", DOC) == FULL  # right after a comma
    assert complete_wrapped(FULL, DOC) == FULL


def test_values_that_are_not_whole_lines_or_not_in_the_text_stay() -> None:
    assert complete_wrapped("LEDANG 4/41", DOC) == "LEDANG 4/41"  # a part of a line
    assert complete_wrapped("RESTORAN SUNRISE", DOC) == "RESTORAN SUNRISE"  # no comma
    assert complete_wrapped("1 Main Street", DOC) == "1 Main Street"


class Shop(BaseModel):
    company: str | None = None
    address: str | None = None


def test_the_chain_completes_address_fields_only() -> None:
    answer = {"company": "KOTA BENDAHARA,", "address": "NO. R-55-07,"}
    chain = create_extraction_chain(Shop, FakeChatModel(answers=[answer]))
    assert chain.invoke(DOC) == Shop(company="KOTA BENDAHARA,", address=FULL)
    off = create_extraction_chain(Shop, FakeChatModel(answers=[answer]), complete_lines=False)
    assert off.invoke(DOC) == Shop(**answer)
