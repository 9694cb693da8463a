"""The task state machine (domain.states), and the store's one way to change a task's status
or step (store.tasks.transition): allowed changes write one event, illegal ones nothing."""

from __future__ import annotations

from itertools import product

import pytest

from learnpath.domain.events import Event, EventType
from learnpath.domain.states import (
    RUNNABLE,
    STEPS,
    TRANSITIONS,
    IllegalTransition,
    check,
    terminal_step,
)
from learnpath.domain.tasks import Step, TaskStatus, TaskType
from learnpath.store.database import Database
from learnpath.store.events import append_event, events_after
from learnpath.store.tasks import Hop, create_task, get_task, transition, transitions

S = TaskStatus

# The tables written out by hand from docs/contract.md §4, so that a change to the state
# machine's data shows up here as well as in the behaviour.
EXPECTED_TRANSITIONS: dict[TaskStatus, set[TaskStatus]] = {
    S.pending: {S.processing, S.failed, S.cancelled},
    S.processing: {
        S.processing,
        S.human_review_pending,
        S.completed,
        S.partial_failure,
        S.failed,
        S.cancelled,
    },
    S.human_review_pending: {S.processing, S.cancelled},
    S.completed: set(),
    S.partial_failure: {S.pending, S.processing, S.human_review_pending},
    S.failed: {S.pending, S.processing, S.human_review_pending},
    S.cancelled: {S.pending, S.processing, S.human_review_pending},
}
EXPECTED_STEPS: dict[TaskStatus, set[Step]] = {
    S.pending: {Step.queued},
    S.processing: {
        Step.queued,
        Step.intent_analysis,
        Step.curriculum_design,
        Step.structure_validation,
        Step.validation_edit,
        Step.review_edit,
        Step.content_generation_queued,
        Step.content_generation,
        Step.finalizing,
        Step.link_check,
        Step.research,
        Step.outline_generation,
        Step.outline_validation,
        Step.chapter_writing,
        Step.assembling,
    },
    S.human_review_pending: {Step.human_review},
    S.completed: {Step.completed},
    S.partial_failure: {Step.partial_failure},
    S.failed: {Step.failed},
    S.cancelled: {Step.cancelled},
}
ALL_PAIRS = list(product(TaskStatus, TaskStatus))


def test_the_tables_are_the_contract() -> None:
    assert set(TRANSITIONS) == set(TaskStatus)
    assert set(STEPS) == set(TaskStatus)
    assert {k: set(v) for k, v in TRANSITIONS.items()} == EXPECTED_TRANSITIONS
    assert {k: set(v) for k, v in STEPS.items()} == EXPECTED_STEPS
    assert {S.pending, S.processing} == RUNNABLE


@pytest.mark.parametrize(("source", "target"), ALL_PAIRS, ids=lambda s: str(s))
def test_every_status_pair_is_judged_by_the_table(source: TaskStatus, target: TaskStatus) -> None:
    """Allowed pairs pass at every step the target may be at; every other pair is refused,
    even at a step the target allows."""
    for step in EXPECTED_STEPS[target]:
        if target in EXPECTED_TRANSITIONS[source]:
            check(source.value, target, step)
        else:
            with pytest.raises(IllegalTransition, match=f"cannot become {target.value}$"):
                check(source.value, target, step)


@pytest.mark.parametrize("status", list(TaskStatus))
def test_a_status_is_only_at_its_own_steps(status: TaskStatus) -> None:
    """From a status that may become ``status`` (itself, for processing), only the steps
    ``status`` allows pass."""
    source = next(s for s in TaskStatus if status in EXPECTED_TRANSITIONS[s])
    for step in Step:
        if step in EXPECTED_STEPS[status]:
            check(source, status, step)
        else:
            with pytest.raises(IllegalTransition, match=f"cannot be at step {step.value}$"):
                check(source, status, step)


@pytest.mark.parametrize(
    ("source", "target", "step"),
    [
        (S.processing, S.completed, Step.content_generation),
        (S.processing, S.human_review_pending, Step.queued),
        (S.processing, S.processing, Step.human_review),
        (S.processing, S.processing, Step.completed),
        (S.processing, S.failed, Step.cancelled),
        (S.processing, S.cancelled, Step.content_generation),
        (S.processing, S.partial_failure, Step.completed),
        (S.pending, S.processing, Step.failed),
        (S.failed, S.pending, Step.intent_analysis),
        (S.cancelled, S.human_review_pending, Step.curriculum_design),
    ],
)
def test_wrong_steps_are_refused(source: TaskStatus, target: TaskStatus, step: Step) -> None:
    with pytest.raises(IllegalTransition):
        check(source, target, step)


@pytest.mark.parametrize("target", list(TaskStatus))
def test_nothing_leaves_completed(target: TaskStatus) -> None:
    for step in Step:
        with pytest.raises(IllegalTransition):
            check(S.completed, target, step)


def test_an_unknown_status_is_not_an_illegal_transition_but_a_bad_value() -> None:
    with pytest.raises(ValueError, match="'paused' is not a valid TaskStatus"):
        check("paused", S.processing, Step.queued)


@pytest.mark.parametrize(
    ("status", "step"),
    [
        (S.completed, Step.completed),
        (S.partial_failure, Step.partial_failure),
        (S.failed, Step.failed),
        (S.cancelled, Step.cancelled),
    ],
)
def test_terminal_step(status: TaskStatus, step: Step) -> None:
    assert status.is_terminal
    assert terminal_step(status) == step


@pytest.mark.parametrize("status", [S.pending, S.processing, S.human_review_pending])
def test_an_active_status_has_no_terminal_step(status: TaskStatus) -> None:
    with pytest.raises(ValueError):
        terminal_step(status)


