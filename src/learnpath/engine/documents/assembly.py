"""Step ``assembling`` of a document job (docs/contract.md §7): the written chapters become
one markdown document (title, table of contents, chapters, References) with its citations
renumbered 1…N by first citation; then the result is kept where clients read it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from learnpath.domain.document import AssembledDocument, ChapterText, assemble
from learnpath.domain.events import EventType
from learnpath.domain.items import ItemStatus
from learnpath.domain.outline import Outline
from learnpath.domain.tasks import Step, TaskStatus, TaskType
from learnpath.engine.documents import sources as job_sources
from learnpath.engine.runtime import Runtime
from learnpath.engine.workflow import Ending
from learnpath.store import documents, tasks
from learnpath.store.database import Session
from learnpath.store.tables import ItemRow, TaskRow
from learnpath.store.tasks import Hop


async def assemble_job(s: Session, task: TaskRow, chapters: Sequence[ItemRow]) -> Ending:
    """Assemble the (locked, finishing) job's document from its written ``chapters`` (its
    items) and keep it with the job; what the task's end adds: to its summary, and the
    ``document_generated`` event."""
    row = await documents.get_job(s, task.task_id, lock=True)
    outline = Outline.model_validate(row.outline)
    written = await documents.latest_chapters(s, task.task_id)
    done = {i.concept_id for i in chapters if i.status == ItemStatus.completed.value}
    texts = [
        ChapterText(
            id=c.id,
            title=c.title,
            markdown=written[c.id]["markdown"] if c.id in done and c.id in written else None,
        )
        for c in outline.nodes
    ]
    if not done:
        return Ending({"word_count": 0})
    document = assemble(
        outline.title, outline.summary, texts, job_sources.references(row.sources or [])
    )
    row.result = document.model_dump(mode="json")
    generated = Hop(
        TaskStatus(task.status),
        Step(task.current_step),
        EventType.document_generated,
        f"Document assembled: {document.word_count} words, {len(document.references)} reference(s)",
        {
            "data": {
                "word_count": document.word_count,
                "references": [
                    r.model_dump(mode="json", exclude_none=True) for r in document.references
                ],
            }
        },
    )
    summary = {"word_count": document.word_count, "references": len(document.references)}
    return Ending(summary, [generated])


def public_result(task_type: str, stored: dict[str, Any] | None) -> dict[str, Any] | None:
    """A job's result as clients see it (docs/contract.md §7)."""
    if stored is None or task_type != TaskType.document_generation.value:
        return stored
    return AssembledDocument.model_validate(stored).result()


async def keep_result(rt: Runtime, job_id: str) -> None:
    """Write a finished job's result where other clients read it fast (distributed mode)."""
    if rt.job_results is None:
        return
    async with rt.db.read() as s:
        row = await documents.get_job(s, job_id)
        task_type, _ = await tasks.kind_and_subject(s, job_id)
    result = public_result(task_type, row.result)
    if result is not None:
        await rt.job_results.keep(job_id, result)
