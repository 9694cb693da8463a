"""Item rows: the statements the engine runs on a task's work items.

Items are the hot path of a task, so the batch operations here are a handful of Core
statements whatever the batch size. Locking order, everywhere: items first, the task row
last (see :func:`learnpath.store.tasks.reserve_seqs`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Select,
    Table,
    bindparam,
    func,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from learnpath.domain.items import OPEN_ITEM_STATUSES, ItemKey, ItemStatus
from learnpath.domain.states import RUNNABLE
from learnpath.domain.tasks import FAN_OUT_STEPS, TaskStatus
from learnpath.store.leases import item_lapsed, item_not_held
from learnpath.store.tables import ItemRow, TaskRow
from learnpath.store.tasks import still_generating


@dataclass(frozen=True)
class Settled:
    """An item's outcome as stored: its new status, content version and error."""

    key: ItemKey
    completed: bool
    version: int | None
    error: str | None


# Built once (building a statement costs more than running it on SQLite): the task's items,
# and how many are in each status.
_OWNED: Select[ItemRow] = select(ItemRow).where(
    ItemRow.subject_id == bindparam("subject_id"), ItemRow.task_id == bindparam("task_id")
)
_COUNTS: Select[str, int] = (
    select(ItemRow.status, func.count())
    .where(ItemRow.subject_id == bindparam("subject_id"), ItemRow.task_id == bindparam("task_id"))
    .group_by(ItemRow.status)
)


_ITEMS = cast(Table, ItemRow.__table__)
_NAMED_OPEN = (
    ItemRow.subject_id == bindparam("b_subject"),
    ItemRow.task_id == bindparam("b_task"),
    ItemRow.status.in_(OPEN_ITEM_STATUSES),
    tuple_(ItemRow.concept_id, ItemRow.content_type).in_(bindparam("b_keys", expanding=True)),
    still_generating(bindparam("b_task")),
)
"""These items (``b_keys``: (concept id, content type) pairs), while the generating task
``b_task`` owns them and they are open."""
_START_VALUES: dict[str, Any] = {
    "status": ItemStatus.generating.value,
    "error": None,
    "updated_at": bindparam("b_at"),
    "lease_owner": bindparam("b_owner"),
    "lease_expires_at": bindparam("b_until"),
}
_START_WAITING = (
    update(_ITEMS)
    .where(*_NAMED_OPEN, ItemRow.status == ItemStatus.pending.value)
    .values(**_START_VALUES)
    .returning(ItemRow.concept_id, ItemRow.content_type)
)
_START_UNHELD = (
    update(_ITEMS)
    .where(*_NAMED_OPEN, item_not_held(bindparam("b_at")))
    .values(**_START_VALUES)
    .returning(ItemRow.concept_id, ItemRow.content_type)
)
_LOCK_OPEN = (
    select(ItemRow.concept_id, ItemRow.content_type, ItemRow.fingerprint, ItemRow.generation)
    .where(*_NAMED_OPEN)
    .order_by(ItemRow.concept_id, ItemRow.content_type)  # locks in key order
    .with_for_update()
)
_FAIL_OPEN = (
    update(_ITEMS)
    .where(*_NAMED_OPEN)
    .values(
        status=ItemStatus.failed.value,
        error=bindparam("b_error"),
        updated_at=bindparam("b_at"),
        lease_owner=None,
        lease_expires_at=None,
    )
)
_SETTLE = (
    update(_ITEMS)
    .where(
        ItemRow.subject_id == bindparam("b_subject"),
        ItemRow.concept_id == bindparam("b_concept"),
        ItemRow.content_type == bindparam("b_type"),
    )
    .values(
        status=bindparam("b_status"),
        version=func.coalesce(bindparam("b_version"), ItemRow.version),
        error=bindparam("b_error"),
        updated_at=bindparam("b_at"),
        lease_owner=None,
        lease_expires_at=None,
    )
)


def _named(roadmap_id: str, task_id: str, keys: Collection[ItemKey]) -> dict[str, Any]:
    """The parameters of :data:`_NAMED_OPEN`."""
    return {
        "b_subject": roadmap_id,
        "b_task": task_id,
        "b_keys": [(k.concept_id, k.content_type) for k in keys],
    }


