"""The input boundary every HTTP request crosses before the application sees it.

- A body over the limit is refused with a 413, before it is read when ``Content-Length``
  says so, and as soon as the count passes the limit for a chunked body. The limit is
  ``LEARNPATH_MAX_BODY_BYTES``, unless the path has its own (``own_limits``: the document
  job routes, whose context files may reach 20 MB; those routes declare the same limit to
  FastAPI with ``max_body_size=``).
- A JSON body is read here (within the limit) and refused with a 422 naming the value when
  :func:`learnpath.api.json_input.problems` finds one, then handed on unchanged.
- A path or query string carrying NUL is refused with a 422.

Pure ASGI, so that nothing is buffered beyond the body of a JSON request and streamed
answers (SSE) pass untouched.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from learnpath.api import json_input
from learnpath.domain.text import printable, unstorable


class BodyTooLarge(HTTPException):
    """Raised by the guarded ``receive`` once a streamed body passes its limit: FastAPI lets an
    HTTPException through body parsing, so the app's handler answers it."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes")


class InputBoundary:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, own_limits: Mapping[str, int]) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.own_limits = own_limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if url_problems := _url_problems(scope):
            await _answer(scope, receive, send, 422, url_problems)
            return
        headers = Headers(scope=scope)
        length = _content_length(headers)
        if length == 0 or (length is None and "transfer-encoding" not in headers):
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        if length is not None and length > limit:
            await _answer(scope, receive, send, 413, BodyTooLarge(limit).detail)
        elif _is_json(headers):
            await self._json(scope, receive, send, limit)
        else:
            await self._streamed(scope, receive, send, limit)

    def _limit(self, scope: Scope) -> int:
        """The path's own limit, else the configured one."""
        return self.own_limits.get(str(scope["path"]), self.max_body_bytes)

    async def _json(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away before sending the whole body
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _answer(scope, receive, send, 413, BodyTooLarge(limit).detail)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if found := json_input.problems(body):
            await _answer(scope, receive, send, 422, found)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _streamed(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        size = 0
        started = False

        async def counted() -> Message:
            nonlocal size
            message = await receive()
            if message["type"] == "http.request":
                size += len(message.get("body", b""))
                if size > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge as error:
            if started:
                raise
            await _answer(scope, receive, send, 413, error.detail)


def _content_length(headers: Headers) -> int | None:
    value = headers.get("content-length")
    return int(value) if value is not None and value.isascii() and value.isdigit() else None


def _is_json(headers: Headers) -> bool:
    """Whether FastAPI would decode this body as JSON: no content type, or
    ``application/json`` or ``application/*+json``."""
    media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if not media:
        return True
    kind, _, subtype = media.partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


def _url_problems(scope: Scope) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if problem := unstorable(scope["path"]):
        found.append({"type": "string_unstorable", "loc": ["path"], "msg": problem})
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        if problem := unstorable(name) or unstorable(value):
            loc = ["query", printable(name)]
            found.append({"type": "string_unstorable", "loc": loc, "msg": problem})
    return found


async def _answer(scope: Scope, receive: Receive, send: Send, status: int, detail: Any) -> None:
    await JSONResponse({"detail": detail}, status_code=status)(scope, receive, send)
