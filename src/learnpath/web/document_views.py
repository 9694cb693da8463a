"""What the Documents pages show of a job (docs/contract.md §7), derived from the service's
read models: the steps of an outline or a document job, and each chapter's state, from the
job's outline and its events (``task_progress`` with ``data {chapter_id, status}``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from learnpath.domain.events import Event, EventType
from learnpath.domain.outline import Outline
from learnpath.domain.tasks import Step, TaskStatus, TaskType, step_label
from learnpath.service.views import JobView

STEPS = {
    TaskType.document_outline: (
        Step.queued,
        Step.research,
        Step.outline_generation,
        Step.outline_validation,
        Step.completed,
    ),
    TaskType.document_generation: (
        Step.queued,
        Step.research,
        Step.chapter_writing,
        Step.assembling,
        Step.completed,
    ),
}
CHAPTER_STATES = {"generating": "writing", "completed": "done", "failed": "failed"}
"""A chapter event's status, as the page words it; a chapter not started is ``waiting``."""
STOPPED = frozenset({TaskStatus.failed, TaskStatus.cancelled})


@dataclass(frozen=True)
class JobStep:
    label: str
    state: str
    """``done``, ``current``, ``stopped`` (where a failed or cancelled job stopped), ``todo``."""


@dataclass(frozen=True)
class ChapterState:
    chapter_id: str
    title: str
    state: str
    """``waiting``, ``writing``, ``done`` or ``failed``."""


def job_steps(job: JobView) -> list[JobStep]:
    steps = STEPS[job.task_type]
    finished = job.status in (TaskStatus.completed, TaskStatus.partial_failure)
    step = Step.completed if finished else job.current_step
    at = steps.index(step) if step in steps else 0
    shown = []
    for n, one in enumerate(steps):
        if n < at or (n == at and finished):
            state = "done"
        elif n == at:
            state = "stopped" if job.status in STOPPED else "current"
        else:
            state = "todo"
        shown.append(JobStep("Done" if one == Step.completed else step_label(one), state))
    return shown


def chapter_states(
    outline: Outline | None, events: list[Event], result: dict[str, Any] | None
) -> list[ChapterState]:
    """Each chapter of a document job: its outline's top-level nodes, in order, in the state
    their latest event gave them (a retry's events come after the first run's)."""
    if outline is None:
        return []
    states = {node.id: "waiting" for node in outline.nodes}
    for event in events:
        data = event.data or {}
        chapter, status = data.get("chapter_id"), data.get("status")
        if event.type == EventType.task_progress and chapter in states and status:
            states[str(chapter)] = CHAPTER_STATES.get(str(status), states[str(chapter)])
    if result is not None:
        for chapter in result["document"]["chapters"]:
            states[chapter["id"]] = CHAPTER_STATES.get(chapter["status"], "waiting")
    return [ChapterState(node.id, node.title, states[node.id]) for node in outline.nodes]


def job_signature(job: JobView) -> str:
    """Changes whenever anything the job's live part shows changes."""
    p = job.progress
    return f"{job.status}|{job.current_step}|{p.completed}|{p.failed}|{job.last_event_seq}"
