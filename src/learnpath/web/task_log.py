"""The task page's compact log and title: one line per item outcome, per step change and per
task-level event, in seq order; a title a person recognises instead of the task's type."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from learnpath.domain.events import Event, EventType
from learnpath.domain.roadmap import Framework
from learnpath.domain.tasks import TaskType, step_label
from learnpath.service.views import TaskView

ITEM_EVENTS = frozenset({EventType.concept_complete, EventType.concept_failed})
TASK_EVENTS = frozenset(
    {
        EventType.task_started,
        EventType.human_review_required,
        EventType.completed,
        EventType.failed,
        EventType.cancelled,
        EventType.task_recovering,
    }
)
PROBLEMS = frozenset({EventType.concept_failed, EventType.failed, EventType.cancelled})
FILTERS = {"all": "All", "problems": "Problems only", "steps": "Steps only"}
"""The log's filters (the ``log`` query parameter) and their labels."""


@dataclass(frozen=True)
class LogLine:
    seq: int
    kind: str
    """``item``, ``step`` or ``task``: what the line is about."""
    step: str | None
    problem: bool
    time: str
    """``HH:MM:SS`` UTC, as the page shows it."""
    timestamp: str
    text: str
    error: str | None


def _kind(event: Event, previous_step: str | None) -> str | None:
    if event.type in ITEM_EVENTS:
        return "item"
    if event.type in TASK_EVENTS:
        return "task"
    if event.type == EventType.progress and event.step != previous_step:
        return "step"
    return None


def _text(event: Event, kind: str) -> str:
    if kind == "step":
        return step_label(event.step)
    if kind == "item":
        outcome = "done" if event.type == EventType.concept_complete else "failed"
        return f"{event.concept_name or event.concept_id} · {event.content_type} {outcome}"
    return event.message


def compact(events: Iterable[Event]) -> list[LogLine]:
    """The lines of the log, by seq: item outcomes, step changes, task-level events."""
    lines: list[LogLine] = []
    previous_step: str | None = None
    for event in sorted(events, key=lambda e: e.seq):
        kind = _kind(event, previous_step)
        if event.type == EventType.progress:
            previous_step = event.step
        if kind is None:
            continue
        lines.append(
            LogLine(
                seq=event.seq,
                kind=kind,
                step=event.step,
                problem=event.type in PROBLEMS or event.error is not None,
                time=event.timestamp.strftime("%H:%M:%S"),
                timestamp=event.timestamp.isoformat(),
                text=_text(event, kind),
                error=event.error,
            )
        )
    return lines


def shows(line: LogLine, shown: str) -> bool:
    """Whether the filter ``shown`` (a key of :data:`FILTERS`) keeps the line."""
    if shown == "problems":
        return line.problem
    if shown == "steps":
        return line.kind == "step"
    return True


def task_title(view: TaskView, framework: Framework | None = None) -> str:
    """The goal of a creation task; what a retry or a link check does, and to what: the
    roadmap's title and the concept's name when ``framework`` is given, else the goal and
    the concept's id."""
    subject = framework.title if framework else view.goal
    concept = framework.concept(view.concept_id) if framework and view.concept_id else None
    if view.task_type == TaskType.link_check:
        return f"Check the links of '{subject}'"
    if view.task_type == TaskType.retry_batch:
        return f"Retry the unfinished items of '{subject}'"
    if view.task_type.value.startswith("retry_") and view.concept_id:
        name = concept.name if concept else view.concept_id
        return f"Regenerate the {view.content_type} of '{name}'"
    return view.goal or view.task_type.value.replace("_", " ")
