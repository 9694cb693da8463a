"""The database handle: engine, sessions, the SQLite single-writer rule, post-commit hooks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from learnpath.domain.events import Event
from learnpath.store import migrate

EventSink = Callable[[list[Event]], Awaitable[None]]

PENDING_EVENTS = "pending_events"


class Database:
    """One per process. ``transaction()`` for writes, ``read()`` for reads.

    Events appended inside a transaction are handed to the event sink only after commit,
    so a subscriber never sees an event the database does not hold.
    """

    def __init__(self, url: str, pool_size: int = 5, schema: str | None = None) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        if self.is_sqlite:
            if self.url.database and self.url.database != ":memory:":
                Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_async_engine(
                self.url, pool_size=pool_size, max_overflow=2 * pool_size
            )
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            connect_args = {"server_settings": {"search_path": schema}} if schema else {}
            self.engine = create_async_engine(
                self.url,
                pool_size=pool_size,
                max_overflow=pool_size,
                pool_pre_ping=True,
                connect_args=connect_args,
            )
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite allows one writer; queueing writers here beats SQLITE_BUSY retries.
        self._write_lock = asyncio.Lock() if self.is_sqlite else None
        self._sinks: list[EventSink] = []

    def add_event_sink(self, sink: EventSink) -> None:
        self._sinks.append(sink)

    async def upgrade(self) -> None:
        await migrate.upgrade(self.engine)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A write unit of work: commits on exit, rolls back on error, then publishes events.

        On SQLite the events are published before the next writer may commit, so this
        process's subscribers receive them in commit (``seq``) order.
        """
        async with self._write_lock or nullcontext():
            async with self.sessions() as session, session.begin():
                yield session
            events: list[Event] = session.info.pop(PENDING_EVENTS, [])
            if events:
                for sink in self._sinks:
                    await sink(events)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
