"""The sweeper of distributed mode: queue again the work nobody vouches for any more.

Work whose lease ran out was lost with its worker (SIGKILL, a machine gone) or with its
message (a broker restarted empty). One sweeper acts at a time: the leader holds a PostgreSQL
advisory lock on a connection of its own, and another process takes over when that
connection dies with it. Every API process runs one; ``learnpath sweeper`` runs one alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from learnpath.domain.items import ItemKey
from learnpath.engine.runtime import Runtime
from learnpath.store import documents, items, tasks
from learnpath.store.leadership import AdvisoryLock
from learnpath.store.leases import unvouched_messages
from learnpath.store.records import now

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    tasks: list[str] = field(default_factory=list)
    items: dict[str, list[ItemKey]] = field(default_factory=dict)
    redelivered: int = 0
    """Messages put back on their queue: a worker received them and died before it claimed
    their work."""
    purged: int = 0
    """Document jobs older than ``LEARNPATH_JOB_RETENTION_DAYS`` deleted."""

    @property
    def empty(self) -> bool:
        return not self.tasks and not self.items and not self.redelivered


async def sweep(rt: Runtime) -> SweepReport:
    """Queue again every runnable task step and open item whose lease ran out."""
    at = now()
    # Work claimed but not yet leased is given the lease length to get one.
    settled_in = at - timedelta(seconds=rt.settings.lease_s)
    report = SweepReport()
    async with rt.db.read() as s:
        lapsed_items = await items.lapsed(s, at, rt.settings.lease_s)
        report.tasks = await tasks.lapsed(s, at, settled_in)
    by_task: dict[str, list[ItemKey]] = defaultdict(list)
    for task_id, key in lapsed_items:
        by_task[task_id].append(key)
    report.items = dict(by_task)
    report.redelivered = await redeliver_unvouched(rt, at)
    report.purged = await purge_old_jobs(rt, at)
    for task_id in report.tasks:
        await rt.dispatcher.submit_task(task_id)
    for task_id, keys in report.items.items():
        await rt.dispatcher.submit_items(task_id, keys)
    if not report.empty:
        log.warning(
            "sweeper queued again %d task(s) and %d item(s) whose lease ran out, and "
            "%d message(s) received by a worker that died before claiming them",
            len(report.tasks),
            sum(len(k) for k in report.items.values()),
            report.redelivered,
        )
    return report


async def purge_old_jobs(rt: Runtime, at: datetime) -> int:
    """Delete the document jobs that ended more than the retention period ago (0 = keep)."""
    days = rt.settings.job_retention_days
    if not days:
        return 0
    async with rt.db.transaction() as s:
        purged = await documents.purge_jobs(s, at - timedelta(days=days))
    if purged:
        log.info("sweeper purged %d document job(s) older than %d days", purged, days)
    return purged


async def redeliver_unvouched(rt: Runtime, at: datetime) -> int:
    """A worker claims a message's work the moment it receives it. A message received more
    than ``lease_s`` ago whose work nobody holds was received by a worker that died in
    between: the broker would hand it out again only after its visibility timeout, so it is
    put back on its queue now."""
    received = await rt.dispatcher.received_before(
        (at - timedelta(seconds=rt.settings.lease_s)).timestamp()
    )
    if not received:
        return 0
    async with rt.db.read() as s:
        stranded = await unvouched_messages(s, received)
    await rt.dispatcher.redeliver([received[m] for m in sorted(stranded)])
    return len(stranded)


class Sweeper:
    """Sweeps every ``sweep_interval_s`` while this process leads."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        # One lock per schema: deployments sharing a PostgreSQL server elect apart.
        schema = rt.settings.database_schema or "public"
        self._lock = AdvisoryLock(rt.db, f"learnpath-sweeper:{schema}")

    async def leads(self) -> bool:
        had = self._lock.held
        try:
            leads = await self._lock.hold()
        except Exception:
            log.exception("sweeper leadership check failed")
            return False
        if leads and not had:
            log.info("this process now leads the sweeper")
        return leads

    async def run(self) -> None:
        try:
            while True:
                if await self.leads():
                    try:
                        await sweep(self.rt)
                    except Exception:
                        log.exception("sweep failed; will retry")
                await asyncio.sleep(self.rt.settings.sweep_interval_s)
        finally:
            await self._lock.release()
