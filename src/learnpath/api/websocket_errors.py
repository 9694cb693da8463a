"""Refused WebSocket requests close with a code and a reason the client can read, not the
bare HTTP 403 a close before the handshake would be: bad query values (FastAPI's validation)
4422, and a :class:`learnpath.errors.LearnpathError` 4000 + its HTTP status (contract §5)."""

from __future__ import annotations

from fastapi import FastAPI, WebSocket
from fastapi.exceptions import WebSocketRequestValidationError

from learnpath.errors import BadCredentials, LearnpathError, TaskNotFound

CLOSE_REASON_BYTES = 123
"""The most a WebSocket close reason may hold, in UTF-8."""


def install(app: FastAPI) -> None:
    @app.exception_handler(WebSocketRequestValidationError)
    async def bad_websocket_query(websocket: WebSocket, error: Exception) -> None:
        """Close 4422 (like HTTP's 422) naming what was wrong."""
        problems = error.errors() if isinstance(error, WebSocketRequestValidationError) else []
        reason = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:])}: {e.get('msg', '')}"
            for e in problems
        )
        await websocket.accept()
        await websocket.close(code=4422, reason=close_reason(reason or "invalid request"))


def close_reason(text: str) -> str:
    """``text`` cut to fit a WebSocket close reason."""
    encoded = text.encode("utf-8")
    if len(encoded) <= CLOSE_REASON_BYTES:
        return text
    return encoded[: CLOSE_REASON_BYTES - 3].decode("utf-8", "ignore") + "…"


def refusal(error: LearnpathError) -> tuple[int, str]:
    """The close code and reason for a stream the caller may not follow: 4401 "not
    authenticated", 4404 "task not found" (which task is the caller's own business)."""
    if isinstance(error, BadCredentials):
        reason = "not authenticated"
    elif isinstance(error, TaskNotFound):
        reason = "task not found"
    else:
        reason = str(error)
    return 4000 + error.http_status, close_reason(reason)
