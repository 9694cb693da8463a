"""Dependencies shared by the routes: the runtime and the calling principal.

A caller authenticates with a bearer token (``Authorization`` header) or the login cookie.
The event streams also take what a browser can put in a URL, because ``EventSource`` and
``WebSocket`` cannot send headers: a single-use ``?ticket=`` (``POST /auth/ticket``, the
better choice) or the token itself as ``?token=``. Log lines never show either
(:mod:`learnpath.api.logging`). Tokens are good while their session lives (sign-out ends it).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request, WebSocket
from fastapi.security import OAuth2PasswordBearer

from learnpath.api.security import TOKEN_COOKIE, origin_allowed
from learnpath.errors import BadCredentials
from learnpath.service.users import LOCAL, Principal, principal_from_token, ticket_principal
from learnpath.wiring import Runtime

__all__ = ["MAX_INT", "TOKEN_COOKIE", "PrincipalDep", "RuntimeDep", "StreamPrincipalDep"]

MAX_INT = 2**31 - 1
"""The largest integer a query parameter may carry into the database (32-bit INTEGER columns:
seq, version, offset); larger values would overflow the driver's parameter."""
MAX_CREDENTIAL = 2000
"""Longer than any token or ticket this server issues."""
oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


class ForeignOrigin(Exception):
    """A browser page of another origin tried to use this server's cookie (WebSocket)."""


async def get_runtime(request: Request) -> Runtime:
    """``async`` although it awaits nothing: FastAPI runs a plain ``def`` dependency in a
    worker thread, a thread hop on every request."""
    runtime: Runtime = request.app.state.runtime
    return runtime


async def _from_token(runtime: Runtime, token: str | None) -> Principal:
    if not token or len(token) > MAX_CREDENTIAL:
        raise BadCredentials()
    return await principal_from_token(runtime, token)


async def _from_ticket(request: Request | WebSocket, ticket: str) -> Principal:
    if len(ticket) > MAX_CREDENTIAL:
        raise BadCredentials()
    found = await ticket_principal(request.app.state.runtime, ticket)
    if not await request.app.state.throttle.first_use(found.ticket_id):
        raise BadCredentials()
    return found.principal


async def get_principal(
    request: Request, token: Annotated[str | None, Depends(oauth2)]
) -> Principal:
    """Bearer token, or the cookie the web app sets; none needed in ``--local`` mode.
    :class:`BadCredentials` otherwise (a 401, :mod:`learnpath.api.errors`)."""
    if request.app.state.local:
        return LOCAL
    return await _from_token(request.app.state.runtime, token or request.cookies.get(TOKEN_COOKIE))


async def stream_principal(
    request: Request,
    token: Annotated[str | None, Depends(oauth2)],
    ticket: Annotated[
        str | None,
        Query(
            description="a single-use ticket from `POST /api/v1/auth/ticket`, for a client "
            "that cannot send a header (`EventSource`)"
        ),
    ] = None,
    query_token: Annotated[
        str | None,
        Query(
            alias="token",
            description="the login token, where no header can be sent "
            "(prefer a ticket or the cookie)",
        ),
    ] = None,
) -> Principal:
    """An event stream's caller: as :func:`get_principal`, or a ticket or token in the URL."""
    if request.app.state.local:
        return LOCAL
    runtime = request.app.state.runtime
    if sent := token or request.cookies.get(TOKEN_COOKIE):
        return await _from_token(runtime, sent)
    if ticket:
        return await _from_ticket(request, ticket)
    return await _from_token(runtime, query_token)


async def websocket_principal(websocket: WebSocket) -> Principal:
    """A WebSocket's caller. A browser cannot send headers here, so besides a bearer header
    (other clients) it may use ``?ticket=``, ``?token=`` or the cookie; with the cookie, the
    page's ``Origin`` must be this server's own or one of ``LEARNPATH_CORS_ORIGINS``
    (:class:`ForeignOrigin` otherwise): a cookie is sent whichever site opens the socket.
    In ``--local`` mode, where nothing authenticates, the origin is checked always."""
    app = websocket.app
    runtime: Runtime = app.state.runtime
    if app.state.local:
        if not origin_allowed(websocket, runtime.settings):
            raise ForeignOrigin()
        return LOCAL
    authorization = websocket.headers.get("authorization", "")
    if authorization[:7].lower() == "bearer ":
        return await _from_token(runtime, authorization[7:].strip())
    if ticket := websocket.query_params.get("ticket"):
        return await _from_ticket(websocket, ticket)
    if token := websocket.query_params.get("token"):
        return await _from_token(runtime, token)
    cookie = websocket.cookies.get(TOKEN_COOKIE)
    if cookie and not origin_allowed(websocket, runtime.settings):
        raise ForeignOrigin()
    return await _from_token(runtime, cookie)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
StreamPrincipalDep = Annotated[Principal, Depends(stream_principal)]
