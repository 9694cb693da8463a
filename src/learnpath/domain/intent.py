"""Intent analysis: what the learner really asks for (contract §3)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class TimeBudget(BaseModel):
    hours_per_week: float
    weeks: int
    total_hours: float
    assessment: str = Field(description="whether the goal fits the budget and what that means")


class IntentAnalysis(BaseModel):
    normalized_goal: str = Field(min_length=3)
    key_topics: list[str] = Field(min_length=1, max_length=20)
    technologies: list[str] = Field(default_factory=list, max_length=20)
    difficulty: Literal["beginner", "intermediate", "advanced"]
    time_budget: TimeBudget
    skill_gaps: list[str] = Field(default_factory=list, max_length=20)
    suggested_path: list[str] = Field(min_length=1, max_length=12)
