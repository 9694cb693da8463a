"""Tasks: read, list, cancel, retry, review, delete (contract §4)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response, status

from learnpath.api.deps import MAX_INT, PrincipalDep, RuntimeDep
from learnpath.api.errors import BUDGET, CONFLICT, ERROR_RESPONSES
from learnpath.api.schemas import GenerateRequest, ReviewRequest, TaskAccepted
from learnpath.domain.request import LearnerRequest
from learnpath.domain.tasks import TaskStatus, TaskType
from learnpath.service import tasks
from learnpath.service.views import RetryResult, TaskList, TaskView

router = APIRouter(tags=["tasks"], responses=ERROR_RESPONSES)

Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=MAX_INT)]


@router.post("/roadmaps/generate", status_code=status.HTTP_202_ACCEPTED, responses=BUDGET)
async def generate(body: GenerateRequest, rt: RuntimeDep, who: PrincipalDep) -> TaskAccepted:
    """Start a roadmap: intent analysis, curriculum design, review, then content."""
    request = LearnerRequest.model_validate(body.model_dump(exclude={"auto_approve"}))
    view = await tasks.submit_roadmap(
        rt, request, user_id=who.user_id, auto_approve=body.auto_approve
    )
    return TaskAccepted(task_id=view.task_id, status=view.status)


@router.get("/tasks/{task_id}")
async def get_task(task_id: str, rt: RuntimeDep, who: PrincipalDep) -> TaskView:
    return await tasks.get_task_view(rt, task_id, who.user_id)


@router.get("/tasks")
async def list_tasks(
    rt: RuntimeDep,
    who: PrincipalDep,
    task_type: TaskType | None = None,
    status: TaskStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> TaskList:
    """The caller's tasks, newest first, with a count for every status."""
    return await tasks.list_task_views(
        rt, user_id=who.user_id, task_type=task_type, status=status, limit=limit, offset=offset
    )


@router.get("/users/{user_id}/tasks", responses={403: {"description": "Not that user"}})
async def list_user_tasks(
    user_id: str,
    rt: RuntimeDep,
    who: PrincipalDep,
    task_type: TaskType | None = None,
    status: TaskStatus | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> TaskList:
    """A user's tasks: only for that user or an admin."""
    if not who.is_admin and who.user_id != user_id:
        raise HTTPException(403, "only the user themself or an admin may list these tasks")
    return await tasks.list_task_views(
        rt, user_id=user_id, task_type=task_type, status=status, limit=limit, offset=offset
    )


@router.post("/tasks/{task_id}/cancel", responses=CONFLICT)
async def cancel(task_id: str, rt: RuntimeDep, who: PrincipalDep) -> TaskView:
    return await tasks.cancel(rt, task_id, who.user_id)


@router.post("/tasks/{task_id}/retry", responses={**CONFLICT, **BUDGET})
async def retry(task_id: str, rt: RuntimeDep, who: PrincipalDep) -> RetryResult:
    """Recover under the same task and roadmap ids; the recovery depends on where it stopped."""
    return await tasks.retry(rt, task_id, who.user_id)


@router.post("/tasks/{task_id}/review", responses=CONFLICT)
async def review(task_id: str, body: ReviewRequest, rt: RuntimeDep, who: PrincipalDep) -> TaskView:
    """Approve the framework, or reject it with feedback (required) for the editor agent."""
    return await tasks.review(rt, task_id, body.approved, body.feedback, who.user_id)


@router.delete("/tasks/{task_id}", status_code=status.HTTP_204_NO_CONTENT, responses=CONFLICT)
async def delete_task(task_id: str, rt: RuntimeDep, who: PrincipalDep) -> Response:
    """Delete a finished task and its events; its roadmap stays, with its content, review
    history and model usage. An active task (``pending``, ``processing``,
    ``human_review_pending``) is a 409: cancel it first."""
    await tasks.delete(rt, task_id, who.user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
