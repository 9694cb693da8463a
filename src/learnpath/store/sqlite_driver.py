"""aiosqlite with one thread round trip per statement.

aiosqlite runs every call on a connection in that connection's own thread and wakes the
event loop with each result. SQLAlchemy's adapter makes four such calls per statement (open
a cursor, execute, fetch the rows, close the cursor), and on a small VM each round trip costs
about 0.1 ms, several times what the statement itself takes. Here a statement is executed
and its rows fetched in one call to the thread. Opening a cursor, handing out rows already
fetched and closing a cursor whose statement ran to its end (SQLite has reset it: closing
calls no SQLite function) run on the event loop. Everything that calls SQLite (execute,
commit, rollback, closing a cursor whose statement failed or whose caller was cancelled while
it ran) stays in the thread, as in aiosqlite, so the event loop never waits for a lock: not
for another process's writer, nor for a statement still running in the thread.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Awaitable, Callable, Generator, Iterable
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import URL


class OneHopCursor(aiosqlite.Cursor):
    """A cursor whose ``execute`` also fetches the rows, in the same call to the thread."""

    def __init__(self, conn: aiosqlite.Connection, cursor: sqlite3.Cursor) -> None:
        super().__init__(conn, cursor)
        self._fetched: deque[Any] = deque()
        self._unfinished = False
        """A call to the thread did not return (it failed, or its caller was cancelled): its
        statement may still be running there."""

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> OneHopCursor:
        self._unfinished = True
        # aiosqlite's own call to its thread (untyped there)
        rows = await self._execute(  # type: ignore[no-untyped-call]
            _execute_and_fetch, self._cursor, sql, parameters
        )
        self._unfinished = False
        self._fetched = deque(rows)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> OneHopCursor:
        self._unfinished = True
        await super().executemany(sql, parameters)
        self._unfinished = False
        return self

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
    def cursor(self) -> _Opening:  # type: ignore[override]
        return _Opening(self)


def connector(url: URL) -> Callable[[], Awaitable[OneHopConnection]]:
    """SQLAlchemy's ``async_creator`` for the SQLite database of ``url``, connected with the
    arguments SQLAlchemy's aiosqlite dialect would use; the connection is used from the
    event loop's thread as well as its own (one at a time), so it is not bound to either."""
    args, options = SQLiteDialect_aiosqlite().create_connect_args(url)
    kwargs: dict[str, Any] = {**options, "check_same_thread": False}

    async def connect() -> OneHopConnection:
        connection = OneHopConnection(lambda: sqlite3.connect(args[0], **kwargs), 64)
        connection._thread.daemon = True  # as the dialect's own connections: exit never waits
        await connection
        return connection

    return connect
