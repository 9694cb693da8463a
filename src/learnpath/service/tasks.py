"""Task lifecycle: submit, read, cancel, retry, review, delete."""

from __future__ import annotations

from typing import Any

from learnpath.agents.validator import validate_framework
from learnpath.domain.events import Event, EventType
from learnpath.domain.request import LearnerRequest
from learnpath.domain.roadmap import Framework
from learnpath.domain.tasks import ReviewDecision, Step, TaskStatus, TaskType, step_label
from learnpath.domain.usage import Actual, Estimate
from learnpath.engine import recovery
from learnpath.engine.runtime import Runtime
from learnpath.errors import Conflict, Invalid, TaskNotFound
from learnpath.service.budget import check_budget
from learnpath.service.views import FailedItem, RetryResult, TaskList, TaskProgress, TaskView
from learnpath.store import items, records, roadmaps, task_views, usage
from learnpath.store.database import Session
from learnpath.store.events import events_after
from learnpath.store.tables import TaskRow
from learnpath.store.tasks import create_task, delete_task, get_task, list_tasks, transition


async def submit_roadmap(
    rt: Runtime, request: LearnerRequest, *, user_id: str | None = None, auto_approve: bool = False
) -> TaskView:
    """Create a roadmap creation task and queue it."""
    async with rt.db.transaction() as s:
        await check_budget(s, rt.settings, user_id)
        task = await create_task(
            s,
            TaskType.creation,
            request.model_dump(mode="json"),
            user_id=user_id,
            auto_approve=auto_approve,
            lease=rt.dispatcher.lease_for_new(),
        )
        view = created_view(task)
    await rt.dispatcher.submit_task(task.task_id, task)
    return view


async def visible_task(
    s: Session, task_id: str, user_id: str | None, *, lock: bool = False
) -> TaskRow:
    """The task if ``user_id`` may see it (None: single-user mode sees all); else not found."""
    task = await get_task(s, task_id, lock=lock)
    if user_id is not None and task.user_id != user_id:
        raise TaskNotFound(task_id)
    return task


async def task_view(s: Session, task: TaskRow) -> TaskView:
    return _view(task, *await task_views.figures(s, task.task_id))


def created_view(task: TaskRow) -> TaskView:
    """The view of a task created in this transaction: it has no items and has spent
    nothing yet, so its figures need no query."""
    return _view(task, 0, 0, 0, 0, 0, 0, 0.0)


def _view(task: TaskRow, done: int, failed: int, total: int, *spent: Any) -> TaskView:
    estimate, actual = task.summary.get("estimate"), task.summary.get("actual")
    return TaskView(
        task_id=task.task_id,
        user_id=task.user_id,
        task_type=task.task_type,
        goal=str(task.request.get("goal") or task.request.get("task_prompt") or ""),
        status=task.status,
        current_step=task.current_step,
        roadmap_id=task.roadmap_id,
        concept_id=task.concept_id,
        content_type=task.content_type,
        progress=TaskProgress(
            completed=done,
            failed=failed,
            total=total,
            percentage=_percentage(task, done + failed, total),
        ),
        error_message=task.error_message,
        failed_items=[FailedItem.model_validate(i) for i in task.failed_items],
        validation_issues=task.validation_issues,
        summary=task.summary,
        usage=usage.as_usage(spent),
        estimate=Estimate.model_validate(estimate) if estimate else None,
        actual=Actual.model_validate(actual) if actual else None,
        recovery_type=task.recovery_type,
        last_event_seq=task.last_seq,
        created_at=task.created_at,
        updated_at=task.updated_at,
    )


def _percentage(task: TaskRow, finished: int, total: int) -> float:
    """How far the task's items are; a task without items is done when it completed."""
    if total:
        return round(100 * finished / total, 1)
    return 100.0 if task.status == TaskStatus.completed.value else 0.0


async def get_task_view(rt: Runtime, task_id: str, user_id: str | None = None) -> TaskView:
    """One query, the task row and its item counts, skipped while the database is unchanged:
    this is what clients poll."""
    view = await rt.db.snapshot(("task_view", task_id), lambda: _load_view(rt, task_id))
    if view is None or (user_id is not None and view.user_id != user_id):
        raise TaskNotFound(task_id)
    return view


async def _load_view(rt: Runtime, task_id: str) -> TaskView | None:
    async with rt.db.read() as s:
        found = await task_views.with_figures(s, task_id)
    if found is None:
        return None
    task, figures = found
    return _view(task, *figures)


async def task_events(rt: Runtime, task_id: str, user_id: str | None = None) -> list[Event]:
    """Every event of the task so far, in seq order."""
    async with rt.db.read() as s:
        await visible_task(s, task_id, user_id)
        return await events_after(s, task_id, 0)


