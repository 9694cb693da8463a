"""Accounts: argon2 password hashes and signed bearer tokens."""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import EmailStr, TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from learnpath.engine.errors import Conflict, Invalid
from learnpath.engine.runtime import Runtime
from learnpath.store.tables import UserRow
from learnpath.store.tasks import new_id

_hasher = PasswordHasher()
_email = TypeAdapter(EmailStr)
MIN_PASSWORD = 8
ALGORITHM = "HS256"


@dataclass(frozen=True)
class Principal:
    """Who is calling. ``user_id`` None is the loopback single-user mode: it sees everything."""

    user_id: str | None
    is_admin: bool


LOCAL = Principal(user_id=None, is_admin=True)


class BadCredentials(Exception):
    """Unknown email, wrong password, or an invalid or expired token (HTTP 401)."""


async def create_user(rt: Runtime, email: str, password: str, is_admin: bool = False) -> UserRow:
    try:
        address = _email.validate_python(email.strip()).lower()
    except ValidationError:
        raise Invalid(
            "invalid email", [{"path": "email", "message": "not an email address"}]
        ) from None
    if len(password) < MIN_PASSWORD:
        raise Invalid(
            "password too short",
            [{"path": "password", "message": f"at least {MIN_PASSWORD} characters"}],
        )
    row = UserRow(
        user_id=new_id("user"),
        email=address,
        password_hash=_hasher.hash(password),
        is_admin=is_admin,
    )
    try:
        async with rt.db.transaction() as s:
            s.add(row)
    except IntegrityError:
        raise Conflict(f"a user with email {address} already exists") from None
    return row


async def authenticate(rt: Runtime, email: str, password: str) -> UserRow:
    async with rt.db.read() as s:
        row = await s.scalar(select(UserRow).where(UserRow.email == email.strip().lower()))
    try:
        if row is None:
            _hasher.hash(password)  # the same work either way: no timing hint of existence
            raise BadCredentials()
        _hasher.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise BadCredentials() from None
    return row


def issue_token(rt: Runtime, user: UserRow) -> str:
    secret = _secret(rt)
    now = int(time.time())
    claims = {
        "sub": user.user_id,
        "adm": user.is_admin,
        "iat": now,
        "exp": now + rt.settings.token_ttl_s,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def principal_from_token(rt: Runtime, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token, _secret(rt), algorithms=[ALGORITHM], options={"require": ["sub", "exp"]}
        )
    except jwt.PyJWTError:
        raise BadCredentials() from None
    return Principal(user_id=str(claims["sub"]), is_admin=bool(claims.get("adm", False)))


def _secret(rt: Runtime) -> str:
    if rt.settings.secret_key is None:
        raise BadCredentials()
    return rt.settings.secret_key.get_secret_value()
