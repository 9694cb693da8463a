"""A fresh database for a ``learnpath serve`` started by a test module: a SQLite file, or a
new schema in the machine's PostgreSQL (skipped with the reason when it is not reachable)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import pytest

from tests.conftest import PG_DSN, PG_URL


async def _execute(sql: str) -> None:
    conn = await asyncpg.connect(PG_DSN, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _run(sql: str) -> None:
    """``sql`` on a loop of its own thread: a browser test's thread already runs Playwright's."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _execute(sql)).result()


@contextmanager
def fresh_database(backend: str, folder: Path) -> Iterator[dict[str, str]]:
    """Settings (``database_url``, ``database_schema``) of an empty database of ``backend``."""
    if backend == "sqlite":
        yield {"database_url": f"sqlite+aiosqlite:///{folder / 'learnpath.db'}"}
        return
    schema = f"t_{secrets.token_hex(6)}"
    try:
        _run(f"CREATE SCHEMA {schema}")
    except (OSError, asyncpg.PostgresError) as error:
        pytest.skip(f"PostgreSQL not reachable at {PG_DSN}: {error}")
    try:
        yield {"database_url": PG_URL, "database_schema": schema}
    finally:
        _run(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
