"""Login: OAuth2 password form (``username`` = email) → bearer token (contract §9); sign-out, the
signed-in user, password change, and single-use tickets for the event streams."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, Field

from learnpath.api.deps import PrincipalDep, RuntimeDep
from learnpath.api.errors import ERROR_RESPONSES, ErrorOut
from learnpath.api.schemas import Token
from learnpath.api.security import clear_session_cookie, set_session_cookie
from learnpath.api.throttle import Throttle, client_address
from learnpath.domain.text import storable
from learnpath.errors import BadCredentials
from learnpath.service import users

router = APIRouter(prefix="/auth", tags=["auth"], responses={401: ERROR_RESPONSES[401]})
THROTTLED: dict[int | str, dict[str, Any]] = {
    429: {
        "model": ErrorOut,
        "description": "Too many failed sign-ins for this account or from this address "
        "(Retry-After)",
    }
}


class Me(BaseModel):
    """The signed-in user (``user_id`` and ``email`` are null in ``--local`` mode)."""

    user_id: str | None
    email: str | None
    is_admin: bool


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=1000)
    new_password: str = Field(min_length=users.MIN_PASSWORD, max_length=1000)


class TicketOut(BaseModel):
    ticket: str
    expires_in: int


async def sign_in(request: Request, rt: RuntimeDep, email: str, password: str) -> str:
    """Check the password under the sign-in throttle (:class:`LoginThrottled`); a new
    session's token. The web sign-in form does the same."""
    throttle: Throttle = request.app.state.throttle
    address = client_address(request)
    await throttle.check(email, address)
    try:
        user = await users.authenticate(rt, email, password)
    except BadCredentials:
        await throttle.failed(email, address)
        raise
    await throttle.succeeded(email)
    return await users.start_session(rt, user)


@router.post("/token", responses=THROTTLED)
async def token(
    request: Request,
    rt: RuntimeDep,
    response: Response,
    username: Annotated[str, Form(min_length=1, max_length=320), AfterValidator(storable)],
    password: Annotated[str, Form(min_length=1, max_length=1000), AfterValidator(storable)],
) -> Token:
    """Exchange email and password for a bearer token (also set as an HttpOnly cookie for the
    web app and the event streams). Failed attempts are throttled per account and per client
    address: 429 with ``Retry-After`` once too many failed within the window."""
    access = await sign_in(request, rt, username, password)
    set_session_cookie(request, response, access, rt.settings.token_ttl_s)
    return Token(access_token=access, expires_in=rt.settings.token_ttl_s)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(request: Request, rt: RuntimeDep, who: PrincipalDep) -> Response:
    """End this session: its token stops working, as bearer header and as cookie."""
    if who.session_id is not None:
        await users.end_session(rt, who.session_id)
    answer = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookie(request, answer)
    return answer


@router.get("/me")
async def me(rt: RuntimeDep, who: PrincipalDep) -> Me:
    """The signed-in user."""
    if who.user_id is None:
        return Me(user_id=None, email=None, is_admin=who.is_admin)
    user = await users.get_user(rt, who.user_id)
    return Me(user_id=user.user_id, email=user.email, is_admin=user.is_admin)


@router.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={
        **THROTTLED,
        403: {"model": ErrorOut, "description": "The current password is wrong"},
    },
)
async def change_password(
    request: Request, rt: RuntimeDep, who: PrincipalDep, body: PasswordChange
) -> Response:
    """Change the signed-in user's password. Every session of the user ends, this one too:
    sign in again with the new password. Wrong current passwords count as failed sign-ins."""
    if who.user_id is None:
        raise BadCredentials()
    user = await users.get_user(rt, who.user_id)
    throttle: Throttle = request.app.state.throttle
    address = client_address(request)
    await throttle.check(user.email, address)
    try:
        await users.change_password(rt, who.user_id, body.current_password, body.new_password)
    except BadCredentials:
        await throttle.failed(user.email, address)
        return JSONResponse({"detail": "the current password is wrong"}, status_code=403)
    answer = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookie(request, answer)
    return answer


@router.post("/ticket")
async def ticket(rt: RuntimeDep, who: PrincipalDep) -> TicketOut:
    """A ticket for one WebSocket or SSE connection of this session (``?ticket=``): good
    once, for a few seconds, so no long-lived token goes into a URL. (``--local`` mode needs
    none: any ticket is answered there, and the streams do not look at it.)"""
    if who.user_id is None:
        return TicketOut(ticket="local", expires_in=users.TICKET_TTL_S)
    return TicketOut(ticket=users.issue_ticket(rt, who), expires_in=users.TICKET_TTL_S)
