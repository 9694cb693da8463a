"""Who is looking at a page, and how pages are answered: templates, the security headers, the
CSRF cookie, redirects. The error pages are :mod:`learnpath.web.errors`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from learnpath.api.security import CONTENT_SECURITY_POLICY, TOKEN_COOKIE, is_https
from learnpath.errors import BadCredentials
from learnpath.service.users import LOCAL, Principal, principal_from_token
from learnpath.web.csrf import CSRF_COOKIE, new_token

templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))


class SignInRequired(Exception):
    """A page needs a signed-in user (server mode): redirect to the sign-in page."""


async def viewer(request: Request) -> Principal:
    """The signed-in user from the session cookie, or everyone in ``--local`` mode (``async``
    so that FastAPI does not run it in a worker thread)."""
    if request.app.state.local:
        return LOCAL
    token = request.cookies.get(TOKEN_COOKIE)
    if not token:
        raise SignInRequired()
    try:
        return await principal_from_token(request.app.state.runtime, token)
    except BadCredentials:
        raise SignInRequired() from None


Viewer = Annotated[Principal, Depends(viewer)]


def csrf_token(request: Request) -> str:
    """The browser's CSRF token: its cookie, or a new one the response will set."""
    token: str | None = request.cookies.get(CSRF_COOKIE) or getattr(
        request.state, "csrf_token", None
    )
    if token is None:
        token = new_token()
        request.state.csrf_token = token
    return token


def page(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """A page (or page fragment) with the security headers and the CSRF cookie."""
    values = {
        "request": request,
        "csrf_token": csrf_token(request),
        "local": request.app.state.local,
        "signed_in": request.app.state.local or TOKEN_COOKIE in request.cookies,
        **(context or {}),
    }
    response = templates.TemplateResponse(request, template, values, status_code=status)
    secure(request, response)
    return response


def secure(request: Request, response: Response) -> None:
    """The page's own security headers (every response gets them too, from
    :class:`learnpath.api.security.SecurityHeaders`), and the CSRF cookie."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    if CSRF_COOKIE not in request.cookies:
        response.set_cookie(
            CSRF_COOKIE,
            csrf_token(request),
            samesite="strict",
            path="/",
            secure=is_https(request.scope),
        )


def redirect(request: Request, url: str) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    secure(request, response)
    return response
