"""ChildrenStory: a TinyStories-style story with the words and features it was asked to use."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ChildrenStory(BaseModel):
    """A short story for a 3-year-old, recording the drawn words and features (seed 002).

    ``verb``/``noun``/``adjective`` are the words the prompt asked for (``None`` when the
    story was generated without vocabulary injection); ``features`` are the drawn story
    features, which double as classifier labels. ``summary`` and ``sentence`` are set by
    hierarchical generation (summary -> sentence that must appear -> story).
    """

    model_config = ConfigDict(title="ChildrenStory")

    story: str = Field(min_length=20, description="The story, in very simple words")
    verb: str | None = Field(default=None, description="The verb the story had to use")
    noun: str | None = Field(default=None, description="The noun the story had to use")
    adjective: str | None = Field(default=None, description="The adjective the story had to use")
    features: list[str] = Field(
        default_factory=list,
        description="Story features it had to have (dialogue, plot_twist, bad_ending, ...)",
    )
    summary: str | None = Field(default=None, description="Summary it was written from")
    sentence: str | None = Field(default=None, description="A sentence it had to contain")
