"""A task's durable event log: reserve seqs, append inside the caller's transaction, read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, Update, bindparam, insert, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from learnpath.domain.events import Event, EventType, new_event
from learnpath.store.database import PENDING_EVENTS
from learnpath.store.tables import EventRow, TaskRow


async def next_seq(
    session: AsyncSession,
    task_id: str,
    *,
    guards: tuple[ColumnElement[bool], ...] = (),
    count: int = 1,
    **changes: Any,
) -> int | None:
    """Reserve the task's next ``count`` event seqs (applying ``changes`` to the task row
    too); the last of them, or None and nothing changed when the task does not match
    ``guards`` (a module-level tuple: the statement is built once for each).

    The ``UPDATE … RETURNING`` row-locks the task (PostgreSQL), so appends are serialised per
    task and a guarded append cannot interleave with a concurrent status change.
    """
    if changes:
        changes.setdefault("updated_at", datetime.now(UTC))
    statement = _reserving(guards, tuple(sorted(changes)))
    values = {"task_id_": task_id, "count_": count, **changes}
    last: int | None = (await session.execute(statement, values)).scalar_one_or_none()
    held = session.identity_map.get(inspect(TaskRow).identity_key_from_primary_key((task_id,)))
    if last is not None and held is not None:
        # The row this session holds takes what was written: it is not dirty for it.
        for key, value in {**changes, "last_seq": last}.items():
            set_committed_value(held, key, value)
    return last


@cache
def _reserving(guards: tuple[ColumnElement[bool], ...], columns: tuple[str, ...]) -> Update:
    """:func:`next_seq`'s statement, built once per guards and columns written: building
    one costs more than running it on SQLite. It is a statement on the table, not the
    mapped class (the ORM's bulk-update path costs more than the statement), so it leaves
    the session's copy of the row to :func:`next_seq`, which knows the values written."""
    return (
        update(cast(Table, TaskRow.__table__))
        .where(TaskRow.task_id == bindparam("task_id_"), *guards)
        .values(last_seq=TaskRow.last_seq + bindparam("count_"))
        .values({column: bindparam(column) for column in columns})
        .returning(TaskRow.last_seq)
    )


_INSERT_EVENTS = insert(cast(Table, EventRow.__table__))
"""The table, not the mapped class: the ORM's bulk-insert path spent ~2 ms per event here."""


async def store_events(session: AsyncSession, events: list[Event]) -> None:
    """Store events under their reserved ``seq``s; they are published after commit."""
    if not events:
        return
    await session.execute(
        _INSERT_EVENTS,
        [
            {
                "task_id": e.task_id,
                "seq": e.seq,
                "type": e.type.value,
                "payload": e.model_dump(mode="json", exclude_none=True),
                "created_at": e.timestamp,
            }
            for e in events
        ],
    )
    session.info.setdefault(PENDING_EVENTS, []).extend(events)


async def add_event(
    session: AsyncSession, seq: int, task_id: str, type: EventType, message: str, **fields: Any
) -> Event:
    """Store one event under a reserved ``seq``."""
    event = new_event(seq, task_id, type, message, **fields)
    await store_events(session, [event])
    return event


async def append_event(
    session: AsyncSession,
    task_id: str,
    type: EventType,
    message: str,
    *,
    changes: dict[str, Any] | None = None,
    **fields: Any,
) -> Event:
    """Append an event with the task's next ``seq``, reserved by the statement that also
    writes ``changes`` to the task row."""
    seq = await next_seq(session, task_id, **(changes or {}))
    if seq is None:
        raise LookupError(f"task {task_id} not found")
    return await add_event(session, seq, task_id, type, message, **fields)


async def append_task_event(
    session: AsyncSession,
    task: TaskRow,
    type: EventType,
    message: str,
    *,
    moves: dict[str, Any] | None = None,
    **fields: Any,
) -> None:
    """Append an event stamped with the task's current step, status and roadmap.

    ``moves`` (``status``, ``current_step`` and any other column) change the task row in the
    statement that reserves the event's seq: one round trip for a step change and its
    event."""
    await append_task_events(session, task, [(type, message, fields)], moves=moves)


async def append_task_events(
    session: AsyncSession,
    task: TaskRow,
    entries: Sequence[tuple[EventType, str, dict[str, Any]]],
    *,
    moves: dict[str, Any] | None = None,
) -> None:
    """Append events (type, message, fields), each stamped as :func:`append_task_event`
    stamps one unless its fields say otherwise; one statement reserves all their seqs and
    writes ``moves``, one more stores them."""
    moves = moves or {}
    stamp = {
        "step": moves.get("current_step", task.current_step),
        "status": moves.get("status", task.status),
        "roadmap_id": task.roadmap_id,
        "task_type": task.task_type,
    }
    changes: dict[str, Any] = {**moves, "updated_at": datetime.now(UTC)} if moves else {}
    last = await next_seq(session, task.task_id, count=len(entries), **changes)
    if last is None:
        raise LookupError(f"task {task.task_id} not found")
    first = last - len(entries) + 1
    events = [
        new_event(seq, task.task_id, type, message, **{**stamp, **fields})
        for seq, (type, message, fields) in enumerate(entries, start=first)
    ]
    await store_events(session, events)


async def events_after(session: AsyncSession, task_id: str, after_seq: int = 0) -> list[Event]:
    rows = await session.scalars(
        select(EventRow)
        .where(EventRow.task_id == task_id, EventRow.seq > after_seq)
        .order_by(EventRow.seq)
    )
    return [Event.model_validate(row.payload) for row in rows]


async def events_of_tasks(
    session: AsyncSession, task_ids: list[str], after_seq: int
) -> list[Event]:
    """The events of these tasks with ``seq > after_seq``, by task and seq."""
    rows = await session.scalars(
        select(EventRow)
        .where(EventRow.task_id.in_(task_ids), EventRow.seq > after_seq)
        .order_by(EventRow.task_id, EventRow.seq)
    )
    return [Event.model_validate(row.payload) for row in rows]
