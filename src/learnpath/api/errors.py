"""Map service-layer errors to HTTP answers: 404, 409, 422 — never a 5xx for bad input.

Every 422 has FastAPI's validation shape (``detail``: a list naming each field and rule), so a
client handles request-model errors and service rule errors alike.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from learnpath.engine.errors import Conflict, Invalid
from learnpath.service.content import ContentNotFound
from learnpath.service.users import BadCredentials
from learnpath.store.roadmaps import RoadmapNotFound
from learnpath.store.tasks import TaskNotFound


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
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ConflictOut, "description": "Not possible in the current state"}
}


def install(app: FastAPI) -> None:
    async def not_found(_: Request, error: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=404)

    for kind in (TaskNotFound, RoadmapNotFound, ContentNotFound):
        app.add_exception_handler(kind, not_found)

    @app.exception_handler(Conflict)
    async def conflict(_: Request, error: Conflict) -> JSONResponse:
        return JSONResponse({"detail": str(error), "task_id": error.task_id}, status_code=409)

    @app.exception_handler(Invalid)
    async def invalid(_: Request, error: Invalid) -> JSONResponse:
        detail = [
            {
                "loc": ["body", *e["path"].split(".")],
                "msg": e["message"],
                "type": "value_error",
            }
            for e in error.errors
        ] or [{"loc": ["body"], "msg": str(error), "type": "value_error"}]
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(BadCredentials)
    async def unauthorised(_: Request, error: BadCredentials) -> JSONResponse:
        return JSONResponse(
            {"detail": "not authenticated"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
