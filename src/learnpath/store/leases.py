"""Lease statements: a worker claiming, renewing and releasing the work it holds.

A lease is *live* while it has an owner and has not ended. Work held under a live lease
belongs to that worker; anyone may take work whose lease is not live.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, bindparam, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from learnpath.domain.items import OPEN_ITEM_STATUSES as OPEN
from learnpath.domain.items import ItemStatus
from learnpath.domain.states import RUNNABLE as RUNNABLE_STATUSES
from learnpath.domain.tasks import Step, TaskStatus
from learnpath.store.tables import ItemRow, TaskRow

RUNNABLE = [s.value for s in RUNNABLE_STATUSES]
ItemRef = tuple[str, str, str]
"""An item as a message names it: (task id, concept id, content type)."""


def item_not_held(at: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """Items no worker holds a live lease on."""
    return or_(
        ItemRow.lease_owner.is_(None),
        ItemRow.lease_expires_at.is_(None),
        ItemRow.lease_expires_at < at,
    )


def item_lapsed(at: datetime, lease_s: float) -> ColumnElement[bool]:
    """Open items nobody vouches for: their lease ended, or they never got one within
    ``lease_s`` of their last change (claimed, then the process queueing them died)."""
    return or_(
        ItemRow.lease_expires_at < at,
        and_(
            ItemRow.lease_expires_at.is_(None),
            ItemRow.updated_at < at - timedelta(seconds=lease_s),
        ),
    )


async def claim_tasks(
    s: AsyncSession, owner: str, task_ids: Collection[str], until: datetime, at: datetime
) -> None:
    """Lease these runnable tasks to ``owner`` until ``until``, unless another worker holds
    them under a live lease."""
    await s.execute(
        update(TaskRow)
        .where(
            TaskRow.task_id.in_(list(task_ids)),
            TaskRow.status.in_(RUNNABLE),
            or_(
                TaskRow.lease_owner == owner,
                TaskRow.lease_owner.is_(None),
                TaskRow.lease_expires_at.is_(None),
                TaskRow.lease_expires_at < at,
            ),
        )
        .values(lease_owner=owner, lease_expires_at=until)
    )


async def claim_items(
    s: AsyncSession, owner: str, items: Collection[ItemRef], until: datetime, at: datetime
) -> None:
    """Lease these open items of the tasks that name them to ``owner`` until ``until``: those
    it holds already, and those still ``pending`` that no other worker holds under a live
    lease (an item another worker generates stays its own)."""
    await s.execute(
        update(ItemRow)
        .where(
            tuple_(ItemRow.task_id, ItemRow.concept_id, ItemRow.content_type).in_(list(items)),
            or_(
                and_(ItemRow.lease_owner == owner, ItemRow.status.in_(OPEN)),
                and_(ItemRow.status == ItemStatus.pending.value, item_not_held(at)),
            ),
        )
        .values(lease_owner=owner, lease_expires_at=until)
    )


async def release_pending_items(s: AsyncSession, owner: str, items: Collection[ItemRef]) -> None:
    """Let go of ``owner``'s leases on these items while they are still ``pending``."""
    await s.execute(
        update(ItemRow)
        .where(
            tuple_(ItemRow.task_id, ItemRow.concept_id, ItemRow.content_type).in_(list(items)),
            ItemRow.status == ItemStatus.pending.value,
            ItemRow.lease_owner == owner,
        )
        .values(lease_owner=None, lease_expires_at=None)
    )


async def unvouched_messages(s: AsyncSession, message_ids: Collection[str]) -> set[str]:
    """Of these messages, those whose work is still to do and leased to nobody: the worker
    that received them died before it could claim it (a live one claims at once)."""
    ids = list(message_ids)
    tasks = await s.scalars(
        select(TaskRow.broker_id).where(
            TaskRow.broker_id.in_(ids),
            TaskRow.status.in_(RUNNABLE),
            TaskRow.current_step != Step.human_review.value,
            TaskRow.lease_owner.is_(None),
        )
    )
    items = await s.scalars(
        select(ItemRow.broker_id)
        .join(TaskRow, TaskRow.task_id == ItemRow.task_id)
        .where(
            ItemRow.broker_id.in_(ids),
            ItemRow.status.in_(OPEN),
            ItemRow.lease_owner.is_(None),
            TaskRow.status == TaskStatus.processing.value,
        )
    )
    return {m for m in (*tasks.all(), *items.all()) if m is not None}


async def hold_task(s: AsyncSession, task_id: str, owner: str, until: datetime) -> TaskRow | None:
    """``owner`` runs the task's steps from now on; the task row as it then is (None when
    there is no such task)."""
    return await s.scalar(_HOLD, {"task_id_": task_id, "owner_": owner, "until_": until})


_HOLD = (
    update(TaskRow)
    .where(TaskRow.task_id == bindparam("task_id_"))
    .values(lease_owner=bindparam("owner_"), lease_expires_at=bindparam("until_"))
    .returning(TaskRow)
)
"""Built once (building a statement costs more than running it on SQLite)."""


async def renew_tasks(s: AsyncSession, owner: str, until: datetime) -> None:
    """Extend ``owner``'s leases on the runnable tasks it holds."""
    await s.execute(
        update(TaskRow)
        .where(TaskRow.lease_owner == owner, TaskRow.status.in_(RUNNABLE))
        .values(lease_expires_at=until)
    )


async def renew_items(
    s: AsyncSession, owner: str, items: Collection[ItemRef], until: datetime
) -> None:
    """Extend ``owner``'s leases on these items it is generating."""
    await s.execute(
        update(ItemRow)
        .where(
            ItemRow.lease_owner == owner,
            ItemRow.status == ItemStatus.generating.value,
            tuple_(ItemRow.task_id, ItemRow.concept_id, ItemRow.content_type).in_(list(items)),
        )
        .values(lease_expires_at=until)
    )
