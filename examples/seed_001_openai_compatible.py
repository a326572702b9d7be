"""LangChain's "Generate Synthetic Data" tutorial (seed 001) with the real ``ChatOpenAI``.

The tutorial's own ``from langchain_openai import ChatOpenAI`` is kept; only the generator's
imports come from ``langsynth.compat``. ``ChatOpenAI(temperature=1)`` names no model, so
LangChain asks for ``gpt-3.5-turbo``, a name it believes has no structured outputs; pointed at
a local OpenAI-compatible server it still gets JSON-schema output, because langsynth binds
``response_format`` itself for any server that is not OpenAI's.

Run against a local server (llama.cpp, vLLM, Ollama, LM Studio, or ``langsynth serve``):

    langsynth serve &                                     # prints its URL, e.g. :8080
    OPENAI_API_BASE=http://127.0.0.1:8080/v1 OPENAI_API_KEY=local \
        python examples/seed_001_openai_compatible.py
"""

# --- the only changed lines: imports -------------------------------------------------------
from langchain_core.prompts import FewShotPromptTemplate, PromptTemplate
from langchain_openai import ChatOpenAI
from pydantic import BaseModel

from langsynth.compat import (
    OPENAI_TEMPLATE,
    SYNTHETIC_FEW_SHOT_PREFIX,
    SYNTHETIC_FEW_SHOT_SUFFIX,
    create_openai_data_generator,
)

# --- the tutorial's code, verbatim ---------------------------------------------------------


class MedicalBilling(BaseModel):
    patient_id: int
    patient_name: str
    diagnosis_code: str
    procedure_code: str
    total_charge: float
    insurance_claim_amount: float


examples = [
    {
        "example": """Patient ID: 123456, Patient Name: John Doe, Diagnosis Code: 
        J20.9, Procedure Code: 99203, Total Charge: $500, Insurance Claim Amount: $350"""
    },
    {
        "example": """Patient ID: 789012, Patient Name: Johnson Smith, Diagnosis 
        Code: M54.5, Procedure Code: 99213, Total Charge: $150, Insurance Claim Amount: $120"""
    },
    {
        "example": """Patient ID: 345678, Patient Name: Emily Stone, Diagnosis Code: 
        E11.9, Procedure Code: 99214, Total Charge: $300, Insurance Claim Amount: $250"""
    },
]

OPENAI_TEMPLATE = PromptTemplate(input_variables=["example"], template="{example}")

prompt_template = FewShotPromptTemplate(
    prefix=SYNTHETIC_FEW_SHOT_PREFIX,
    examples=examples,
    suffix=SYNTHETIC_FEW_SHOT_SUFFIX,
    input_variables=["subject", "extra"],
    example_prompt=OPENAI_TEMPLATE,
)

synthetic_data_generator = create_openai_data_generator(
    output_schema=MedicalBilling,
    llm=ChatOpenAI(
        temperature=1
    ),  # You'll need to replace with your actual Language Model instance
    prompt=prompt_template,
)

synthetic_results = synthetic_data_generator.generate(
    subject="medical_billing",
    extra="the name must be chosen at random. Make it something you wouldn't normally choose.",
    runs=10,
)

# --- added: show what came back --------------------------------------------------------------
for record in synthetic_results:
    print(repr(record))
names = {r.patient_name for r in synthetic_results}
print(f"{len(synthetic_results)} records, {len(names)} distinct names")
