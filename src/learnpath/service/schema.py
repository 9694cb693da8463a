"""The database schema: applied by ``learnpath db upgrade``, required current by the
processes of distributed mode, which never apply it themselves (contract §9)."""

from __future__ import annotations

from learnpath.config import Settings
from learnpath.errors import SchemaOutOfDate
from learnpath.store.database import Database


async def upgrade(settings: Settings) -> None:
    """Apply every migration the configured database lacks."""
    db = Database(settings.effective_database_url, schema=settings.database_schema)
    try:
        await db.upgrade()
    finally:
        await db.dispose()


async def require_current(settings: Settings) -> None:
    """:class:`SchemaOutOfDate` unless the configured database has every migration."""
    db = Database(settings.effective_database_url, pool_size=1, schema=settings.database_schema)
    try:
        current = await db.at_head()
    finally:
        await db.dispose()
    if not current:
        raise SchemaOutOfDate(
            "the database schema is not current: run `learnpath db upgrade` first"
        )
