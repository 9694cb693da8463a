"""The learner request of contract §2."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator


class Level(StrEnum):
    beginner = "beginner"
    intermediate = "intermediate"
    advanced = "advanced"


class LearningStyle(StrEnum):
    text = "text"
    video = "video"
    hands_on = "hands_on"
    audio = "audio"
    visual = "visual"


LanguageTag = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
        max_length=35,
    ),
]


class LearnerRequest(BaseModel):
    """What a learner asks for. Validation here is the only gate: nothing is stored before it."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    goal: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]
    current_level: Level = Level.beginner
    hours_per_week: float = Field(default=8, ge=1, le=80)
    target_weeks: int | None = Field(default=None, ge=1, le=104)
    motivation: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = (
        None
    )
    background: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = (
        None
    )
    learning_styles: list[LearningStyle] = Field(default_factory=list, max_length=20)
    language: LanguageTag = "en"

    @field_validator("learning_styles")
    @classmethod
    def _unique_styles(cls, value: list[LearningStyle]) -> list[LearningStyle]:
        return list(dict.fromkeys(value))

    @property
    def effective_weeks(self) -> int:
        """Weeks the plan should fill: the learner's target, else a level-based default."""
        if self.target_weeks is not None:
            return self.target_weeks
        return {Level.beginner: 8, Level.intermediate: 6, Level.advanced: 4}[self.current_level]