async def owned(session: AsyncSession, roadmap_id: str, task_id: str) -> list[ItemRow]:
    """The items whose current generation ``task_id`` owns."""
    rows = await session.scalars(_OWNED, {"subject_id": roadmap_id, "task_id": task_id})
    return list(rows.all())


async def open_keys(session: AsyncSession, roadmap_id: str, task_id: str) -> list[ItemKey]:
    return [
        ItemKey(i.concept_id, i.content_type)
        for i in await owned(session, roadmap_id, task_id)
        if i.status in OPEN_ITEM_STATUSES
    ]


async def counts(session: AsyncSession, roadmap_id: str, task_id: str) -> Counter[str]:
    """How many of the task's items are in each status."""
    rows = await session.execute(_COUNTS, {"subject_id": roadmap_id, "task_id": task_id})
    return Counter({status: count for status, count in rows.all()})


async def claim_for(
    session: AsyncSession, roadmap_id: str, task_id: str, scope: list[list[str]] | None
) -> list[ItemKey]:
    """Make ``task_id`` the owner of the open items of its scope that no other runnable task
    owns, each put back to ``pending`` with nobody holding it."""
    wanted = {(c, t) for c, t in scope} if scope is not None else None
    rows = list(
        (await session.scalars(select(ItemRow).where(ItemRow.subject_id == roadmap_id))).all()
    )
    owners = {i.task_id for i in rows if i.task_id and i.task_id != task_id}
    live: set[str] = set()
    if owners:
        live = set(
            (
                await session.scalars(
                    select(TaskRow.task_id).where(
                        TaskRow.task_id.in_(owners), TaskRow.status.in_(list(RUNNABLE))
                    )
                )
            ).all()
        )
    claimed = []
    for item in rows:
        if wanted is not None and (item.concept_id, item.content_type) not in wanted:
            continue
        if item.status not in OPEN_ITEM_STATUSES or item.task_id in live:
            continue
        item.task_id = task_id
        item.release(ItemStatus.pending.value)
        claimed.append(ItemKey(item.concept_id, item.content_type))
    return claimed


async def fail_open(
    session: AsyncSession,
    roadmap_id: str,
    task_id: str,
    keys: Collection[ItemKey],
    error: str,
    at: datetime,
) -> None:
    """Fail these open items of a generating task (what they were for is gone)."""
    await session.execute(
        _FAIL_OPEN, {**_named(roadmap_id, task_id, keys), "b_error": error, "b_at": at}
    )


async def start(
    session: AsyncSession,
    roadmap_id: str,
    task_id: str,
    keys: Collection[ItemKey],
    owner: str,
    *,
    at: datetime,
    until: datetime,
) -> tuple[set[ItemKey], set[ItemKey]]:
    """Mark these items ``generating`` under ``owner``'s lease, those still open for the
    generating task and unattended. Returns (the ones that were waiting, the ones already
    ``generating`` that nobody held: announced by a regenerate request, or left by a dead
    worker). Waiting items are the common case: one statement when they are all there is."""
    if not keys:
        return set(), set()
    if session.get_bind().dialect.name == "postgresql":
        # The rows locked first, in key order (as a requeue locks them): the two writes below
        # then wait for no row, so a sweeper requeueing the same items cannot deadlock them.
        await lock_open(session, roadmap_id, task_id, keys)
    lease = {"b_at": at, "b_owner": owner, "b_until": until}
    waiting = await _mark(session, _START_WAITING, {**_named(roadmap_id, task_id, keys), **lease})
    rest = [k for k in keys if k not in waiting]
    if not rest:
        return waiting, set()
    taken = await _mark(session, _START_UNHELD, {**_named(roadmap_id, task_id, rest), **lease})
    return waiting, taken


async def _mark(session: AsyncSession, statement: Any, parameters: dict[str, Any]) -> set[ItemKey]:
    rows = await session.execute(statement, parameters)
    return {ItemKey(r.concept_id, r.content_type) for r in rows}


async def lock_open(
    session: AsyncSession, roadmap_id: str, task_id: str, keys: Collection[ItemKey]
) -> dict[ItemKey, str]:
    """Row-lock these items while still open for the generating task; key → the idempotency
    key their content is stored under (definition fingerprint and generation)."""
    rows = await session.execute(_LOCK_OPEN, _named(roadmap_id, task_id, keys))
    return {ItemKey(r.concept_id, r.content_type): f"{r.fingerprint}:{r.generation}" for r in rows}


