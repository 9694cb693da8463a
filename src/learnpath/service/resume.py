"""Resume tasks whose worker died (embedded mode), from their last committed step."""

from __future__ import annotations

import socket

import psutil

from learnpath.engine.runtime import Runtime
from learnpath.store import items, tasks
from learnpath.store.records import now


def _owner_is_dead(owner: str | None) -> bool:
    """True when the lease owner is a process of this host that no longer runs."""
    if not owner or ":" not in owner:
        return True
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    return not psutil.pid_exists(int(pid))


async def orphaned_tasks(rt: Runtime) -> list[str]:
    async with rt.db.read() as s:
        rows = await tasks.unheld(s, rt.worker_id)
    return [
        row.task_id
        for row in rows
        if row.lease_expires_at is None
        or row.lease_expires_at < now()
        or _owner_is_dead(row.lease_owner)
    ]


async def resume_orphans(rt: Runtime) -> list[str]:
    """Re-dispatch every task no live worker holds; returns their ids."""
    task_ids = await orphaned_tasks(rt)
    if task_ids:
        # Their items' leases were held by the dead worker too.
        async with rt.db.transaction() as s:
            await items.drop_leases(s, task_ids)
    for task_id in task_ids:
        await rt.dispatcher.submit_task(task_id)
    return task_ids
