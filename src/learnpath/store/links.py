"""Link check results per URL (``link_checks``), shared by every process."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, String, Text, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from learnpath.store.database import Database
from learnpath.store.tables import Base, UTCDateTime


class LinkCheckRow(Base):
    __tablename__ = "link_checks"

    url_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16))
    status: Mapped[int | None] = mapped_column(Integer)
    final_url: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class LinkCheck:
    url: str
    outcome: str
    """``ok`` (final status 2xx), ``dead`` (404, 410, no such host, a refused address) or
    ``broken`` (any other status, a timeout, a connection error)."""
    status: int | None
    final_url: str | None
    error: str | None
    checked_at: datetime


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


async def recent_checks(
    db: Database, urls: Sequence[str], since: datetime | None = None
) -> dict[str, LinkCheck]:
    """The checks of these URLs made at ``since`` or later (the last one, however old, when
    ``since`` is None)."""
    if not urls:
        return {}
    query = select(LinkCheckRow).where(LinkCheckRow.url_hash.in_([url_hash(u) for u in urls]))
    if since is not None:
        query = query.where(LinkCheckRow.checked_at >= since)
    async with db.read() as s:
        return {r.url: _check(r) for r in (await s.scalars(query)).all()}


async def save_checks(db: Database, checks: Sequence[LinkCheck]) -> None:
    if not checks:
        return
    dialect = sqlite if db.is_sqlite else postgresql
    values = [
        {
            "url_hash": url_hash(c.url),
            "url": c.url,
            "outcome": c.outcome,
            "status": c.status,
            "final_url": c.final_url,
            "error": c.error,
            "checked_at": c.checked_at,
        }
        for c in {c.url: c for c in checks}.values()
    ]
    statement = dialect.insert(LinkCheckRow)
    statement = statement.on_conflict_do_update(
        index_elements=["url_hash"],
        set_={k: statement.excluded[k] for k in values[0] if k != "url_hash"},
    )
    async with db.transaction() as s:
        await s.execute(statement, values)


async def outcome_counts(db: Database) -> dict[str, int]:
    """How many URLs' last check ended in each outcome (for ``/metrics``)."""
    async with db.read() as s:
        rows = await s.execute(
            select(LinkCheckRow.outcome, func.count()).group_by(LinkCheckRow.outcome)
        )
        return {outcome: int(count) for outcome, count in rows.all()}


def _check(row: LinkCheckRow) -> LinkCheck:
    return LinkCheck(row.url, row.outcome, row.status, row.final_url, row.error, row.checked_at)
