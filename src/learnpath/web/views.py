"""What the pages show, derived from the service layer's read models: the phase stepper of a
task, and the per-concept item states of a roadmap."""

from __future__ import annotations

from dataclasses import dataclass

from learnpath.domain.content import ContentType
from learnpath.domain.review_diff import FrameworkChanges
from learnpath.domain.roadmap import Concept, Framework
from learnpath.domain.tasks import Step, TaskStatus
from learnpath.service.views import TaskView

PHASES: tuple[tuple[str, str, frozenset[Step]], ...] = (
    ("analysis", "Analysis", frozenset({Step.queued, Step.intent_analysis})),
    ("design", "Design", frozenset({Step.curriculum_design})),
    ("validate", "Validate", frozenset({Step.structure_validation, Step.validation_edit})),
    ("review", "Review", frozenset({Step.human_review, Step.review_edit})),
    (
        "content",
        "Content",
        frozenset({Step.content_generation_queued, Step.content_generation, Step.finalizing}),
    ),
    ("done", "Done", frozenset({Step.completed, Step.partial_failure})),
)
LOOPS = {"validate": Step.validation_edit.value, "review": Step.review_edit.value}
"""Phases with an edit loop, and the step that marks one more round of it."""


@dataclass(frozen=True)
class Phase:
    key: str
    label: str
    state: str
    """``done``, ``current``, ``stopped`` (where a failed or cancelled task stopped), ``todo``."""
    loop_step: str | None


def _phase_index(step: str) -> int | None:
    return next((n for n, (_, _, steps) in enumerate(PHASES) if step in steps), None)


def phases(view: TaskView) -> list[Phase]:
    """The stepper of a creation task; a retry task starts at the content phase."""
    stopped = view.status in (TaskStatus.failed, TaskStatus.cancelled)
    step = str(view.summary.get("stopped_at_step", view.current_step)) if stopped else ""
    index = _phase_index(step or view.current_step.value)
    if index is None:  # failed with no step recorded: it stopped at the start
        index = 0
    result = []
    for n, (key, label, _) in enumerate(PHASES):
        if n < index or (n == index and view.status == TaskStatus.completed):
            state = "done"
        elif n == index:
            state = "stopped" if stopped else "current"
        else:
            state = "todo"
        result.append(Phase(key, label, state, LOOPS.get(key)))
    return result


def task_signature(view: TaskView) -> str:
    """Changes whenever anything the task page shows about the task changes."""
    p = view.progress
    return (
        f"{view.status}|{view.current_step}|{p.completed}|{p.failed}|{p.total}|"
        f"{view.updated_at.isoformat()}"
    )


WRITING = {
    "pending": "Waiting to be written",
    "generating": "Being written",
    "completed": "ready",
    "failed": "Could not be written",
}
"""An item's generation state in words, for the operator's Manage section: "completed" is
the learner's word for a concept learned, never for material written."""


@dataclass(frozen=True)
class Item:
    content_type: str
    status: str
    error: str | None

    @property
    def label(self) -> str:
        """``Tutorial ready``, ``Quiz: Being written``, ``Resources: Could not be written``."""
        name = self.content_type.capitalize()
        wording = WRITING.get(self.status, self.status)
        return f"{name} {wording}" if self.status == "completed" else f"{name}: {wording}"


def items_of(concept: Concept) -> list[Item]:
    return [
        Item(
            t.value,
            getattr(concept, f"{t.value}_status").value,
            getattr(concept, f"{t.value}_error"),
        )
        for t in ContentType
    ]


def roadmap_signature(framework: Framework, completed: list[str], active: str | None) -> str:
    """Changes whenever an item's status, a completion mark or the active task changes."""
    states = ",".join(
        f"{c.concept_id}:{c.tutorial_status}{c.tutorial_version}:{c.resources_status}"
        f"{c.resources_version}:{c.quiz_status}{c.quiz_version}"
        for c in framework.concepts()
    )
    return f"{states}|{','.join(sorted(completed))}|{active or ''}"


def marks(changes: FrameworkChanges) -> dict[str, str]:
    """What to mark each concept with in the framework shown for review: ``added``,
    ``renamed`` or ``changed`` by the last revision (the first that applies)."""
    found: dict[str, str] = {}
    for kind, entries in (
        ("added", changes.added),
        ("renamed", changes.renamed),
        ("changed", changes.changed),
    ):
        for entry in entries:
            found.setdefault(entry.concept_id, kind)
    return found
