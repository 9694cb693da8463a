"""One database poll per followed task per process, for events other processes commit.

Events written in this process reach subscribers through the bus at once. Events written
elsewhere (a CLI cancel, another server process) only exist in the database: the poller reads
each followed task's new events once per interval and publishes them on the bus, so however
many clients follow a task, the database sees one query per interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Iterator
from typing import Protocol

from learnpath.domain.events import Event
from learnpath.events.bus import MemoryBus
from learnpath.store.database import Database
from learnpath.store.events import events_of_tasks

log = logging.getLogger(__name__)


class EventFeed(Protocol):
    def watching(self, task_id: str, after_seq: int) -> contextlib.AbstractContextManager[None]:
        """Publish ``task_id``'s events after ``after_seq`` on the bus while the block runs."""

    async def close(self) -> None: ...


class LogPoller:
    def __init__(self, db: Database, bus: MemoryBus, interval_s: float = 1.0) -> None:
        self.db = db
        self.bus = bus
        self.interval_s = interval_s
        self._interest: Counter[str] = Counter()
        self._last_seq: dict[str, int] = {}
        self._task: asyncio.Task[None] | None = None
        db.add_event_sink(self._note)

    @contextlib.contextmanager
    def watching(self, task_id: str, after_seq: int) -> Iterator[None]:
        """Keep ``task_id``'s log polled while the block runs."""
        self._interest[task_id] += 1
        self._last_seq[task_id] = max(self._last_seq.get(task_id, 0), after_seq)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        try:
            yield
        finally:
            self._interest[task_id] -= 1
            if self._interest[task_id] <= 0:
                del self._interest[task_id]
                self._last_seq.pop(task_id, None)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _note(self, events: list[Event]) -> None:
        """Events published in this process need no polling."""
        for event in events:
            if event.task_id in self._last_seq:
                self._last_seq[event.task_id] = max(self._last_seq[event.task_id], event.seq)

    async def _run(self) -> None:
        while self._interest:
            await asyncio.sleep(self.interval_s)
            try:
                await self._poll()
            except Exception:
                log.exception("polling task events failed; will retry")

    async def _poll(self) -> None:
        watched = dict(self._last_seq)
        if not watched:
            return
        async with self.db.read() as s:
            events = await events_of_tasks(s, list(watched), min(watched.values()))
        fresh = [e for e in events if e.seq > self._last_seq.get(e.task_id, e.seq)]
        for event in fresh:
            self._last_seq[event.task_id] = max(self._last_seq[event.task_id], event.seq)
        if fresh:
            await self.bus.publish(fresh)
