"""Versioned study material: tutorials, resource lists, quizzes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from learnpath.store.tables import CONTENT_TABLES, QuizRow, ResourceListRow, TutorialRow

ContentRow = TutorialRow | ResourceListRow | QuizRow


async def save_contents(
    session: AsyncSession,
    roadmap_id: str,
    task_id: str | None,
    offline: bool,
    entries: list[tuple[str, str, str, dict[str, Any]]],
) -> dict[tuple[str, str], int]:
    """Store new latest versions of (content type, concept id, idempotency key, body) entries;
    returns each entry's version. A key already written keeps its version and writes nothing,
    so a redelivered item cannot add a second one. A few statements per content type."""
    versions: dict[tuple[str, str], int] = {}
    by_type: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for content_type, concept_id, key, body in entries:
        by_type.setdefault(content_type, []).append((concept_id, key, body))
    for content_type, group in by_type.items():
        table = CONTENT_TABLES[content_type]
        stored = (
            await session.execute(
                select(table.concept_id, table.version, table.idempotency_key).where(
                    table.roadmap_id == roadmap_id,
                    table.concept_id.in_([concept_id for concept_id, _, _ in group]),
                )
            )
        ).all()
        latest: dict[str, int] = {}
        existing: dict[tuple[str, str], int] = {}
        for concept_id, version, key in stored:
            latest[concept_id] = max(latest.get(concept_id, 0), version)
            existing[(concept_id, key)] = version
        rows = []
        for concept_id, key, body in group:
            if (concept_id, key) in existing:
                versions[(content_type, concept_id)] = existing[(concept_id, key)]
                continue
            version = latest.get(concept_id, 0) + 1
            latest[concept_id] = version
            versions[(content_type, concept_id)] = version
            rows.append(
                {
                    "roadmap_id": roadmap_id,
                    "concept_id": concept_id,
                    "version": version,
                    "is_latest": True,
                    "idempotency_key": key,
                    "task_id": task_id,
                    "body": body,
                    "offline": offline,
                    "created_at": datetime.now(UTC),
                }
            )
        superseded = sorted({str(row["concept_id"]) for row in rows} & {c for c, _, _ in stored})
        if superseded:
            await session.execute(
                update(table)
                .where(table.roadmap_id == roadmap_id, table.concept_id.in_(superseded))
                .values(is_latest=False)
            )
        if rows:
            await session.execute(insert(cast(Table, table.__table__)), rows)
    return versions


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
    """:func:`save_contents` for one entry; returns its version."""
    versions = await save_contents(
        session, roadmap_id, task_id, offline, [(content_type, concept_id, idempotency_key, body)]
    )
    return versions[(content_type, concept_id)]


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
