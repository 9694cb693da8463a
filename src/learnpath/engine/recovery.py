"""Retry recoveries (docs/contract.md §4): which one a stopped task gets, and applying it
under the same task and roadmap ids."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from learnpath.domain.events import EventType
from learnpath.domain.items import ItemStatus
from learnpath.domain.roadmap import Framework
from learnpath.domain.tasks import DOCUMENT_TYPES, RecoveryType, Step, TaskStatus, TaskType
from learnpath.engine.workflow import Workflow
from learnpath.store import items, roadmaps, tasks
from learnpath.store.database import Session
from learnpath.store.events import append_task_event
from learnpath.store.tables import TaskRow

_STARTS_OVER = frozenset({TaskType.creation.value, *DOCUMENT_TYPES})
"""Task types that begin by making their subject, so start again when it was never made."""


@dataclass(frozen=True)
class Recovery:
    kind: RecoveryType
    message: str
    parked: bool
    """Back waiting for a person's review: nothing is dispatched."""


def refusal(task: TaskRow, workflow: Workflow) -> str | None:
    """Why the task cannot be retried, or None."""
    status = TaskStatus(task.status)
    if status.is_active:
        return f"task {task.task_id} is already {task.status}"
    if status == TaskStatus.completed:
        return f"task {task.task_id} completed; nothing to retry"
    if not workflow.retryable:
        return "a link check is not retried: start a new one"
    return None


def choose(
    task_type: str,
    status: TaskStatus,
    has_subject: bool,
    stopped_at: Step,
    review_steps: Collection[Step],
    has_failed_items: bool,
) -> RecoveryType:
    """The row of the retry table a stopped task falls in (a document job is recovered as a
    creation that has no review: from scratch until its chapters exist, then their failed
    ones)."""
    creation = task_type == TaskType.creation.value
    if task_type in _STARTS_OVER and not has_subject:
        return RecoveryType.restart_from_scratch
    if creation and stopped_at in review_steps:
        return RecoveryType.resume_review
    if has_failed_items or status == TaskStatus.partial_failure or not creation:
        return RecoveryType.retry_failed_items
    return RecoveryType.restart_content_generation


async def recover(s: Session, task: TaskRow, workflow: Workflow) -> Recovery:
    """Apply the recovery the (locked) task's state calls for, with its events; the caller
    checked :func:`refusal` first."""
    stopped_at = Step(task.summary.get("stopped_at_step", workflow.fan_out_step.value))
    owned = await items.owned(s, task.subject_id, task.task_id)
    kind = choose(
        task.task_type,
        TaskStatus(task.status),
        task.roadmap_id is not None or bool(owned),
        stopped_at,
        workflow.review_steps,
        any(i.status == ItemStatus.failed.value for i in owned),
    )
    task.error_message = None
    task.failed_items = []
    task.recovery_type = kind.value
    task.attempt += 1
    status, step, message = await _target(s, task, workflow, kind, stopped_at)
    await tasks.transition(
        s,
        task,
        status,
        step,
        EventType.task_recovering,
        message,
        data={"recovery_type": kind.value},
    )
    await _announce(s, task, kind, message)
    return Recovery(kind, message, status == TaskStatus.human_review_pending)


async def _target(
    s: Session, task: TaskRow, workflow: Workflow, kind: RecoveryType, stopped_at: Step
) -> tuple[TaskStatus, Step, str]:
    """Where the recovery puts the task back, and what it says."""
    if kind == RecoveryType.restart_from_scratch:
        task.validation_rounds = 0
        return TaskStatus.pending, Step.queued, "Restarting from the intent analysis"
    if kind == RecoveryType.resume_review:
        status = (
            TaskStatus.human_review_pending
            if stopped_at == Step.human_review
            else TaskStatus.processing
        )
        return (
            status,
            stopped_at,
            "Resuming the review of the framework; edits and review history are kept",
        )
    if kind == RecoveryType.retry_failed_items:
        waiting = await items.reopen_unfinished(s, task)
        message = f"Retrying {waiting} unfinished item(s); completed items are kept"
        return TaskStatus.processing, workflow.retry_step, message
    message = (
        f"Restarting content generation for {await _concepts(s, task)} concepts; "
        "completed items are kept"
    )
    return TaskStatus.processing, Step.content_generation_queued, message


async def _concepts(s: Session, task: TaskRow) -> int:
    row = await roadmaps.get_roadmap(s, task.roadmap_id or "", include_deleted=True)
    return sum(1 for _ in Framework.model_validate(row.framework).concepts())


async def _announce(s: Session, task: TaskRow, kind: RecoveryType, message: str) -> None:
    """The events that follow ``task_recovering`` for some recoveries."""
    if kind == RecoveryType.restart_content_generation:
        await append_task_event(
            s,
            task,
            EventType.progress,
            message,
            data={
                "roadmap_id": task.roadmap_id,
                "total_concepts": await _concepts(s, task),
                "recovery_type": kind.value,
            },
        )
    if task.status == TaskStatus.human_review_pending.value:
        await append_task_event(
            s,
            task,
            EventType.human_review_required,
            "The roadmap framework is waiting for review again",
            step=Step.human_review.value,
        )
