"""The framework job of a Celery worker (content items run in the process's
:class:`~learnpath.dispatch.inline.InlineDispatcher`; the worker's
:class:`~learnpath.dispatch.vouching.Voucher` keeps the leases of both alive). Every job is
idempotent: a redelivered message finds its work done (or held by a live worker) and does
nothing."""

from __future__ import annotations

from learnpath.engine import leases
from learnpath.engine.runner import advance
from learnpath.engine.runtime import Runtime


async def run_task(rt: Runtime, task_id: str) -> None:
    """Framework steps from the task's last committed one, then the fan-out of its items."""
    await advance(rt, task_id, await leases.hold_task(rt, task_id))
