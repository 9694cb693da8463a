"""WebSocket requests FastAPI refuses (bad query values) close with a code and a reason the
client can read, not the bare HTTP 403 a close before the handshake would be."""

from __future__ import annotations

from fastapi import FastAPI, WebSocket
from fastapi.exceptions import WebSocketRequestValidationError

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
