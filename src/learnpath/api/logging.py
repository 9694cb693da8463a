"""Structured request logs with a request id (``X-Request-ID`` in and out), and the
redaction of credentials from every log line.

No token may reach a log: not ours (the access log names the path, never the query), not
uvicorn's (its WebSocket lines show the query string, its debug lines the request headers),
not an exception's. :func:`redact` blanks login tokens and tickets (JWTs), ``token=`` and
``ticket=`` values, ``Bearer`` credentials and the session cookie wherever they appear in a
line; :class:`JSONFormatter` applies it to the whole formatted record, and
:class:`RedactTokens` is a filter for loggers whose records go to other handlers.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from learnpath.api.metrics import Metrics

log = logging.getLogger("learnpath.access")
REDACTED = "[redacted]"
_SECRETS = [
    # A JWT anywhere: login tokens and tickets are JWTs.
    (re.compile(r"eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*"), REDACTED),
    # Credentials in a query string or a form: token=…, access_token=…, ticket=….
    (
        re.compile(r"(?i)(\b(?:access_|refresh_)?(?:token|ticket)=)[^&\s\"';,]+"),
        rf"\g<1>{REDACTED}",
    ),
    # The same as JSON: "access_token": "…".
    (
        re.compile(r'(?i)("(?:access_|refresh_)?(?:token|ticket)"\s*:\s*")[^"]*'),
        rf"\g<1>{REDACTED}",
    ),
    # An Authorization header's credentials, whatever their shape.
    (re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]+"), rf"\g<1>\g<2>{REDACTED}"),
    # The session cookie.
    (re.compile(r"(learnpath_token=)[^;\s\"',]+"), rf"\g<1>{REDACTED}"),
]


def redact(text: str) -> str:
    """``text`` with every credential in it blanked."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RedactTokens(logging.Filter):
    """Rewrites a record's message (and its exception text) without credentials. On a
    logger it sees that logger's own records; on a handler, everything the handler writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(
            {k: redact(v) if isinstance(v, str) else v for k, v in entry.items()}, default=str
        )


class RequestLog:
    """Pure ASGI middleware, so streamed responses (SSE) pass through untouched."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")[:64]
        request_id = incoming if incoming.isprintable() and incoming else secrets.token_hex(8)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"x-request-id", request_id.encode("latin-1")),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            duration = time.perf_counter() - started
            route = scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            self.metrics.requests.labels(scope["method"], path, str(status)).observe(duration)
            log.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status,
                extra={
                    "fields": {
                        "request_id": request_id,
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round(duration * 1000, 2),
                    }
                },
            )
