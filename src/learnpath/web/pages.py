"""The pages: sign-in, new roadmap, task (progress and review), roadmap viewer, my tasks and
my roadmaps. Every action goes through the service layer, as the API does."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from learnpath.api.deps import TOKEN_COOKIE, RuntimeDep
from learnpath.api.routes.auth import sign_in
from learnpath.api.schemas import ReviewRequest
from learnpath.api.security import clear_session_cookie, set_session_cookie
from learnpath.api.throttle import LoginThrottled
from learnpath.domain.content import ContentType
from learnpath.domain.request import LearnerRequest, LearningStyle, Level
from learnpath.domain.roadmap import Concept
from learnpath.domain.tasks import TaskStatus
from learnpath.domain.text import printable, unstorable
from learnpath.errors import BadCredentials, ContentNotFound, Invalid
from learnpath.service import content, roadmaps, tasks, users
from learnpath.service.content import QuizAnswers
from learnpath.service.links import link_states
from learnpath.web.csrf import CSRF_COOKIE, CSRF_FIELD, check_form
from learnpath.web.highlight import STYLESHEET, render_tutorial
from learnpath.web.session import PageRoute, Viewer, page, redirect
from learnpath.web.views import items_of, phases, roadmap_signature, task_signature

router = APIRouter(route_class=PageRoute, include_in_schema=False)
RETRYABLE = frozenset({TaskStatus.failed, TaskStatus.cancelled, TaskStatus.partial_failure})
MAX_PASSWORD = 1000
REQUEST_FIELDS = (
    "goal",
    "current_level",
    "hours_per_week",
    "target_weeks",
    "motivation",
    "background",
    "language",
)


async def posted(request: Request) -> FormData:
    """The submitted form, once its CSRF token matched the cookie and no field holds text
    that cannot be stored (a 422 naming the field)."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    check_form(request.cookies.get(CSRF_COOKIE), sent if isinstance(sent, str) else None)
    unsafe = [
        {"type": "string_unstorable", "loc": ["body", printable(name)], "msg": problem}
        for name, value in form.multi_items()
        if isinstance(value, str) and (problem := unstorable(name) or unstorable(value))
    ]
    if unsafe:
        raise RequestValidationError(unsafe)
    return form


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def safe_next(target: str) -> str:
    """Only a path on this site: never ``//host`` or an absolute URL."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/")
async def home(request: Request, who: Viewer) -> Response:
    return redirect(request, "/roadmaps")


@router.get("/static-generated/highlight.css")
async def highlight_css() -> Response:
    return Response(STYLESHEET, media_type="text/css")


# -- sign in ---------------------------------------------------------------------------------
@router.get("/signin")
async def signin_form(request: Request, next: str = "/") -> Response:
    if request.app.state.local:
        return redirect(request, safe_next(next))
    return page(request, "signin.html", {"next": safe_next(next), "email": "", "error": None})


@router.post("/signin")
async def signin(request: Request, rt: RuntimeDep) -> Response:
    form = await posted(request)
    email, target = text(form, "email"), safe_next(text(form, "next") or "/")
    password = form.get("password")
    if not isinstance(password, str) or len(password) > MAX_PASSWORD:
        password = ""  # as the API's login form, no longer than that: never right
    try:
        token = await sign_in(request, rt, email, password)
    except BadCredentials:
        error = "Wrong email or password."
        context = {"next": target, "email": email, "error": error}
        return page(request, "signin.html", context, 401)
    except LoginThrottled as throttled:
        error = (
            "Too many failed sign-ins for this account or from this address: try again in "
            f"{_minutes(throttled.retry_after_s)}."
        )
        context = {"next": target, "email": email, "error": error}
        answer = page(request, "signin.html", context, 429)
        answer.headers["Retry-After"] = str(throttled.retry_after_s)
        return answer
    response = redirect(request, target)
    set_session_cookie(request, response, token, rt.settings.token_ttl_s)
    return response


def _minutes(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} seconds"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@router.post("/signout")
async def signout(request: Request, rt: RuntimeDep) -> Response:
    """Ends the session on the server too: the cookie's token stops working anywhere."""
    await posted(request)
    if request.app.state.local is False and (token := request.cookies.get(TOKEN_COOKIE)):
        await users.end_session_of_token(rt, token)
    response = redirect(request, "/signin")
    clear_session_cookie(request, response)
    return response


