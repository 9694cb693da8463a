"""The database handle: engine, sessions, the SQLite single-writer rule, post-commit hooks."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from learnpath.domain.events import Event
from learnpath.store import migrate, sqlite_driver

Session = AsyncSession
"""A unit of work on the database, as layers above the store hold one: they pass it to
store functions and never build a query with it."""

EventSink = Callable[[list[Event]], Awaitable[None]]

PENDING_EVENTS = "pending_events"
SNAPSHOT_LIMIT = 4096
T = TypeVar("T")


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
            # One in-memory database lives on one connection (SQLAlchemy's StaticPool).
            pooling = (
                {"pool_size": pool_size, "max_overflow": 2 * pool_size}
                if self.url.database not in (None, "", ":memory:")
                else {}
            )
            # Every session ends its own transaction before its connection goes back, so the
            # pool's reset (one more ROLLBACK, a round trip to aiosqlite's thread) is not run.
            self.engine = create_async_engine(
                self.url,
                pool_reset_on_return=None,
                async_creator=sqlite_driver.connector(self.url),
                **pooling,
            )
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            connect_args = {"server_settings": {"search_path": schema}} if schema else {}
            # Last in, first out: the connections in use stay few and warm (asyncpg prepares
            # each statement once per connection, and the server plans it anew for its first
            # executions there); round-robin kept every pooled connection half-cold for a
            # dozen jobs after a start.
            self.engine = create_async_engine(
                self.url,
                pool_size=pool_size,
                max_overflow=pool_size,
                pool_use_lifo=True,
                connect_args=connect_args,
            )
            event.listen(self.engine.sync_engine, "checkout", _replace_closed)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # A PostgreSQL read runs outside a transaction: at READ COMMITTED each statement sees
        # its own snapshot anyway, and BEGIN and ROLLBACK were two round trips more per read.
        reading = self.engine
        if not self.is_sqlite:
            reading = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._reads = async_sessionmaker(reading, expire_on_commit=False)
        # SQLite allows one writer; queueing writers here beats SQLITE_BUSY retries.
        self._write_lock = asyncio.Lock() if self.is_sqlite else None
        self._sinks: list[EventSink] = []
        self._snapshots: OrderedDict[Hashable, tuple[int, object]] = OrderedDict()
        self._loads: dict[tuple[Hashable, int], asyncio.Future[Any]] = {}
        self._probe: sqlite3.Connection | None = None
        if self.is_sqlite and self.url.database and self.url.database != ":memory:":
            self._probe = sqlite3.connect(self.url.database, check_same_thread=False)

    def data_version(self) -> int | None:
        """A number that changes whenever any connection, in this process or another, commits
        to this SQLite database (``PRAGMA data_version`` on a connection that never writes);
        None where that is not known (PostgreSQL, in-memory SQLite, a busy probe)."""
        if self._probe is None:
            return None
        try:
            version: int = self._probe.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.OperationalError:
            return None
        return version

    async def snapshot(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        """``load()``, or what it returned last time for ``key`` if nothing at all has been
        committed since: exactly what the query would return now, without running it.

        For the reads clients poll: on SQLite each query costs about a millisecond of
        driver threads, the version check a few microseconds on the event loop. Callers
        asking for the same key at the same version share one load (hundreds of event
        followers check the task when its terminal event arrives). The version is taken
        before loading, so a commit racing the load makes the next call load again.
        """
        version = self.data_version()
        if version is None:
            return await load()
        hit = self._snapshots.get(key)
        if hit is not None and hit[0] == version:
            return cast(T, hit[1])
        flight = self._loads.get((key, version))
        if flight is None:
            flight = asyncio.ensure_future(load())
            self._loads[(key, version)] = flight
            flight.add_done_callback(lambda done: self._keep(key, version, done))
        return cast(T, await asyncio.shield(flight))

    def _keep(self, key: Hashable, version: int, load: asyncio.Future[Any]) -> None:
        del self._loads[(key, version)]
        if load.cancelled() or load.exception() is not None:
            return  # every caller waiting for it has seen the error; the next one loads
        self._snapshots[key] = (version, load.result())
        self._snapshots.move_to_end(key)
        if len(self._snapshots) > SNAPSHOT_LIMIT:
            self._snapshots.popitem(last=False)

    def add_event_sink(self, sink: EventSink) -> None:
        self._sinks.append(sink)

    async def upgrade(self) -> None:
        await migrate.upgrade(self.engine)

    async def at_head(self) -> bool:
        return await migrate.is_current(self.engine)

    async def ping(self) -> None:
        """One round trip to the database (``SELECT 1``); raises when it cannot be reached."""
        async with self.read() as session:
            await session.execute(text("SELECT 1"))

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
    async def statement(self) -> AsyncIterator[AsyncSession]:
        """A write of one statement, with no events: on PostgreSQL the statement commits by
        itself (no BEGIN and COMMIT, two round trips fewer); on SQLite it runs in a
        :meth:`transaction`, behind the single writer's lock."""
        if self.is_sqlite:
            async with self.transaction() as session:
                yield session
            return
        async with self._reads() as session:
            yield session
            if session.info.get(PENDING_EVENTS):
                raise RuntimeError("events are stored in a transaction, not in one statement")

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A unit of work that only reads (on PostgreSQL, outside any transaction)."""
        async with self._reads() as session:
            yield session

    async def dispose(self) -> None:
        if self._probe is not None:
            self._probe.close()
            self._probe = None
        await self.engine.dispose()


def mask_url(url: str) -> str:
    """``url`` (a database's, or any ``scheme://user:password@host`` one such as a Redis
    URL) with any password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(not a valid URL)"


def _replace_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """A pooled PostgreSQL connection the server has closed (a restart, a terminated backend,
    an idle timeout) is replaced when it is checked out: the pool retries with a new one.
    asyncpg marks a connection closed as soon as its socket closes, so the check costs no
    round trip, where ``pool_pre_ping`` costs three on every checkout (asyncpg's ping opens a
    transaction to send it in, then rolls it back)."""
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
