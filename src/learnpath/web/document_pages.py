"""The Documents area (docs/contract.md §7): my document jobs, the new-document form with its
uploaded context files, and a job's page: live progress, cancel and retry, the outline
editor of a finished outline job, the reading view and downloads of a finished document.
Everything goes through :mod:`learnpath.service.jobs`, as the API does; a job is a task, so
cancel and retry are :mod:`learnpath.service.tasks`'s."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup
from pydantic import ValidationError

from learnpath.api.deps import RuntimeDep
from learnpath.domain.jobs import MAX_FILE_BYTES, MAX_FILES, OutlineJobRequest
from learnpath.domain.outline import Outline
from learnpath.domain.tasks import TaskStatus, TaskType, step_label
from learnpath.service import jobs, tasks
from learnpath.web.document_views import chapter_states, job_signature, job_steps
from learnpath.web.errors import PageRoute
from learnpath.web.forms import posted, text
from learnpath.web.messages import FormField, field_errors, limits
from learnpath.web.outline_editor import Editor, document_request, from_form, from_outline
from learnpath.web.outline_form import applied
from learnpath.web.session import Viewer, page, redirect
from learnpath.web.uploads import ROLE_LABELS, ROLES, SLOTS, context_files

router = APIRouter(route_class=PageRoute, include_in_schema=False)
RETRYABLE = frozenset({TaskStatus.failed, TaskStatus.cancelled, TaskStatus.partial_failure})
FINISHED = frozenset({TaskStatus.completed, TaskStatus.partial_failure})
PROMPT_FIELDS = {"task_prompt": FormField("The prompt")}
MAX_UPLOAD = MAX_FILES * MAX_FILE_BYTES + (1 << 20)
"""A form's body: ten context files of 2 MB and the form's other fields."""


def _job_path(job_id: str, rest: str = "") -> str:
    return f"/documents/{quote(job_id, safe='')}{rest}"


@router.get("/documents")
async def document_list(request: Request, rt: RuntimeDep, who: Viewer) -> Response:
    listed = await jobs.list_jobs(rt, who.user_id, limit=200)
    return page(request, "documents.html", {"listed": listed, "step_label": step_label})


def _new_context(values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    return {
        "values": values,
        "errors": errors,
        "problems": [(name, message) for name, message in errors.items()],
        "prompt_limits": limits(OutlineJobRequest, "task_prompt"),
        "max_files": MAX_FILES,
        "slots": range(1, SLOTS + 1),
        "roles": [(role, ROLE_LABELS[role]) for role in ROLES],
    }


@router.get("/documents/new")
async def new_document_form(request: Request, who: Viewer) -> Response:
    return page(request, "document_new.html", _new_context({"online": True}, {}))


@router.post("/documents/new", max_body_size=MAX_UPLOAD)
async def new_document(request: Request, rt: RuntimeDep, who: Viewer) -> Response:
    """Start an outline job; a refused prompt or file shows the form again, each sentence
    next to its field and listed at the top, and nothing is created."""
    form = await posted(request)
    values = {"task_prompt": text(form, "task_prompt"), "online": form.get("online") == "on"}
    files, file_problems = await context_files(form)
    errors: dict[str, str] = {}
    try:
        job = OutlineJobRequest(
            task_prompt=values["task_prompt"], online=values["online"], context_files=files
        )
    except ValidationError as error:
        errors = field_errors(OutlineJobRequest, error, PROMPT_FIELDS)
    if file_problems:
        errors["context-files"] = "; ".join(file_problems)
    if errors:
        return page(request, "document_new.html", _new_context(values, errors), 422)
    view = await jobs.submit_outline(rt, job, user_id=who.user_id)
    return redirect(request, _job_path(view.job_id))


async def _live_context(rt: RuntimeDep, job_id: str, who: Viewer) -> dict[str, Any]:
    job = await jobs.get_job(rt, job_id, who.user_id)
    inputs = await jobs.job_inputs(rt, job_id, who.user_id)
    chapters = []
    if job.task_type == TaskType.document_generation:
        events = await tasks.task_events(rt, job_id, who.user_id)
        chapters = chapter_states(inputs.outline, events, job.result)
    return {
        "job": job,
        "steps": job_steps(job),
        "chapters": chapters,
        "signature": job_signature(job),
        "step_label": step_label,
        "retryable": job.status in RETRYABLE,
        "is_outline": job.task_type == TaskType.document_outline,
    }


async def _page_context(
    rt: RuntimeDep, job_id: str, who: Viewer, editor: Editor | None = None
) -> dict[str, Any]:
    """The job page's: its live part, and once it finished, the outline editor (``editor``
    when a form sent one back) or the reading view."""
    context = await _live_context(rt, job_id, who)
    job = context["job"]
    context.update(editor=None, reading=None, problems=[])
    if job.status not in FINISHED or job.result is None:
        return context
    if context["is_outline"]:
        outline = Outline.model_validate(job.result["outline"])
        context.update((editor or from_outline(outline)).context())
    else:
        # Sanitised by the service (export.document): it goes into the page as it is.
        context["reading"] = Markup(await jobs.reading_html(rt, job_id, who.user_id))
        document = job.result["document"]
        context["document"] = document
        context["failed_chapters"] = [c for c in document["chapters"] if c["status"] == "failed"]
    return context


@router.get("/documents/{job_id}")
async def document_page(request: Request, job_id: str, rt: RuntimeDep, who: Viewer) -> Response:
    return page(request, "document.html", await _page_context(rt, job_id, who))


@router.get("/documents/{job_id}/live")
async def document_live(request: Request, job_id: str, rt: RuntimeDep, who: Viewer) -> Response:
    """The part of the job page that follows the job, for the page's script to swap in."""
    return page(request, "document_live.html", await _live_context(rt, job_id, who))


