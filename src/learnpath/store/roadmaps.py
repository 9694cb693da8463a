"""Roadmap rows and their per-item status rows."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from learnpath.domain.content import ContentType
from learnpath.domain.items import ItemStatus
from learnpath.domain.roadmap import Framework
from learnpath.errors import RoadmapNotFound
from learnpath.store.tables import CONTENT_TABLES, ItemRow, RoadmapRow


async def get_roadmap(
    session: AsyncSession, roadmap_id: str, *, include_deleted: bool = False
) -> RoadmapRow:
    row = await session.get(RoadmapRow, roadmap_id)
    if row is None or (row.deleted_at is not None and not include_deleted):
        raise RoadmapNotFound(roadmap_id)
    return row


async def roadmaps_of(
    session: AsyncSession, user_id: str | None, *, include_deleted: bool = False
) -> list[RoadmapRow]:
    """The roadmaps of ``user_id`` (everyone's when None), newest first; the soft-deleted ones
    only with ``include_deleted``."""
    query = select(RoadmapRow).order_by(RoadmapRow.created_at.desc())
    if user_id is not None:
        query = query.where(RoadmapRow.user_id == user_id)
    if not include_deleted:
        query = query.where(RoadmapRow.deleted_at.is_(None))
    return list((await session.scalars(query)).all())


async def set_deleted_at(session: AsyncSession, row: RoadmapRow, at: datetime | None) -> None:
    """Soft delete the roadmap (``at`` a time) or restore it (None); flushed, so the row's
    ``updated_at`` is the new one."""
    row.deleted_at = at
    await session.flush()


async def create_roadmap(
    session: AsyncSession, framework: Framework, request: dict[str, Any], user_id: str | None
) -> RoadmapRow:
    row = RoadmapRow(
        roadmap_id=framework.roadmap_id,
        user_id=user_id,
        title=framework.title,
        framework=framework.definition_json(),
        request=request,
        completed_concepts=[],
    )
    session.add(row)
    await session.flush()
    await sync_items(session, framework)
    return row


async def save_framework(session: AsyncSession, row: RoadmapRow, framework: Framework) -> set[str]:
    """Store a new framework; returns the concept ids whose content must be (re)generated."""
    row.framework = framework.definition_json()
    row.title = framework.title
    return await sync_items(session, framework)


async def sync_items(session: AsyncSession, framework: Framework) -> set[str]:
    """Make the item rows match the framework: only changed or new concepts go to pending."""
    roadmap_id = framework.roadmap_id
    existing = {
        (item.concept_id, item.content_type): item for item in await items_of(session, roadmap_id)
    }
    wanted: set[tuple[str, str]] = set()
    changed: set[str] = set()
    for concept in framework.concepts():
        fingerprint = concept.fingerprint()
        for content_type in ContentType:
            key = (concept.concept_id, content_type.value)
            wanted.add(key)
            item = existing.get(key)
            if item is None:
                session.add(
                    ItemRow(
                        subject_id=roadmap_id,
                        concept_id=concept.concept_id,
                        content_type=content_type.value,
                        status=ItemStatus.pending.value,
                        fingerprint=fingerprint,
                        generation=1,
                    )
                )
                changed.add(concept.concept_id)
            elif item.fingerprint != fingerprint:
                item.fingerprint = fingerprint
                item.release(ItemStatus.pending.value)
                item.version = None
                item.error = None
                changed.add(concept.concept_id)
                table = CONTENT_TABLES[content_type.value]
                await session.execute(
                    update(table)
                    .where(table.roadmap_id == roadmap_id, table.concept_id == concept.concept_id)
                    .values(is_latest=False)
                )
    for key, item in existing.items():
        if key not in wanted:
            await session.execute(
                delete(ItemRow).where(
                    ItemRow.subject_id == roadmap_id,
                    ItemRow.concept_id == item.concept_id,
                    ItemRow.content_type == item.content_type,
                )
            )
    await session.flush()
    return changed


async def items_of(session: AsyncSession, roadmap_id: str) -> list[ItemRow]:
    rows = await session.scalars(select(ItemRow).where(ItemRow.subject_id == roadmap_id))
    return list(rows.all())


async def items_by_roadmap(
    session: AsyncSession, roadmap_ids: Collection[str]
) -> dict[str, list[ItemRow]]:
    """The item rows of each of these roadmaps (an empty list for one without any), read in
    one query."""
    items: dict[str, list[ItemRow]] = {roadmap_id: [] for roadmap_id in roadmap_ids}
    if items:
        for item in await session.scalars(
            select(ItemRow).where(ItemRow.subject_id.in_(list(items)))
        ):
            items[item.subject_id].append(item)
    return items


def framework_view(row: RoadmapRow, items: list[ItemRow]) -> Framework:
    """The stored framework with every concept's item status, version and error filled in."""
    framework = Framework.model_validate(row.framework)
    by_key = {(i.concept_id, i.content_type): i for i in items}
    for concept in framework.concepts():
        for content_type in ContentType:
            item = by_key.get((concept.concept_id, content_type.value))
            if item is None:
                continue
            setattr(concept, f"{content_type.value}_status", ItemStatus(item.status))
            setattr(concept, f"{content_type.value}_version", item.version)
            setattr(concept, f"{content_type.value}_error", item.error)
    return framework