async def settle(
    session: AsyncSession, roadmap_id: str, settled: Sequence[Settled], at: datetime
) -> None:
    """Store the outcome of each item (locked by :func:`lock_open`), releasing its lease."""
    await session.execute(
        _SETTLE,
        [
            {
                "b_subject": roadmap_id,
                "b_concept": o.key.concept_id,
                "b_type": o.key.content_type,
                "b_status": (
                    ItemStatus.completed.value if o.completed else ItemStatus.failed.value
                ),
                "b_version": o.version,
                "b_error": o.error,
                "b_at": at,
            }
            for o in settled
        ],
    )


async def stop_generating(session: AsyncSession, task_id: str) -> None:
    """A cancelled task's items being generated go back to waiting, held by nobody."""
    await session.execute(
        update(ItemRow)
        .where(ItemRow.task_id == task_id, ItemRow.status == ItemStatus.generating.value)
        .values(status=ItemStatus.pending.value, lease_owner=None, lease_expires_at=None)
    )


async def reopen_unfinished(session: AsyncSession, task: TaskRow) -> int:
    """The task's failed and interrupted items wait again (errors cleared); how many of its
    items are waiting now."""
    rows = await owned(session, task.subject_id, task.task_id)
    for item in rows:
        if item.status in (ItemStatus.failed.value, ItemStatus.generating.value):
            item.release(ItemStatus.pending.value)
            item.error = None
    return sum(1 for i in rows if i.status == ItemStatus.pending.value)


async def drop_leases(session: AsyncSession, task_ids: Collection[str]) -> None:
    """Forget who holds the open items of these tasks (their worker died)."""
    await session.execute(
        update(ItemRow)
        .where(ItemRow.task_id.in_(list(task_ids)), ItemRow.status.in_(OPEN_ITEM_STATUSES))
        .values(lease_owner=None, lease_expires_at=None)
    )


async def lapsed(session: AsyncSession, at: datetime, lease_s: float) -> list[tuple[str, ItemKey]]:
    """Open items of generating tasks whose lease ran out (or never came): (task id, key)."""
    rows = await session.execute(
        select(ItemRow.task_id, ItemRow.concept_id, ItemRow.content_type)
        .join(TaskRow, TaskRow.task_id == ItemRow.task_id)
        .where(
            ItemRow.status.in_(OPEN_ITEM_STATUSES),
            TaskRow.status == TaskStatus.processing.value,
            TaskRow.current_step.in_([step.value for step in FAN_OUT_STEPS]),
            item_lapsed(at, lease_s),
        )
        .order_by(ItemRow.task_id)
    )
    return [(task_id, ItemKey(c, t)) for task_id, c, t in rows if task_id is not None]


async def queue(
    session: AsyncSession,
    roadmap_id: str,
    task_id: str,
    messages: dict[ItemKey, str],
    *,
    at: datetime,
    until: datetime,
) -> None:
    """These open items were sent to the broker under these message ids: they wait there,
    vouched for until ``until`` by a queued lease (no owner yet). Their status stays: an
    item already announced ``generating`` is not announced again when a worker starts it."""
    await session.execute(
        update(cast(Table, ItemRow.__table__))
        .where(
            ItemRow.subject_id == roadmap_id,
            ItemRow.task_id == task_id,
            ItemRow.concept_id == bindparam("b_concept"),
            ItemRow.content_type == bindparam("b_type"),
            # (no IN: an executemany cannot expand one)
            or_(*(ItemRow.status == status for status in OPEN_ITEM_STATUSES)),
            item_not_held(at),
        )
        .values(
            broker_id=bindparam("b_id"),
            lease_owner=None,
            lease_expires_at=until,
        ),
        [
            # In key order, as lock_open locks: two such writes to the same items cannot wait
            # for each other's rows in opposite orders (a deadlock the sweeper once hit).
            {"b_concept": k.concept_id, "b_type": k.content_type, "b_id": message_id}
            for k, message_id in sorted(
                messages.items(), key=lambda m: (m[0].concept_id, m[0].content_type)
            )
        ],
    )


async def message_ids(session: AsyncSession, task_id: str) -> set[str]:
    """The broker messages that queued the task's items."""
    rows = await session.scalars(select(ItemRow.broker_id).where(ItemRow.task_id == task_id))
    return {m for m in rows.all() if m}
