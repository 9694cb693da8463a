"""Live fan-out of committed events to subscribers in this process."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from learnpath.domain.events import Event

Burst = tuple[Event, ...]
"""A task's events from one publish (one commit), in the order they were published."""


class MemoryBus:
    """Delivers events to in-process subscribers; the database stays the durable log.

    A subscriber receives each publish's events for its task as one burst: a follower of a
    busy task wakes and queues once per commit, not once per event, and hundreds of them
    follow one task."""

    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue[Burst]]] = defaultdict(set)

    async def publish(self, events: list[Event]) -> None:
        bursts: dict[str, list[Event]] = {}
        for event in events:
            bursts.setdefault(event.task_id, []).append(event)
        for task_id, mine in bursts.items():
            burst = tuple(mine)
            for queue in self._queues.get(task_id, ()):
                queue.put_nowait(burst)

    def subscribe(self, task_id: str) -> asyncio.Queue[Burst]:
        """A queue receiving ``task_id``'s events, a burst at a time."""
        queue: asyncio.Queue[Burst] = asyncio.Queue()
        self._queues[task_id].add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Burst], task_id: str) -> None:
        subscribers = self._queues.get(task_id)
        if subscribers is not None:
            subscribers.discard(queue)
            if not subscribers:
                del self._queues[task_id]
