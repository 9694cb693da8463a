"""Signing in and out of the web app (server mode; ``--local`` needs neither)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from learnpath.api.deps import TOKEN_COOKIE, RuntimeDep
from learnpath.api.routes.auth import sign_in
from learnpath.api.security import clear_session_cookie, set_session_cookie
from learnpath.errors import BadCredentials, LoginThrottled
from learnpath.service import users
from learnpath.web.errors import PageRoute
from learnpath.web.forms import posted, safe_next, text
from learnpath.web.session import page, redirect

router = APIRouter(route_class=PageRoute, include_in_schema=False)
MAX_PASSWORD = 1000


@router.get("/signin")
async def signin_form(request: Request, next: str = "/") -> Response:
    if request.app.state.local:
        return redirect(request, safe_next(next))
    return page(request, "signin.html", {"next": safe_next(next), "email": "", "error": None})


@router.post("/signin")
async def signin(request: Request, rt: RuntimeDep) -> Response:
    """The form again, saying what was wrong, with the status the API would answer."""
    form = await posted(request)
    email, target = text(form, "email"), safe_next(text(form, "next") or "/")
    password = form.get("password")
    if not isinstance(password, str) or len(password) > MAX_PASSWORD:
        password = ""  # as the API's login form, no longer than that: never right
    try:
        token = await sign_in(request, rt, email, password)
    except (BadCredentials, LoginThrottled) as error:
        context = {"next": target, "email": email, "error": _problem(error)}
        answer = page(request, "signin.html", context, error.http_status)
        if isinstance(error, LoginThrottled):
            answer.headers["Retry-After"] = str(error.retry_after_s)
        return answer
    response = redirect(request, target)
    set_session_cookie(request, response, token, rt.settings.token_ttl_s)
    return response


def _problem(error: BadCredentials | LoginThrottled) -> str:
    if isinstance(error, BadCredentials):
        return "Wrong email or password."
    return (
        "Too many failed sign-ins for this account or from this address: try again in "
        f"{_minutes(error.retry_after_s)}."
    )


def _minutes(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} seconds"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@router.post("/signout")
async def signout(request: Request, rt: RuntimeDep) -> Response:
    """Ends the session on the server too: the cookie's token stops working anywhere."""
    await posted(request)
    if request.app.state.local is False and (token := request.cookies.get(TOKEN_COOKIE)):
        await users.end_session_of_token(rt, token)
    response = redirect(request, "/signin")
    clear_session_cookie(request, response)
    return response


@router.get("/signout")
async def signout_revisited(request: Request) -> Response:
    """The sign-out form's address visited again: signing out takes the form, so home."""
    return redirect(request, "/")
