"""The outline job's own steps (docs/contract.md §7): the outline writer drafts an outline
from the prompt, the requirements and the sources; code numbers and checks it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from learnpath.agents.document_inputs import OutlineInput
from learnpath.agents.documents import OUTLINER
from learnpath.domain.drafts import DraftNode, OutlineDraft
from learnpath.domain.events import EventType
from learnpath.domain.jobs import JobSettings
from learnpath.domain.language import language_of
from learnpath.domain.outline import Outline, OutlineNode, outline_problems, repaired
from learnpath.domain.tasks import Step, TaskStatus
from learnpath.engine.documents import assembly
from learnpath.engine.documents import sources as job_sources
from learnpath.engine.runtime import Runtime
from learnpath.engine.steps import cancel_check, failed, locked
from learnpath.llm.errors import PermanentLLMError
from learnpath.store import documents, records, tasks
from learnpath.store.database import Session
from learnpath.store.tables import DocumentJobRow, TaskRow
from learnpath.store.tasks import Hop

CHECKING = "Checking the outline"
MAX_CHAPTERS = 8
SOURCE_PASSAGES = 8
"""How many of the sources' best passages the outline writer sees."""


async def outline_generation(rt: Runtime, task: TaskRow) -> TaskRow:
    settings = JobSettings.model_validate(task.request)
    async with rt.db.read() as s:
        job = await documents.get_job(s, task.task_id)
    known = job.sources or []
    index = job_sources.index_of(known)
    generation = await OUTLINER.run(
        rt.llm,
        OutlineInput(
            task_prompt=settings.task_prompt,
            language=language_of(settings.task_prompt),
            requirements=job_sources.guidance(job.files, "requirements"),
            sources=job_sources.briefs(index, known, settings.task_prompt, SOURCE_PASSAGES),
            max_chapters=MAX_CHAPTERS,
        ),
        cancel_check(rt, task.task_id),
    )
    verdict = _verdict(generation.value)
    async with rt.db.transaction() as s:
        task = await locked(s, task, Step.outline_generation)
        row = await documents.get_job(s, task.task_id, lock=True)
        if isinstance(verdict, str):  # an unusable draft is kept, as it came
            row.outline = generation.value.model_dump(mode="json")
        await records.record_calls(s, task.task_id, generation.calls)
        # The check is the next step, done in the same transaction; a checked outline is
        # stored as such (by _complete).
        checking = Hop(TaskStatus.processing, Step.outline_validation, EventType.progress, CHECKING)
        await _conclude(s, task, row, verdict, after=[checking])
    await assembly.keep_result(rt, task.task_id)
    return task


def _numbered(nodes: list[DraftNode], prefix: str = "") -> list[OutlineNode]:
    return [
        OutlineNode(
            id=f"{prefix}{i}",
            title=node.title,
            summary=node.summary,
            children=_numbered(node.children, f"{prefix}{i}."),
        )
        for i, node in enumerate(nodes, start=1)
    ]


def checked(draft: OutlineDraft) -> Outline:
    """The draft numbered and repaired in code; PermanentLLMError when nothing usable is left."""
    try:
        outline = repaired(
            Outline(title=draft.title, summary=draft.summary, nodes=_numbered(draft.nodes))
        )
    except ValueError as error:
        raise PermanentLLMError(f"the outline writer's outline is unusable: {error}") from error
    if problems := outline_problems(outline):
        first = problems[0]
        raise PermanentLLMError(f"the outline is invalid at {first.node}: {first.message}")
    return outline


async def outline_validation(rt: Runtime, task: TaskRow) -> TaskRow:
    """Step ``outline_validation`` of a job whose draft was stored before it was checked."""
    async with rt.db.transaction() as s:
        task = await locked(s, task, Step.outline_validation)
        row = await documents.get_job(s, task.task_id, lock=True)
        try:
            draft = OutlineDraft.model_validate(row.outline)
        except ValidationError as error:
            verdict: Outline | str = f"the stored outline draft is unusable: {error}"
        else:
            verdict = _verdict(draft)
        await _conclude(s, task, row, verdict)
    await assembly.keep_result(rt, task.task_id)
    return task


def _verdict(draft: OutlineDraft) -> Outline | str:
    """The checked outline, or why the draft is unusable."""
    try:
        return checked(draft)
    except PermanentLLMError as error:
        return str(error)


async def _conclude(
    s: Session,
    task: TaskRow,
    row: DocumentJobRow,
    verdict: Outline | str,
    after: Sequence[Hop] = (),
) -> None:
    """The verdict stored, after the changes ``after``."""
    if isinstance(verdict, str):
        await failed(s, task, Step.outline_validation, verdict, after)
    else:
        await _complete(s, task, row, verdict, after)


async def _complete(
    s: Session, task: TaskRow, row: DocumentJobRow, outline: Outline, after: Sequence[Hop]
) -> None:
    """The checked outline is the job's result: ``outline_generated``, then completed."""
    row.outline = outline.model_dump(mode="json")
    row.result = _result(outline, row.sources or [])
    chapters = len(outline.nodes)
    ready = Hop(
        TaskStatus.processing,
        Step.outline_validation,
        EventType.outline_generated,
        f"Outline ready: {chapters} chapter(s)",
        {"data": {"outline": row.outline}},
    )
    done = Hop(
        TaskStatus.completed,
        Step.completed,
        EventType.completed,
        f"Outline complete: {chapters} chapter(s)",
    )
    await tasks.transitions(s, task, [*after, ready, done])


def _result(outline: Outline, known: list[dict[str, Any]]) -> dict[str, Any]:
    return {"outline": outline.model_dump(mode="json"), "sources": job_sources.public(known)}
