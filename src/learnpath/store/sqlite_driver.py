"""aiosqlite, with statements run on the event loop when nothing else would run meanwhile.

aiosqlite runs every call on a connection in that connection's own thread and wakes the
event loop with each result. On a small VM that round trip (waking the thread, then the
loop) costs about 0.2 ms, several times what a statement on an open SQLite database takes.
It pays off only while the loop has other work to do (SQLite releases the GIL, so the
statement runs beside it); with nothing else ready, the loop would just wait for the
thread. So a statement runs on the loop when the connection's thread is idle and no other
callback is ready to run (asyncio's ready queue; an event loop without one, such as
uvloop's, always uses the thread), with SQLite's busy timeout at zero: one that would have
to wait for another process's write lock fails at once without effect, and is run again in
the thread, where it waits up to :data:`BUSY_TIMEOUT_MS` as aiosqlite would. The loop never
waits for a lock: not for another process's writer, nor for a call still running in the
thread (while one is, statements queue behind it there).

Commits follow the same rule (in WAL mode a commit appends to the log and waits for no one;
with ``synchronous=NORMAL`` it does not sync the disk): SQLite's automatic checkpoint, which
would copy the log into the database file and sync it inside a commit, is off, and every
:data:`CHECKPOINT_EVERY` commits a connection checkpoints in its thread instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections import deque
from collections.abc import Awaitable, Callable, Generator, Iterable
from typing import Any, TypeVar

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import URL

BUSY_TIMEOUT_MS = 30_000
"""How long a statement run in the thread waits for another connection's lock."""
CHECKPOINT_EVERY = 200
"""Commits of a connection between the WAL checkpoints it runs in its thread."""
T = TypeVar("T")


class OneHopCursor(aiosqlite.Cursor):
    """A cursor whose ``execute`` runs on the loop when it can (see the module), else in the
    thread, fetching the rows in the same call."""

    def __init__(self, conn: OneHopConnection, cursor: sqlite3.Cursor) -> None:
        super().__init__(conn, cursor)
        self._connection = conn
        self._fetched: deque[Any] = deque()
        self._unfinished = False
        """A call to the thread did not return (it failed, or its caller was cancelled): its
        statement may still be running there."""

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> OneHopCursor:
        rows = await self._run(_execute_and_fetch, sql, parameters)
        self._fetched = deque(rows)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> OneHopCursor:
        await self._run(_execute_many, sql, list(parameters))
        return self

    async def _run(self, statement: Callable[[sqlite3.Cursor, str, Any], T], *args: Any) -> T:
        if self._connection.here:
            try:
                return statement(self._cursor, *args)
            except sqlite3.OperationalError as error:
                if not _busy(error):
                    raise
                # It did nothing: it needs a lock another connection holds. Wait in the thread.
        self._unfinished = True
        result: T = await self._execute(  # type: ignore[no-untyped-call]
            _patiently, statement, self._cursor, *args
        )
        self._unfinished = False
        return result

    async def fetchone(self) -> Any:
        return self._fetched.popleft() if self._fetched else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        wanted = self._cursor.arraysize if size is None else size
        return [self._fetched.popleft() for _ in range(min(wanted, len(self._fetched)))]

    async def fetchall(self) -> list[Any]:
        rows = list(self._fetched)
        self._fetched.clear()
        return rows

    async def close(self) -> None:
        self._fetched.clear()
        if self._unfinished:
            await super().close()  # in the thread, after whatever still runs there
        else:
            self._cursor.close()


def _execute_and_fetch(cursor: sqlite3.Cursor, sql: str, parameters: Any) -> list[Any]:
    cursor.execute(sql, [] if parameters is None else parameters)
    return cursor.fetchall() if cursor.description else []


def _execute_many(cursor: sqlite3.Cursor, sql: str, parameters: list[Any]) -> None:
    cursor.executemany(sql, parameters)


