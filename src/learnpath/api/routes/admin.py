"""Operator routes: only an admin (or the loopback single user) may call them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status

from learnpath.api.deps import PrincipalDep, RuntimeDep
from learnpath.api.errors import ERROR_RESPONSES
from learnpath.service.doctor import diagnose

router = APIRouter(
    prefix="/admin",
    tags=["operations"],
    responses={401: ERROR_RESPONSES[401], 403: {"description": "Not an admin"}},
)


@router.get("/doctor")
async def doctor(rt: RuntimeDep, who: PrincipalDep) -> dict[str, Any]:
    """What ``learnpath doctor`` reports, from this server: configuration (secrets masked),
    database, broker, model endpoint and one small structured call per configured model."""
    if not who.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only an admin may run the doctor")
    report = await diagnose(rt.settings, rt.db, rt.llm.provider)
    return report.as_json()
