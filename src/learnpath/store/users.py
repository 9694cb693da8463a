"""Accounts and their sessions (``users``, ``sessions``): a login token is good only while
the session row it names exists (``docs/contract.md §9``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from learnpath.store.database import Database
from learnpath.store.tables import SessionRow, UserRow
from learnpath.store.tasks import new_id


async def add_user(db: Database, email: str, password_hash: str, is_admin: bool) -> UserRow | None:
    """A new account, stored in a transaction of its own; None, and nothing stored, when
    another account has the email (the unique index decides, so of two sign-ups racing for
    one address only one is stored)."""
    row = UserRow(
        user_id=new_id("user"), email=email, password_hash=password_hash, is_admin=is_admin
    )
    try:
        async with db.transaction() as session:
            session.add(row)
    except IntegrityError:
        return None
    return row


async def user_by_email(session: AsyncSession, email: str) -> UserRow | None:
    """The account with this email, given as stored (trimmed, lower case)."""
    return await session.scalar(select(UserRow).where(UserRow.email == email))


async def user_by_id(session: AsyncSession, user_id: str) -> UserRow | None:
    return await session.get(UserRow, user_id)


def add_session(
    session: AsyncSession, user_id: str, created_at: datetime, expires_at: datetime
) -> SessionRow:
    """A new session of the user, stored when the transaction commits."""
    row = SessionRow(
        session_id=new_id("sess"), user_id=user_id, created_at=created_at, expires_at=expires_at
    )
    session.add(row)
    return row


async def session_user(session: AsyncSession, session_id: str) -> tuple[str, bool, datetime] | None:
    """``(user_id, is_admin, expires_at)`` of the session and its user: one primary-key read
    joined to the user, so a token never carries a stale admin flag."""
    found = (
        await session.execute(
            select(SessionRow.user_id, UserRow.is_admin, SessionRow.expires_at)
            .join(UserRow, UserRow.user_id == SessionRow.user_id)
            .where(SessionRow.session_id == session_id)
        )
    ).first()
    return None if found is None else (found[0], bool(found[1]), found[2])


async def end_session(session: AsyncSession, session_id: str) -> None:
    await session.execute(delete(SessionRow).where(SessionRow.session_id == session_id))


async def end_sessions_of(session: AsyncSession, user_id: str) -> int:
    """End every session of the user; returns how many there were."""
    ended = await session.execute(delete(SessionRow).where(SessionRow.user_id == user_id))
    return int(getattr(ended, "rowcount", 0) or 0)


async def end_expired_sessions_of(session: AsyncSession, user_id: str, now: datetime) -> None:
    """Drop the user's sessions that ran out before ``now``: they are of no use to anyone."""
    await session.execute(
        delete(SessionRow).where(SessionRow.user_id == user_id, SessionRow.expires_at < now)
    )
