"""The roadmap workflow (docs/contract.md §3) and the link check of a roadmap's resources."""

from __future__ import annotations

from collections.abc import Mapping

from learnpath.domain import tasks
from learnpath.domain.tasks import Step, TaskType
from learnpath.engine.roadmap.content import ConceptContent, queue_content
from learnpath.engine.roadmap.framework import FRAMEWORK_STEPS
from learnpath.engine.roadmap.link_check import check_links
from learnpath.engine.workflow import Workflow

ROADMAP = Workflow(
    name="roadmap",
    steps={**FRAMEWORK_STEPS, Step.content_generation_queued: queue_content},
    fan_out=ConceptContent(),
    review_steps=tasks.FRAMEWORK_STEPS,
)
LINK_CHECK = Workflow(name="link_check", steps={Step.link_check: check_links}, retryable=False)

WORKFLOWS: Mapping[str, Workflow] = {
    TaskType.creation.value: ROADMAP,
    TaskType.retry_tutorial.value: ROADMAP,
    TaskType.retry_resources.value: ROADMAP,
    TaskType.retry_quiz.value: ROADMAP,
    TaskType.retry_batch.value: ROADMAP,
    TaskType.link_check.value: LINK_CHECK,
}
"""Task type → its workflow, as the wiring gives them to the runtime."""
