"""The cooperative cancel check made before every LLM call.

The task row's status is the flag. A process re-reads a task's status at most every
``RECHECK_S``, so a fan-out of many items does not turn into a database read per call while a
cancel (or a retry) from anywhere is still seen within that time.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from learnpath.domain.tasks import TaskStatus
from learnpath.store.database import Database
from learnpath.store.tasks import status_of

RECHECK_S = 0.25


class CancelFlags:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._cancelled: set[str] = set()
        self._running_at: dict[str, float] = {}

    def mark(self, task_id: str) -> None:
        """Record a cancel this process made; it holds until this process retries the task."""
        self._cancelled.add(task_id)

    def forget(self, task_id: str) -> None:
        """The task runs again (a retry): stop treating it as cancelled."""
        self._cancelled.discard(task_id)
        self._running_at.pop(task_id, None)

    def saw_running(self, task_id: str) -> None:
        """The task's status was just read as running (by a step or an item start): the
        next check need not read it again within ``RECHECK_S``."""
        if task_id not in self._cancelled:
            self._running_at[task_id] = time.monotonic()

    async def is_cancelled(self, task_id: str) -> bool:
        """Only "still running" is remembered, for ``RECHECK_S``: a cancel read from the
        database is read again next time, since a retry made by another process may run the
        task again at any moment."""
        if task_id in self._cancelled:
            return True
        now = time.monotonic()
        if now - self._running_at.get(task_id, float("-inf")) < RECHECK_S:
            return False
        # Set before the read, so that a burst of calls for one task makes a single query.
        self._running_at[task_id] = now
        async with self.db.read() as session:
            status = await status_of(session, task_id)
        if status == TaskStatus.cancelled.value:
            self._running_at.pop(task_id, None)
            return True
        return False

    def check_for(self, task_id: str) -> Callable[[], Awaitable[bool]]:
        async def check() -> bool:
            return await self.is_cancelled(task_id)

        return check