async def list_task_views(
    rt: Runtime,
    *,
    user_id: str | None = None,
    task_type: TaskType | None = None,
    status: TaskStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> TaskList:
    async with rt.db.read() as s:
        rows, total, counts = await list_tasks(
            s, user_id=user_id, task_type=task_type, status=status, limit=limit, offset=offset
        )
        return TaskList(
            tasks=[await task_view(s, row) for row in rows], total=total, status_counts=counts
        )


async def cancel(rt: Runtime, task_id: str, user_id: str | None = None) -> TaskView:
    """Stop a pending, processing or parked task; no LLM call starts for it afterwards."""
    async with rt.db.transaction() as s:
        task = await visible_task(s, task_id, user_id, lock=True)
        if not TaskStatus(task.status).is_active:
            raise Conflict(
                f"task {task_id} is {task.status}; only pending, processing or "
                "human_review_pending tasks can be cancelled",
                task_id,
            )
        stopped_at = task.current_step
        task.summary = {**task.summary, "stopped_at_step": stopped_at}
        await transition(
            s,
            task,
            TaskStatus.cancelled,
            Step.cancelled,
            EventType.cancelled,
            f"Cancelled during {step_label(stopped_at).lower()}",
            step=stopped_at,
        )
        view = await task_view(s, task)
    # Items being generated go back to waiting in a transaction of their own: one holding the
    # task row while it waits for item rows could deadlock with a worker storing an item,
    # which locks the item first and the task last (engine.content).
    async with rt.db.transaction() as s:
        await items.stop_generating(s, task_id)
    rt.cancel_flags.mark(task_id)
    await rt.dispatcher.abandon(task_id)
    return view


async def delete(rt: Runtime, task_id: str, user_id: str | None = None) -> None:
    """Delete a finished task and its events; its roadmap, content, review rounds and model
    usage stay. An active task is a :class:`Conflict`: cancel it first."""
    async with rt.db.transaction() as s:
        task = await visible_task(s, task_id, user_id, lock=True)
        if TaskStatus(task.status).is_active:
            raise Conflict(
                f"task {task_id} is {task.status}; cancel it before deleting it", task_id
            )
        await delete_task(s, task_id)
    rt.cancel_flags.forget(task_id)


async def retry(rt: Runtime, task_id: str, user_id: str | None = None) -> RetryResult:
    """Recover a stopped task under the same task and roadmap ids (contract §4 recoveries)."""
    async with rt.db.transaction() as s:
        task = await visible_task(s, task_id, user_id, lock=True)
        workflow = rt.workflow(task.task_type)
        if (why := recovery.refusal(task, workflow)) is not None:
            raise Conflict(why, task_id)
        await check_budget(s, rt.settings, task.user_id)
        recovered = await recovery.recover(s, task, workflow)
        result = RetryResult(
            recovery_type=recovered.kind,
            task_id=task_id,
            roadmap_id=task.roadmap_id,
            message=recovered.message,
        )
    rt.cancel_flags.forget(task_id)
    if not recovered.parked:
        await rt.dispatcher.submit_task(task_id)
    return result


async def review(
    rt: Runtime,
    task_id: str,
    approved: bool,
    feedback: str | None = None,
    user_id: str | None = None,
) -> TaskView:
    """Approve the framework, or reject it with feedback for the editor agent."""
    feedback = (feedback or "").strip() or None
    if not approved and feedback is None:
        raise Invalid(
            "rejecting needs feedback", [{"path": "feedback", "message": "required to reject"}]
        )
    async with rt.db.transaction() as s:
        task = await visible_task(s, task_id, user_id, lock=True)
        if task.status != TaskStatus.human_review_pending.value:
            raise Conflict(f"task {task_id} is {task.status}, not waiting for review", task_id)
        assert task.roadmap_id is not None
        row = await roadmaps.get_roadmap(s, task.roadmap_id, include_deleted=True)
        framework = Framework.model_validate(row.framework)
        issues = [
            {"path": i.path, "message": i.message, "severity": i.severity}
            for i in validate_framework(framework)
        ]
        decision = ReviewDecision.approve if approved else ReviewDecision.reject
        await records.add_review_round(
            s, task_id, task.roadmap_id, decision, row.framework, feedback=feedback, issues=issues
        )
        if approved:
            step = Step.content_generation_queued
            message = "Framework approved; generating the study material"
        else:
            step = Step.review_edit
            message = "Changes requested; the editor is revising the framework"
        await transition(
            s,
            task,
            TaskStatus.processing,
            step,
            EventType.progress,
            message,
            data={"decision": decision.value, "feedback": feedback},
        )
        view = await task_view(s, task)
    await rt.dispatcher.submit_task(task_id)
    return view