def _busy(error: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED (any extended code): a lock was not free."""
    return getattr(error, "sqlite_errorcode", 0) & 0xFF in (sqlite3.SQLITE_BUSY, 6)


def _patiently(statement: Callable[..., T], cursor: sqlite3.Cursor, *args: Any) -> T:
    """``statement``, in the thread, waiting for locks up to :data:`BUSY_TIMEOUT_MS`."""
    return _waiting(cursor.connection, lambda: statement(cursor, *args))


def _checkpoint(connection: sqlite3.Connection) -> None:
    """Copy what the WAL holds into the database, without waiting for readers or writers."""
    with contextlib.suppress(sqlite3.Error):  # the next one copies what this one could not
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)")


def _waiting(connection: sqlite3.Connection, call: Callable[[], T]) -> T:
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    try:
        return call()
    finally:
        connection.execute("PRAGMA busy_timeout=0")


class _Opening:
    """What ``cursor()`` returns, as aiosqlite's does: awaited, or entered with ``async
    with`` (SQLAlchemy's adapter does that)."""

    def __init__(self, connection: OneHopConnection) -> None:
        self._connection = connection

    async def _open(self) -> OneHopCursor:
        return OneHopCursor(self._connection, self._connection._conn.cursor())

    def __await__(self) -> Generator[Any, None, OneHopCursor]:
        return self._open().__await__()

    async def __aenter__(self) -> OneHopCursor:
        return await self._open()

    async def __aexit__(self, *exc: object) -> None:
        return None


class OneHopConnection(aiosqlite.Connection):
    def __init__(self, connector: Callable[[], sqlite3.Connection], iter_chunk_size: int) -> None:
        super().__init__(connector, iter_chunk_size)
        self._in_thread = 0
        """Calls queued for, or running in, the thread: counted down on the loop once each
        has returned there."""
        self._commits = 0

    @property
    def idle(self) -> bool:
        """Whether the thread has nothing to do."""
        return self._in_thread == 0 and self._connection is not None

    @property
    def here(self) -> bool:
        """Whether a call should run on the loop now: the thread is idle, and nothing else
        is ready to run on the loop while the thread would run it."""
        ready = getattr(asyncio.get_running_loop(), "_ready", None)
        return self.idle and ready is not None and not ready

    def cursor(self) -> _Opening:  # type: ignore[override]
        return _Opening(self)

    async def commit(self) -> None:
        if self.idle and not self._conn.in_transaction:
            return
        if self.here:
            self._conn.commit()
        else:
            await self._execute(_waiting, self._conn, self._conn.commit)
        self._commits += 1
        if self._commits % CHECKPOINT_EVERY == 0:
            self._queue(_checkpoint, self._conn)  # not awaited: the thread runs it next

    async def rollback(self) -> None:
        if self.idle and not self._conn.in_transaction:
            return
        await self._execute(self._conn.rollback)

    async def _execute(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await self._queue(fn, *args, **kwargs)

    def _queue(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> asyncio.Future[T]:
        """Queue ``fn`` for the thread now (aiosqlite's queue: the thread sets the future);
        awaiting the result is the caller's choice."""
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._in_thread += 1

        def call() -> T:
            try:
                return fn(*args, **kwargs)
            finally:
                with contextlib.suppress(RuntimeError):  # the loop is gone: so is the count
                    loop.call_soon_threadsafe(self._returned)

        self._tx.put_nowait((future, call))
        return future

    def _returned(self) -> None:
        self._in_thread -= 1


def connector(url: URL) -> Callable[[], Awaitable[OneHopConnection]]:
    """SQLAlchemy's ``async_creator`` for the SQLite database of ``url``, connected with the
    arguments SQLAlchemy's aiosqlite dialect would use; the connection is used from the
    event loop's thread as well as its own (one at a time), so it is not bound to either."""
    args, options = SQLiteDialect_aiosqlite().create_connect_args(url)
    # No busy timeout by default: statements on the loop must not wait (see the module).
    kwargs: dict[str, Any] = {**options, "check_same_thread": False, "timeout": 0}

    async def connect() -> OneHopConnection:
        connection = OneHopConnection(lambda: sqlite3.connect(args[0], **kwargs), 64)
        connection._thread.daemon = True  # as the dialect's own connections: exit never waits
        await connection
        connection._conn.execute("PRAGMA wal_autocheckpoint=0")
        return connection

    return connect
