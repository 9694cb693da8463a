"""Answer every :class:`learnpath.errors.LearnpathError` with its ``http_status``: 401, 404,
409, 422, 429 — never a 5xx for bad input (contract §6).

Every 422 has FastAPI's validation shape (``detail``: a list naming each field and rule), so a
client handles request-model errors and service rule errors alike.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from learnpath.errors import BadCredentials, Conflict, Invalid, LearnpathError, TooManyRequests


class ErrorOut(BaseModel):
    detail: str


class ConflictOut(BaseModel):
    detail: str
    task_id: str | None = None
    """The task in the way, when there is one (e.g. the active retry of the same item)."""


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Missing, invalid or expired token"},
    404: {"model": ErrorOut, "description": "No such resource, or not the caller's"},
}
BUDGET: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorOut, "description": "The day's model budget is spent (Retry-After)"}
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ConflictOut, "description": "Not possible in the current state"}
}


def json_errors(responses: dict[int | str, dict[str, Any]]) -> dict[int | str, dict[str, Any]]:
    """The same error responses documented as ``application/json``, for a route whose own
    response class is something else (an event stream): FastAPI would otherwise document the
    error bodies under that route's media type, but errors are always JSON."""
    return {
        code: {
            "description": spec["description"],
            "content": {"application/json": {"schema": spec["model"].model_json_schema()}},
        }
        for code, spec in responses.items()
    }


_INDEXED = re.compile(r"^(?P<name>[^\[\]]+)\[(?P<index>\d+)\]$")


def _loc(path: str) -> list[str | int]:
    """A service error path as a FastAPI ``loc``: ``stages[0].modules[1].name`` →
    ``["stages", 0, "modules", 1, "name"]``, the shape request-model errors have."""
    loc: list[str | int] = []
    for part in path.split("."):
        if match := _INDEXED.match(part):
            loc += [match["name"], int(match["index"])]
        elif part and part != "(root)":
            loc.append(part)
    return loc


def _invalid_detail(error: Invalid) -> list[dict[str, Any]]:
    return [
        {"loc": ["body", *_loc(e["path"])], "msg": e["message"], "type": "value_error"}
        for e in error.errors
    ] or [{"loc": ["body"], "msg": str(error), "type": "value_error"}]


def answer(error: LearnpathError) -> JSONResponse:
    """The HTTP answer to a refused request: ``error.http_status``, ``{"detail": message}``
    (plus the ``task_id`` in the way of a conflict), a 429 with ``Retry-After``, a 401 that
    says no more than "not authenticated"."""
    if isinstance(error, BadCredentials):
        return JSONResponse(
            {"detail": "not authenticated"},
            status_code=error.http_status,
            headers={"WWW-Authenticate": "Bearer"},
        )
    if isinstance(error, Invalid):
        return JSONResponse({"detail": _invalid_detail(error)}, status_code=error.http_status)
    body: dict[str, Any] = {"detail": str(error)}
    if isinstance(error, Conflict):
        body["task_id"] = error.task_id
    headers = {}
    if isinstance(error, TooManyRequests):
        headers["Retry-After"] = str(error.retry_after_s)
    return JSONResponse(body, status_code=error.http_status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(LearnpathError)
    async def refused(_: Request, error: LearnpathError) -> JSONResponse:
        return answer(error)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        # A JSON body that is not even text (bytes that are no Unicode encoding) fails before
        # JSON decoding, and FastAPI answers an undocumented 400. It is malformed JSON like
        # any other: the same 422 ``json_invalid`` FastAPI gives a body that does not parse.
        if error.status_code == 400 and isinstance(error.__cause__, UnicodeDecodeError):
            detail = [{"type": "json_invalid", "loc": ["body"], "msg": "JSON body is not UTF-8"}]
            return JSONResponse({"detail": detail}, status_code=422)
        return await http_exception_handler(request, error)
