"""The first steps of both document jobs (docs/contract.md §7): start, then research, which
numbers the job's sources once (its context files, then the web pages found for the queries
the research planner wrote) and, for a document job, makes its chapter items."""

from __future__ import annotations

from typing import Any

from learnpath.agents.document_inputs import PlannerInput
from learnpath.agents.documents import PLANNER
from learnpath.domain.events import EventType
from learnpath.domain.items import ItemKey
from learnpath.domain.jobs import JobSettings, chapter_fingerprint
from learnpath.domain.language import language_of
from learnpath.domain.outline import Outline
from learnpath.domain.tasks import Step, TaskStatus, TaskType
from learnpath.engine.documents import sources as job_sources
from learnpath.engine.documents.chapters import JobContext, job_context
from learnpath.engine.items import StartHere, keep_context, starting_here
from learnpath.engine.runtime import Runtime
from learnpath.engine.steps import begin, cancel_check, locked, started
from learnpath.research.web_sources import web_sources
from learnpath.store import documents, records, tasks
from learnpath.store.database import Session
from learnpath.store.tables import DocumentJobRow, TaskRow
from learnpath.store.tasks import Hop

STARTED = "Gathering sources"


async def start(rt: Runtime, task: TaskRow) -> TaskRow:
    """Step ``queued``. A job that will not search the web has its sources (its files)
    numbered in the transaction that starts it: research then needs only the database."""
    if _searches(rt, JobSettings.model_validate(task.request)):
        return await begin(rt, task, Step.research, STARTED)
    async with starting_here(rt, task.task_id) as here:
        async with rt.db.transaction() as s:
            task = await locked(s, task, Step.queued)
            onward, job = await _keep_sources(s, task, [], [])
            await started(s, task, Step.research, STARTED, then=[onward])
            context = await _start_chapters(here, s, task, job)
        _keep_chapter_context(rt, task, context)
    return task


async def research(rt: Runtime, task: TaskRow) -> TaskRow:
    """Step ``research``: the job's sources, stored with it once (a job reusing an outline
    job's sources adds only its own files)."""
    settings = JobSettings.model_validate(task.request)
    async with rt.db.read() as s:
        job = await documents.get_job(s, task.task_id)
        files, known = job.files, job.sources
    found, calls = await _web(rt, task, settings, files) if known is None else ([], [])
    async with starting_here(rt, task.task_id) as here:
        async with rt.db.transaction() as s:
            task = await locked(s, task, Step.research)
            onward, job = await _keep_sources(s, task, found, calls)
            await tasks.transitions(s, task, [onward])
            context = await _start_chapters(here, s, task, job)
        _keep_chapter_context(rt, task, context)
    return task


async def _start_chapters(
    here: StartHere, s: Session, task: TaskRow, job: DocumentJobRow
) -> JobContext | None:
    """A document job's chapters, just made, start here as far as this process has slots;
    what they are written from (None for an outline job)."""
    if task.task_type != TaskType.document_generation.value:
        return None
    context = job_context(task.request, job)
    keys = [ItemKey(c.id, documents.CHAPTER) for c in context.outline.nodes]
    await here.start(s, task.task_id, keys, context)
    return context


def _keep_chapter_context(rt: Runtime, task: TaskRow, context: JobContext | None) -> None:
    """The chapters not started here start from what this step holds."""
    if context is not None:
        keep_context(rt, task.task_id, task.attempt, context)


async def _keep_sources(
    s: Session, task: TaskRow, found: list[Any], calls: list[object]
) -> tuple[Hop, DocumentJobRow]:
    """Number and store the job's sources (with the web pages ``found``); the move on (an
    outline job to its outline, a document job to its chapters, made its items here) and
    the job's row."""
    row = await documents.get_job(s, task.task_id, lock=True)
    known = _numbered(row.files, row.sources, found)
    row.sources = known
    await records.record_calls(s, task.task_id, calls)
    message = f"Found {len(known)} source(s)"
    if task.task_type == TaskType.document_outline.value:
        return _onward(Step.outline_generation, message, data=_counted(known)), row
    assert row.outline is not None, "a document job is created with its outline"
    chapters = Outline.model_validate(row.outline).nodes
    await documents.add_chapter_items(
        s, task.task_id, [(c.id, chapter_fingerprint(c)) for c in chapters]
    )
    onward = _onward(
        Step.chapter_writing,
        f"{message}; writing {len(chapters)} chapter(s)",
        data={**_counted(known), "total_chapters": len(chapters)},
    )
    return onward, row


def _onward(step: Step, message: str, **fields: Any) -> Hop:
    return Hop(TaskStatus.processing, step, EventType.progress, message, fields)


def _numbered(
    files: list[dict[str, str]], known: list[dict[str, Any]] | None, found: list[Any]
) -> list[dict[str, Any]]:
    """The files and pages ``found`` numbered from 1, or, for a job given sources already
    (an outline job's), those followed by the files not among them."""
    if known is None:
        numbered = job_sources.file_sources(files, 1)
        return numbered + job_sources.web_source_rows(found, len(numbered) + 1)
    named = {s.get("file_name") for s in known}
    return known + job_sources.file_sources(
        [f for f in files if f["file_name"] not in named], len(known) + 1
    )


def _searches(rt: Runtime, settings: JobSettings) -> bool:
    """Whether the job's research looks for web pages: it may go online and search is
    configured."""
    return settings.online and rt.research.searcher is not None


def _counted(known: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "files": sum(1 for s in known if s["kind"] == "file"),
        "web": sum(1 for s in known if s["kind"] == "web"),
    }


async def _web(
    rt: Runtime, task: TaskRow, settings: JobSettings, files: list[dict[str, str]]
) -> tuple[list[Any], list[object]]:
    """Web pages for the job's prompt, when it :func:`searches <_searches>`."""
    if not _searches(rt, settings):
        return [], []
    plan = await PLANNER.run(
        rt.llm,
        PlannerInput(
            task_prompt=settings.task_prompt,
            language=language_of(settings.task_prompt),
            requirements=job_sources.guidance(files, "requirements"),
        ),
        cancel_check(rt, task.task_id),
    )
    return await web_sources(rt.research, plan.value.queries), list(plan.calls)
