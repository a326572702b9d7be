"""LabeledText: a text with the class label it was generated for (label-seeded data, seed 002)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class LabeledText(BaseModel):
    """One classification example: the text and the label named in its prompt."""

    model_config = ConfigDict(title="LabeledText")

    text: str = Field(min_length=3, description="The example text")
    label: str = Field(min_length=1, description="The class label the text was written for")


# What the judge checks (langsynth.judge), most important first.
JUDGE_CRITERIA = (
    "The text clearly belongs to its label.",
    "It reads like a real example of its kind.",
)
