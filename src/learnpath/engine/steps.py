"""What every step handler does around its work: re-check that it still owns the step,
move the task on, and look for a cancel before each model call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from learnpath.domain.events import EventType
from learnpath.domain.tasks import Step, TaskStatus
from learnpath.engine.errors import Superseded
from learnpath.engine.runtime import Runtime
from learnpath.store import tasks
from learnpath.store.database import Session
from learnpath.store.tables import TaskRow
from learnpath.store.tasks import Hop


async def locked(session: Session, seen: TaskRow, step: Step) -> TaskRow:
    """The task, row-locked, if it still runs ``step`` of the attempt ``seen`` was read in;
    else :class:`Superseded`."""
    task = await tasks.lock_running(session, seen.task_id, step, seen.attempt)
    if task is None:
        raise Superseded(seen.task_id)
    return task


def cancel_check(rt: Runtime, task_id: str) -> Callable[[], Awaitable[bool]]:
    return rt.cancel_flags.check_for(task_id)


async def move_to(session: Session, task: TaskRow, step: Step, message: str, **fields: Any) -> None:
    """The (locked, running) task goes on to ``step``, with a ``progress`` event."""
    await tasks.transition(
        session, task, TaskStatus.processing, step, EventType.progress, message, **fields
    )


async def started(
    session: Session, task: TaskRow, first: Step, message: str, then: Sequence[Hop] = ()
) -> None:
    """Step ``queued`` of the task, :func:`locked` at it in the caller's transaction: a new
    attempt starts, at ``first``, with a ``task_started`` event; the changes ``then`` follow
    it (reserved and stored with it)."""
    begun = Hop(
        TaskStatus.processing,
        first,
        EventType.task_started,
        message,
        {"status": None, "roadmap_id": None},
    )
    await tasks.transitions(session, task, [begun, *then], writes={"attempt": task.attempt + 1})


async def begin(rt: Runtime, seen: TaskRow, first: Step, message: str) -> TaskRow:
    """Step ``queued`` in a transaction of its own (see :func:`started`); the task as
    committed."""
    async with rt.db.transaction() as session:
        task = await locked(session, seen, Step.queued)
        await started(session, task, first, message)
    return task


async def failed(
    session: Session, task: TaskRow, step: Step, reason: str, after: Sequence[Hop] = ()
) -> None:
    """The (locked, running) task fails at ``step`` for good, with a reason safe to show,
    after the changes ``after`` (reserved and stored with it)."""
    error = f"{step.value} failed: {reason}"
    fields = {"step": step.value, "error": error}
    failing = Hop(TaskStatus.failed, Step.failed, EventType.failed, error, fields)
    writes = {"summary": {**task.summary, "stopped_at_step": step.value}, "error_message": error}
    await tasks.transitions(session, task, [*after, failing], writes=writes)
