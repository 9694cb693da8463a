"""Task lifecycle: submit, read, cancel, retry, review."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ScalarSelect, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from learnpath.agents.validator import validate_framework
from learnpath.domain.events import EventType
from learnpath.domain.request import LearnerRequest
from learnpath.domain.roadmap import Framework, ItemStatus
from learnpath.domain.tasks import (
    CONTENT_STEPS,
    RecoveryType,
    ReviewDecision,
    Step,
    TaskStatus,
    TaskType,
)
from learnpath.domain.usage import Actual, Estimate
from learnpath.engine.content import owned_items
from learnpath.engine.runtime import Runtime
from learnpath.errors import Conflict, Invalid, TaskNotFound
from learnpath.events.log import append_task_event
from learnpath.service.budget import check_budget
from learnpath.service.views import FailedItem, RetryResult, TaskList, TaskProgress, TaskView
from learnpath.store import records, roadmaps, usage
from learnpath.store.tables import ItemRow, TaskRow
from learnpath.store.tasks import create_task, get_task, list_tasks


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
        )
        view = await task_view(s, task)
    await rt.dispatcher.submit_task(task.task_id)
    return view


async def visible_task(
    s: AsyncSession, task_id: str, user_id: str | None, *, lock: bool = False
) -> TaskRow:
    """The task if ``user_id`` may see it (None: single-user mode sees all); else not found."""
    task = await get_task(s, task_id, lock=lock)
    if user_id is not None and task.user_id != user_id:
        raise TaskNotFound(task_id)
    return task


def _item_count(status: ItemStatus | None = None) -> ScalarSelect[int]:
    """How many items the outer query's task owns (in ``status``), as a scalar subquery."""
    query = select(func.count()).where(
        ItemRow.roadmap_id == TaskRow.roadmap_id, ItemRow.task_id == TaskRow.task_id
    )
    if status is not None:
        query = query.where(ItemRow.status == status.value)
    return query.scalar_subquery()


_COUNTS = (
    _item_count(ItemStatus.completed),
    _item_count(ItemStatus.failed),
    _item_count(),
    *usage.task_usage_columns(),
)


async def task_view(s: AsyncSession, task: TaskRow) -> TaskView:
    figures = (await s.execute(select(*_COUNTS).where(TaskRow.task_id == task.task_id))).one()
    return _view(task, *figures)


