"""How a task whose items are all settled ends: ``completed``, ``partial_failure`` or
``failed``, with its summary."""

from __future__ import annotations

from typing import Any

from learnpath.domain.events import Event, EventType, new_event, progress_of
from learnpath.domain.items import OPEN_ITEM_STATUSES, ItemStatus
from learnpath.domain.states import terminal_step
from learnpath.domain.tasks import Step, TaskStatus, step_label
from learnpath.engine.runtime import Runtime
from learnpath.store import items, records, tasks
from learnpath.store.database import Session
from learnpath.store.events import store_events
from learnpath.store.tasks import Hop


def finishing_event(seq: int, task_id: str, task_type: str, step: Step, subject_id: str) -> Event:
    """The event of a task whose items are all stored moving to its finishing ``step``."""
    return new_event(
        seq,
        task_id,
        EventType.progress,
        step_label(step),
        task_type=task_type,
        step=step.value,
        status=TaskStatus.processing.value,
        roadmap_id=subject_id,
    )


async def finish_if_done(rt: Runtime, task_id: str) -> None:
    """Finalise the task if none of its items is open (a resume after the last item)."""
    async with rt.db.transaction() as s:
        task = await tasks.get_task(s, task_id, lock=True)
        workflow = rt.workflow(task.task_type)
        generating = (
            task.status == TaskStatus.processing.value
            and task.current_step == workflow.fan_out_step.value
        )
        if not generating:
            return
        counts = await items.counts(s, task.subject_id, task_id)
        if any(counts[status] for status in OPEN_ITEM_STATUSES):
            return
        step = workflow.finish_step
        seq = await tasks.reserve_seqs(s, task_id, 1, finishing=step)
        if seq is None:
            return
        event = finishing_event(seq, task_id, task.task_type, step, task.subject_id)
        await store_events(s, [event])
    await finalize(rt, task_id)


async def finalize(rt: Runtime, task_id: str) -> None:
    """End a ``finalizing`` task by what became of its items."""
    async with rt.db.transaction() as s:
        task_type = await conclude(rt, s, task_id)
    if task_type is not None:
        await finished(rt, task_type, task_id)


async def finished(rt: Runtime, task_type: str, task_id: str) -> None:
    """What the task's workflow does once a task of it ended (committed)."""
    on_finished = rt.workflow(task_type).on_finished
    if on_finished is not None:
        await on_finished(rt, task_id)


async def conclude(rt: Runtime, s: Session, task_id: str) -> str | None:
    """:func:`finalize`'s work, in the caller's transaction: the task's type once it ended
    here, else None (it was not at its finishing step)."""
    task = await tasks.get_task(s, task_id, lock=True)
    workflow = rt.workflow(task.task_type)
    if (
        task.status != TaskStatus.processing.value
        or task.current_step != workflow.finish_step.value
    ):
        return None
    fan_out = workflow.fan_out
    assert fan_out is not None
    owned = await items.owned(s, task.subject_id, task_id)
    failed = [i for i in owned if i.status == ItemStatus.failed.value]
    done = sum(1 for i in owned if i.status == ItemStatus.completed.value)
    failed_items = [
        {"concept_id": i.concept_id, "content_type": i.content_type, "error": i.error}
        for i in failed
    ]
    summary = {
        **task.summary,
        "items_total": len(owned),
        "items_done": done,
        "items_failed": len(failed),
        **await records.usage_summary(s, task_id),
        "duration_s": round((records.now() - task.created_at).total_seconds(), 3),
    }
    ending = await fan_out.ending(s, task, owned)
    summary.update(ending.summary)
    status, event, message = _outcome(failed_items, fan_out.noun, len(owned), done)
    message = message or fan_out.completed_message(done)
    error = message if failed and not done else task.error_message
    end = Hop(
        status,
        terminal_step(status),
        event,
        message,
        {
            "progress": progress_of(len(owned), len(owned)),
            "data": {"failed_count": len(failed), "failed_items": failed_items},
            "error": error,
        },
    )
    writes = {"failed_items": failed_items, "summary": summary, "error_message": error}
    await tasks.transitions(s, task, [*ending.events, end], writes=writes)
    return task.task_type


def _outcome(
    failed_items: list[dict[str, Any]], noun: str, total: int, done: int
) -> tuple[TaskStatus, EventType, str]:
    """The status a finalised task ends in, its event, and its message (empty when every
    item succeeded: the workflow words that), its items called ``noun``."""
    failed = len(failed_items)
    if failed and not done:
        first = failed_items[0]["error"]
        return (
            TaskStatus.failed,
            EventType.failed,
            f"every {noun} failed; first error: {first}",
        )
    if failed:
        return (
            TaskStatus.partial_failure,
            EventType.completed,
            f"Finished with {failed} failed {noun}(s) of {total}",
        )
    return TaskStatus.completed, EventType.completed, ""
