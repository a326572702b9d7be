"""MovieRecommendation: the course exercise's {title, year, reason} (seed 000), plus genre."""

from __future__ import annotations

import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

FIRST_FILM_YEAR = 1888


class MovieRecommendation(BaseModel):
    """One movie recommended by the 'CineMaster' persona, with the reason for it."""

    model_config = ConfigDict(title="MovieRecommendation")

    title: str = Field(min_length=1, max_length=120, description="Movie title")
    year: int = Field(
        ge=FIRST_FILM_YEAR, le=2100, description="Release year (four digits), e.g. 1999"
    )
    # two characters: "SF", and Korean genres are often two syllables (공포, 전쟁, 멜로)
    genre: str = Field(min_length=2, max_length=40, description="Main genre, e.g. horror")
    reason: str = Field(
        min_length=10, max_length=600, description="Why this movie fits the request, 1-3 sentences"
    )

    @field_validator("year")
    @classmethod
    def _not_future(cls, value: int) -> int:
        latest = datetime.date.today().year + 1
        if value > latest:
            raise ValueError(f"year {value} is in the future (latest allowed: {latest})")
        return value


# What the judge checks (langsynth.judge), most important first, and the request a bare
# record answers: the genre is taken out of the record shown to the judge, so the judge must
# check it, not read it.
JUDGE_CRITERIA = (
    "The movie is what the request asks for (for a genre request: a film of that genre).",
    "The title is a real movie and the year is its release year.",
    "The reason is specific to this movie and convincing.",
)
REQUEST_TEMPLATE = "Recommend one {genre} movie."
