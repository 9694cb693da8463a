"""The SQLite driver (learnpath.store.sqlite_driver): statements, their rows, and a lock held
by another process that must not stall the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from learnpath.store.database import Database
from learnpath.store.sqlite_driver import connector


async def test_rows_come_back_whole_in_order_and_in_pieces(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'rows.db'}")
    try:
        async with db.transaction() as s:
            await s.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY, word TEXT)"))
            await s.execute(
                text("INSERT INTO t (n, word) VALUES (:n, :w)"),
                [{"n": n, "w": f"w{n}"} for n in range(1, 201)],
            )
        async with db.read() as s:
            assert (await s.execute(text("SELECT count(*) FROM t"))).scalar_one() == 200
            rows = (await s.execute(text("SELECT n, word FROM t ORDER BY n"))).all()
            assert [tuple(r) for r in rows] == [(n, f"w{n}") for n in range(1, 201)]
            none = await s.execute(text("SELECT n FROM t WHERE n > 1000"))
            assert none.first() is None
            pieces = await s.stream(text("SELECT n FROM t ORDER BY n"))
            seen = [n async for partition in pieces.partitions(64) for (n,) in partition]
            assert seen == list(range(1, 201))
            changed = await s.execute(text("UPDATE t SET word = 'x' WHERE n <= 10"))
            assert changed.rowcount == 10  # type: ignore[attr-defined]
    finally:
        await db.dispose()


async def test_waiting_for_another_processs_write_lock_does_not_stall_the_loop(
    tmp_path: Path,
) -> None:
    path = tmp_path / "locked.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None)
    try:
        async with db.transaction() as s:
            await s.execute(text("CREATE TABLE t (n INTEGER)"))
        other.execute("BEGIN IMMEDIATE")  # another process's writer holds the lock
        other.execute("INSERT INTO t VALUES (1)")

        async def write() -> None:
            async with db.transaction() as s:
                await s.execute(text("INSERT INTO t VALUES (2)"))

        writing = asyncio.create_task(write())
        # Were the wait on the event loop, this sleep would end only once the write gave up
        # (the busy timeout: "database is locked"), and the write would be done.
        await asyncio.sleep(0.2)
        assert not writing.done(), "the write waits for the other writer, off the loop"
        other.execute("COMMIT")
        await asyncio.wait_for(writing, 10)
        async with db.read() as s:
            rows = (await s.execute(text("SELECT n FROM t ORDER BY n"))).scalars().all()
        assert rows == [1, 2]
    finally:
        other.close()
        await db.dispose()


async def test_closing_the_cursor_of_a_statement_still_running_waits_off_the_loop(
    tmp_path: Path,
) -> None:
    """A caller cancelled while its statement runs in the thread, then closing its cursor:
    the close must wait there, behind the statement, not on the event loop for SQLite's
    connection lock (the loop would stall until the statement ended)."""
    release = threading.Event()
    released_by: list[str] = []

    def block() -> int:  # a statement that runs until the test lets it end
        release.wait()
        return 1

    def let_go(by: str) -> None:
        if not release.is_set():
            released_by.append(by)
            release.set()

    connection = await connector(make_url(f"sqlite+aiosqlite:///{tmp_path / 'c.db'}"))()
    fallback = threading.Timer(10, let_go, args=("the fallback timer",))
    fallback.start()
    try:
        await connection.create_function("block", 0, block)
        cursor = await connection.cursor()
        running = asyncio.create_task(cursor.execute("SELECT block()"))
        await asyncio.sleep(0.1)
        running.cancel()
        closing = asyncio.create_task(cursor.close())
        await asyncio.sleep(0.05)  # the close starts; were it on the loop, it would hold it
        let_go("the event loop")
        await closing
        with contextlib.suppress(asyncio.CancelledError):
            await running
    finally:
        fallback.cancel()
        release.set()
        await connection.close()
    assert released_by == ["the event loop"]
