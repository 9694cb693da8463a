"""Leases: who vouches for a task's framework step or a content item, and until when.

A worker holds a lease on the work it runs and renews it while it runs (the heartbeat). Work
handed to a broker gets a *queued* lease, long enough for it to wait its turn in the queue;
a Celery worker takes over the lease of every message it receives, at once, and renews it
until it acknowledges the message (:mod:`learnpath.dispatch.vouching`), so that work a dead
worker held lapses after ``lease_s``, not after the queued lease. Work whose lease ran out
has nobody behind it: the sweeper queues it again (distributed mode), ``resume`` picks it up
(embedded mode), and ``status-check`` reports it as stale meanwhile.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from learnpath.domain.items import ItemKey
from learnpath.engine.runtime import Runtime
from learnpath.store import leases
from learnpath.store.records import now
from learnpath.store.tables import TaskRow


def lease_until(seconds: float) -> datetime:
    return now() + timedelta(seconds=seconds)


async def hold_task(rt: Runtime, task_id: str) -> TaskRow | None:
    """This process runs the task's framework steps from now on; the task row as committed
    then (None when there is no such task)."""
    async with rt.db.statement() as s:
        return await leases.hold_task(s, task_id, rt.worker_id, lease_until(rt.settings.lease_s))


async def renew(rt: Runtime, items: Collection[tuple[str, ItemKey]] = ()) -> None:
    """The heartbeat: extend this process's leases on the tasks it runs and on ``items``
    (task id, key), the items it is generating right now. An item whose work ended without
    being stored keeps no lease alive, so the sweeper finds it.

    Tasks and items are renewed in transactions of their own: one holding task rows while it
    waits for item rows could deadlock with a worker storing an item (item first, task last).
    """
    until = lease_until(rt.settings.lease_s)
    async with rt.db.transaction() as s:
        await leases.renew_tasks(s, rt.worker_id, until)
    if not items:
        return
    async with rt.db.transaction() as s:
        await leases.renew_items(s, rt.worker_id, _refs(items), until)


async def vouch(
    rt: Runtime, tasks: Collection[str], items: Collection[tuple[str, ItemKey]]
) -> None:
    """Claim or renew, for ``lease_s``, the leases of work this process holds messages for:
    ``tasks`` (framework steps) and ``items`` (task id, key), waiting or running. Work
    another live worker holds is left to it. Tasks and items commit apart, as in
    :func:`renew`."""
    at = now()
    until = at + timedelta(seconds=rt.settings.lease_s)
    if tasks:
        async with rt.db.transaction() as s:
            await leases.claim_tasks(s, rt.worker_id, tasks, until, at)
    if items:
        async with rt.db.transaction() as s:
            await leases.claim_items(s, rt.worker_id, _refs(items), until, at)


async def release(rt: Runtime, items: Collection[tuple[str, ItemKey]]) -> None:
    """Let go of this process's leases on ``items`` that have not started."""
    if items:
        async with rt.db.transaction() as s:
            await leases.release_pending_items(s, rt.worker_id, _refs(items))


def _refs(items: Collection[tuple[str, ItemKey]]) -> list[leases.ItemRef]:
    return [(task_id, k.concept_id, k.content_type) for task_id, k in items]
