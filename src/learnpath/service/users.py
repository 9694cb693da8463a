"""Accounts: argon2 password hashes, revocable sessions and the signed tokens that name them.

A login token is a signed JWT naming a session (``sid``); it is good only while the session's
row exists: signing out deletes the row, a password change deletes all of the user's rows.
The user's admin flag is read with the session, so a token carries no stale privileges.

Password hashing is slow on purpose (tens of milliseconds of CPU and 64 MiB): it runs in a
small thread pool of its own, never on the event loop, so a burst of sign-ins leaves every
other request as fast as before (argon2 releases the GIL while it works).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import EmailStr, TypeAdapter, ValidationError

from learnpath.engine.runtime import Runtime
from learnpath.errors import BadCredentials, Conflict, Invalid
from learnpath.store import users
from learnpath.store.tables import UserRow

_hasher = PasswordHasher()
_email = TypeAdapter(EmailStr)
MIN_PASSWORD = 8
ALGORITHM = "HS256"
TICKET_TTL_S = 30
"""How long a WebSocket/SSE ticket may wait to be used (once)."""


@dataclass(frozen=True)
class Principal:
    """Who is calling. ``user_id`` None is the loopback single-user mode: it sees everything.
    ``session_id`` is the session the caller's token names (None in that mode)."""

    user_id: str | None
    is_admin: bool
    session_id: str | None = None


LOCAL = Principal(user_id=None, is_admin=True)


@dataclass(frozen=True)
class Ticket:
    """A single-use, short-lived credential for one event stream (``?ticket=``)."""

    principal: Principal
    ticket_id: str


