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


_DEFINITION = {
    "concept_id",
    "name",
    "description",
    "estimated_hours",
    "difficulty",
    "prerequisites",
    "keywords",
}


def content_input(
    request: LearnerRequest,
    framework: FrameworkDraft,
    stage_name: str,
    module_name: str,
    concept: Concept,
) -> ContentInput:
    """What the content agents are told about ``concept``: its definition, not its status."""
    return ContentInput(
        request=request,
        roadmap_title=framework.title,
        stage_name=stage_name,
        module_name=module_name,
        concept=Concept.model_validate(concept.model_dump(include=_DEFINITION)),
        prerequisite_names=[
            p.name for p in framework.concepts() if p.concept_id in concept.prerequisites
        ],
    )
