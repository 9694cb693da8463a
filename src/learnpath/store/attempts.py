"""Quiz attempts: each graded submission of a learner, kept as their learning history."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learnpath.store.tables import QuizAttemptRow


def add_attempt(
    session: AsyncSession,
    *,
    roadmap_id: str,
    concept_id: str,
    version: int,
    user_id: str | None,
    answers: dict[str, Any],
    score: int,
    total: int,
) -> None:
    session.add(
        QuizAttemptRow(
            roadmap_id=roadmap_id,
            concept_id=concept_id,
            version=version,
            user_id=user_id,
            answers=answers,
            score=score,
            total=total,
        )
    )


async def attempted_concepts(session: AsyncSession, roadmap_id: str) -> set[str]:
    """The concepts of the roadmap with at least one quiz attempt (of any quiz version)."""
    rows = await session.scalars(
        select(QuizAttemptRow.concept_id).where(QuizAttemptRow.roadmap_id == roadmap_id).distinct()
    )
    return set(rows.all())


async def concept_attempts(
    session: AsyncSession, roadmap_id: str, concept_id: str
) -> list[QuizAttemptRow]:
    """Every quiz attempt at one concept of the roadmap (of any quiz version), newest first."""
    rows = await session.scalars(
        select(QuizAttemptRow)
        .where(QuizAttemptRow.roadmap_id == roadmap_id, QuizAttemptRow.concept_id == concept_id)
        .order_by(QuizAttemptRow.created_at.desc(), QuizAttemptRow.id.desc())
    )
    return list(rows.all())
