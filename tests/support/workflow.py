"""Helpers for driving the engine in tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from learnpath.dispatch.inline import InlineDispatcher
from learnpath.domain.tasks import TaskStatus
from learnpath.engine.runtime import Runtime
from learnpath.service.tasks import get_task_view
from learnpath.service.views import TaskView

RUNNING = (TaskStatus.pending, TaskStatus.processing)


Opener = Callable[..., AbstractAsyncContextManager[Runtime]]
"""Opens a runtime with settings overrides: embedded, or distributed with its workers."""


async def settle(rt: Runtime, task_id: str, limit_s: float = 60) -> TaskView:
    """Wait until the task stops running (ends, or parks for review): until the in-process
    pool is idle, or until the task's status says so when Celery workers run it."""
    async with asyncio.timeout(limit_s):
        if isinstance(rt.dispatcher, InlineDispatcher):
            await rt.dispatcher.idle()
            return await get_task_view(rt, task_id)
        while True:
            view = await get_task_view(rt, task_id)
            if view.status not in RUNNING:
                return view
            await asyncio.sleep(0.05)


async def wait_for(
    rt: Runtime, task_id: str, *statuses: TaskStatus, step: str | None = None, limit_s: float = 30
) -> TaskView:
    """Poll until the task reaches one of ``statuses`` (and ``step`` if given)."""
    async with asyncio.timeout(limit_s):
        while True:
            view = await get_task_view(rt, task_id)
            if view.status in statuses and (step is None or view.current_step == step):
                return view
            await asyncio.sleep(0.02)


async def wait_generating(pool: InlineDispatcher, count: int, limit_s: float = 10) -> None:
    """Poll until the in-process pool is generating ``count`` items (their calls in flight)."""
    async with asyncio.timeout(limit_s):
        while True:
            if len(pool.generating) >= count:
                return
            await asyncio.sleep(0.01)
