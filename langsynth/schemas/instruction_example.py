"""InstructionExample: one (instruction, input, response) example for instruction finetuning."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class InstructionExample(BaseModel):
    """An instruction-tuning example (seed 004): what the user asks, optional input, the answer."""

    model_config = ConfigDict(title="InstructionExample")

    instruction: str = Field(min_length=3, description="The task or question, as a user writes it")
    input: str = Field(default="", description="Optional input the task works on ('' if none)")
    response: str = Field(min_length=1, description="A good response to the instruction")


# What the judge checks (langsynth.judge), most important first.
JUDGE_CRITERIA = (
    "The response is correct.",
    "It does exactly what the instruction asks, in the requested format.",
    "It is clear and concise.",
)
