"""The framework editor's pages: a person's direct edit of the framework (docs/contract.md §4,
the same service call as ``PUT /roadmaps/{id}/framework``), on the review page of a task and,
after generation, on the roadmap's own edit page.

The form posts every field (:mod:`learnpath.web.framework_form`). A structural action
(add, remove, move) shows the form again with the change applied and nothing saved; Save
either saves the whole framework and redirects (post/redirect/get: the page it lands on says
"Saved", and a reload sends nothing) or saves nothing and shows each problem next to its field
(:mod:`learnpath.web.framework_problems`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from learnpath.api.deps import RuntimeDep
from learnpath.errors import Conflict, Invalid
from learnpath.service import learner, roadmaps, tasks
from learnpath.web.errors import PageRoute
from learnpath.web.forms import posted, text
from learnpath.web.framework_form import (
    MAX_FIELDS,
    Json,
    apply_action,
    framework_data,
    from_framework,
)
from learnpath.web.framework_problems import Problem, check, editor_context, rule_problems
from learnpath.web.session import Viewer, page, redirect
from learnpath.web.task_pages import task_page_context

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@dataclass(frozen=True)
class Submitted:
    data: Json
    """The framework as the form holds it, with the posted action applied."""
    problems: list[Problem]
    saved: bool
    status: int = 200
    """The status of the page that shows the form again: 422 refused, 409 not editable now."""


async def submit(request: Request, rt: RuntimeDep, roadmap_id: str, who: Viewer) -> Submitted:
    """Apply the posted action, or save: all of the framework or, when any of it is refused,
    none of it."""
    form = await posted(request, max_fields=MAX_FIELDS)
    data = framework_data(form)
    action = text(form, "action") or "save"
    if action != "save":
        apply_action(data, action)
        return Submitted(data, [], saved=False)
    draft, problems = check(data)
    if draft is None:
        return Submitted(data, problems, saved=False, status=422)
    try:
        await roadmaps.edit_framework(rt, roadmap_id, draft.model_dump(), who.user_id)
    except Invalid as refused:
        return Submitted(data, rule_problems(data, refused.errors), saved=False, status=422)
    except Conflict as busy:  # content is being generated: the edits stay in the form
        return Submitted(data, [("", f"Not saved: {busy}.")], saved=False, status=409)
    return Submitted(data, [], saved=True)


def _task_url(task_id: str) -> str:
    return f"/tasks/{quote(task_id, safe='')}"


@router.post("/tasks/{task_id}/framework")
async def task_framework(request: Request, task_id: str, rt: RuntimeDep, who: Viewer) -> Response:
    view = await tasks.get_task_view(rt, task_id, who.user_id)
    if view.roadmap_id is None:  # a task with no roadmap has no framework to edit
        return redirect(request, _task_url(task_id))
    done = await submit(request, rt, view.roadmap_id, who)
    if done.saved:
        return redirect(request, f"{_task_url(task_id)}?saved=1#review")
    context = await task_page_context(rt, task_id, who, "all")
    action = f"{_task_url(task_id)}/framework"
    context |= editor_context(done.data, done.problems, action, _task_url(task_id))
    context["unsaved"] = True
    return page(request, "task.html", context, done.status)


async def _roadmap_edit_context(rt: RuntimeDep, roadmap_id: str, who: Viewer) -> dict[str, Any]:
    framework = await roadmaps.get_framework(rt, roadmap_id, who.user_id)
    url = f"/roadmaps/{quote(roadmap_id, safe='')}"
    return {
        "framework": framework,
        "history": await learner.reviews(rt, roadmap_id, who.user_id),
        "saved": False,
        "unsaved": False,
        **editor_context(from_framework(framework), [], f"{url}/edit", url),
    }


@router.get("/roadmaps/{roadmap_id}/edit")
async def roadmap_edit(
    request: Request, roadmap_id: str, rt: RuntimeDep, who: Viewer, saved: bool = False
) -> Response:
    context = await _roadmap_edit_context(rt, roadmap_id, who)
    context["saved"] = saved
    return page(request, "roadmap_edit.html", context)


@router.post("/roadmaps/{roadmap_id}/edit")
async def roadmap_edit_post(
    request: Request, roadmap_id: str, rt: RuntimeDep, who: Viewer
) -> Response:
    done = await submit(request, rt, roadmap_id, who)
    url = f"/roadmaps/{quote(roadmap_id, safe='')}"
    if done.saved:
        return redirect(request, f"{url}/edit?saved=1")
    context = await _roadmap_edit_context(rt, roadmap_id, who)
    context |= editor_context(done.data, done.problems, f"{url}/edit", url)
    context["unsaved"] = True
    return page(request, "roadmap_edit.html", context, done.status)


@router.get("/tasks/{task_id}/framework")
async def task_framework_revisited(request: Request, task_id: str) -> Response:
    """The editor's address visited again: the task page it is on."""
    return redirect(request, _task_url(task_id))
