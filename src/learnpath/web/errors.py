"""The web app's error pages. A :class:`learnpath.errors.LearnpathError` met by a page is a
page with the error's HTTP status (someone else's task or roadmap is "not found", as in the
API: contract §9); a form without its CSRF token is a 403 page; a page that needs a user
sends the browser to the sign-in page. A browser asking for an address that has no page, or
in a way the address does not take, gets a 404 or 405 page; the API and other programs keep
their JSON answers."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from learnpath.errors import (
    BadCredentials,
    BudgetSpent,
    Conflict,
    Invalid,
    LearnpathError,
    LoginThrottled,
    NotFound,
    TooManyRequests,
)
from learnpath.web.csrf import CSRFRejected
from learnpath.web.session import SignInRequired, page, redirect

WORDING: tuple[tuple[type[LearnpathError], str, str | None], ...] = (
    (NotFound, "Not found", "There is nothing here, or it is not yours."),
    (Conflict, "Not possible right now", None),
    (BudgetSpent, "Today's budget is spent", None),
    (LoginThrottled, "Too many failed sign-ins", None),
    (Invalid, "Not accepted", None),
    (BadCredentials, "Not signed in", "Sign in again to see this page."),
    (LearnpathError, "Not possible", None),
)
"""An error page's title and, where the error's own message would not do, its text: from the
first entry the error is an instance of."""
STATUS_WORDING = {
    404: (
        "Page not found",
        "There is no page at this address. Check it, or start again from your roadmaps.",
    ),
    405: (
        "Not possible at this address",
        "This address does not take that kind of request. "
        "Go back to the page you came from and use its buttons.",
    ),
}
UNREADABLE = (
    "Something in the address or the form could not be read: a value that does not fit, or "
    "characters that cannot be stored. Go back, correct it and try again."
)


def error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return page(request, "error.html", {"title": title, "message": message}, status)


def refusal_page(request: Request, error: LearnpathError) -> HTMLResponse:
    """The page for a refused request: ``error.http_status``, and ``Retry-After`` when
    asking again later may succeed."""
    title, text = next((t, m) for kind, t, m in WORDING if isinstance(error, kind))
    answer = error_page(request, error.http_status, title, text or str(error))
    if isinstance(error, TooManyRequests):
        answer.headers["Retry-After"] = str(error.retry_after_s)
    return answer


class PageRoute(APIRoute):
    """A page route: its errors are pages (:func:`refusal_page`), not the API's JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except LearnpathError as error:
                return refusal_page(request, error)
            except RequestValidationError:
                return error_page(request, 422, "Not accepted", UNREADABLE)

        return handle


def wants_page(request: Request) -> bool:
    """A browser asking for a page: an address outside the API, with HTML acceptable."""
    path = request.url.path
    in_api = path == "/api" or path.startswith("/api/")
    return not in_api and "text/html" in request.headers.get("accept", "")


def install_handlers(app: FastAPI) -> None:
    """Install the page handlers over those the API installed before (``server.py``)."""
    json_answer = app.exception_handlers.get(HTTPException, http_exception_handler)

    @app.exception_handler(HTTPException)
    async def no_such_page(request: Request, error: HTTPException) -> Response:
        wording = STATUS_WORDING.get(error.status_code)
        if wording is None or not wants_page(request):
            answer = json_answer(request, error)
            return answer if isinstance(answer, Response) else await answer
        shown = error_page(request, error.status_code, *wording)
        shown.headers.update(error.headers or {})
        return shown

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
