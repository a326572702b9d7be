"""ChildrenStory: a TinyStories-style story with the words and features it was asked to use."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

FeatureName = Annotated[str, Field(pattern=r"^[a-z][a-z_]{1,30}$")]


class ChildrenStory(BaseModel):
    """A short story for a 3-year-old, recording the drawn words and features (seed 002).

    ``verb``/``noun``/``adjective`` are the words the prompt asked for (``None`` when the
    story was generated without vocabulary injection); ``features`` are the drawn story
    features (``dialogue``, ``plot_twist``, ``bad_ending``, ``moral``, ``foreshadowing``,
    ``conflict``), which double as classifier labels.
    """

    model_config = ConfigDict(title="ChildrenStory")

    story: str = Field(min_length=20, description="The story, in very simple words")
    verb: str | None = Field(default=None, description="The verb the story had to use")
    noun: str | None = Field(default=None, description="The noun the story had to use")
    adjective: str | None = Field(default=None, description="The adjective the story had to use")
    features: list[FeatureName] = Field(
        default_factory=list,
        description="Story features it had to have: dialogue, plot_twist, bad_ending, moral, "
        "foreshadowing, conflict",
    )


class HierarchicalStory(ChildrenStory):
    """A :class:`ChildrenStory` written from a summary and a sentence it had to contain."""

    model_config = ConfigDict(title="HierarchicalStory")

    summary: str = Field(min_length=3, description="The summary the story was written from")
    sentence: str = Field(min_length=3, description="A sentence the story had to contain")


# What the judge checks (langsynth.judge), most important first.
JUDGE_CRITERIA = (
    "The story uses every word it was asked to use.",
    "A 3-year-old can follow it: short sentences and simple words.",
    "It is gentle, with nothing frightening.",
)