def _lower_priority() -> None:
    """Hashing threads (and the threads argon2 starts from them) yield the CPU to the event
    loop: on Linux a thread's nice value is its own, and inherited by the threads it starts."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


def hashing_pool() -> ThreadPoolExecutor:
    """The threads a process hashes passwords on. Each hash runs its lanes (4 by default) on
    threads of its own: one hash at a time per four cores keeps the machine busy without
    starving the event loop."""
    lanes = max(1, _hasher.parallelism)
    return ThreadPoolExecutor(
        max_workers=max(1, (os.cpu_count() or 1) // lanes),
        thread_name_prefix="argon2",
        initializer=_lower_priority,
    )


async def _in_hashing_pool(rt: Runtime, work: Any, *args: Any) -> Any:
    assert rt.hashing is not None, "the runtime was built without a hashing pool"
    return await asyncio.get_running_loop().run_in_executor(rt.hashing, work, *args)


async def hash_password(rt: Runtime, password: str) -> str:
    hashed: str = await _in_hashing_pool(rt, _hasher.hash, password)
    return hashed


async def _verify(rt: Runtime, password_hash: str | None, password: str) -> bool:
    def check() -> bool:
        if password_hash is None:
            _hasher.hash(password)  # the same work either way: no timing hint of existence
            return False
        try:
            return bool(_hasher.verify(password_hash, password))
        except (VerificationError, InvalidHashError):
            return False

    verified: bool = await _in_hashing_pool(rt, check)
    return verified


def normal_email(email: str) -> str:
    return email.strip().lower()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid(
            "password too short",
            [{"path": "password", "message": f"at least {MIN_PASSWORD} characters"}],
        )


async def create_user(rt: Runtime, email: str, password: str, is_admin: bool = False) -> UserRow:
    try:
        address = _email.validate_python(email.strip()).lower()
    except ValidationError:
        raise Invalid(
            "invalid email", [{"path": "email", "message": "not an email address"}]
        ) from None
    _check_password(password)
    row = await users.add_user(rt.db, address, await hash_password(rt, password), is_admin)
    if row is None:
        raise Conflict(f"a user with email {address} already exists")
    return row


async def authenticate(rt: Runtime, email: str, password: str) -> UserRow:
    async with rt.db.read() as s:
        row = await users.user_by_email(s, normal_email(email))
    if not await _verify(rt, row.password_hash if row else None, password) or row is None:
        raise BadCredentials()
    return row


async def get_user(rt: Runtime, user_id: str) -> UserRow:
    async with rt.db.read() as s:
        row = await users.user_by_id(s, user_id)
    if row is None:
        raise BadCredentials()
    return row


async def set_password(rt: Runtime, email: str, password: str) -> tuple[UserRow, int]:
    """Give the account a new password and end every session of it; returns the account and
    how many sessions were ended. :class:`LookupError` for an unknown email."""
    _check_password(password)
    hashed = await hash_password(rt, password)
    async with rt.db.transaction() as s:
        row = await users.user_by_email(s, normal_email(email))
        if row is None:
            raise LookupError(f"no user with email {normal_email(email)}")
        row.password_hash = hashed
        ended = await users.end_sessions_of(s, row.user_id)
    return row, ended


async def change_password(rt: Runtime, user_id: str, current: str, new: str) -> None:
    """The signed-in user's own change: the current password must match
    (:class:`BadCredentials` otherwise); every session of the user ends."""
    user = await get_user(rt, user_id)
    _check_password(new)
    if not await _verify(rt, user.password_hash, current):
        raise BadCredentials()
    await set_password(rt, user.email, new)


# -- sessions and tokens ---------------------------------------------------------------------
async def start_session(rt: Runtime, user: UserRow) -> str:
    """A new session for ``user``, and the login token that names it."""
    secret = _secret(rt)
    now = datetime.now(UTC)
    ttl = rt.settings.token_ttl_s
    async with rt.db.transaction() as s:
        await users.end_expired_sessions_of(s, user.user_id, now)
        session = users.add_session(s, user.user_id, now, now + timedelta(seconds=ttl))
    issued = int(now.timestamp())
    claims = {"sub": user.user_id, "sid": session.session_id, "iat": issued, "exp": issued + ttl}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


async def end_session(rt: Runtime, session_id: str) -> None:
    async with rt.db.transaction() as s:
        await users.end_session(s, session_id)


async def end_session_of_token(rt: Runtime, token: str) -> None:
    """Sign-out by token: ends the session it names, if the token is genuine at all."""
    try:
        principal = await principal_from_token(rt, token)
    except BadCredentials:
        return
    if principal.session_id is not None:
        await end_session(rt, principal.session_id)


def _claims(rt: Runtime, token: str, kind: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            _secret(rt),
            algorithms=[ALGORITHM],
            options={"require": ["sub", "exp", "sid"]},
        )
    except jwt.PyJWTError:
        raise BadCredentials() from None
    if claims.get("typ", "access") != kind or not isinstance(claims["sid"], str):
        raise BadCredentials()
    return claims


async def _session_principal(rt: Runtime, session_id: str, user_id: str) -> Principal:
    """The principal of a live session of ``user_id``, else :class:`BadCredentials`.

    The lookup is one primary-key read; on SQLite it is answered from memory while nothing at
    all has been committed since the last lookup of the same session."""

    async def load() -> tuple[str, bool, datetime] | None:
        async with rt.db.read() as s:
            return await users.session_user(s, session_id)

    live = await rt.db.snapshot(("session", session_id), load)
    if live is None or live[0] != user_id or live[2] <= datetime.now(UTC):
        raise BadCredentials()
    return Principal(user_id=live[0], is_admin=live[1], session_id=session_id)


async def principal_from_token(rt: Runtime, token: str) -> Principal:
    claims = _claims(rt, token, "access")
    return await _session_principal(rt, claims["sid"], str(claims["sub"]))


def issue_ticket(rt: Runtime, who: Principal) -> str:
    """A ticket for one event stream of ``who``'s session, good once, for a few seconds."""
    if who.user_id is None or who.session_id is None:
        raise BadCredentials()
    now = int(time.time())
    claims = {
        "typ": "ticket",
        "sub": who.user_id,
        "sid": who.session_id,
        "jti": secrets.token_urlsafe(16),
        "iat": now,
        "exp": now + TICKET_TTL_S,
    }
    return jwt.encode(claims, _secret(rt), algorithm=ALGORITHM)


async def ticket_principal(rt: Runtime, ticket: str) -> Ticket:
    """The ticket's principal, while its session lives. That it is used only once is for the
    caller to check (with ``ticket_id``), against storage every API process shares."""
    claims = _claims(rt, ticket, "ticket")
    if not isinstance(claims.get("jti"), str):
        raise BadCredentials()
    principal = await _session_principal(rt, claims["sid"], str(claims["sub"]))
    return Ticket(principal, claims["jti"])


def _secret(rt: Runtime) -> str:
    if rt.settings.secret_key is None:
        raise BadCredentials()
    return rt.settings.secret_key.get_secret_value()
