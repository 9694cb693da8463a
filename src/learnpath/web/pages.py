"""The pages that are neither a task's nor a roadmap's: home, the code stylesheet, the icon,
and the new-roadmap form. Every action goes through the service layer, as the API does; the other
pages are :mod:`learnpath.web.signin`, :mod:`learnpath.web.task_pages` and
:mod:`learnpath.web.roadmap_pages`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from pydantic import ValidationError

from learnpath.api.deps import RuntimeDep
from learnpath.domain.request import LearnerRequest, LearningStyle, Level
from learnpath.service import tasks
from learnpath.web.errors import PageRoute
from learnpath.web.forms import posted, text
from learnpath.web.highlight import STYLESHEET
from learnpath.web.session import Viewer, page, redirect

router = APIRouter(route_class=PageRoute, include_in_schema=False)
FAVICON = Path(__file__).with_name("static") / "favicon.svg"
REQUEST_FIELDS = (
    "goal",
    "current_level",
    "hours_per_week",
    "target_weeks",
    "motivation",
    "background",
    "language",
)


@router.get("/")
async def home(request: Request, who: Viewer) -> Response:
    return redirect(request, "/roadmaps")


@router.get("/static-generated/highlight.css")
async def highlight_css() -> Response:
    return Response(STYLESHEET, media_type="text/css")


@router.get("/favicon.ico")
async def favicon() -> Response:
    """Where browsers look for the site's icon unasked: the same drawing as the pages link."""
    return FileResponse(FAVICON, media_type="image/svg+xml")


def _new_context(values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    return {
        "values": values,
        "errors": errors,
        "levels": [level.value for level in Level],
        "styles": [style.value for style in LearningStyle],
    }


@router.get("/new")
async def new_form(request: Request, who: Viewer) -> Response:
    defaults = {"current_level": "beginner", "hours_per_week": "8", "language": "en"}
    return page(request, "new.html", _new_context({**defaults, "learning_styles": []}, {}))


@router.post("/new")
async def new(request: Request, rt: RuntimeDep, who: Viewer) -> Response:
    """Validate with the API's own :class:`LearnerRequest`; errors go next to their fields."""
    form = await posted(request)
    values: dict[str, Any] = {name: text(form, name) for name in REQUEST_FIELDS}
    values["learning_styles"] = [s for s in form.getlist("learning_styles") if isinstance(s, str)]
    data = {k: v for k, v in values.items() if v not in ("", None)}
    try:
        learner = LearnerRequest.model_validate(data)
    except ValidationError as error:
        errors: dict[str, str] = {}
        for problem in error.errors():
            field = str(problem["loc"][0]) if problem["loc"] else "goal"
            errors.setdefault(field, problem["msg"])
        return page(request, "new.html", _new_context(values, errors), 422)
    view = await tasks.submit_roadmap(rt, learner, user_id=who.user_id)
    return redirect(request, f"/tasks/{view.task_id}")
