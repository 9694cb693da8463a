"""Reading study material, and grading quizzes on the server (answers never leave it early)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from learnpath.domain.content import ContentType, Quiz, ResourceList, Tutorial
from learnpath.domain.roadmap import Framework
from learnpath.engine.runtime import Runtime
from learnpath.errors import ContentNotFound, Invalid, RoadmapNotFound
from learnpath.service.roadmaps import visible_roadmap
from learnpath.store import attempts, contents
from learnpath.store.contents import ContentRow


class TutorialOut(BaseModel):
    concept_id: str
    version: int
    markdown: str
    summary: str
    estimated_minutes: int
    created_at: datetime


class ResourcesOut(BaseModel):
    concept_id: str
    version: int
    resources: list[dict[str, object]]
    created_at: datetime


class QuizQuestionOut(BaseModel):
    question_id: str
    type: Literal["single_choice", "multiple_choice", "true_false"]
    question: str
    options: list[str]
    difficulty: str


class QuizOut(BaseModel):
    """A quiz as a learner sees it before answering: no correct options, no explanations."""

    concept_id: str
    version: int
    questions: list[QuizQuestionOut]
    created_at: datetime


QuestionRef = Annotated[str, Field(max_length=64)]
Choices = Annotated[list[int], Field(max_length=64)]


class QuizAnswers(BaseModel):
    answers: dict[QuestionRef, Choices] = Field(
        description="question_id → the option indices the learner chose", max_length=64
    )
    version: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="the quiz version answered (latest)"
    )


class QuestionResult(BaseModel):
    question_id: str
    correct: bool
    selected: list[int]
    correct_options: list[int]
    explanation: str


class QuizGrade(BaseModel):
    concept_id: str
    version: int
    score: int
    total: int
    percentage: float
    results: list[QuestionResult]


class QuizAttemptOut(BaseModel):
    """One graded attempt, as the learner's history shows it."""

    version: int
    score: int
    total: int
    percentage: float
    created_at: datetime


async def _content(
    rt: Runtime,
    content_type: ContentType,
    roadmap_id: str,
    concept_id: str,
    version: int | None,
    user_id: str | None,
) -> ContentRow:
    async with rt.db.read() as s:
        row = await visible_roadmap(s, roadmap_id, user_id)
        if Framework.model_validate(row.framework).concept(concept_id) is None:
            raise RoadmapNotFound(f"{roadmap_id}/{concept_id}")
        content = await contents.get_content(s, content_type.value, roadmap_id, concept_id, version)
    if content is None:
        which = f"version {version}" if version else "content"
        raise ContentNotFound(f"no {content_type.value} {which} for {concept_id} yet")
    return content


async def tutorial(
    rt: Runtime,
    roadmap_id: str,
    concept_id: str,
    version: int | None = None,
    user_id: str | None = None,
) -> TutorialOut:
    row = await _content(rt, ContentType.tutorial, roadmap_id, concept_id, version, user_id)
    body = Tutorial.model_validate(row.body)
    return TutorialOut(
        concept_id=concept_id,
        version=row.version,
        markdown=body.markdown,
        summary=body.summary,
        estimated_minutes=body.estimated_minutes,
        created_at=row.created_at,
    )


async def resources(
    rt: Runtime,
    roadmap_id: str,
    concept_id: str,
    version: int | None = None,
    user_id: str | None = None,
) -> ResourcesOut:
    row = await _content(rt, ContentType.resources, roadmap_id, concept_id, version, user_id)
    body = ResourceList.model_validate(row.body)
    return ResourcesOut(
        concept_id=concept_id,
        version=row.version,
        resources=[r.model_dump() for r in body.resources],
        created_at=row.created_at,
    )


async def quiz(
    rt: Runtime,
    roadmap_id: str,
    concept_id: str,
    version: int | None = None,
    user_id: str | None = None,
) -> QuizOut:
    row = await _content(rt, ContentType.quiz, roadmap_id, concept_id, version, user_id)
    body = Quiz.model_validate(row.body)
    return QuizOut(
        concept_id=concept_id,
        version=row.version,
        questions=[
            QuizQuestionOut(
                question_id=q.question_id,
                type=q.type,
                question=q.question,
                options=q.options,
                difficulty=q.difficulty,
            )
            for q in body.questions
        ],
        created_at=row.created_at,
    )


async def grade(
    rt: Runtime,
    roadmap_id: str,
    concept_id: str,
    submission: QuizAnswers,
    user_id: str | None = None,
) -> QuizGrade:
    """Grade a submission against the stored answers and record the attempt."""
    row = await _content(rt, ContentType.quiz, roadmap_id, concept_id, submission.version, user_id)
    body = Quiz.model_validate(row.body)
    known = {q.question_id: q for q in body.questions}
    unknown = sorted(set(submission.answers) - set(known))
    errors = [{"path": f"answers.{qid}", "message": "no such question"} for qid in unknown]
    for qid, chosen in submission.answers.items():
        question = known.get(qid)
        if question and any(i < 0 or i >= len(question.options) for i in chosen):
            errors.append({"path": f"answers.{qid}", "message": "option index out of range"})
    if errors:
        raise Invalid("the answers do not fit the quiz", errors)
    results = []
    for question in body.questions:
        selected = sorted(set(submission.answers.get(question.question_id, [])))
        results.append(
            QuestionResult(
                question_id=question.question_id,
                correct=selected == sorted(question.correct),
                selected=selected,
                correct_options=sorted(question.correct),
                explanation=question.explanation,
            )
        )
    score = sum(r.correct for r in results)
    async with rt.db.transaction() as s:
        attempts.add_attempt(
            s,
            roadmap_id=roadmap_id,
            concept_id=concept_id,
            version=row.version,
            user_id=user_id,
            answers=submission.answers,
            score=score,
            total=len(results),
        )
    return QuizGrade(
        concept_id=concept_id,
        version=row.version,
        score=score,
        total=len(results),
        percentage=round(100 * score / len(results), 1),
        results=results,
    )


async def quiz_attempts(
    rt: Runtime, roadmap_id: str, concept_id: str, user_id: str | None = None
) -> list[QuizAttemptOut]:
    """Every graded attempt at the concept's quiz, of any quiz version, newest first."""
    async with rt.db.read() as s:
        row = await visible_roadmap(s, roadmap_id, user_id)
        if Framework.model_validate(row.framework).concept(concept_id) is None:
            raise RoadmapNotFound(f"{roadmap_id}/{concept_id}")
        rows = await attempts.concept_attempts(s, roadmap_id, concept_id)
    return [
        QuizAttemptOut(
            version=a.version,
            score=a.score,
            total=a.total,
            percentage=round(100 * a.score / a.total, 1) if a.total else 0.0,
            created_at=a.created_at,
        )
        for a in rows
    ]
