"""Document jobs (docs/contract.md §7): submit an outline or a document job, read them, and
download a finished document. Cancel, retry and events are the tasks' own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from learnpath.domain.document import AssembledDocument
from learnpath.domain.jobs import ContextFile, DocumentJobRequest, JobSettings, OutlineJobRequest
from learnpath.domain.outline import Outline, outline_problems
from learnpath.domain.tasks import DOCUMENT_TYPES, TaskStatus, TaskType
from learnpath.engine.documents.assembly import public_result
from learnpath.engine.runtime import Runtime
from learnpath.errors import Conflict, Invalid, TaskNotFound
from learnpath.export.document import document_body_html, document_docx, document_html
from learnpath.service.budget import check_budget
from learnpath.service.tasks import created_view, task_view, visible_task
from learnpath.service.views import JobList, JobView, TaskView
from learnpath.store import documents
from learnpath.store.database import Session
from learnpath.store.tables import TaskRow
from learnpath.store.tasks import create_task, list_tasks

DocumentFormat = Literal["md", "html", "docx"]
MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True)
class Download:
    file_name: str
    media_type: str
    body: bytes


def checked_outline(outline: Outline) -> Outline:
    """The client's outline, or :class:`Invalid` naming each node that breaks a rule."""
    problems = outline_problems(outline)
    if problems:
        errors = [{"path": "outline", "message": p.message} for p in problems]
        raise Invalid(f"invalid outline: {problems[0].message}", errors)
    return outline


async def submit_outline(
    rt: Runtime, request: OutlineJobRequest, *, user_id: str | None = None
) -> JobView:
    settings = JobSettings(task_prompt=request.task_prompt, online=request.online)
    files = [f.model_dump() for f in request.context_files]
    return await _submit(rt, TaskType.document_outline, request.job_id, settings, files, user_id)


async def submit_document(
    rt: Runtime, request: DocumentJobRequest, *, user_id: str | None = None
) -> JobView:
    outline = checked_outline(request.outline)
    prompt = request.task_prompt or f"{outline.title}. {outline.summary}".strip()
    settings = JobSettings(task_prompt=prompt, word_count=request.word_count, online=request.online)
    files = [f.model_dump() for f in request.context_files]
    return await _submit(
        rt,
        TaskType.document_generation,
        request.job_id,
        settings,
        files,
        user_id,
        outline=outline.model_dump(mode="json"),
        source_job_id=request.source_job_id,
    )


async def _submit(
    rt: Runtime,
    task_type: TaskType,
    job_id: str | None,
    settings: JobSettings,
    files: list[dict[str, str]],
    user_id: str | None,
    *,
    outline: dict[str, Any] | None = None,
    source_job_id: str | None = None,
) -> JobView:
    async with rt.db.transaction() as s:
        await check_budget(s, rt.settings, user_id)
        sources = await _reused_sources(s, source_job_id, user_id)
        task = await create_task(
            s,
            task_type,
            settings.model_dump(mode="json"),
            user_id=user_id,
            task_id=job_id,
            lease=rt.dispatcher.lease_for_new(),
        )
        documents.add_job(s, task.task_id, files, outline=outline, sources=sources)
        view = job_view(created_view(task), None)
    await rt.dispatcher.submit_task(task.task_id, task)
    return view


async def _reused_sources(
    s: Session, source_job_id: str | None, user_id: str | None
) -> list[dict[str, Any]] | None:
    """The sources of the outline job a document job names, which must have finished
    its research."""
    if source_job_id is None:
        return None
    try:
        source = await visible_task(s, source_job_id, user_id)
    except TaskNotFound:
        raise Invalid(
            f"source_job_id {source_job_id}: no such job",
            [{"path": "source_job_id", "message": "no such job"}],
        ) from None
    row = await documents.get_job(s, source.task_id) if source.task_type in DOCUMENT_TYPES else None
    if row is None or row.sources is None:
        raise Invalid(
            f"source_job_id {source_job_id}: that job has no sources yet",
            [{"path": "source_job_id", "message": "that job has no sources yet"}],
        )
    return list(row.sources)


def job_view(task: TaskView, result: dict[str, Any] | None) -> JobView:
    return JobView(
        job_id=task.task_id,
        task_type=task.task_type,
        title=task.goal,
        status=task.status,
        current_step=task.current_step,
        progress=task.progress,
        error_message=task.error_message,
        failed_items=task.failed_items,
        last_event_seq=task.last_event_seq,
        created_at=task.created_at,
        updated_at=task.updated_at,
        result=result,
    )


async def _visible_job(s: Session, job_id: str, user_id: str | None) -> TaskRow:
    task = await visible_task(s, job_id, user_id)
    if task.task_type not in DOCUMENT_TYPES:
        raise TaskNotFound(job_id)
    return task


async def get_job(rt: Runtime, job_id: str, user_id: str | None = None) -> JobView:
    async with rt.db.read() as s:
        task = await _visible_job(s, job_id, user_id)
        row = await documents.get_job(s, job_id)
        return job_view(await task_view(s, task), public_result(task.task_type, row.result))


@dataclass(frozen=True)
class JobInputs:
    """What a job was given: its outline (a document job's; ``None`` for an outline job) and
    its ``style`` and ``requirements`` files."""

    outline: Outline | None
    guidance: list[ContextFile]


async def job_inputs(rt: Runtime, job_id: str, user_id: str | None = None) -> JobInputs:
    """The job's outline and guidance files: the web shows a document job's chapters from
    its outline before any is written, and gives a document job written from an outline job
    that job's guidance again (``source_job_id`` reuses only its sources, which already hold
    its ``content`` files)."""
    async with rt.db.read() as s:
        await _visible_job(s, job_id, user_id)
        row = await documents.get_job(s, job_id)
    files = [ContextFile.model_validate(f) for f in row.files]
    outline = Outline.model_validate(row.outline) if row.outline is not None else None
    return JobInputs(outline, [f for f in files if f.role != "content"])


async def list_jobs(
    rt: Runtime,
    user_id: str | None = None,
    *,
    status: TaskStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> JobList:
    async with rt.db.read() as s:
        rows, total, _ = await list_tasks(
            s, user_id=user_id, task_type=DOCUMENT_TYPES, status=status, limit=limit, offset=offset
        )
        return JobList(jobs=[job_view(await task_view(s, r), None) for r in rows], total=total)


async def stored_document(
    rt: Runtime, job_id: str, user_id: str | None = None
) -> AssembledDocument:
    """The job's assembled document; :class:`Conflict` until it has one."""
    async with rt.db.read() as s:
        task = await _visible_job(s, job_id, user_id)
        row = await documents.get_job(s, job_id)
    if task.task_type != TaskType.document_generation.value or row.result is None:
        raise Conflict(f"job {job_id} has no document (yet)", job_id)
    return AssembledDocument.model_validate(row.result)


async def download(
    rt: Runtime, job_id: str, fmt: DocumentFormat, user_id: str | None = None
) -> Download:
    document = await stored_document(rt, job_id, user_id)
    if fmt == "md":
        body = document.markdown.encode()
    elif fmt == "html":
        body = document_html(document).encode()
    else:
        body = document_docx(document)
    return Download(f"{job_id}.{fmt}", MEDIA_TYPES[fmt], body)


async def reading_html(rt: Runtime, job_id: str, user_id: str | None = None) -> str:
    """The finished document as sanitised HTML for a reading view: a linked table of
    contents, chapters, citations that jump to their reference."""
    return document_body_html(await stored_document(rt, job_id, user_id))
