"""Versioned study material: tutorials, resource lists, quizzes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, case, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from learnpath.store.tables import CONTENT_TABLES, QuizRow, ResourceListRow, TutorialRow

ContentRow = TutorialRow | ResourceListRow | QuizRow


async def save_content(
    session: AsyncSession,
    content_type: str,
    roadmap_id: str,
    concept_id: str,
    idempotency_key: str,
    body: dict[str, Any],
    task_id: str | None,
    offline: bool,
) -> int:
    """Store a new latest version and return its number; when this key was already written,
    return that version instead (a redelivered item writes nothing twice)."""
    table = CONTENT_TABLES[content_type]
    same = table.roadmap_id == roadmap_id, table.concept_id == concept_id
    latest, existing = (
        await session.execute(
            select(
                func.max(table.version),
                func.max(case((table.idempotency_key == idempotency_key, table.version))),
            ).where(*same)
        )
    ).one()
    if existing is not None:
        return int(existing)
    if latest is not None:
        await session.execute(update(table).where(*same).values(is_latest=False))
    version = (latest or 0) + 1
    await session.execute(
        insert(cast(Table, table.__table__)).values(
            roadmap_id=roadmap_id,
            concept_id=concept_id,
            version=version,
            is_latest=True,
            idempotency_key=idempotency_key,
            task_id=task_id,
            body=body,
            offline=offline,
            created_at=datetime.now(UTC),
        )
    )
    return version


async def get_content(
    session: AsyncSession,
    content_type: str,
    roadmap_id: str,
    concept_id: str,
    version: int | None = None,
) -> ContentRow | None:
    """A given version, or the latest one still valid for the concept's definition."""
    table = CONTENT_TABLES[content_type]
    query = select(table).where(table.roadmap_id == roadmap_id, table.concept_id == concept_id)
    query = query.where(table.version == version) if version else query.where(table.is_latest)
    return cast(ContentRow | None, (await session.execute(query)).scalars().first())


async def latest_contents(
    session: AsyncSession, content_type: str, roadmap_id: str
) -> dict[str, ContentRow]:
    table = CONTENT_TABLES[content_type]
    rows = await session.scalars(
        select(table).where(table.roadmap_id == roadmap_id, table.is_latest)
    )
    return {row.concept_id: row for row in cast(list[ContentRow], rows.all())}


async def count_versions(
    session: AsyncSession, content_type: str, roadmap_id: str
) -> dict[str, int]:
    table = CONTENT_TABLES[content_type]
    rows = await session.execute(
        select(table.concept_id, func.count())
        .where(table.roadmap_id == roadmap_id)
        .group_by(table.concept_id)
    )
    return {concept_id: count for concept_id, count in rows.all()}
