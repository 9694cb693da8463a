"""Drive a task from its last committed step until it parks, fans out or ends."""

from __future__ import annotations

import logging

from learnpath.domain.events import EventType
from learnpath.domain.tasks import Step, TaskStatus
from learnpath.engine import content
from learnpath.engine.errors import Superseded
from learnpath.engine.link_check import check_links
from learnpath.engine.runtime import Runtime
from learnpath.engine.steps import FRAMEWORK_STEPS
from learnpath.events.log import append_event
from learnpath.llm.errors import CancelledByRequest, LLMError
from learnpath.store.records import record_calls
from learnpath.store.tasks import get_task

log = logging.getLogger(__name__)

RUNNABLE = (TaskStatus.pending.value, TaskStatus.processing.value)


async def advance(rt: Runtime, task_id: str) -> None:
    """Run framework steps one after another; hand content items to the dispatcher."""
    while True:
        async with rt.db.read() as s:
            task = await get_task(s, task_id)
            open_items = await content.open_items(s, task) if task.roadmap_id else []
        if task.status not in RUNNABLE:
            return
        step = Step(task.current_step)
        if step == Step.content_generation:
            if open_items:
                await rt.dispatcher.submit_items(task_id, open_items)
            else:
                await content.finish_if_done(rt, task_id)
            return
        if step == Step.finalizing:
            await content.finalize(rt, task_id)
            return
        handler = (
            content.queue_content
            if step == Step.content_generation_queued
            else check_links
            if step == Step.link_check
            else FRAMEWORK_STEPS.get(step)
        )
        if handler is None:
            return
        try:
            await handler(rt, task)
        except (Superseded, CancelledByRequest):
            return
        except LLMError as error:
            await fail(rt, task_id, step, str(error), error.calls)
            return
        except Exception:
            log.exception("task %s: step %s crashed", task_id, step.value)
            await fail(rt, task_id, step, f"internal error during {step.value}", [])
            return


async def fail(rt: Runtime, task_id: str, step: Step, reason: str, calls: list[object]) -> None:
    """A framework step failed for good: the task fails with a reason safe to show."""
    async with rt.db.transaction() as s:
        task = await get_task(s, task_id, lock=True)
        await record_calls(s, task_id, calls)
        if task.status not in RUNNABLE or task.current_step != step.value:
            return
        task.status = TaskStatus.failed.value
        task.summary = {**task.summary, "stopped_at_step": step.value}
        task.current_step = Step.failed.value
        task.error_message = f"{step.value} failed: {reason}"
        await append_event(
            s,
            task_id,
            EventType.failed,
            task.error_message,
            step=step.value,
            status=task.status,
            roadmap_id=task.roadmap_id,
            error=task.error_message,
        )
