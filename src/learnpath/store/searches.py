"""Search results per provider and query (``search_cache``), shared by every process."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from learnpath.store.database import Database
from learnpath.store.tables import Base, UTCDateTime, utcnow


class SearchCacheRow(Base):
    __tablename__ = "search_cache"

    provider: Mapped[str] = mapped_column(String(32), primary_key=True)
    query_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    query: Mapped[str] = mapped_column(Text)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    searched_at: Mapped[datetime] = mapped_column(UTCDateTime())


def _hash(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


async def cached_results(
    db: Database, provider: str, query: str, since: datetime
) -> list[dict[str, Any]] | None:
    """The results of ``query`` searched at ``since`` or later, None when there are none."""
    async with db.read() as s:
        return await s.scalar(
            select(SearchCacheRow.results).where(
                SearchCacheRow.provider == provider,
                SearchCacheRow.query_hash == _hash(query),
                SearchCacheRow.searched_at >= since,
            )
        )


async def save_results(
    db: Database, provider: str, query: str, results: list[dict[str, Any]]
) -> None:
    dialect = sqlite if db.is_sqlite else postgresql
    now = utcnow()
    statement = dialect.insert(SearchCacheRow).values(
        provider=provider, query_hash=_hash(query), query=query, results=results, searched_at=now
    )
    statement = statement.on_conflict_do_update(
        index_elements=["provider", "query_hash"], set_={"results": results, "searched_at": now}
    )
    async with db.transaction() as s:
        await s.execute(statement)


async def searches_by_provider(db: Database) -> dict[str, int]:
    """How many distinct queries each provider answered (for ``/metrics``)."""
    async with db.read() as s:
        rows = await s.execute(
            select(SearchCacheRow.provider, func.count()).group_by(SearchCacheRow.provider)
        )
        return {provider: int(count) for provider, count in rows.all()}
