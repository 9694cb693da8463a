"""Whether the database answers, for ``/readyz`` (contract §9)."""

from __future__ import annotations

from sqlalchemy import text

from learnpath.store.database import Database


async def ping(db: Database) -> None:
    """One trivial query; whatever the driver raises when the database does not answer."""
    async with db.read() as s:
        await s.execute(text("SELECT 1"))
