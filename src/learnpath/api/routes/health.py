"""Liveness, readiness and metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from learnpath.api.deps import RuntimeDep

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "The database is unreachable"}})
async def readyz(rt: RuntimeDep) -> Response:
    """The database answers."""
    try:
        async with rt.db.read() as s:
            await s.execute(text("SELECT 1"))
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
    return JSONResponse({"status": "ok", "database": "ok"})


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics(request: Request, rt: RuntimeDep) -> Response:
    """Prometheus text format."""
    collected = request.app.state.metrics
    await collected.refresh(rt)
    return Response(generate_latest(collected.registry), media_type=CONTENT_TYPE_LATEST)
