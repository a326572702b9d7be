"""Schemas of the messy-document extraction set (``benchmarks/data/extraction/*.jsonl``).

Use them as a user would: ``langsynth bench-extract --schema
benchmarks/data/extraction/schemas.py:Receipt --data benchmarks/data/extraction/receipts.jsonl``.
``ReceiptBare`` is the same receipt schema without descriptions (what a user who writes four
``str`` fields gets), to check that the chains do not depend on our descriptions.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class Receipt(BaseModel):
    """A scanned shop receipt (the SROIE key-information task)."""

    company: str | None = Field(
        None, description="The name of the shop or company that issued the receipt."
    )
    date: str | None = Field(None, description="The date of the purchase, as printed.")
    address: str | None = Field(
        None, description="The shop's full postal address, all of its lines, as printed."
    )
    total: str | None = Field(
        None, description="The final amount the customer paid (the grand or rounded total)."
    )


class ReceiptBare(BaseModel):
    """The receipt schema as a user might write it: four strings, no descriptions."""

    company: str
    date: str
    address: str
    total: str


class Invoice(BaseModel):
    """A scanned supplier invoice."""

    vendor: str | None = Field(None, description="The company that issued the invoice.")
    invoice_number: str | None = Field(None, description="The invoice number, as printed.")
    invoice_date: str | None = Field(None, description="The date the invoice was issued.")
    due_date: str | None = Field(None, description="The date payment is due.")
    customer: str | None = Field(
        None, description="The company or person billed (the 'Bill To' name)."
    )
    total: float | None = Field(
        None, description="The invoice total including tax (not a subtotal, not the balance)."
    )


class Email(BaseModel):
    """A customer e-mail, possibly a reply or a forward with quoted earlier messages."""

    sender_name: str | None = Field(None, description="Who wrote the newest message.")
    sender_email: str | None = Field(None, description="The e-mail address of that person.")
    sender_phone: str | None = Field(
        None, description="That person's phone number, from their signature."
    )
    company: str | None = Field(None, description="The company that person works for.")
    order_number: str | None = Field(
        None, description="The order or reference number the message is about."
    )


class ClinicLetter(BaseModel):
    """A scanned or faxed clinic letter to a patient's general practitioner."""

    patient_name: str | None = Field(None, description="The patient's full name.")
    date_of_birth: str | None = Field(None, description="The patient's date of birth.")
    nhs_number: str | None = Field(None, description="The patient's NHS number.")
    clinic_date: str | None = Field(None, description="The date of the clinic appointment.")
    diagnoses: list[str] = Field(
        default_factory=list, description="The diagnoses listed in the letter."
    )
    medications: list[str] = Field(
        default_factory=list,
        description="Names of the medicines the patient should take now (drug names only).",
    )