# ---------------------------------------------------------------- through the store


async def _new_task(db: Database, status: TaskStatus = S.pending, step: Step = Step.queued) -> str:
    async with db.transaction() as s:
        task = await create_task(s, TaskType.creation, {"goal": "g"}, status=status, step=step)
        return task.task_id


async def test_transition_changes_the_row_and_appends_one_stamped_event(db: Database) -> None:
    published: list[Event] = []

    async def sink(events: list[Event]) -> None:
        published.extend(events)

    db.add_event_sink(sink)
    task_id = await _new_task(db)
    async with db.transaction() as s:
        await append_event(s, task_id, EventType.task_started, "started")
    assert [e.seq for e in published] == [1]
    async with db.transaction() as s:
        task = await get_task(s, task_id, lock=True)
        await transition(
            s, task, S.processing, Step.intent_analysis, EventType.progress, "Analysing"
        )
        assert [e.seq for e in published] == [1]  # published after commit, not before
    async with db.read() as s:
        row = await get_task(s, task_id)
        events = await events_after(s, task_id)
    assert (row.status, row.current_step, row.last_seq) == ("processing", "intent_analysis", 2)
    assert [(e.seq, e.type, e.status, e.step, e.message) for e in events] == [
        (1, EventType.task_started, None, None, "started"),
        (2, EventType.progress, "processing", "intent_analysis", "Analysing"),
    ]
    assert published == events


async def test_transition_fields_override_the_stamp(db: Database) -> None:
    task_id = await _new_task(db, S.processing, Step.curriculum_design)
    async with db.transaction() as s:
        task = await get_task(s, task_id, lock=True)
        await transition(
            s,
            task,
            S.cancelled,
            Step.cancelled,
            EventType.cancelled,
            "Cancelled during curriculum_design",
            step=Step.curriculum_design.value,
        )
    async with db.read() as s:
        row = await get_task(s, task_id)
        (event,) = await events_after(s, task_id)
    assert (row.status, row.current_step, row.last_seq) == ("cancelled", "cancelled", 1)
    assert (event.seq, event.status, event.step) == (1, "cancelled", "curriculum_design")


@pytest.mark.parametrize(
    ("status", "step", "to_status", "to_step"),
    [
        (S.completed, Step.completed, S.processing, Step.content_generation_queued),
        (S.pending, Step.queued, S.completed, Step.completed),
        (S.human_review_pending, Step.human_review, S.failed, Step.failed),
        (S.processing, Step.content_generation, S.completed, Step.content_generation),
    ],
)
async def test_an_illegal_transition_writes_nothing(
    db: Database, status: TaskStatus, step: Step, to_status: TaskStatus, to_step: Step
) -> None:
    """Not even what the transaction did before it: the whole unit of work rolls back, and
    no event is published."""
    published: list[Event] = []

    async def sink(events: list[Event]) -> None:
        published.extend(events)

    db.add_event_sink(sink)
    task_id = await _new_task(db, status, step)
    async with db.transaction() as s:
        await append_event(s, task_id, EventType.progress, "before")
    published.clear()
    with pytest.raises(IllegalTransition):
        async with db.transaction() as s:
            task = await get_task(s, task_id, lock=True)
            await append_event(s, task_id, EventType.progress, "inside, rolled back")
            task.error_message = "rolled back too"
            try:
                await transition(s, task, to_status, to_step, EventType.progress, "no")
            finally:
                assert (task.status, task.current_step) == (status.value, step.value)
    async with db.read() as s:
        row = await get_task(s, task_id)
        events = await events_after(s, task_id)
    assert (row.status, row.current_step, row.last_seq) == (status.value, step.value, 1)
    assert row.error_message is None
    assert [(e.seq, e.message) for e in events] == [(1, "before")]
    assert published == []


async def test_transitions_make_several_hops_each_judged_and_stamped(db: Database) -> None:
    task_id = await _new_task(db)
    hops = [
        Hop(S.processing, Step.intent_analysis, EventType.task_started, "started", {"x": None}),
        Hop(S.processing, Step.curriculum_design, EventType.progress, "Designing"),
        Hop(S.failed, Step.failed, EventType.failed, "gave up", {"error": "gave up"}),
    ]
    async with db.transaction() as s:
        task = await get_task(s, task_id, lock=True)
        await transitions(s, task, hops, writes={"error_message": "gave up"})
        assert (task.status, task.current_step, task.last_seq) == ("failed", "failed", 3)
    async with db.read() as s:
        row = await get_task(s, task_id)
        events = await events_after(s, task_id)
    assert (row.status, row.current_step, row.last_seq, row.error_message) == (
        "failed",
        "failed",
        3,
        "gave up",
    )
    assert [(e.seq, e.type, e.status, e.step, e.error) for e in events] == [
        (1, EventType.task_started, "processing", "intent_analysis", None),
        (2, EventType.progress, "processing", "curriculum_design", None),
        (3, EventType.failed, "failed", "failed", "gave up"),
    ]


async def test_transitions_refuse_an_illegal_hop_before_writing_any(db: Database) -> None:
    task_id = await _new_task(db)
    hops = [
        Hop(S.processing, Step.intent_analysis, EventType.task_started, "started"),
        Hop(S.completed, Step.intent_analysis, EventType.completed, "done?"),
    ]
    with pytest.raises(IllegalTransition, match=r"cannot be at step intent_analysis$"):
        async with db.transaction() as s:
            await transitions(s, await get_task(s, task_id, lock=True), hops)
    async with db.read() as s:
        row = await get_task(s, task_id)
        assert (row.status, row.last_seq) == ("pending", 0)
        assert await events_after(s, task_id) == []
