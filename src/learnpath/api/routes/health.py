"""Liveness, readiness and metrics."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from learnpath.api.deps import RuntimeDep
from learnpath.api.errors import ERROR_RESPONSES, json_errors
from learnpath.errors import BadCredentials
from learnpath.service import health

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@router.get(
    "/readyz", responses={503: {"description": "The database or the broker is unreachable"}}
)
async def readyz(rt: RuntimeDep) -> Response:
    """The database answers (and, in distributed mode, the broker's Redis); ``model`` says
    what structured-output mode each model was found to support."""
    found = await health.readiness(rt)
    body = {"status": "ok" if found.ready else "unavailable", **found.checks, "model": found.model}
    return JSONResponse(body, 200 if found.ready else 503)


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    responses=json_errors(
        {401: {**ERROR_RESPONSES[401], "description": "Missing or wrong metrics token"}}
    ),
)
async def metrics(request: Request, rt: RuntimeDep) -> Response:
    """Prometheus text format. Asks for ``Authorization: Bearer $LEARNPATH_METRICS_TOKEN``
    (Prometheus: ``authorization: {credentials: …}`` in the scrape config); without that
    setting, only ``--local`` mode answers."""
    expected = rt.settings.metrics_token
    if expected is not None or not request.app.state.local:
        sent = request.headers.get("authorization", "")
        credentials = sent[7:].strip() if sent[:7].lower() == "bearer " else ""
        if expected is None or not hmac.compare_digest(
            credentials.encode("utf-8", "surrogateescape"),
            expected.get_secret_value().encode("utf-8", "surrogateescape"),
        ):
            raise BadCredentials()
    collected = request.app.state.metrics
    await collected.refresh(rt)
    return Response(generate_latest(collected.registry), media_type=CONTENT_TYPE_LATEST)
