"""The structured input of every agent. Its JSON form is also what the offline provider reads."""

from __future__ import annotations

from pydantic import BaseModel

from learnpath.domain.intent import IntentAnalysis
from learnpath.domain.request import LearnerRequest
from learnpath.domain.roadmap import Concept, FrameworkDraft


class IntentInput(BaseModel):
    request: LearnerRequest


class CurriculumInput(BaseModel):
    request: LearnerRequest
    intent: IntentAnalysis
    total_hours: float
    target_concepts: int
    """How many concepts the time budget fits; the designer should stay near it."""


class EditorInput(BaseModel):
    request: LearnerRequest
    framework: FrameworkDraft
    issues: list[str]
    """Structure validation problems to fix (validation edit rounds)."""
    feedback: str | None = None
    """A reviewer's requested changes (review edit rounds)."""


class ContentInput(BaseModel):
    """Shared by the tutorial, resources and quiz agents."""

    request: LearnerRequest
    roadmap_title: str
    stage_name: str
    module_name: str
    concept: Concept
    prerequisite_names: list[str]
