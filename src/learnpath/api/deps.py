"""Dependencies shared by the routes: the runtime and the calling principal."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, WebSocket, status
from fastapi.security import OAuth2PasswordBearer

from learnpath.engine.runtime import Runtime
from learnpath.service.users import LOCAL, BadCredentials, Principal, principal_from_token

TOKEN_COOKIE = "learnpath_token"
MAX_INT = 2**31 - 1
"""The largest integer a query parameter may carry into the database (32-bit INTEGER columns:
seq, version, offset); larger values would overflow the driver's parameter."""
oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


async def get_runtime(request: Request) -> Runtime:
    """``async`` although it awaits nothing: FastAPI runs a plain ``def`` dependency in a
    worker thread, a thread hop on every request."""
    runtime: Runtime = request.app.state.runtime
    return runtime


def _principal(runtime: Runtime, local: bool, token: str | None) -> Principal:
    if local:
        return LOCAL
    if not token:
        raise BadCredentials()
    return principal_from_token(runtime, token)


async def get_principal(
    request: Request, token: Annotated[str | None, Depends(oauth2)]
) -> Principal:
    """Bearer token, or the cookie the web app sets; none needed in ``--local`` mode."""
    try:
        return _principal(
            request.app.state.runtime,
            request.app.state.local,
            token or request.cookies.get(TOKEN_COOKIE) or request.query_params.get("token"),
        )
    except BadCredentials:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "not authenticated",
            headers={"WWW-Authenticate": "Bearer"},
        ) from None


def websocket_principal(websocket: WebSocket) -> Principal:
    """A WebSocket cannot send headers from a browser: token as query parameter or cookie."""
    token = websocket.query_params.get("token") or websocket.cookies.get(TOKEN_COOKIE)
    authorization = websocket.headers.get("authorization", "")
    if not token and authorization.lower().startswith("bearer "):
        token = authorization[7:]
    return _principal(websocket.app.state.runtime, websocket.app.state.local, token)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
