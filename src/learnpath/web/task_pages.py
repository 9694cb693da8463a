"""The task pages: my tasks, one task's progress and review, cancel and retry."""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from learnpath.api.deps import RuntimeDep
from learnpath.api.schemas import ReviewRequest
from learnpath.domain.tasks import STEP_LABELS, TaskStatus, TaskType, step_label
from learnpath.errors import RoadmapNotFound
from learnpath.service import learner, roadmaps, tasks
from learnpath.service.views import TaskView
from learnpath.web.errors import PageRoute
from learnpath.web.forms import posted, safe_next, text
from learnpath.web.framework_form import from_framework
from learnpath.web.framework_problems import editor_context
from learnpath.web.messages import FormField, field_errors
from learnpath.web.session import Viewer, page, redirect
from learnpath.web.task_log import FILTERS, compact, shows, task_title
from learnpath.web.views import marks, phases, task_signature

router = APIRouter(route_class=PageRoute, include_in_schema=False)
RETRYABLE = frozenset({TaskStatus.failed, TaskStatus.cancelled, TaskStatus.partial_failure})


@router.get("/tasks")
async def task_list(
    request: Request, rt: RuntimeDep, who: Viewer, status: TaskStatus | None = None
) -> Response:
    listed = await tasks.list_task_views(rt, user_id=who.user_id, status=status, limit=200)
    context = {
        "listed": listed,
        "status": status,
        "retryable": RETRYABLE,
        "task_title": task_title,
        "step_label": step_label,
    }
    return page(request, "tasks.html", context)


async def _task_context(rt: RuntimeDep, task_id: str, who: Viewer) -> dict[str, Any]:
    view = await tasks.get_task_view(rt, task_id, who.user_id)
    context: dict[str, Any] = {
        "task": view,
        "title": task_title(view),
        "step_label": step_label,
        "phases": phases(view),
        "signature": task_signature(view),
        "retryable": view.status in RETRYABLE,
        "framework": None,
        "intent": None,
        "feedback": "",
        "feedback_error": None,
        "saved": False,
        "unsaved": False,
        "problems": [],
    }
    if view.roadmap_id and view.status == TaskStatus.human_review_pending:
        context |= await _review_context(rt, view.roadmap_id, task_id, who)
    return context


async def _review_context(
    rt: RuntimeDep, roadmap_id: str, task_id: str, who: Viewer
) -> dict[str, Any]:
    """The framework in review, its editor, the review rounds so far, and what the last
    revision changed (marked in the framework)."""
    bundle = await roadmaps.bundle(rt, roadmap_id, who.user_id)
    url = f"/tasks/{quote(task_id, safe='')}"
    return {
        "framework": bundle.framework,
        "intent": bundle.intent,
        "history": await learner.reviews(rt, roadmap_id, who.user_id),
        "marks": marks(await learner.unreviewed_changes(rt, roadmap_id, who.user_id)),
        **editor_context(from_framework(bundle.framework), [], f"{url}/framework", url),
    }


async def task_page_context(
    rt: RuntimeDep, task_id: str, who: Viewer, shown: str
) -> dict[str, Any]:
    """The whole page's: the followed part, and the compact log filtered by ``shown``."""
    context = await _task_context(rt, task_id, who)
    view: TaskView = context["task"]
    if view.roadmap_id and view.task_type != TaskType.creation:
        with contextlib.suppress(RoadmapNotFound):  # deleted since: named by the goal
            framework = await roadmaps.get_framework(rt, view.roadmap_id, who.user_id)
            context["title"] = task_title(view, framework)
    events = await tasks.task_events(rt, task_id, who.user_id)
    context["log_lines"] = compact(events)
    context["log_after"] = events[-1].seq if events else 0
    context["shown"] = shown if shown in FILTERS else "all"
    context["filters"], context["shows"], context["step_labels"] = FILTERS, shows, STEP_LABELS
    return context


@router.get("/tasks/{task_id}")
async def task_page(
    request: Request,
    task_id: str,
    rt: RuntimeDep,
    who: Viewer,
    log: str = "all",
    saved: bool = False,
) -> Response:
    """``saved``: the framework editor's save just landed here (post/redirect/get)."""
    context = await task_page_context(rt, task_id, who, log)
    context["saved"] = saved
    return page(request, "task.html", context)


@router.get("/tasks/{task_id}/live")
async def task_live(request: Request, task_id: str, rt: RuntimeDep, who: Viewer) -> Response:
    """The part of the task page that follows the task, for the page's script to swap in."""
    return page(request, "task_live.html", await _task_context(rt, task_id, who))


@router.post("/tasks/{task_id}/cancel")
async def task_cancel(request: Request, task_id: str, rt: RuntimeDep, who: Viewer) -> Response:
    form = await posted(request)
    await tasks.cancel(rt, task_id, who.user_id)
    return redirect(request, safe_next(text(form, "next") or f"/tasks/{task_id}"))


@router.post("/tasks/{task_id}/retry")
async def task_retry(request: Request, task_id: str, rt: RuntimeDep, who: Viewer) -> Response:
    form = await posted(request)
    await tasks.retry(rt, task_id, who.user_id)
    return redirect(request, safe_next(text(form, "next") or f"/tasks/{task_id}"))


REVIEW_FIELDS = {"feedback": FormField("Feedback")}
NO_FEEDBACK = "Say what should change: feedback is required to request changes"


def _review_problem(approved: bool, feedback: str) -> str | None:
    """What is wrong with a decision before the service is asked: a reject says what to change,
    feedback fits the API's :class:`ReviewRequest`."""
    if not approved and not feedback:
        return NO_FEEDBACK
    try:
        ReviewRequest(approved=approved, feedback=feedback or None)
    except ValidationError as error:
        return field_errors(ReviewRequest, error, REVIEW_FIELDS)["feedback"]
    return None


@router.post("/tasks/{task_id}/review")
async def task_review(request: Request, task_id: str, rt: RuntimeDep, who: Viewer) -> Response:
    """A refused decision shows the page again: what was wrong at the top of the page (where
    the browser's focus goes) and next to the feedback field, the text kept."""
    form = await posted(request)
    approved = text(form, "decision") == "approve"
    feedback = text(form, "feedback")
    problem = _review_problem(approved, feedback)
    if problem is None:
        await tasks.review(rt, task_id, approved, feedback or None, who.user_id)
        return redirect(request, f"/tasks/{quote(task_id, safe='')}")
    context = await task_page_context(rt, task_id, who, "all")
    context["feedback"] = feedback
    context["feedback_error"] = problem
    context["problems"] = [("feedback", problem)]
    return page(request, "task.html", context, 422)


@router.get("/tasks/{task_id}/cancel")
@router.get("/tasks/{task_id}/retry")
@router.get("/tasks/{task_id}/review")
async def task_form_revisited(request: Request, task_id: str) -> Response:
    """A form's address visited again (back, forward, a reload of a refusal, a bookmark): the
    page the form is on, never a "method not allowed"."""
    return redirect(request, f"/tasks/{quote(task_id, safe='')}")
