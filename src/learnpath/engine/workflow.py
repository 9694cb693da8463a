"""What a workflow declares to the engine (docs/architecture.md, "Adding a workflow").

A workflow names the steps it runs and the handler of each, how its items are made (its
fan-out, if it has one) and how a task of it finishes. The engine core (runner, items,
leases, cancellation, recovery, resume, sweeper) runs any workflow through these, never
asking which one it is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from learnpath.domain.items import ItemKey
from learnpath.domain.tasks import Step
from learnpath.store.database import Session
from learnpath.store.tables import ItemRow, TaskRow
from learnpath.store.tasks import Hop

if TYPE_CHECKING:
    from learnpath.engine.runtime import Runtime

StepHandler = Callable[["Runtime", TaskRow], Awaitable[TaskRow | None]]
"""Runs one step of a task and commits its result with the next step (or raises); returns
the task row as it committed it, or None for the runner to read it again."""


@dataclass(frozen=True)
class StartedItem:
    """An item this worker marked ``generating``, with what making it needs."""

    task_id: str
    task_type: str
    subject_id: str
    """What the task's items belong to (a roadmap)."""
    key: ItemKey
    name: str
    """What the item is about, as events name it (a concept's name)."""
    context: Any
    """The workflow's own: what :meth:`FanOut.make` needs."""


@dataclass(frozen=True)
class MadeHere:
    """Items a step made, and those of them it started in its own transaction on this
    process's slots (:func:`learnpath.engine.items.starting_here`): the runner's fan-out
    hands them to the dispatcher without reading them again."""

    keys: list[ItemKey]
    started: list[StartedItem]
    reserved: int
    """The slots :meth:`~learnpath.engine.ports.Dispatcher.reserve` held for them."""


@dataclass(frozen=True)
class Outcome:
    """What an item's maker produced: a body to store, or the reason it failed."""

    item: StartedItem
    calls: Sequence[object]
    body: dict[str, Any] | None = None
    error: str | None = None
    synthetic: bool = False
    """Made by a stand-in, not a model: stored labelled so."""


@dataclass(frozen=True)
class Ending:
    """What a fan-out adds to the end of a task: to its summary, and events announced just
    before the task's last one (reserved and stored with it)."""

    summary: dict[str, Any]
    events: list[Hop] = field(default_factory=list)


class FanOut(Protocol):
    """How a workflow's items are made and stored."""

    noun: str
    """What one of its items is called in a task's messages ("content item", "chapter")."""

    async def context(self, s: Session, task_id: str, subject_id: str) -> Any:
        """What the task's items are made from, read once per attempt (the engine keeps it)."""

    def locate(self, context: Any, key: ItemKey) -> tuple[str, Any] | None:
        """(name, the item's own context) of ``key``; None when it is no longer wanted."""

    async def make(self, rt: Runtime, item: StartedItem) -> Outcome | None:
        """Make the item; None when its task was cancelled meanwhile."""

    async def store(
        self, s: Session, item_task: tuple[str, str], made: Sequence[tuple[Outcome, str]]
    ) -> dict[ItemKey, int]:
        """Store the bodies of ``made`` (each with its idempotency key) for (subject id,
        task id), at most one version per idempotency key; key → version stored."""

    async def ending(self, s: Session, task: TaskRow, items: Sequence[ItemRow]) -> Ending:
        """What the (locked, finishing) task's end adds, its ``items`` as they ended."""

    def completed_message(self, done: int) -> str:
        """How a task whose items all succeeded says so."""


@dataclass(frozen=True)
class Workflow:
    name: str
    steps: Mapping[Step, StepHandler]
    """The steps a worker runs, by the step the task is at."""
    fan_out: FanOut | None = None
    """How items are made, for a workflow whose tasks fan out (at ``fan_out_step``)."""
    fan_out_step: Step = Step.content_generation
    """The step at which the task's items are made."""
    finish_step: Step = Step.finalizing
    """The step a task moves to when its last item settles; the engine ends it there."""
    retry_step: Step = Step.content_generation_queued
    """Where a retry of failed items resumes."""
    retryable: bool = True
    """Whether a stopped task of it may be recovered (else a new one is started)."""
    review_steps: frozenset[Step] = field(default_factory=frozenset)
    """The steps before the fan-out, which a retry resumes at (``resume_review``)."""
    on_finished: Callable[[Runtime, str], Awaitable[None]] | None = None
    """Called with the task id after a task of it ended (committed), in any status."""
