"""The SQLite driver (learnpath.store.sqlite_driver): statements, their rows, and a lock held
by another process that must not stall the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from learnpath.store import sqlite_driver
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


async def test_closing_the_cursor_of_a_statement_waiting_in_the_thread_waits_off_the_loop(
    tmp_path: Path,
) -> None:
    """A write waiting in the thread for another process's lock, its caller cancelled, then
    its cursor closed: the close waits there, behind the statement, while the loop goes on
    (closed on the loop, it would stall it, or fail as a recursive use of the cursor)."""
    path = tmp_path / "c.db"
    with contextlib.closing(sqlite3.connect(path)) as setup:
        setup.execute("CREATE TABLE t (n INTEGER)")
        setup.commit()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    connection = await connector(make_url(f"sqlite+aiosqlite:///{path}"))()
    try:
        cursor = await connection.cursor()
        running = asyncio.create_task(cursor.execute("INSERT INTO t VALUES (1)"))
        await asyncio.sleep(0.1)
        assert not running.done(), "the write waits for the other writer's lock"
        running.cancel()
        closing = asyncio.create_task(cursor.close())
        ticks = 0
        for _ in range(10):  # the loop keeps running while the close waits
            await asyncio.sleep(0.01)
            ticks += 1
        assert ticks == 10 and not closing.done()
        other.execute("ROLLBACK")
        await asyncio.wait_for(closing, 10)
        with contextlib.suppress(asyncio.CancelledError):
            await running
        assert connection.idle
    finally:
        other.close()
        await connection.close()


async def test_statements_run_on_the_loop_and_a_lock_wait_moves_to_the_thread(
    tmp_path: Path,
) -> None:
    """With the thread idle, a statement runs on the loop (it is done before the call
    returns to the loop); one that needs a lock another connection holds waits in the
    thread, and succeeds there once the lock is free."""
    path = tmp_path / "w.db"
    connection = await connector(make_url(f"sqlite+aiosqlite:///{path}"))()
    other = sqlite3.connect(path, isolation_level=None)
    try:
        cursor = await connection.cursor()
        await cursor.execute("CREATE TABLE t (n INTEGER)")
        await connection.commit()
        reading = cursor.execute("SELECT count(*) FROM t")
        # Run to completion without yielding to the loop: nothing went to the thread.
        with pytest.raises(StopIteration) as finished:
            reading.send(None)
        assert finished.value.value is cursor
        assert await cursor.fetchall() == [(0,)]
        other.execute("BEGIN IMMEDIATE")
        writing = asyncio.create_task(cursor.execute("INSERT INTO t VALUES (1)"))
        await asyncio.sleep(0.1)
        assert not writing.done() and not connection.idle
        other.execute("COMMIT")
        await asyncio.wait_for(writing, 10)
        await connection.commit()
        assert connection.idle
        assert other.execute("SELECT n FROM t").fetchall() == [(1,)]
    finally:
        other.close()
        await connection.close()


async def test_the_wal_is_checkpointed_by_the_thread_every_so_many_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Commits on the loop never copy the WAL into the database file (SQLite's automatic
    checkpoint would, past 1000 pages); every CHECKPOINT_EVERY commits the connection's
    thread does."""
    monkeypatch.setattr(sqlite_driver, "CHECKPOINT_EVERY", 2)
    path = tmp_path / "ckpt.db"
    connection = await sqlite_driver.connector(make_url(f"sqlite+aiosqlite:///{path}"))()
    # Open to the end, so that closing the other is not the last close (which checkpoints).
    reader = sqlite3.connect(path)
    try:
        cursor = await connection.cursor()
        await cursor.execute("PRAGMA journal_mode=WAL")
        await cursor.execute("CREATE TABLE t (b BLOB)")
        await connection.commit()  # (DDL: no transaction was open)
        reader.execute("SELECT count(*) FROM t").fetchall()  # it has the WAL open now
        await cursor.execute("INSERT INTO t VALUES (?)", (b"x" * 6_000_000,))
        await connection.commit()  # 1: 6 MB in the log, past the automatic checkpoint
        assert path.stat().st_size < 1_000_000, "the database file has not been written to"
        await cursor.execute("INSERT INTO t VALUES (x'00')")
        await connection.commit()  # 2: the thread checkpoints
        await connection.close()  # queued behind the checkpoint in the thread
        assert path.stat().st_size > 6_000_000
    finally:
        await connection.close()
        reader.close()
