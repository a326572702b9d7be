"""TextbookExcerpt: a textbook-like excerpt on a topic for an audience (seed 002, phi-1)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class TextbookExcerpt(BaseModel):
    """An excerpt from a computer science textbook, written for one audience."""

    model_config = ConfigDict(title="TextbookExcerpt")

    topic: str = Field(min_length=2, description="The topic the excerpt is from the middle of")
    audience: str = Field(min_length=2, description="Who it is written for")
    excerpt: str = Field(min_length=20, description="Overview, example, then 1-2 code snippets")


# What the judge checks (langsynth.judge), most important first.
JUDGE_CRITERIA = (
    "The excerpt is about the topic and written for the audience.",
    "Its explanations and code are correct.",
)
