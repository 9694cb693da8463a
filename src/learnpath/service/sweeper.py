"""The sweeper of distributed mode: queue again the work nobody vouches for any more.

Work whose lease ran out was lost with its worker (SIGKILL, a machine gone) or with its
message (a broker restarted empty). One sweeper acts at a time: the leader holds a PostgreSQL
advisory lock on a connection of its own, and another process takes over when that
connection dies with it. Every API process runs one; ``learnpath sweeper`` runs one alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, or_, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from learnpath.dispatch.base import ItemKey
from learnpath.domain.tasks import Step, TaskStatus
from learnpath.engine.content import OPEN_STATUSES
from learnpath.engine.runtime import Runtime
from learnpath.store.leases import RUNNABLE, item_lapsed, unvouched_messages
from learnpath.store.records import now
from learnpath.store.tables import ItemRow, TaskRow

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    tasks: list[str] = field(default_factory=list)
    items: dict[str, list[ItemKey]] = field(default_factory=dict)
    redelivered: int = 0
    """Messages put back on their queue: a worker received them and died before it claimed
    their work."""

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
        items = (
            await s.execute(
                select(ItemRow.task_id, ItemRow.concept_id, ItemRow.content_type)
                .join(TaskRow, TaskRow.task_id == ItemRow.task_id)
                .where(
                    ItemRow.status.in_(OPEN_STATUSES),
                    TaskRow.status == TaskStatus.processing.value,
                    TaskRow.current_step == Step.content_generation.value,
                    item_lapsed(at, rt.settings.lease_s),
                )
                .order_by(ItemRow.task_id)
            )
        ).all()
        open_item = exists().where(
            ItemRow.task_id == TaskRow.task_id, ItemRow.status.in_(OPEN_STATUSES)
        )
        report.tasks = list(
            (
                await s.scalars(
                    select(TaskRow.task_id).where(
                        TaskRow.status.in_(RUNNABLE),
                        TaskRow.current_step != Step.human_review.value,
                        or_(
                            TaskRow.lease_expires_at < at,
                            and_(
                                TaskRow.lease_expires_at.is_(None), TaskRow.updated_at < settled_in
                            ),
                        ),
                        # A task generating content is vouched for by its items' leases.
                        or_(TaskRow.current_step != Step.content_generation.value, ~open_item),
                    )
                )
            ).all()
        )
    by_task: dict[str, list[ItemKey]] = defaultdict(list)
    for owner, concept_id, content_type in items:
        if owner is not None:  # the join made sure; the column is nullable
            by_task[owner].append(ItemKey(concept_id, content_type))
    report.items = dict(by_task)
    report.redelivered = await redeliver_unvouched(rt, at)
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
        self._lock: AsyncConnection | None = None

    async def leads(self) -> bool:
        if self.rt.db.is_sqlite:
            return True  # one machine: nothing to elect
        try:
            if self._lock is not None:
                await self._lock.execute(text("SELECT 1"))
                await self._lock.commit()
                return True
            connection = await self.rt.db.engine.connect()
            # One lock per schema: deployments sharing a PostgreSQL server elect apart.
            won = await connection.scalar(
                text("SELECT pg_try_advisory_lock(hashtext(:name))"),
                {"name": f"learnpath-sweeper:{self.rt.settings.database_schema or 'public'}"},
            )
            await connection.commit()
            if won:
                self._lock = connection
                log.info("this process now leads the sweeper")
                return True
            await connection.close()
        except Exception:
            log.exception("sweeper leadership check failed")
            await self._release()
        return False

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
            await self._release()

    async def _release(self) -> None:
        if self._lock is not None:
            with contextlib.suppress(Exception):
                await self._lock.close()
            self._lock = None
