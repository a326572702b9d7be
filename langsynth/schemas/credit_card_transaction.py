"""CreditCardTransaction: the transaction template of seed 004 (rule-based synthesis example)."""

from __future__ import annotations

import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

CATEGORIES = (
    "groceries",
    "restaurants",
    "travel",
    "fuel",
    "electronics",
    "clothing",
    "health",
    "entertainment",
    "utilities",
    "online services",
)
PAYMENT_METHODS = ("credit card", "debit card", "cash", "online payment")
STATUSES = ("completed", "pending", "failed")

Category = Literal[
    "groceries",
    "restaurants",
    "travel",
    "fuel",
    "electronics",
    "clothing",
    "health",
    "entertainment",
    "utilities",
    "online services",
]


class CreditCardTransaction(BaseModel):
    """One card transaction, as fraud-detection teams synthesize before touching real data."""

    model_config = ConfigDict(title="CreditCardTransaction")

    transaction_id: str = Field(
        pattern=r"^TX[0-9]{10}$", description="Unique id, e.g. TX0012345678"
    )
    date: str = Field(pattern=r"^[0-9]{2}/[0-9]{2}/[0-9]{4}$", description="Date as MM/DD/YYYY")
    time: str = Field(pattern=r"^[0-9]{2}:[0-9]{2}:[0-9]{2}$", description="Time as HH:MM:SS")
    amount: float = Field(gt=0, le=100_000, description="Amount in US dollars")
    merchant: str = Field(min_length=2, max_length=80, description="Merchant or store name")
    category: Category = Field(description="Merchant category")
    location: str = Field(
        pattern=r"^[^,]+, [^,]+, [^,]+$", description="City, State, Country, e.g. Austin, TX, USA"
    )
    payment_method: Literal["credit card", "debit card", "cash", "online payment"] = Field(
        description="How it was paid"
    )
    status: Literal["completed", "pending", "failed"] = Field(description="Transaction status")
    description: str = Field(min_length=3, max_length=200, description="Short description")

    @field_validator("date")
    @classmethod
    def _real_date(cls, value: str) -> str:
        try:
            datetime.datetime.strptime(value, "%m/%d/%Y")
        except ValueError:
            raise ValueError(f"date {value!r} is not a real MM/DD/YYYY date") from None
        return value

    @field_validator("time")
    @classmethod
    def _real_time(cls, value: str) -> str:
        try:
            datetime.datetime.strptime(value, "%H:%M:%S")
        except ValueError:
            raise ValueError(f"time {value!r} is not a real HH:MM:SS time") from None
        return value

    @field_validator("amount")
    @classmethod
    def _cents(cls, value: float) -> float:
        return round(value, 2)


# What the judge checks (langsynth.judge), most important first.
JUDGE_CRITERIA = (
    "The merchant fits the category.",
    "The amount is plausible for this merchant and category.",
    "The description agrees with the merchant and the category.",
)
