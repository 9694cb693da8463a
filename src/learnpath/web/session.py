"""Who is looking at a page, how pages are answered (templates, CSP, CSRF cookie), and the
error pages: sign-in redirect, 403, 404, 409."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from learnpath.api.security import CONTENT_SECURITY_POLICY, TOKEN_COOKIE, is_https
from learnpath.errors import (
    BadCredentials,
    BudgetSpent,
    Conflict,
    ContentNotFound,
    RoadmapNotFound,
    TaskNotFound,
)
from learnpath.service.users import LOCAL, Principal, principal_from_token
from learnpath.web.csrf import CSRF_COOKIE, CSRFRejected, new_token

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


def error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return page(request, "error.html", {"title": title, "message": message}, status)


class PageRoute(APIRoute):
    """A page route: a missing (or someone else's) task, roadmap or content is a 404 page and
    a state conflict a 409 page, instead of the API's JSON answers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except (TaskNotFound, RoadmapNotFound, ContentNotFound):
                return error_page(
                    request, 404, "Not found", "There is nothing here, or it is not yours."
                )
            except Conflict as error:
                return error_page(request, 409, "Not possible right now", str(error))
            except BudgetSpent as error:
                answer = error_page(request, 429, "Today's budget is spent", str(error))
                answer.headers["Retry-After"] = str(error.retry_after_s)
                return answer

        return handle


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def sign_in(request: Request, _: SignInRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return redirect(request, f"/signin?next={quote(target, safe='')}")

    @app.exception_handler(CSRFRejected)
    async def rejected(request: Request, _: CSRFRejected) -> Response:
        return error_page(
            request,
            403,
            "Form expired",
            "This form was not sent from this site's page, or the page is too old. "
            "Go back, reload the page and try again.",
        )