# -- new roadmap -----------------------------------------------------------------------------
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


# -- tasks -----------------------------------------------------------------------------------
@router.get("/tasks")
async def task_list(
    request: Request, rt: RuntimeDep, who: Viewer, status: TaskStatus | None = None
) -> Response:
    listed = await tasks.list_task_views(rt, user_id=who.user_id, status=status, limit=200)
    context = {"listed": listed, "status": status, "retryable": RETRYABLE}
    return page(request, "tasks.html", context)


async def _task_context(rt: RuntimeDep, task_id: str, who: Viewer) -> dict[str, Any]:
    view = await tasks.get_task_view(rt, task_id, who.user_id)
    context: dict[str, Any] = {
        "task": view,
        "phases": phases(view),
        "signature": task_signature(view),
        "retryable": view.status in RETRYABLE,
        "framework": None,
        "intent": None,
        "feedback": "",
        "feedback_error": None,
    }
    if view.roadmap_id and view.status == TaskStatus.human_review_pending:
        bundle = await roadmaps.bundle(rt, view.roadmap_id, who.user_id)
        context["framework"], context["intent"] = bundle.framework, bundle.intent
    return context


@router.get("/tasks/{task_id}")
async def task_page(request: Request, task_id: str, rt: RuntimeDep, who: Viewer) -> Response:
    return page(request, "task.html", await _task_context(rt, task_id, who))


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


@router.post("/tasks/{task_id}/review")
async def task_review(request: Request, task_id: str, rt: RuntimeDep, who: Viewer) -> Response:
    form = await posted(request)
    approved = text(form, "decision") == "approve"
    feedback = text(form, "feedback")
    try:
        ReviewRequest(approved=approved, feedback=feedback or None)
        await tasks.review(rt, task_id, approved, feedback or None, who.user_id)
    except (Invalid, ValidationError) as error:
        context = await _task_context(rt, task_id, who)
        context["feedback"] = feedback
        context["feedback_error"] = _first_problem(error)
        return page(request, "task.html", context, 422)
    return redirect(request, f"/tasks/{task_id}")


def _first_problem(error: Invalid | ValidationError) -> str:
    if isinstance(error, ValidationError):
        return str(error.errors()[0]["msg"])
    return str(error.errors[0]["message"]) if error.errors else str(error)


# -- roadmaps --------------------------------------------------------------------------------
@router.get("/roadmaps")
async def roadmap_list(request: Request, rt: RuntimeDep, who: Viewer) -> Response:
    listed = await roadmaps.list_roadmaps(rt, who.user_id, include_deleted=True)
    context = {
        "current": [r for r in listed if r.deleted_at is None],
        "deleted": [r for r in listed if r.deleted_at is not None],
    }
    return page(request, "roadmaps.html", context)


@router.post("/roadmaps/{roadmap_id}/delete")
async def roadmap_delete(
    request: Request, roadmap_id: str, rt: RuntimeDep, who: Viewer
) -> Response:
    await posted(request)
    await roadmaps.set_deleted(rt, roadmap_id, True, who.user_id)
    return redirect(request, "/roadmaps")


@router.post("/roadmaps/{roadmap_id}/restore")
async def roadmap_restore(
    request: Request, roadmap_id: str, rt: RuntimeDep, who: Viewer
) -> Response:
    await posted(request)
    await roadmaps.set_deleted(rt, roadmap_id, False, who.user_id)
    return redirect(request, "/roadmaps")


def _pick(concepts: list[Concept], wanted: str | None, completed: list[str]) -> Concept:
    """The concept asked for, else the first one not marked complete, else the first."""
    chosen = next((c for c in concepts if c.concept_id == wanted), None)
    chosen = chosen or next((c for c in concepts if c.concept_id not in completed), None)
    return chosen or concepts[0]


