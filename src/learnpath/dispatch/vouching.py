"""A Celery worker vouches for every message it holds, from receipt to acknowledgement.

A worker receives messages before it starts them: Celery reserves them for its pool, and a
job waits in the process's item pool for a free slot. The work such a message carries is
leased to the worker the moment the message arrives, and renewed every third of
``lease_s`` until it is acknowledged; framework steps and items being generated are renewed
the same way (items by the pool generating them). When the worker dies, every lease it held
ends within ``lease_s`` and the sweeper queues the work again, instead of waiting for the
queued lease or the broker's visibility timeout. A message the broker redelivers later finds
its work done, or held by a live worker, and does nothing.

On a warm shutdown the worker gives back, at once, the work it holds and has not started:
its leases are released and the work is queued again in new messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from learnpath.domain.items import ItemKey
from learnpath.engine import leases
from learnpath.engine.runtime import Runtime

log = logging.getLogger(__name__)
GATHER_S = 0.05
"""How long the claim of a message that arrived waits for others to share its statement; a
worker killed meanwhile leaves the message to the sweeper (``redeliver_unvouched``)."""


@dataclass(frozen=True)
class Holdings:
    """Work carried by messages: tasks (framework steps) and items (task id, key)."""

    tasks: frozenset[str] = frozenset()
    items: frozenset[tuple[str, ItemKey]] = frozenset()

    def __or__(self, other: Holdings) -> Holdings:
        return Holdings(self.tasks | other.tasks, self.items | other.items)

    def __sub__(self, other: Holdings) -> Holdings:
        return Holdings(self.tasks - other.tasks, self.items - other.items)


def _of(work: Holdings) -> tuple[frozenset[str], frozenset[tuple[str, ItemKey]]]:
    return work.tasks, work.items


class Voucher:
    """Keeps the leases of what ``held()`` reports (the messages this process holds) alive:
    at once when :meth:`wake` is called (a message arrived), else every third of
    ``lease_s``. Runs on the process's event loop."""

    def __init__(self, rt: Runtime, held: Callable[[], Holdings]) -> None:
        self.rt = rt
        self._held = held
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._returned = Holdings()
        self._arrived = Holdings()

    def wake(self, arrived: Holdings) -> None:
        """``arrived``: the work of a message just received, perhaps not in ``held()`` yet."""
        self._arrived = self._arrived | arrived
        self._wake.set()

    async def run(self) -> None:
        """Claim what arrives as it arrives, and renew everything held every third of
        ``lease_s``: a message's arrival costs a statement over its own work only."""
        loop = asyncio.get_running_loop()
        interval = self.rt.settings.lease_s / 3
        next_renewal = loop.time()
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.0, next_renewal - loop.time())):
                    await self._wake.wait()
            if self._wake.is_set():
                # Messages come in bursts (a prefetch, a fan-out): claim them together.
                await asyncio.sleep(GATHER_S)
            self._wake.clear()
            async with self._lock:
                arrived, self._arrived = self._arrived, Holdings()
                renewal = loop.time() >= next_renewal
                work = (self._held() | arrived) if renewal else arrived
                try:
                    await leases.vouch(self.rt, *_of(work - self._returned))
                except Exception as error:  # a missed beat is retried at the next one
                    log.warning("could not renew this worker's leases: %s", error)
                if renewal:
                    next_renewal = loop.time() + interval

    async def give_back(self, work: Holdings) -> None:
        """Queue ``work`` again in new messages, now: this worker will not start it (a warm
        shutdown). Its leases are released first, so that the new messages' queued lease
        replaces them."""
        async with self._lock:
            self._returned = self._returned | work
            await leases.release(self.rt, work.items)
            items: dict[str, list[ItemKey]] = defaultdict(list)
            for task_id, key in work.items:
                items[task_id].append(key)
            for task_id in sorted(work.tasks):
                await self.rt.dispatcher.submit_task(task_id)
            for task_id, keys in items.items():
                await self.rt.dispatcher.submit_items(task_id, keys)
        if work.tasks or work.items:
            log.info(
                "gave back %d framework step(s) and %d item(s) on shutdown",
                len(work.tasks),
                len(work.items),
            )
