"""Document jobs' rows (docs/contract.md §7): what a job works from, its chapters, its result."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnpath.domain.items import ItemStatus
from learnpath.domain.tasks import DOCUMENT_TYPES, TaskStatus
from learnpath.errors import TaskNotFound
from learnpath.store.tables import (
    ChapterRow,
    DocumentJobRow,
    EventRow,
    ItemRow,
    TaskRow,
)

CHAPTER = "chapter"
"""The content type of a chapter item."""


def add_job(
    session: AsyncSession,
    job_id: str,
    files: list[dict[str, str]],
    outline: dict[str, Any] | None = None,
    sources: list[dict[str, Any]] | None = None,
) -> None:
    session.add(DocumentJobRow(job_id=job_id, files=files, outline=outline, sources=sources))


async def get_job(session: AsyncSession, job_id: str, *, lock: bool = False) -> DocumentJobRow:
    row = await session.scalar(_job_by_id(lock), {"job_id": job_id})
    if row is None:
        raise TaskNotFound(job_id)
    return row


@cache
def _job_by_id(lock: bool) -> Select[DocumentJobRow]:
    """Built once, as the task row's read (:func:`learnpath.store.tasks.get_task`)."""
    query = select(DocumentJobRow).where(DocumentJobRow.job_id == bindparam("job_id"))
    return query.with_for_update() if lock else query


async def job_and_request(
    session: AsyncSession, job_id: str
) -> tuple[DocumentJobRow, dict[str, Any] | None]:
    """The job's row and its task's request, in one read."""
    found = (await session.execute(_JOB_AND_REQUEST, {"job_id": job_id})).first()
    if found is None:
        raise TaskNotFound(job_id)
    return found[0], found[1]


_JOB_AND_REQUEST = (
    select(DocumentJobRow, TaskRow.request)
    .join(TaskRow, TaskRow.task_id == DocumentJobRow.job_id)
    .where(DocumentJobRow.job_id == bindparam("job_id"))
)


async def results(session: AsyncSession, job_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The stored results of those jobs that have one."""
    rows = await session.execute(
        select(DocumentJobRow.job_id, DocumentJobRow.result).where(
            DocumentJobRow.job_id.in_(list(job_ids)), DocumentJobRow.result.is_not(None)
        )
    )
    return {job_id: result for job_id, result in rows.all()}


async def add_chapter_items(
    session: AsyncSession, job_id: str, chapters: Sequence[tuple[str, str]]
) -> None:
    """The job's chapter items, waiting: one per (chapter id, fingerprint), owned by the job.
    Items already there are kept (research ran again after a crash)."""
    have = set(await session.scalars(_ITEM_IDS, {"job_id": job_id}))
    for chapter_id, fingerprint in chapters:
        if chapter_id in have:
            continue
        session.add(
            ItemRow(
                subject_id=job_id,
                concept_id=chapter_id,
                content_type=CHAPTER,
                status=ItemStatus.pending.value,
                fingerprint=fingerprint,
                generation=1,
                task_id=job_id,
            )
        )
    await session.flush()


async def save_chapters(
    session: AsyncSession,
    job_id: str,
    offline: bool,
    entries: Sequence[tuple[str, str, dict[str, Any]]],
) -> dict[str, int]:
    """Store (chapter id, idempotency key, body) entries as new versions; chapter id → its
    version. A key already written keeps its version and writes nothing, so a redelivered
    chapter is never written twice."""
    stored = (await session.execute(_CHAPTER_KEYS, {"job_id": job_id})).all()
    latest: dict[str, int] = {}
    existing: dict[tuple[str, str], int] = {}
    for chapter_id, version, key in stored:
        latest[chapter_id] = max(latest.get(chapter_id, 0), version)
        existing[(chapter_id, key)] = version
    versions: dict[str, int] = {}
    rows = []
    for chapter_id, key, body in entries:
        if (chapter_id, key) in existing:
            versions[chapter_id] = existing[(chapter_id, key)]
            continue
        versions[chapter_id] = latest[chapter_id] = latest.get(chapter_id, 0) + 1
        rows.append(
            {
                "job_id": job_id,
                "chapter_id": chapter_id,
                "version": versions[chapter_id],
                "idempotency_key": key,
                "task_id": job_id,
                "body": body,
                "offline": offline,
                "created_at": datetime.now(UTC),
            }
        )
    if rows:
        await session.execute(_INSERT_CHAPTERS, rows)
    return versions


async def latest_chapters(session: AsyncSession, job_id: str) -> dict[str, dict[str, Any]]:
    """Chapter id → the body of its latest version."""
    rows = await session.execute(_LATEST_CHAPTERS, {"job_id": job_id})
    return {chapter_id: body for chapter_id, body in rows.all()}


# Built once, as the job row's read: the statements of a job's chapter writing and assembly.
_ITEM_IDS = select(ItemRow.concept_id).where(ItemRow.subject_id == bindparam("job_id"))
_CHAPTER_KEYS = select(ChapterRow.chapter_id, ChapterRow.version, ChapterRow.idempotency_key).where(
    ChapterRow.job_id == bindparam("job_id")
)
_INSERT_CHAPTERS = insert(cast(Table, ChapterRow.__table__))
_NEWEST = (
    select(ChapterRow.chapter_id, func.max(ChapterRow.version).label("version"))
    .where(ChapterRow.job_id == bindparam("job_id"))
    .group_by(ChapterRow.chapter_id)
    .subquery()
)
_LATEST_CHAPTERS = (
    select(ChapterRow.chapter_id, ChapterRow.body)
    .join(
        _NEWEST,
        (ChapterRow.chapter_id == _NEWEST.c.chapter_id) & (ChapterRow.version == _NEWEST.c.version),
    )
    .where(ChapterRow.job_id == bindparam("job_id"))
)


async def chapter_writes(session: AsyncSession, job_id: str) -> dict[str, int]:
    """Chapter id → how many versions of it were written."""
    rows = await session.execute(
        select(ChapterRow.chapter_id, func.count())
        .where(ChapterRow.job_id == job_id)
        .group_by(ChapterRow.chapter_id)
    )
    return {chapter_id: int(count) for chapter_id, count in rows.all()}


async def purge_jobs(session: AsyncSession, before: datetime) -> int:
    """Delete the document jobs that ended before ``before``, with everything of theirs;
    how many went."""
    ended = [s.value for s in TaskStatus if not s.is_active]
    job_ids = list(
        await session.scalars(
            select(TaskRow.task_id).where(
                TaskRow.task_type.in_([t.value for t in DOCUMENT_TYPES]),
                TaskRow.status.in_(ended),
                TaskRow.updated_at < before,
            )
        )
    )
    if not job_ids:
        return 0
    for table, column in (
        (ChapterRow, ChapterRow.job_id),
        (ItemRow, ItemRow.subject_id),
        (EventRow, EventRow.task_id),
        (DocumentJobRow, DocumentJobRow.job_id),
        (TaskRow, TaskRow.task_id),
    ):
        await session.execute(delete(table).where(column.in_(job_ids)))
    return len(job_ids)
