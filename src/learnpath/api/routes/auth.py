"""Login: OAuth2 password form (``username`` = email) → bearer token (SPEC §9)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Response
from pydantic import AfterValidator

from learnpath.api.deps import TOKEN_COOKIE, RuntimeDep
from learnpath.api.errors import ERROR_RESPONSES
from learnpath.api.schemas import Token
from learnpath.domain.text import storable
from learnpath.service import users

router = APIRouter(prefix="/auth", tags=["auth"], responses={401: ERROR_RESPONSES[401]})


@router.post("/token")
async def token(
    rt: RuntimeDep,
    response: Response,
    username: Annotated[str, Form(min_length=1, max_length=320), AfterValidator(storable)],
    password: Annotated[str, Form(min_length=1, max_length=1000), AfterValidator(storable)],
) -> Token:
    """Exchange email and password for a bearer token (also set as an HttpOnly cookie for the
    web app and the event streams)."""
    user = await users.authenticate(rt, username, password)
    access = users.issue_token(rt, user)
    response.set_cookie(
        TOKEN_COOKIE,
        access,
        max_age=rt.settings.token_ttl_s,
        httponly=True,
        samesite="lax",
    )
    return Token(access_token=access, expires_in=rt.settings.token_ttl_s)
