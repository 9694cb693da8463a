"""Document jobs (docs/contract.md §7): outline and document jobs, their views, downloads.

A job is a task: its cancel and retry are the tasks' own, and its events are served by
:mod:`learnpath.api.routes.events` at ``/jobs/{job_id}/events``."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel

from learnpath.api.deps import MAX_INT, PrincipalDep, RuntimeDep
from learnpath.api.errors import BUDGET, CONFLICT, ERROR_RESPONSES
from learnpath.domain.jobs import DocumentJobRequest, OutlineJobRequest
from learnpath.domain.tasks import TaskStatus
from learnpath.service import jobs, tasks
from learnpath.service.views import JobList, JobView, RetryResult

router = APIRouter(tags=["jobs"], responses=ERROR_RESPONSES)

MAX_JOB_BODY = 48 * 1024 * 1024
"""Ten context files of 2 MB each, with room for JSON escaping (``\\uXXXX``)."""
BODY_LIMITS = {"/api/v1/jobs/outline": MAX_JOB_BODY, "/api/v1/jobs/document": MAX_JOB_BODY}
"""Paths whose bodies may be larger than ``LEARNPATH_MAX_BODY_BYTES`` (the input boundary)."""
TOO_LARGE: dict[int | str, dict[str, object]] = {
    413: {"description": "The body is larger than ten context files of 2 MB allow"}
}


class JobAccepted(BaseModel):
    job_id: str
    status: TaskStatus


@router.post(
    "/jobs/outline",
    status_code=status.HTTP_202_ACCEPTED,
    responses={**BUDGET, **CONFLICT, **TOO_LARGE},
    max_body_size=MAX_JOB_BODY,
)
async def outline_job(body: OutlineJobRequest, rt: RuntimeDep, who: PrincipalDep) -> JobAccepted:
    """Research the prompt and draft an outline a person can edit; 409 if ``job_id`` is
    taken."""
    view = await jobs.submit_outline(rt, body, user_id=who.user_id)
    return JobAccepted(job_id=view.job_id, status=view.status)


@router.post(
    "/jobs/document",
    status_code=status.HTTP_202_ACCEPTED,
    responses={**BUDGET, **CONFLICT, **TOO_LARGE},
    max_body_size=MAX_JOB_BODY,
)
async def document_job(body: DocumentJobRequest, rt: RuntimeDep, who: PrincipalDep) -> JobAccepted:
    """Write the document of an outline, chapter by chapter, citing its sources; an invalid
    outline is a 422 naming the node."""
    view = await jobs.submit_document(rt, body, user_id=who.user_id)
    return JobAccepted(job_id=view.job_id, status=view.status)


@router.get("/jobs/{job_id}")
async def get_job(job_id: str, rt: RuntimeDep, who: PrincipalDep) -> JobView:
    return await jobs.get_job(rt, job_id, who.user_id)


@router.get("/jobs")
async def list_jobs(
    rt: RuntimeDep,
    who: PrincipalDep,
    status: TaskStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
) -> JobList:
    """The caller's jobs, newest first, without their results."""
    return await jobs.list_jobs(rt, who.user_id, status=status, limit=limit, offset=offset)


@router.post("/jobs/{job_id}/cancel", responses=CONFLICT)
async def cancel_job(job_id: str, rt: RuntimeDep, who: PrincipalDep) -> JobView:
    await jobs.get_job(rt, job_id, who.user_id)
    await tasks.cancel(rt, job_id, who.user_id)
    return await jobs.get_job(rt, job_id, who.user_id)


@router.post("/jobs/{job_id}/retry", responses={**CONFLICT, **BUDGET})
async def retry_job(job_id: str, rt: RuntimeDep, who: PrincipalDep) -> RetryResult:
    """Recover the job under the same id: a document job rewrites only its failed chapters."""
    await jobs.get_job(rt, job_id, who.user_id)
    return await tasks.retry(rt, job_id, who.user_id)


@router.get(
    "/jobs/{job_id}/document",
    responses={
        **CONFLICT,
        200: {
            "description": "The finished document as a download",
            "content": {media: {} for media in jobs.MEDIA_TYPES.values()},
        },
    },
)
async def download_document(
    job_id: str, rt: RuntimeDep, who: PrincipalDep, format: Literal["md", "html", "docx"] = "md"
) -> Response:
    """The document of a finished job; 409 while it has none."""
    found = await jobs.download(rt, job_id, format, who.user_id)
    return Response(
        found.body,
        media_type=found.media_type,
        headers={"Content-Disposition": f'attachment; filename="{found.file_name}"'},
    )
