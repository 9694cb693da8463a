"""Study material per concept, and server-side quiz grading (contract §4)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from learnpath.api.deps import MAX_INT, PrincipalDep, RuntimeDep
from learnpath.api.errors import ERROR_RESPONSES
from learnpath.service import content
from learnpath.service.content import QuizAnswers, QuizGrade, QuizOut, ResourcesOut, TutorialOut

router = APIRouter(
    prefix="/roadmaps/{roadmap_id}/concepts/{concept_id}",
    tags=["content"],
    responses=ERROR_RESPONSES,
)
Version = Annotated[
    int | None, Query(ge=1, le=MAX_INT, description="a given version; default the latest")
]


@router.get("/tutorial")
async def tutorial(
    roadmap_id: str, concept_id: str, rt: RuntimeDep, who: PrincipalDep, version: Version = None
) -> TutorialOut:
    return await content.tutorial(rt, roadmap_id, concept_id, version, who.user_id)


@router.get("/resources")
async def resources(
    roadmap_id: str, concept_id: str, rt: RuntimeDep, who: PrincipalDep, version: Version = None
) -> ResourcesOut:
    return await content.resources(rt, roadmap_id, concept_id, version, who.user_id)


@router.get("/quiz")
async def quiz(
    roadmap_id: str, concept_id: str, rt: RuntimeDep, who: PrincipalDep, version: Version = None
) -> QuizOut:
    """The questions and options only: answers are revealed by grading an attempt."""
    return await content.quiz(rt, roadmap_id, concept_id, version, who.user_id)


@router.post("/quiz/attempts")
async def grade(
    roadmap_id: str, concept_id: str, body: QuizAnswers, rt: RuntimeDep, who: PrincipalDep
) -> QuizGrade:
    """Grade the learner's answers: score, right or wrong per question, correct options and
    the explanation."""
    return await content.grade(rt, roadmap_id, concept_id, body, who.user_id)
