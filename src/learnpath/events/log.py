"""Append events to a task's durable log inside the caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from learnpath.domain.events import Event, EventProgress, EventType
from learnpath.store.database import PENDING_EVENTS
from learnpath.store.tables import EventRow, TaskRow


def progress_of(current: int, total: int) -> EventProgress:
    percentage = round(100 * current / total, 1) if total else 100.0
    return EventProgress(current=current, total=total, percentage=percentage)


async def append_event(
    session: AsyncSession, task_id: str, type: EventType, message: str, **fields: Any
) -> Event:
    """Give the event the task's next ``seq`` and store it; it is published after commit.

    The ``UPDATE … RETURNING`` on the task row serialises appends per task on every backend.
    """
    seq = (
        await session.execute(
            update(TaskRow)
            .where(TaskRow.task_id == task_id)
            .values(last_seq=TaskRow.last_seq + 1)
            .returning(TaskRow.last_seq)
        )
    ).scalar_one()
    event = Event(
        seq=seq,
        type=type,
        task_id=task_id,
        timestamp=datetime.now(UTC),
        message=message,
        **fields,
    )
    session.add(
        EventRow(
            task_id=task_id,
            seq=seq,
            type=type.value,
            payload=event.model_dump(mode="json", exclude_none=True),
        )
    )
    session.info.setdefault(PENDING_EVENTS, []).append(event)
    return event


async def events_after(session: AsyncSession, task_id: str, after_seq: int = 0) -> list[Event]:
    rows = await session.scalars(
        select(EventRow)
        .where(EventRow.task_id == task_id, EventRow.seq > after_seq)
        .order_by(EventRow.seq)
    )
    return [Event.model_validate(row.payload) for row in rows]
