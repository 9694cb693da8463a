"""The task state machine as data (docs/contract.md §4, docs/architecture.md).

A task is in a *status* and at a *step*. Which statuses may follow which, and which steps a
status may be at, are the two tables below; :func:`check` is the one place a change is
judged, and every change of a task's status or step goes through it (the store's
``transition`` and its guarded fast paths call it). Adding a status is a change here.
"""

from __future__ import annotations

from collections.abc import Mapping

from learnpath.domain.tasks import Step, TaskStatus

_WORK_STEPS = frozenset(Step) - {
    Step.completed,
    Step.partial_failure,
    Step.failed,
    Step.cancelled,
    Step.human_review,
}
_RECOVERED = frozenset({TaskStatus.pending, TaskStatus.processing, TaskStatus.human_review_pending})

TRANSITIONS: Mapping[TaskStatus, frozenset[TaskStatus]] = {
    TaskStatus.pending: frozenset({TaskStatus.processing, TaskStatus.failed, TaskStatus.cancelled}),
    TaskStatus.processing: frozenset(
        {
            TaskStatus.processing,
            TaskStatus.human_review_pending,
            TaskStatus.completed,
            TaskStatus.partial_failure,
            TaskStatus.failed,
            TaskStatus.cancelled,
        }
    ),
    TaskStatus.human_review_pending: frozenset({TaskStatus.processing, TaskStatus.cancelled}),
    TaskStatus.completed: frozenset(),
    TaskStatus.partial_failure: _RECOVERED,
    TaskStatus.failed: _RECOVERED,
    TaskStatus.cancelled: _RECOVERED,
}
"""Status → the statuses it may change to (a retry leaves a stopped task for one of
``_RECOVERED``; nothing leaves ``completed``)."""

STEPS: Mapping[TaskStatus, frozenset[Step]] = {
    TaskStatus.pending: frozenset({Step.queued}),
    TaskStatus.processing: _WORK_STEPS,
    TaskStatus.human_review_pending: frozenset({Step.human_review}),
    TaskStatus.completed: frozenset({Step.completed}),
    TaskStatus.partial_failure: frozenset({Step.partial_failure}),
    TaskStatus.failed: frozenset({Step.failed}),
    TaskStatus.cancelled: frozenset({Step.cancelled}),
}
"""Status → the steps a task in it may be at (a stopped task's step names how it ended)."""

RUNNABLE = frozenset({TaskStatus.pending, TaskStatus.processing})
"""Statuses in which a worker runs the task's current step (human review parks it)."""


class IllegalTransition(RuntimeError):
    """A change the state machine does not allow: a bug in the caller, never user input."""


def check(status: str, to_status: TaskStatus, to_step: Step) -> None:
    """Allow ``status`` → (``to_status``, ``to_step``) or raise :class:`IllegalTransition`."""
    if to_status not in TRANSITIONS[TaskStatus(status)]:
        raise IllegalTransition(f"a {status} task cannot become {to_status.value}")
    if to_step not in STEPS[to_status]:
        raise IllegalTransition(f"a {to_status.value} task cannot be at step {to_step.value}")


def terminal_step(status: TaskStatus) -> Step:
    """The step a task that ended in ``status`` is left at."""
    if status.is_active:
        raise ValueError(f"{status.value} is not a status a task ends in")
    (step,) = STEPS[status]
    return step
