"""The framework job of a Celery worker and the heartbeat of its leases (content items run in
the process's :class:`~learnpath.dispatch.inline.InlineDispatcher`). Every job is idempotent:
a redelivered message finds its work done (or held by a live worker) and does nothing."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from learnpath.engine import leases
from learnpath.engine.runner import advance
from learnpath.engine.runtime import Runtime


async def heartbeat(rt: Runtime, busy: Callable[[], bool]) -> None:
    """Renew the leases of the tasks this process runs every third of their length while
    ``busy()`` (the process's item pool renews those of its items)."""
    while busy():
        await asyncio.sleep(rt.settings.lease_s / 3)
        with contextlib.suppress(Exception):  # a missed beat is retried at the next one
            await leases.renew(rt)


async def run_task(rt: Runtime, task_id: str) -> None:
    """Framework steps from the task's last committed one, then the fan-out of its items."""
    await leases.hold_task(rt, task_id)
    await advance(rt, task_id)
