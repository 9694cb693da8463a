"""What a task view shows beside the task row: its item counts and its spend, in the same
query (this is what clients poll)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ScalarSelect, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnpath.domain.items import ItemStatus
from learnpath.store import usage
from learnpath.store.tables import ItemRow, TaskRow


def _item_count(status: ItemStatus | None = None) -> ScalarSelect[int]:
    """How many items the outer query's task owns (in ``status``), as a scalar subquery."""
    query = select(func.count()).where(ItemRow.task_id == TaskRow.task_id)
    if status is not None:
        query = query.where(ItemRow.status == status.value)
    return query.scalar_subquery()


_FIGURES = (
    _item_count(ItemStatus.completed),
    _item_count(ItemStatus.failed),
    _item_count(),
    *usage.task_usage_columns(),
)
"""(completed, failed, total items, then the spend columns of :mod:`learnpath.store.usage`)."""

# Built once (building a statement costs more than running it on SQLite).
_OF_TASK = TaskRow.task_id == bindparam("task_id")
_ONLY_FIGURES = select(*_FIGURES).where(_OF_TASK)
_ROW_AND_FIGURES = select(TaskRow, *_FIGURES).where(_OF_TASK)


async def figures(s: AsyncSession, task_id: str) -> tuple[Any, ...]:
    """The task's figures, in the order of ``_FIGURES``."""
    return tuple((await s.execute(_ONLY_FIGURES, {"task_id": task_id})).one())


async def with_figures(s: AsyncSession, task_id: str) -> tuple[TaskRow, tuple[Any, ...]] | None:
    """The task row and its figures; None when there is no such task."""
    row = (await s.execute(_ROW_AND_FIGURES, {"task_id": task_id})).first()
    if row is None:
        return None
    task, *rest = row
    return task, tuple(rest)
