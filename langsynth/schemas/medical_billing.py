"""MedicalBilling: the schema of LangChain's synthetic-data tutorial (seed 001), with the
constraints a billing analyst would add."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ICD10_PATTERN = r"^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$"
CPT_PATTERN = r"^[0-9]{5}$"


class MedicalBilling(BaseModel):
    """One synthetic medical billing claim."""

    model_config = ConfigDict(title="MedicalBilling")

    patient_id: int = Field(ge=100000, le=999999, description="6-digit patient identifier")
    patient_name: str = Field(
        min_length=3, max_length=80, description="Patient's full name (first and last name)"
    )
    diagnosis_code: str = Field(
        pattern=ICD10_PATTERN, description="ICD-10-CM diagnosis code, e.g. J20.9 or E11.9"
    )
    procedure_code: str = Field(
        pattern=CPT_PATTERN, description="5-digit CPT procedure code, e.g. 99213"
    )
    total_charge: float = Field(gt=0, le=1_000_000, description="Total charge in US dollars")
    insurance_claim_amount: float = Field(
        ge=0, le=1_000_000, description="Amount claimed from insurance in US dollars"
    )

    @field_validator("patient_name")
    @classmethod
    def _full_name(cls, value: str) -> str:
        value = " ".join(value.split())
        if len(value.split(" ")) < 2:
            raise ValueError("patient_name must be a full name: first and last name")
        return value

    @field_validator("total_charge", "insurance_claim_amount")
    @classmethod
    def _cents(cls, value: float) -> float:
        return round(value, 2)

    @model_validator(mode="after")
    def _claim_within_charge(self) -> MedicalBilling:
        if self.insurance_claim_amount > self.total_charge:
            raise ValueError(
                f"insurance_claim_amount ({self.insurance_claim_amount}) must not exceed "
                f"total_charge ({self.total_charge})"
            )
        return self


# What the judge checks (langsynth.judge), most important first. The claim rule is also a
# validator above: a record that breaks it fails before any model reads it.
JUDGE_CRITERIA = (
    "The procedure code fits the diagnosis code.",
    "The insurance claim amount does not exceed the total charge.",
    "The patient name is a realistic full name, not a placeholder.",
    "The amounts are realistic for this procedure.",
)
