"""Task rows: create, read, count, and every change of a task's status or step."""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from learnpath.domain import states
from learnpath.domain.events import EventType
from learnpath.domain.items import OPEN_ITEM_STATUSES
from learnpath.domain.tasks import (
    ACTIVE_STATUSES,
    DOCUMENT_TYPES,
    FAN_OUT_STEPS,
    Step,
    TaskStatus,
    TaskType,
)
from learnpath.errors import Conflict, TaskNotFound
from learnpath.store.events import append_task_events, next_seq
from learnpath.store.tables import EventRow, ItemRow, TaskRow


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
    task_id: str | None = None,
    lease: Lease | None = None,
) -> TaskRow:
    """A new task row; ``task_id`` when the client chose it (a document job's ``job_id``),
    a :class:`Conflict` if it is taken; held from the start under ``lease``."""
    if task_id is not None and await session.get(TaskRow, task_id) is not None:
        raise Conflict(f"job_id {task_id} is already taken", task_id)
    row = TaskRow(
        task_id=task_id or new_id("job" if task_type in DOCUMENT_TYPES else "task"),
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
    if lease is not None:
        row.lease_owner, row.lease_expires_at, row.broker_id = lease
    session.add(row)
    await session.flush()
    return row


async def get_task(session: AsyncSession, task_id: str, *, lock: bool = False) -> TaskRow:
    """The task row; ``lock`` takes a row lock (PostgreSQL) for a read-modify-write."""
    row = (await session.execute(_task_by_id(lock), {"task_id": task_id})).scalar_one_or_none()
    if row is None:
        raise TaskNotFound(task_id)
    return row


@cache
def _task_by_id(lock: bool) -> Select[TaskRow]:
    """Built once: the hottest read of the engine (building a statement costs more than
    running it on SQLite)."""
    query = select(TaskRow).where(TaskRow.task_id == bindparam("task_id"))
    return query.with_for_update() if lock else query


async def list_tasks(
    session: AsyncSession,
    *,
    user_id: str | None = None,
    task_type: TaskType | Collection[TaskType] | None = None,
    status: TaskStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[TaskRow], int, dict[str, int]]:
    """A page of tasks (newest first; of one type or of several), the filtered total, and
    counts for every status."""
    base = select(TaskRow)
    if user_id is not None:
        base = base.where(TaskRow.user_id == user_id)
    counts_query = select(TaskRow.status, func.count()).group_by(TaskRow.status)
    if user_id is not None:
        counts_query = counts_query.where(TaskRow.user_id == user_id)
    if task_type is not None:
        types = (
            [task_type.value] if isinstance(task_type, TaskType) else [t.value for t in task_type]
        )
        base = base.where(TaskRow.task_type.in_(types))
        counts_query = counts_query.where(TaskRow.task_type.in_(types))
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


async def delete_task(session: AsyncSession, task_id: str) -> None:
    """Delete the task row and its event log, in the caller's transaction; the items it owned
    are owned by no task. Everything else it left stays: its roadmap, content versions, review
    rounds and intent analysis belong to the roadmap, and its model calls (``llm_calls``) are
    the spend record."""
    await session.execute(delete(EventRow).where(EventRow.task_id == task_id))
    await session.execute(update(ItemRow).where(ItemRow.task_id == task_id).values(task_id=None))
    await session.execute(delete(TaskRow).where(TaskRow.task_id == task_id))


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


GENERATING = (
    TaskRow.status == TaskStatus.processing.value,
    TaskRow.current_step.in_([step.value for step in FAN_OUT_STEPS]),
)
"""The guard of a task whose items are being generated."""


_GENERATING_ATTEMPT = select(TaskRow.task_type, TaskRow.attempt, TaskRow.roadmap_id).where(
    TaskRow.task_id == bindparam("task_id"), *GENERATING
)
"""Built once (building a statement costs more than running it on SQLite)."""


def still_generating(task_id: str | ColumnElement[str]) -> ColumnElement[bool]:
    return exists().where(TaskRow.task_id == task_id, *GENERATING)


class Lease(NamedTuple):
    """Who vouches for a task's steps and until when: a worker's lease (``owner``), or the
    queued lease of the broker message ``message_id`` (no owner yet)."""

    owner: str | None
    until: datetime
    message_id: str | None = None


@dataclass(frozen=True)
class Hop:
    """One change of a task's status or step, with its event (see :func:`transitions`)."""

    status: TaskStatus
    step: Step
    event: EventType
    message: str
    fields: dict[str, Any] = field(default_factory=dict)
    """The event's fields beyond the stamp of the new step, status and roadmap."""


async def transition(
    session: AsyncSession,
    task: TaskRow,
    to_status: TaskStatus,
    to_step: Step,
    event: EventType,
    message: str,
    *,
    writes: dict[str, Any] | None = None,
    **fields: Any,
) -> None:
    """Move the (locked) task to ``to_status`` at ``to_step`` and append the change's event,
    stamped with the new step, status and roadmap unless ``fields`` say otherwise: every
    status or step change of a task row goes through here or :func:`transitions`, judged by
    the state machine. ``writes`` (column → value) go into the same statement, rather than a
    flush of their own."""
    hop = Hop(to_status, to_step, event, message, fields)
    await transitions(session, task, [hop], writes=writes)


async def transitions(
    session: AsyncSession,
    task: TaskRow,
    hops: Sequence[Hop],
    *,
    writes: dict[str, Any] | None = None,
) -> None:
    """The (locked) task's changes ``hops`` one after another, in one transaction, each
    judged by the state machine and each with its event, in two statements whatever their
    number: the row takes the last one's status and step (and ``writes``) in the statement
    that reserves their seqs."""
    status = task.status
    for hop in hops:
        states.check(status, hop.status, hop.step)
        status = hop.status.value
    last = hops[-1]
    moves = {**(writes or {}), "status": last.status.value, "current_step": last.step.value}
    entries = [
        (hop.event, hop.message, {"step": hop.step.value, "status": hop.status.value, **hop.fields})
        for hop in hops
    ]
    await append_task_events(session, task, entries, moves=moves)


async def lock_running(
    session: AsyncSession, task_id: str, step: Step, attempt: int
) -> TaskRow | None:
    """The task, row-locked, if it still runs ``step`` of ``attempt``; else None (a cancel
    came, or a cancel and a retry: a step of the old attempt finishing late must not write
    into the new one)."""
    task = await get_task(session, task_id, lock=True)
    running = task.status in states.RUNNABLE
    if not running or task.current_step != step.value or task.attempt != attempt:
        return None
    return task


async def generating_attempt(session: AsyncSession, task_id: str) -> tuple[str, int, str] | None:
    """(task type, attempt, subject id) of the task while its items are being generated;
    else None."""
    row = (await session.execute(_GENERATING_ATTEMPT, {"task_id": task_id})).first()
    if row is None:
        return None
    return str(row.task_type), int(row.attempt), str(row.roadmap_id or task_id)


async def reserve_seqs(
    session: AsyncSession, task_id: str, count: int, *, finishing: Step | None = None
) -> int | None:
    """Lock the task row, last in the transaction, and reserve ``count`` event seqs while
    its items are being generated; the first seq, or None (nothing changed) once it stopped.
    ``finishing`` also moves it to that step (its workflow's finishing step: no item of it
    is open).

    Items are written before the task row is locked, so the lock every item of a task waits
    for is held for this statement, the event insert and the commit only: items of one task
    finishing together on many workers queue on it briefly. A cancel locks the task row alone
    and resets its items in a later transaction, so the two never wait on each other in
    opposite orders."""
    changes: dict[str, Any] = {}
    if finishing is not None:
        states.check(TaskStatus.processing, TaskStatus.processing, finishing)
        changes["current_step"] = finishing.value
    last = await next_seq(session, task_id, guards=GENERATING, count=count, **changes)
    return None if last is None else last - count + 1


async def statuses(session: AsyncSession, task_ids: Collection[str]) -> dict[str, str]:
    rows = await session.execute(
        select(TaskRow.task_id, TaskRow.status).where(TaskRow.task_id.in_(list(task_ids)))
    )
    return {task_id: status for task_id, status in rows.all()}


async def status_of(session: AsyncSession, task_id: str) -> str | None:
    return await session.scalar(select(TaskRow.status).where(TaskRow.task_id == task_id))


async def request_of(session: AsyncSession, task_id: str) -> dict[str, Any] | None:
    return await session.scalar(_REQUEST, {"task_id": task_id})


_REQUEST = select(TaskRow.request).where(TaskRow.task_id == bindparam("task_id"))


async def kind_and_subject(session: AsyncSession, task_id: str) -> tuple[str, str]:
    """(task type, subject id) of the task: the subject is what its items belong to, its
    roadmap or (a document job) the task itself."""
    row = (
        await session.execute(
            select(TaskRow.task_type, TaskRow.roadmap_id).where(TaskRow.task_id == task_id)
        )
    ).one()
    return str(row.task_type), row.roadmap_id or task_id


async def queue(session: AsyncSession, task_id: str, message_id: str, until: datetime) -> None:
    """The task's next step was sent to the broker under ``message_id``, vouched for until
    ``until`` by a queued lease (no owner yet)."""
    await session.execute(
        update(TaskRow)
        .where(TaskRow.task_id == task_id)
        .values(broker_id=message_id, lease_owner=None, lease_expires_at=until)
    )


async def message_id(session: AsyncSession, task_id: str) -> str | None:
    return await session.scalar(select(TaskRow.broker_id).where(TaskRow.task_id == task_id))


async def unheld(session: AsyncSession, worker_id: str) -> list[TaskRow]:
    """Runnable tasks (not parked for review) whose lease is not this worker's."""
    rows = await session.scalars(
        select(TaskRow).where(
            TaskRow.status.in_(list(states.RUNNABLE)),
            TaskRow.current_step != Step.human_review.value,
            or_(TaskRow.lease_owner != worker_id, TaskRow.lease_owner.is_(None)),
        )
    )
    return list(rows.all())


async def lapsed(session: AsyncSession, at: datetime, settled_in: datetime) -> list[str]:
    """Runnable task steps nobody vouches for: their lease ended, or they never got one
    since ``settled_in``. A task generating content is vouched for by its items' leases."""
    open_item = exists().where(
        ItemRow.task_id == TaskRow.task_id, ItemRow.status.in_(OPEN_ITEM_STATUSES)
    )
    rows = await session.scalars(
        select(TaskRow.task_id).where(
            TaskRow.status.in_(list(states.RUNNABLE)),
            TaskRow.current_step != Step.human_review.value,
            or_(
                TaskRow.lease_expires_at < at,
                and_(TaskRow.lease_expires_at.is_(None), TaskRow.updated_at < settled_in),
            ),
            or_(~TaskRow.current_step.in_([step.value for step in FAN_OUT_STEPS]), ~open_item),
        )
    )
    return list(rows.all())
