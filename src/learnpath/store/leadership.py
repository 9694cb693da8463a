"""Leadership by a PostgreSQL advisory lock held on a connection of its own: the holder leads
until that connection dies with it, and another process takes over."""

from __future__ import annotations

import contextlib

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from learnpath.store.database import Database


class AdvisoryLock:
    """One named lock; on SQLite (one machine) whoever asks holds it."""

    def __init__(self, db: Database, name: str) -> None:
        self.db = db
        self.name = name
        self._connection: AsyncConnection | None = None

    async def hold(self) -> bool:
        """Whether this process holds the lock now: keep it alive, or try to take it. A
        failure lets go of it (the caller logs and asks again later)."""
        if self.db.is_sqlite:
            return True
        try:
            if self._connection is not None:
                await self._connection.execute(text("SELECT 1"))
                await self._connection.commit()
                return True
            connection = await self.db.engine.connect()
            won = await connection.scalar(
                text("SELECT pg_try_advisory_lock(hashtext(:name))"), {"name": self.name}
            )
            await connection.commit()
            if won:
                self._connection = connection
                return True
            await connection.close()
        except Exception:
            await self.release()
            raise
        return False

    @property
    def held(self) -> bool:
        return self._connection is not None or self.db.is_sqlite

    async def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()
            self._connection = None
