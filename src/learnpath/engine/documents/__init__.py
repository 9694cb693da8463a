"""The document workflows (docs/contract.md §7): an outline job, and a document job whose
chapters are the engine's items."""

from __future__ import annotations

from collections.abc import Mapping

from learnpath.domain.tasks import Step, TaskType
from learnpath.engine.documents.assembly import keep_result
from learnpath.engine.documents.chapters import ChapterWriting
from learnpath.engine.documents.outline import outline_generation, outline_validation
from learnpath.engine.documents.research import research, start
from learnpath.engine.workflow import Workflow

OUTLINE_JOB = Workflow(
    name="document_outline",
    steps={
        Step.queued: start,
        Step.research: research,
        Step.outline_generation: outline_generation,
        Step.outline_validation: outline_validation,
    },
)
DOCUMENT_JOB = Workflow(
    name="document_generation",
    steps={Step.queued: start, Step.research: research},
    fan_out=ChapterWriting(),
    fan_out_step=Step.chapter_writing,
    finish_step=Step.assembling,
    retry_step=Step.chapter_writing,
    on_finished=keep_result,
)

WORKFLOWS: Mapping[str, Workflow] = {
    TaskType.document_outline.value: OUTLINE_JOB,
    TaskType.document_generation.value: DOCUMENT_JOB,
}
"""Task type → its workflow, as the wiring gives them to the runtime."""
