"""ActorFilmography: the extraction schema of seed 001 (``Actor``, ``Film``), names kept as-is."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ActorFilmography(BaseModel):
    """An actor and films they starred in."""

    model_config = ConfigDict(title="Actor")

    Actor: str = Field(min_length=2, max_length=80, description="name of an actor")
    Film: list[str] = Field(
        min_length=1, max_length=12, description="list of names of films they starred in"
    )


# What the judge checks (langsynth.judge), most important first.
JUDGE_CRITERIA = (
    "The films are plausible film titles for this actor.",
    "No film is listed twice.",
)