def _view(task: TaskRow, done: int, failed: int, total: int, *spent: Any) -> TaskView:
    estimate, actual = task.summary.get("estimate"), task.summary.get("actual")
    return TaskView(
        task_id=task.task_id,
        user_id=task.user_id,
        task_type=task.task_type,
        status=task.status,
        current_step=task.current_step,
        roadmap_id=task.roadmap_id,
        concept_id=task.concept_id,
        content_type=task.content_type,
        progress=TaskProgress(
            completed=done,
            failed=failed,
            total=total,
            percentage=round(100 * (done + failed) / total, 1) if total else 0.0,
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


async def get_task_view(rt: Runtime, task_id: str, user_id: str | None = None) -> TaskView:
    """One query, the task row and its item counts, skipped while the database is unchanged:
    this is what clients poll."""
    view = await rt.db.snapshot(("task_view", task_id), lambda: _load_view(rt, task_id))
    if view is None or (user_id is not None and view.user_id != user_id):
        raise TaskNotFound(task_id)
    return view


async def _load_view(rt: Runtime, task_id: str) -> TaskView | None:
    async with rt.db.read() as s:
        row = (await s.execute(select(TaskRow, *_COUNTS).where(TaskRow.task_id == task_id))).first()
    if row is None:
        return None
    task, *figures = row
    return _view(task, *figures)


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
        task.status = TaskStatus.cancelled.value
        task.current_step = Step.cancelled.value
        await append_task_event(
            s,
            task,
            EventType.cancelled,
            f"Cancelled during {stopped_at}",
            step=stopped_at,
        )
        view = await task_view(s, task)
    # Items being generated go back to waiting in a transaction of their own: one holding the
    # task row while it waits for item rows could deadlock with a worker storing an item,
    # which locks the item first and the task last (engine.content).
    async with rt.db.transaction() as s:
        await s.execute(
            update(ItemRow)
            .where(ItemRow.task_id == task_id, ItemRow.status == ItemStatus.generating.value)
            .values(status=ItemStatus.pending.value, lease_owner=None, lease_expires_at=None)
        )
    rt.cancel_flags.mark(task_id)
    await rt.dispatcher.abandon(task_id)
    return view


async def retry(rt: Runtime, task_id: str, user_id: str | None = None) -> RetryResult:
    """Recover a stopped task under the same task and roadmap ids (contract §4 recoveries)."""
    async with rt.db.transaction() as s:
        task = await visible_task(s, task_id, user_id, lock=True)
        status = TaskStatus(task.status)
        if status.is_active:
            raise Conflict(f"task {task_id} is already {task.status}", task_id)
        if status == TaskStatus.completed:
            raise Conflict(f"task {task_id} completed; nothing to retry", task_id)
        if task.task_type == TaskType.link_check.value:
            raise Conflict("a link check is not retried: start a new one", task_id)
        await check_budget(s, rt.settings, task.user_id)
        stopped_at = Step(task.summary.get("stopped_at_step", Step.content_generation.value))
        owned = await owned_items(s, task) if task.roadmap_id else []
        failed = [i for i in owned if i.status == ItemStatus.failed.value]
        roadmap_exists = task.roadmap_id is not None
        task.error_message = None
        task.failed_items = []
        if task.task_type == TaskType.creation.value and not roadmap_exists:
            recovery = RecoveryType.restart_from_scratch
            task.status, task.current_step = TaskStatus.pending.value, Step.queued.value
            task.validation_rounds = 0
            message = "Restarting from the intent analysis"
        elif task.task_type == TaskType.creation.value and stopped_at not in CONTENT_STEPS:
            recovery = RecoveryType.resume_review
            if stopped_at == Step.human_review:
                task.status = TaskStatus.human_review_pending.value
            else:
                task.status = TaskStatus.processing.value
            task.current_step = stopped_at.value
            message = "Resuming the review of the framework; edits and review history are kept"
        elif failed or status == TaskStatus.partial_failure or task.task_type != "creation":
            recovery = RecoveryType.retry_failed_items
            for item in owned:
                if item.status in (ItemStatus.failed.value, ItemStatus.generating.value):
                    item.release(ItemStatus.pending.value)
                    item.error = None
            open_count = sum(1 for i in owned if i.status == ItemStatus.pending.value)
            task.status = TaskStatus.processing.value
            task.current_step = Step.content_generation_queued.value
            message = f"Retrying {open_count} unfinished item(s); completed items are kept"
        else:
            recovery = RecoveryType.restart_content_generation
            task.status = TaskStatus.processing.value
            task.current_step = Step.content_generation_queued.value
            row = await roadmaps.get_roadmap(s, task.roadmap_id or "", include_deleted=True)
            concepts = sum(1 for _ in Framework.model_validate(row.framework).concepts())
            message = (
                f"Restarting content generation for {concepts} concepts; completed items are kept"
            )
        task.recovery_type = recovery.value
        task.attempt += 1
        await append_task_event(
            s,
            task,
            EventType.task_recovering,
            message,
            data={"recovery_type": recovery.value},
        )
        if recovery == RecoveryType.restart_content_generation:
            await append_task_event(
                s,
                task,
                EventType.progress,
                message,
                data={
                    "roadmap_id": task.roadmap_id,
                    "total_concepts": concepts,
                    "recovery_type": recovery.value,
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
        result = RetryResult(
            recovery_type=recovery, task_id=task_id, roadmap_id=task.roadmap_id, message=message
        )
        parked = task.status == TaskStatus.human_review_pending.value
    rt.cancel_flags.forget(task_id)
    if not parked:
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
        task.status = TaskStatus.processing.value
        if approved:
            task.current_step = Step.content_generation_queued.value
            message = "Framework approved; generating the study material"
        else:
            task.current_step = Step.review_edit.value
            message = "Changes requested; the editor is revising the framework"
        await append_task_event(
            s,
            task,
            EventType.progress,
            message,
            data={"decision": decision.value, "feedback": feedback},
        )
        view = await task_view(s, task)
    await rt.dispatcher.submit_task(task_id)
    return view