async def _viewer_context(
    rt: RuntimeDep, roadmap_id: str, who: Viewer, concept_id: str | None, tab: str
) -> dict[str, Any]:
    framework, row, progress = await roadmaps.roadmap_detail(rt, roadmap_id, who.user_id)
    active = await roadmaps.active_task(rt, roadmap_id, who.user_id)
    concept = _pick(list(framework.concepts()), concept_id, row.completed_concepts)
    cid = concept.concept_id
    tab = tab if tab in {t.value for t in ContentType} else ContentType.tutorial.value
    context: dict[str, Any] = {
        "framework": framework,
        "progress": progress,
        "completed": set(row.completed_concepts),
        "active": active,
        "concept": concept,
        "items": items_of(concept),
        "tab": tab,
        "signature": roadmap_signature(framework, row.completed_concepts, active.task_id),
        "live_query": urlencode({"concept": cid, "tab": tab}),
        "tutorial": None,
        "tutorial_html": None,
        "resources": None,
        "link_checks": {},
        "quiz": None,
        "grade": None,
    }
    try:
        if tab == "tutorial":
            tutorial = await content.tutorial(rt, roadmap_id, cid, None, who.user_id)
            context["tutorial"] = tutorial
            context["tutorial_html"] = render_tutorial(tutorial.markdown)
        elif tab == "resources":
            listed = await content.resources(rt, roadmap_id, cid, None, who.user_id)
            context["resources"] = listed
            context["link_checks"] = await link_states(
                rt, [str(r["url"]) for r in listed.resources]
            )
        else:
            context["quiz"] = await content.quiz(rt, roadmap_id, cid, None, who.user_id)
    except ContentNotFound:
        pass
    return context


@router.get("/roadmaps/{roadmap_id}")
async def roadmap_page(
    request: Request,
    roadmap_id: str,
    rt: RuntimeDep,
    who: Viewer,
    concept: str | None = None,
    tab: str = "tutorial",
) -> Response:
    context = await _viewer_context(rt, roadmap_id, who, concept, tab)
    return page(request, "roadmap.html", context)


@router.get("/roadmaps/{roadmap_id}/live")
async def roadmap_live(
    request: Request,
    roadmap_id: str,
    rt: RuntimeDep,
    who: Viewer,
    concept: str | None = None,
    tab: str = "tutorial",
) -> Response:
    """The navigator and the concept panel, for the viewer's script to swap in."""
    context = await _viewer_context(rt, roadmap_id, who, concept, tab)
    return page(request, "roadmap_live.html", context)


@router.post("/roadmaps/{roadmap_id}/concepts/{concept_id}/complete")
async def concept_complete(
    request: Request, roadmap_id: str, concept_id: str, rt: RuntimeDep, who: Viewer
) -> Response:
    form = await posted(request)
    done = text(form, "completed") == "true"
    await roadmaps.mark_progress(rt, roadmap_id, concept_id, done, who.user_id)
    return redirect(request, f"/roadmaps/{roadmap_id}?concept={concept_id}")


@router.post("/roadmaps/{roadmap_id}/concepts/{concept_id}/{content_type}/retry")
async def item_retry(
    request: Request,
    roadmap_id: str,
    concept_id: str,
    content_type: ContentType,
    rt: RuntimeDep,
    who: Viewer,
) -> Response:
    """Regenerate one item (the form a page without scripts sends; scripts call the API)."""
    await posted(request)
    await roadmaps.retry_item(rt, roadmap_id, concept_id, content_type, who.user_id)
    query = urlencode({"concept": concept_id, "tab": content_type.value})
    return redirect(request, f"/roadmaps/{roadmap_id}?{query}")


def _option_index(value: str) -> bool:
    """Whether a submitted option reads as an index: ASCII digits, a few of them (``int``
    refuses other Unicode digits, and past 4300 digits)."""
    return value.isascii() and value.isdigit() and len(value) <= 3


@router.post("/roadmaps/{roadmap_id}/concepts/{concept_id}/quiz")
async def quiz_attempt(
    request: Request, roadmap_id: str, concept_id: str, rt: RuntimeDep, who: Viewer
) -> Response:
    """Grade the submitted answers on the server and show the result with explanations."""
    form = await posted(request)
    quiz = await content.quiz(rt, roadmap_id, concept_id, None, who.user_id)
    answers: dict[str, list[int]] = {}
    for question in quiz.questions:
        chosen = [c for c in form.getlist(f"q-{question.question_id}") if isinstance(c, str)]
        answers[question.question_id] = [int(c) for c in chosen if _option_index(c)]
    try:
        submission = QuizAnswers(answers=answers, version=quiz.version)
        grade = await content.grade(rt, roadmap_id, concept_id, submission, who.user_id)
    except (Invalid, ValidationError):
        grade = None
    context = await _viewer_context(rt, roadmap_id, who, concept_id, "quiz")
    context["grade"] = grade
    context["answers"] = answers
    return page(request, "roadmap.html", context, 200 if grade else 422)
