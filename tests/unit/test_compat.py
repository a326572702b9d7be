"""The tutorial's ``create_openai_data_generator`` surface on the run engine (fake model)."""

from __future__ import annotations

from langchain_core.prompts import FewShotPromptTemplate

from langsynth.compat import (
    OPENAI_TEMPLATE,
    SYNTHETIC_FEW_SHOT_PREFIX,
    SYNTHETIC_FEW_SHOT_SUFFIX,
    create_openai_data_generator,
)
from langsynth.schemas import MedicalBilling
from tests.fakes import FakeChatModel
from tests.unit.test_generator import billing


def _prompt() -> FewShotPromptTemplate:
    return FewShotPromptTemplate(
        prefix=SYNTHETIC_FEW_SHOT_PREFIX,
        examples=[{"example": "Patient ID: 123456, Patient Name: John Doe"}],
        suffix=SYNTHETIC_FEW_SHOT_SUFFIX,
        input_variables=["subject", "extra"],
        example_prompt=OPENAI_TEMPLATE,
    )


def test_generate_returns_runs_records_and_accumulates_results() -> None:
    llm = FakeChatModel(answers=[billing(i) for i in range(5)])
    gen = create_openai_data_generator(MedicalBilling, llm, _prompt())
    first = gen.generate(subject="medical_billing", extra="be realistic", runs=3)
    second = gen.generate(subject="medical_billing", runs=2)
    assert len(first) == 3 and len(second) == 2
    assert all(isinstance(r, MedicalBilling) for r in first + second)
    assert gen.results == first + second
