"""A fresh, migrated SQLite store per test, for the engine-core unit tests.

``Database("sqlite+aiosqlite:///:memory:")`` cannot be built (SQLAlchemy picks a
``StaticPool`` for an in-memory database and rejects the ``pool_size`` the handle passes),
and migrating a new file costs ~0.1 s. So the migrations run once per session into a
template file, and each test gets its own copy: a few milliseconds, and no state shared
between tests.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from learnpath.store.database import Database


async def _migrate(path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await db.upgrade()
    finally:
        await db.dispose()  # the last connection closing checkpoints the WAL into the file


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store_template") / "learnpath.db"
    asyncio.run(_migrate(path))
    return path


@pytest.fixture
async def db(migrated_template: Path, tmp_path: Path) -> AsyncIterator[Database]:
    """An empty database at the newest schema, this test's own."""
    path = tmp_path / "learnpath.db"
    shutil.copyfile(migrated_template, path)
    database = Database(f"sqlite+aiosqlite:///{path}")
    try:
        yield database
    finally:
        await database.dispose()
