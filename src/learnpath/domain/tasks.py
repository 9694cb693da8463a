"""Task vocabulary of contract §4: types, statuses, steps, recoveries."""

from __future__ import annotations

from enum import StrEnum


class TaskType(StrEnum):
    creation = "creation"
    retry_tutorial = "retry_tutorial"
    retry_resources = "retry_resources"
    retry_quiz = "retry_quiz"
    retry_batch = "retry_batch"
    document_outline = "document_outline"
    document_generation = "document_generation"
    link_check = "link_check"


QUEUES = ("roadmap", "content_generation", "documents")
"""The broker queues of distributed mode (docs/contract.md §8): framework steps, content
items, document jobs."""


def queue_of(task_type: str, *, items: bool = False) -> str:
    """The broker queue a task's steps (or, ``items``, its items) go to."""
    if task_type in DOCUMENT_TYPES:
        return "documents"
    return "content_generation" if items else "roadmap"


class TaskStatus(StrEnum):
    pending = "pending"  # created, no worker has started it
    processing = "processing"  # a worker runs one of its steps
    human_review_pending = "human_review_pending"  # parked until a person reviews the framework
    completed = "completed"  # every item done
    partial_failure = "partial_failure"  # some items failed; failed_items lists them
    failed = "failed"  # a framework step failed, or every item failed
    cancelled = "cancelled"  # stopped on request

    @property
    def is_active(self) -> bool:
        return self in ACTIVE_STATUSES

    @property
    def is_terminal(self) -> bool:
        return not self.is_active


ACTIVE_STATUSES = frozenset(
    {TaskStatus.pending, TaskStatus.processing, TaskStatus.human_review_pending}
)


class Step(StrEnum):
    queued = "queued"
    intent_analysis = "intent_analysis"
    curriculum_design = "curriculum_design"
    structure_validation = "structure_validation"
    validation_edit = "validation_edit"
    human_review = "human_review"
    review_edit = "review_edit"
    content_generation_queued = "content_generation_queued"
    content_generation = "content_generation"
    finalizing = "finalizing"
    link_check = "link_check"
    research = "research"
    outline_generation = "outline_generation"
    outline_validation = "outline_validation"
    chapter_writing = "chapter_writing"
    assembling = "assembling"
    completed = "completed"
    partial_failure = "partial_failure"
    failed = "failed"
    cancelled = "cancelled"


FRAMEWORK_STEPS = frozenset(
    {
        Step.queued,
        Step.intent_analysis,
        Step.curriculum_design,
        Step.structure_validation,
        Step.validation_edit,
        Step.human_review,
        Step.review_edit,
    }
)
CONTENT_STEPS = frozenset(
    {Step.content_generation_queued, Step.content_generation, Step.finalizing}
)
FAN_OUT_STEPS = frozenset({Step.content_generation, Step.chapter_writing})
"""The steps at which a task's items are being made (a roadmap's content, a document's
chapters): the sweeper and resume look after a task's items only there."""
DOCUMENT_TYPES = frozenset({TaskType.document_outline, TaskType.document_generation})
"""The task types of document jobs (docs/contract.md §7)."""


class RecoveryType(StrEnum):
    restart_from_scratch = "restart_from_scratch"
    resume_review = "resume_review"
    restart_content_generation = "restart_content_generation"
    retry_failed_items = "retry_failed_items"


class ReviewDecision(StrEnum):
    approve = "approve"
    reject = "reject"
    edit = "edit"
    validation_edit = "validation_edit"


STEP_LABELS: dict[str, str] = {
    Step.queued: "Waiting to start",
    Step.intent_analysis: "Understanding the goal",
    Step.curriculum_design: "Designing the curriculum",
    Step.structure_validation: "Checking the structure",
    Step.validation_edit: "Fixing the structure",
    Step.human_review: "Waiting for your review",
    Step.review_edit: "Applying your feedback",
    Step.content_generation_queued: "Waiting to generate content",
    Step.content_generation: "Content generation",
    Step.finalizing: "Finishing",
    Step.link_check: "Checking links",
    Step.research: "Gathering sources",
    Step.outline_generation: "Writing the outline",
    Step.outline_validation: "Checking the outline",
    Step.chapter_writing: "Writing the chapters",
    Step.assembling: "Assembling the document",
    Step.completed: "Completed",
    Step.partial_failure: "Finished with failures",
    Step.failed: "Failed",
    Step.cancelled: "Cancelled",
}
"""What a person reads for each step (messages, the task page)."""


def step_label(step: str | None) -> str:
    """The human name of a step; an unknown one reads as its name with spaces."""
    if not step:
        return "Task"
    return STEP_LABELS.get(step, step.replace("_", " ").capitalize())
