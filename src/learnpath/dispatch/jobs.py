"""The work behind each broker message: the engine calls the embedded pool makes, wrapped in
a lease and its heartbeat. Every job is idempotent: a redelivered message finds its work done
(or held by a live worker) and does nothing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

from learnpath.dispatch.base import ItemKey
from learnpath.engine import leases
from learnpath.engine.content import Outcome, StartedItem, run_item, settle_items, start_items
from learnpath.engine.runner import advance
from learnpath.engine.runtime import Runtime

log = logging.getLogger(__name__)


async def with_heartbeat(rt: Runtime, work: Coroutine[Any, Any, None]) -> None:
    """Run ``work`` while renewing this process's leases every third of their length."""

    async def beat() -> None:
        while True:
            await asyncio.sleep(rt.settings.lease_s / 3)
            with contextlib.suppress(Exception):  # a missed beat is retried at the next one
                await leases.renew(rt)

    heart = asyncio.create_task(beat())
    try:
        await work
    finally:
        heart.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await heart


async def run_task(rt: Runtime, task_id: str) -> None:
    """Framework steps from the task's last committed one, then the fan-out of its items."""
    await leases.hold_task(rt, task_id)
    await advance(rt, task_id)


async def run_items(rt: Runtime, task_id: str, keys: list[ItemKey], deadline_s: float) -> None:
    """Generate these items of the task, together, each within ``deadline_s``."""
    started = await start_items(rt, task_id, keys)

    async def one(item: StartedItem) -> None:
        try:
            async with asyncio.timeout(deadline_s):
                outcome = await run_item(rt, item)
        except TimeoutError:
            outcome = Outcome(item, [], error=f"generation took longer than {deadline_s:.0f} s")
        if outcome is not None:
            await settle_items(rt, [outcome])

    results = await asyncio.gather(*(one(item) for item in started), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            # The item keeps its lease until it runs out; then the sweeper queues it again.
            log.error("task %s: an item could not be stored", task_id, exc_info=result)
