"""The cooperative cancel check made before every LLM call.

The task row's status is the flag. A process re-reads a task's status at most every
``RECHECK_S``, so a fan-out of many items does not turn into a database read per call while a
cancel (or a retry) from anywhere is still seen within that time.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from sqlalchemy import select

from learnpath.domain.tasks import TaskStatus
from learnpath.store.database import Database
from learnpath.store.tables import TaskRow

RECHECK_S = 0.25


class CancelFlags:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._checked: dict[str, tuple[float, bool]] = {}

    def mark(self, task_id: str) -> None:
        """Record a cancel this process made or noticed."""
        self._checked[task_id] = (time.monotonic(), True)

    def forget(self, task_id: str) -> None:
        """The task runs again (a retry): stop treating it as cancelled."""
        self._checked.pop(task_id, None)

    async def is_cancelled(self, task_id: str) -> bool:
        """What the task row said at most ``RECHECK_S`` ago. A cancel is not remembered for
        longer either: a retry made by another process runs the task again."""
        now = time.monotonic()
        checked = self._checked.get(task_id)
        if checked is not None and now - checked[0] < RECHECK_S:
            return checked[1]
        # Set before the read, so that a burst of calls for one task makes a single query.
        self._checked[task_id] = (now, checked[1] if checked else False)
        async with self.db.read() as session:
            status = await session.scalar(select(TaskRow.status).where(TaskRow.task_id == task_id))
        cancelled = status == TaskStatus.cancelled.value
        self._checked[task_id] = (now, cancelled)
        return cancelled

    def check_for(self, task_id: str) -> Callable[[], Awaitable[bool]]:
        async def check() -> bool:
            return await self.is_cancelled(task_id)

        return check
