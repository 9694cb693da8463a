"""Drive a task from its last committed step until it parks, fans out or ends, whatever its
workflow."""

from __future__ import annotations

import logging

from learnpath.domain.states import RUNNABLE
from learnpath.domain.tasks import Step
from learnpath.engine import finish, steps
from learnpath.engine.errors import Superseded
from learnpath.engine.runtime import Runtime
from learnpath.llm.errors import CancelledByRequest, LLMError
from learnpath.store import items, records, tasks
from learnpath.store.tables import TaskRow

log = logging.getLogger(__name__)


async def advance(rt: Runtime, task_id: str, known: TaskRow | None = None) -> None:
    """Run the task's steps one after another, from its row as ``known`` (read when None);
    hand its items to the dispatcher."""
    while True:
        if known is None:
            async with rt.db.read() as s:
                known = await tasks.get_task(s, task_id)
        task, known = known, None
        workflow = rt.workflow(task.task_type)
        if task.status not in RUNNABLE:
            return
        rt.cancel_flags.saw_running(task_id)
        step = Step(task.current_step)
        if workflow.fan_out is not None and step == workflow.fan_out_step:
            await _fan_out(rt, task)
            return
        if workflow.fan_out is not None and step == workflow.finish_step:
            await finish.finalize(rt, task_id)
            return
        handler = workflow.steps.get(step)
        if handler is None:
            return
        try:
            known = await handler(rt, task)
        except (Superseded, CancelledByRequest):
            return
        except LLMError as error:
            await fail(rt, task_id, step, str(error), error.calls)
            return
        except Exception:
            log.exception("task %s: step %s crashed", task_id, step.value)
            await fail(rt, task_id, step, f"internal error during {step.value}", [])
            return


async def _fan_out(rt: Runtime, task: TaskRow) -> None:
    """The task's open items go to the dispatcher (with those its last step made and started
    here: then they are not read again); with none open, it finishes."""
    made = rt.made_here.pop(task.task_id, None)
    started, reserved = (made.started, made.reserved) if made is not None else ([], 0)
    if made is not None and started:
        open_keys = made.keys
    else:
        async with rt.db.read() as s:
            open_keys = await items.open_keys(s, task.subject_id, task.task_id)
    if open_keys:
        await rt.dispatcher.submit_items(
            task.task_id, open_keys, task, started=started, reserved=reserved
        )
    else:
        rt.dispatcher.release(reserved)
        await finish.finish_if_done(rt, task.task_id)


async def fail(rt: Runtime, task_id: str, step: Step, reason: str, calls: list[object]) -> None:
    """A step failed for good: the task fails with a reason safe to show."""
    async with rt.db.transaction() as s:
        task = await tasks.get_task(s, task_id, lock=True)
        await records.record_calls(s, task_id, calls)
        if task.status not in RUNNABLE or task.current_step != step.value:
            return
        await steps.failed(s, task, step, reason)
