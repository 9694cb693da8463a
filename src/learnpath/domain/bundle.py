"""A roadmap with all its latest content, as exported."""

from __future__ import annotations

from pydantic import BaseModel, Field

from learnpath.domain.content import Quiz, ResourceList, Tutorial
from learnpath.domain.intent import IntentAnalysis
from learnpath.domain.roadmap import Framework


class RoadmapBundle(BaseModel):
    framework: Framework
    """With every concept's item statuses and versions filled in."""
    intent: IntentAnalysis | None = None
    tutorials: dict[str, Tutorial] = Field(default_factory=dict)
    resources: dict[str, ResourceList] = Field(default_factory=dict)
    quizzes: dict[str, Quiz] = Field(default_factory=dict)
    offline: bool = False
    """True when any content came from the offline provider; exports say so."""
