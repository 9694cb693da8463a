"""Task rows: create, lock, read, count."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnpath.domain.tasks import ACTIVE_STATUSES, Step, TaskStatus, TaskType
from learnpath.errors import TaskNotFound
from learnpath.store.tables import TaskRow


def new_id(prefix: str) -> str:
    """A readable prefix and 128 random bits (contract §4 asks for at least 122)."""
    return f"{prefix}_{secrets.token_hex(16)}"


async def create_task(
    session: AsyncSession,
    task_type: TaskType,
    request: dict[str, Any],
    *,
    user_id: str | None = None,
    roadmap_id: str | None = None,
    concept_id: str | None = None,
    content_type: str | None = None,
    auto_approve: bool = False,
    scope: list[list[str]] | None = None,
    step: Step = Step.queued,
    status: TaskStatus = TaskStatus.pending,
) -> TaskRow:
    row = TaskRow(
        task_id=new_id("task"),
        user_id=user_id,
        task_type=task_type.value,
        status=status.value,
        current_step=step.value,
        roadmap_id=roadmap_id,
        concept_id=concept_id,
        content_type=content_type,
        request=request,
        auto_approve=auto_approve,
        scope=scope,
        failed_items=[],
        summary={},
        validation_issues=[],
    )
    session.add(row)
    await session.flush()
    return row


async def get_task(session: AsyncSession, task_id: str, *, lock: bool = False) -> TaskRow:
    """The task row; ``lock`` takes a row lock (PostgreSQL) for a read-modify-write."""
    query = select(TaskRow).where(TaskRow.task_id == task_id)
    if lock:
        query = query.with_for_update()
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise TaskNotFound(task_id)
    return row


async def list_tasks(
    session: AsyncSession,
    *,
    user_id: str | None = None,
    task_type: TaskType | None = None,
    status: TaskStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[TaskRow], int, dict[str, int]]:
    """A page of tasks (newest first), the filtered total, and counts for every status."""
    base = select(TaskRow)
    if user_id is not None:
        base = base.where(TaskRow.user_id == user_id)
    counts_query = select(TaskRow.status, func.count()).group_by(TaskRow.status)
    if user_id is not None:
        counts_query = counts_query.where(TaskRow.user_id == user_id)
    if task_type is not None:
        base = base.where(TaskRow.task_type == task_type.value)
        counts_query = counts_query.where(TaskRow.task_type == task_type.value)
    filtered = base.where(TaskRow.status == status.value) if status is not None else base
    total = (
        await session.execute(select(func.count()).select_from(filtered.subquery()))
    ).scalar_one()
    rows = (
        await session.scalars(
            filtered.order_by(TaskRow.created_at.desc(), TaskRow.task_id)
            .limit(limit)
            .offset(offset)
        )
    ).all()
    counts = {s.value: 0 for s in TaskStatus}
    for name, count in (await session.execute(counts_query)).all():
        counts[name] = count
    return list(rows), total, counts


async def active_tasks_for_roadmap(session: AsyncSession, roadmap_id: str) -> list[TaskRow]:
    rows = await session.scalars(
        select(TaskRow)
        .where(
            TaskRow.roadmap_id == roadmap_id,
            TaskRow.status.in_([s.value for s in ACTIVE_STATUSES]),
        )
        .order_by(TaskRow.created_at.desc())
    )
    return list(rows.all())