@router.post("/documents/{job_id}/outline")
async def outline_edit(request: Request, job_id: str, rt: RuntimeDep, who: Viewer) -> Response:
    """An editor button: an edit (the page again, with the change applied) or "write",
    which starts the document job from the edited outline and goes to its page."""
    form = await posted(request)
    editor = from_form(form)
    action = text(form, "action")
    if action == "write":
        source = await jobs.get_job(rt, job_id, who.user_id)
        inputs = await jobs.job_inputs(rt, job_id, who.user_id)
        wanted = document_request(editor, job_id, source.title, inputs.guidance)
        if wanted is not None:
            view = await jobs.submit_document(rt, wanted, user_id=who.user_id)
            return redirect(request, _job_path(view.job_id))
        context = await _page_context(rt, job_id, who, editor)
        return page(request, "document.html", context, 422)
    editor.rows = applied(editor.rows, action)
    context = await _page_context(rt, job_id, who, editor)
    context["edited"] = True
    return page(request, "document.html", context)


@router.post("/documents/{job_id}/cancel")
async def document_cancel(request: Request, job_id: str, rt: RuntimeDep, who: Viewer) -> Response:
    await posted(request)
    await jobs.get_job(rt, job_id, who.user_id)
    await tasks.cancel(rt, job_id, who.user_id)
    return redirect(request, _job_path(job_id))


@router.post("/documents/{job_id}/retry")
async def document_retry(request: Request, job_id: str, rt: RuntimeDep, who: Viewer) -> Response:
    """A document retry rewrites only the failed chapters (the service's)."""
    await posted(request)
    await jobs.get_job(rt, job_id, who.user_id)
    await tasks.retry(rt, job_id, who.user_id)
    return redirect(request, _job_path(job_id))


@router.get("/documents/{job_id}/outline")
@router.get("/documents/{job_id}/cancel")
@router.get("/documents/{job_id}/retry")
async def document_form_revisited(request: Request, job_id: str) -> Response:
    """A form's address visited again (back, forward, a reload, a bookmark): the job's
    page, never a "method not allowed"."""
    return redirect(request, _job_path(job_id))
