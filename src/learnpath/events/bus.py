"""Live fan-out of committed events to subscribers in this process."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from learnpath.domain.events import Event


class MemoryBus:
    """Delivers events to in-process subscribers; the database stays the durable log."""

    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue[Event]]] = defaultdict(set)
        self._all: set[asyncio.Queue[Event]] = set()

    async def publish(self, events: list[Event]) -> None:
        for event in events:
            for queue in (*self._queues.get(event.task_id, ()), *self._all):
                queue.put_nowait(event)

    def subscribe(self, task_id: str | None = None) -> asyncio.Queue[Event]:
        """A queue receiving ``task_id``'s events (every task's when None)."""
        queue: asyncio.Queue[Event] = asyncio.Queue()
        if task_id is None:
            self._all.add(queue)
        else:
            self._queues[task_id].add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Event], task_id: str | None = None) -> None:
        if task_id is None:
            self._all.discard(queue)
            return
        subscribers = self._queues.get(task_id)
        if subscribers is not None:
            subscribers.discard(queue)
            if not subscribers:
                del self._queues[task_id]
