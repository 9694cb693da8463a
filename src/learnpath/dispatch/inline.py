"""The embedded dispatcher: an asyncio worker pool inside this process.

It also keeps the leases of the tasks it runs alive and notices, within a second, a cancel
made by another process (the CLI's ``learnpath cancel`` while ``generate`` runs).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from learnpath.domain.items import ItemKey
from learnpath.domain.tasks import TaskStatus
from learnpath.engine import leases
from learnpath.engine.items import run_item, settle_items, start_items
from learnpath.engine.leases import lease_until
from learnpath.engine.runner import advance
from learnpath.engine.runtime import Runtime
from learnpath.engine.workflow import Outcome, StartedItem
from learnpath.store import tasks
from learnpath.store.tables import TaskRow
from learnpath.store.tasks import Lease

log = logging.getLogger(__name__)

WATCH_INTERVAL_S = 1.0

Requeue = Callable[[list[tuple[str, ItemKey]]], Awaitable[None]]
"""Takes back items (task id, key) this process will not start."""


class InlineDispatcher:
    """``item_deadline_s``: how long an item's generation may take before it fails (a Celery
    worker's pool sets it; embedded mode relies on the LLM client's own timeouts)."""

    def __init__(self, rt: Runtime, item_deadline_s: float | None = None) -> None:
        self.rt = rt
        self.item_deadline_s = item_deadline_s
        self._finished: dict[tuple[str, ItemKey], list[asyncio.Future[None]]] = defaultdict(list)
        self.generating: set[tuple[str, ItemKey]] = set()
        """(task id, key) of the items this process is generating now."""
        self._free_slots = rt.settings.item_concurrency
        self._waiting: deque[tuple[str, ItemKey]] = deque()
        self._admitting = False
        self._outcomes: list[tuple[Outcome, asyncio.Future[None]]] = []
        self._settling = False
        self._running: dict[str, set[asyncio.Task[None]]] = defaultdict(set)
        self._admissions: set[asyncio.Task[None]] = set()
        self._watcher: asyncio.Task[None] | None = None
        self._last_renewal = 0.0
        self._handing_back = False

    def lease_for_new(self) -> Lease:
        return Lease(self.rt.worker_id, lease_until(self.rt.settings.lease_s))

    async def submit_task(self, task_id: str, created: TaskRow | None = None) -> None:
        held = created or await leases.hold_task(self.rt, task_id)
        self._spawn(task_id, advance(self.rt, task_id, held))

    async def submit_items(
        self,
        task_id: str,
        items: list[ItemKey],
        task: TaskRow | None = None,
        *,
        started: list[StartedItem] | None = None,
        reserved: int = 0,
    ) -> None:
        """Items of a task this process runs already (its runner fans out here), so the
        task's lease is this process's and the items take their own when they start."""
        self.run_started(started or [], reserved)
        self._queue(task_id, items)

    def reserve(self, count: int) -> int:
        reserved = min(count, self.spare())
        self._free_slots -= reserved
        return reserved

    def release(self, reserved: int) -> None:
        self._free_slots += reserved

    def run_started(self, started: list[StartedItem], reserved: int) -> None:
        """Generate these items, started in a step's transaction on ``reserved`` slots."""
        self.release(reserved - len(started))
        for item in started:
            self.generating.add((item.task_id, item.key))
            self._spawn(item.task_id, self._run(item))

    def holds(self, task_id: str, key: ItemKey) -> bool:
        """Whether this pool generates the item now."""
        return (task_id, key) in self.generating

    def _queue(self, task_id: str, items: list[ItemKey]) -> None:
        """Wait for slots to start these items, except those generating here already."""
        self._waiting.extend((task_id, key) for key in items if not self.holds(task_id, key))
        self._schedule_admission()

    async def run_items(self, task_id: str, items: list[ItemKey]) -> None:
        """Generate these items with the others of this process (admitted and stored in
        batches) and return once each is stored, skipped, abandoned or handed back: a Celery
        job's work."""
        await self.take(task_id, items)

    def take(self, task_id: str, items: list[ItemKey]) -> Awaitable[list[None]]:
        """Queue these items as :meth:`run_items` does, at once (they count against
        :meth:`spare` from now on); what is returned is done when they are."""
        loop = asyncio.get_running_loop()
        waits = []
        for key in items:
            finished: asyncio.Future[None] = loop.create_future()
            self._finished[(task_id, key)].append(finished)
            waits.append(finished)
        self._queue(task_id, items)
        return asyncio.gather(*waits)

    def spare(self) -> int:
        """Items this pool could start now with a model slot each: a worker's fan-out keeps
        that many here (none once the pool hands its work back)."""
        if self._handing_back:
            return 0
        waiting = len(self._waiting)
        occupied = self.rt.settings.item_concurrency - self._free_slots
        models = self.rt.settings.llm_concurrency - occupied
        return max(0, min(self._free_slots, models) - waiting)

    async def hand_back(self, requeue: Requeue) -> None:
        """Give the items waiting for a slot to ``requeue`` instead of starting them (a
        worker's warm shutdown); items already started finish."""
        self._handing_back = True
        waiting = list(self._waiting)
        self._waiting.clear()
        try:
            if waiting:
                await requeue(waiting)
        finally:
            for task_id, key in waiting:
                self._finish(task_id, key)

    async def queue_depth(self) -> int:
        return len(self._waiting)

    async def reachable(self) -> bool:
        return True

    async def received_before(self, when: float) -> dict[str, str]:
        return {}  # nothing is delivered: jobs run where they are submitted

    async def redeliver(self, tags: list[str]) -> None:
        return None

    async def abandon(self, task_id: str) -> None:
        for dropped in [w for w in self._waiting if w[0] == task_id]:
            self._finish(*dropped)
        self._waiting = deque(w for w in self._waiting if w[0] != task_id)
        for job in list(self._running.get(task_id, ())):
            job.cancel()

    async def close(self) -> None:
        jobs = [job for jobs in self._running.values() for job in jobs]
        jobs.extend(self._admissions)
        if self._watcher is not None:
            jobs.append(self._watcher)
        for job in jobs:
            job.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)

    async def idle(self) -> None:
        """Wait until no work of this dispatcher is running (tests and the CLI use it)."""
        while any(self._running.values()) or self._admissions:
            await asyncio.gather(
                *(job for jobs in list(self._running.values()) for job in jobs),
                *self._admissions,
                return_exceptions=True,
            )

    async def _admit(self) -> None:
        """Start waiting items while worker slots are free, a task's batch in one transaction.

        Starting the first wave of a fan-out together keeps its model calls from trickling
        out one database round trip apart.
        """
        if self._admitting:
            return
        self._admitting = True
        try:
            while self._waiting and self._free_slots > 0:
                task_id = self._waiting[0][0]
                batch: list[ItemKey] = []
                while (
                    self._waiting
                    and self._waiting[0][0] == task_id
                    and (len(batch) < self._free_slots)
                ):
                    batch.append(self._waiting.popleft()[1])
                self._free_slots -= len(batch)
                try:
                    started = await start_items(self.rt, task_id, batch)
                except Exception:
                    log.exception("task %s: could not start %d items", task_id, len(batch))
                    started = []
                self._free_slots += len(batch) - len(started)
                for key in set(batch) - {item.key for item in started}:
                    self._finish(task_id, key)
                for item in started:
                    self._spawn(task_id, self._run(item))
        finally:
            self._admitting = False

    async def _run(self, item: StartedItem) -> None:
        self.generating.add((item.task_id, item.key))
        try:
            try:
                async with asyncio.timeout(self.item_deadline_s):
                    outcome = await run_item(self.rt, item)
            except TimeoutError:
                error = f"generation took longer than {self.item_deadline_s:.0f} s"
                outcome = Outcome(item, [], error=error)
            if outcome is not None:
                await self._settle(outcome)
        finally:
            self.generating.discard((item.task_id, item.key))
            self._free_slots += 1
            self._finish(item.task_id, item.key)
            if self._waiting:
                self._schedule_admission()

    def _finish(self, task_id: str, key: ItemKey) -> None:
        for finished in self._finished.pop((task_id, key), ()):
            if not finished.done():
                finished.set_result(None)

    async def _settle(self, outcome: Outcome) -> None:
        """Store an outcome together with the others of its task that are waiting: a wave of
        items finishing at once becomes one transaction (group commit)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._outcomes.append((outcome, done))
        if not self._settling:
            self._settling = True
            job = asyncio.create_task(self._settle_waiting())
            self._admissions.add(job)
            job.add_done_callback(self._admissions.discard)
        await done

    async def _settle_waiting(self) -> None:
        try:
            while self._outcomes:
                task_id = self._outcomes[0][0].item.task_id
                batch = [w for w in self._outcomes if w[0].item.task_id == task_id]
                self._outcomes = [w for w in self._outcomes if w[0].item.task_id != task_id]
                try:
                    await settle_items(self.rt, [outcome for outcome, _ in batch])
                except Exception as error:
                    log.exception("task %s: could not store %d outcomes", task_id, len(batch))
                    for _, done in batch:
                        if not done.done():
                            done.set_exception(error)
                else:
                    for _, done in batch:
                        if not done.done():
                            done.set_result(None)
        finally:
            self._settling = False

    def _schedule_admission(self) -> None:
        """Admit waiting items in a job of its own: cancelling one task's work must not
        interrupt the start of another task's items."""
        admission = asyncio.create_task(self._admit())
        self._admissions.add(admission)
        admission.add_done_callback(self._admissions.discard)

    def _spawn(self, task_id: str, work: Coroutine[Any, Any, None]) -> None:
        job = asyncio.create_task(self._guard(task_id, work))
        self._running[task_id].add(job)
        job.add_done_callback(lambda j: self._forget(task_id, j))
        if self._watcher is None or self._watcher.done():
            self._watcher = asyncio.create_task(self._watch())

    async def _guard(self, task_id: str, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("task %s: background work crashed", task_id)

    def _forget(self, task_id: str, job: asyncio.Task[None]) -> None:
        jobs = self._running.get(task_id)
        if jobs is not None:
            jobs.discard(job)
            if not jobs:
                del self._running[task_id]

    async def _watch(self) -> None:
        """Abandon work of tasks cancelled elsewhere; renew the leases of running tasks."""
        loop = asyncio.get_running_loop()
        while self._running:
            await asyncio.sleep(WATCH_INTERVAL_S)
            task_ids = list(self._running)
            if not task_ids:
                break
            with contextlib.suppress(Exception):
                async with self.rt.db.read() as s:
                    statuses = await tasks.statuses(s, task_ids)
                for task_id, status in statuses.items():
                    if status == TaskStatus.cancelled.value:
                        await self.abandon(task_id)
                if loop.time() - self._last_renewal > self.rt.settings.lease_s / 3:
                    self._last_renewal = loop.time()
                    await leases.renew(self.rt, self.generating)
