"""Cross-site request forgery defence: a double-submit token.

Every web page sets a random ``learnpath_csrf`` cookie (readable by the page's scripts,
``SameSite=Strict``). A state-changing request must repeat it: forms in a hidden field
(checked by :func:`check_form`), scripts in the ``X-CSRF-Token`` header (checked here for the
JSON API). Another site can make a browser send the cookie but can neither read it nor set a
custom header without a CORS grant, which this server gives only to the origins of
``LEARNPATH_CORS_ORIGINS`` — and even those cannot read this site's CSRF cookie, so they call
the API with a bearer token.

The API check applies to requests a browser could forge: those authenticated by the session
cookie, and any carrying ``Origin`` or ``Sec-Fetch-Site`` (browsers add them; the loopback
single-user mode has no cookie at all). Bearer-token clients are not affected.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from learnpath.api.deps import TOKEN_COOKIE

CSRF_COOKIE = "learnpath_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
EXEMPT_PATHS = frozenset({"/api/v1/auth/token"})
"""Login needs no token: it is what a client without a session calls."""


class CSRFRejected(Exception):
    """A state-changing request without the matching token (HTTP 403)."""


def new_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(cookie: str | None, sent: str | None) -> bool:
    return bool(cookie) and bool(sent) and hmac.compare_digest(str(cookie), str(sent))


def check_form(cookie: str | None, field: str | None) -> None:
    if not tokens_match(cookie, field):
        raise CSRFRejected()


def _forgeable(headers: Headers) -> bool:
    """Whether a browser may have sent this API request on a page's behalf."""
    if "authorization" in headers:
        return False
    cookies = cookie_parser(headers.get("cookie", ""))
    return TOKEN_COOKIE in cookies or "origin" in headers or "sec-fetch-site" in headers


class CSRFGuard:
    """Refuse forgeable state-changing API calls that do not repeat the CSRF cookie."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in UNSAFE_METHODS
            and scope["path"].startswith("/api/")
            and scope["path"] not in EXEMPT_PATHS
        ):
            headers = Headers(scope=scope)
            cookie = cookie_parser(headers.get("cookie", "")).get(CSRF_COOKIE)
            if _forgeable(headers) and not tokens_match(cookie, headers.get(CSRF_HEADER)):
                answer = JSONResponse(
                    {"detail": "missing or wrong CSRF token (X-CSRF-Token header)"},
                    status_code=403,
                )
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)
