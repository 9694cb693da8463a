"""Read models returned by the service layer (and, later, by the HTTP API)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from learnpath.domain.review_diff import FrameworkChanges
from learnpath.domain.tasks import RecoveryType, ReviewDecision, Step, TaskStatus, TaskType
from learnpath.domain.usage import Actual, Estimate, Usage


class TaskProgress(BaseModel):
    completed: int
    failed: int
    total: int
    percentage: float


class FailedItem(BaseModel):
    concept_id: str
    content_type: str
    error: str | None = None


class TaskView(BaseModel):
    """Frozen: one view may be handed to many readers (``Database.snapshot``)."""

    model_config = ConfigDict(frozen=True)

    task_id: str
    user_id: str | None
    task_type: TaskType
    goal: str
    """The learner's goal, from the task's request: what a person calls the task."""
    status: TaskStatus
    current_step: Step
    roadmap_id: str | None
    concept_id: str | None
    content_type: str | None
    progress: TaskProgress
    error_message: str | None
    failed_items: list[FailedItem]
    validation_issues: list[dict[str, Any]]
    summary: dict[str, Any]
    usage: Usage
    """Every model call of the task so far: calls, tokens, USD."""
    estimate: Estimate | None
    """What content generation was expected to cost, set when the framework reached review."""
    actual: Actual | None
    """What content generation took, set when the task ended."""
    recovery_type: RecoveryType | None
    last_event_seq: int
    """The seq of the task's newest event: follow its events after this to see what comes."""
    created_at: datetime
    updated_at: datetime


class TaskList(BaseModel):
    tasks: list[TaskView]
    total: int
    status_counts: dict[str, int]


class RetryResult(BaseModel):
    recovery_type: RecoveryType
    task_id: str
    roadmap_id: str | None
    message: str


class ItemRetryResult(BaseModel):
    success: bool
    task_id: str
    concept_id: str
    content_type: str
    message: str


class StaleItem(BaseModel):
    concept_id: str
    content_type: str
    status: str
    task_id: str | None


class StatusCheck(BaseModel):
    has_active_task: bool
    active_tasks: list[TaskView]
    stale_items: list[StaleItem]


class RoadmapProgress(BaseModel):
    """Generation progress (items) and learning progress (concepts marked complete)."""

    items_completed: int
    items_failed: int
    items_total: int
    concepts_completed: int
    concepts_total: int
    percentage: float
    """Share of concepts the learner marked complete."""


class RoadmapSummary(BaseModel):
    roadmap_id: str
    title: str
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    progress: RoadmapProgress


class ActiveTask(BaseModel):
    has_active_task: bool
    task_id: str | None = None
    status: TaskStatus | None = None
    current_step: Step | None = None
    task_type: TaskType | None = None
    concept_id: str | None = None
    content_type: str | None = None


class ReviewRound(BaseModel):
    """One recorded review round of a roadmap (contract §3) and what changed since the round
    before it."""

    round: int
    """The round's number within its task (a roadmap's rounds come from its creation task)."""
    task_id: str
    decision: ReviewDecision
    """``approve``, ``reject`` or ``edit`` by a person; ``validation_edit`` by the editor agent
    fixing structure problems before the framework reached review."""
    feedback: str | None
    created_at: datetime
    changes: FrameworkChanges
    """The framework of this round against that of the round before (empty for the first)."""


class JobView(BaseModel):
    """A document job as docs/contract.md §7 shows it."""

    job_id: str
    task_type: TaskType
    title: str
    """What a person calls the job: its prompt, or its outline's title."""
    status: TaskStatus
    current_step: Step
    progress: TaskProgress
    error_message: str | None
    failed_items: list[FailedItem]
    last_event_seq: int
    created_at: datetime
    updated_at: datetime
    result: dict[str, Any] | None = None


class JobList(BaseModel):
    jobs: list[JobView]
    total: int
