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
from learnpath.web.messages import FormField, field_errors, limits
from learnpath.web.session import Viewer, page, redirect

router = APIRouter(route_class=PageRoute, include_in_schema=False)
FAVICON = Path(__file__).with_name("static") / "favicon.svg"
FIELDS = {
    "goal": FormField("Goal"),
    "current_level": FormField("Current level"),
    "hours_per_week": FormField("Hours per week"),
    "target_weeks": FormField("Target weeks"),
    "motivation": FormField("Motivation"),
    "background": FormField("Background"),
    "learning_styles": FormField("Learning styles"),
    "language": FormField("Language", "a language tag such as en, de or pt-BR"),
}
"""The new-roadmap form's fields (those of :class:`LearnerRequest`), in the form's order."""
TEXT_FIELDS = tuple(name for name in FIELDS if name != "learning_styles")


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
        "problems": list(errors.items()),
        "limits": {name: limits(LearnerRequest, name) for name in FIELDS},
        "levels": [level.value for level in Level],
        "styles": [style.value for style in LearningStyle],
    }


@router.get("/new")
async def new_form(request: Request, who: Viewer) -> Response:
    defaults = {"current_level": "beginner", "hours_per_week": "8", "language": "en"}
    return page(request, "new.html", _new_context({**defaults, "learning_styles": []}, {}))


@router.post("/new")
async def new(request: Request, rt: RuntimeDep, who: Viewer) -> Response:
    """Validate with the API's own :class:`LearnerRequest`; each error is a sentence next to
    its field, and all of them are listed at the top of the form."""
    form = await posted(request)
    values: dict[str, Any] = {name: text(form, name) for name in TEXT_FIELDS}
    values["learning_styles"] = [s for s in form.getlist("learning_styles") if isinstance(s, str)]
    data = {k: v for k, v in values.items() if v not in ("", None)}
    try:
        learner = LearnerRequest.model_validate(data)
    except ValidationError as error:
        errors = field_errors(LearnerRequest, error, FIELDS)
        return page(request, "new.html", _new_context(values, errors), 422)
    view = await tasks.submit_roadmap(rt, learner, user_id=who.user_id)
    return redirect(request, f"/tasks/{view.task_id}")
