"""Which retry recovery a stopped task gets (docs/contract.md §4, "Retry recoveries"), and
which tasks may not be retried at all."""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest
from sqlalchemy import select, update
from tests.support.frameworks import one_module

from learnpath.domain.events import EventType
from learnpath.domain.items import ItemStatus
from learnpath.domain.roadmap import Framework
from learnpath.domain.tasks import FRAMEWORK_STEPS, RecoveryType, Step, TaskStatus, TaskType
from learnpath.engine.recovery import Recovery, choose, recover, refusal
from learnpath.engine.roadmap import LINK_CHECK, ROADMAP, WORKFLOWS
from learnpath.store import roadmaps
from learnpath.store.database import Database
from learnpath.store.events import events_after
from learnpath.store.tables import ItemRow, TaskRow
from learnpath.store.tasks import create_task, get_task

R = RecoveryType
S = TaskStatus
T = TaskType


class Row(NamedTuple):
    task_type: TaskType
    status: TaskStatus
    has_subject: bool
    stopped_at: Step
    has_failed_items: bool
    expected: RecoveryType


RETRY_TABLE = [
    # cancelled/failed before a framework existed → restart_from_scratch
    Row(T.creation, S.cancelled, False, Step.queued, False, R.restart_from_scratch),
    Row(T.creation, S.cancelled, False, Step.intent_analysis, False, R.restart_from_scratch),
    Row(T.creation, S.failed, False, Step.intent_analysis, False, R.restart_from_scratch),
    Row(T.creation, S.failed, False, Step.curriculum_design, False, R.restart_from_scratch),
    # (no framework: wherever the summary says it stopped, nothing else can be kept)
    Row(T.creation, S.failed, False, Step.content_generation, False, R.restart_from_scratch),
    Row(T.creation, S.failed, False, Step.content_generation, True, R.restart_from_scratch),
    # cancelled while in review (any step before the fan-out) → resume_review
    Row(T.creation, S.cancelled, True, Step.human_review, False, R.resume_review),
    Row(T.creation, S.cancelled, True, Step.curriculum_design, False, R.resume_review),
    Row(T.creation, S.cancelled, True, Step.structure_validation, False, R.resume_review),
    Row(T.creation, S.cancelled, True, Step.validation_edit, False, R.resume_review),
    Row(T.creation, S.cancelled, True, Step.review_edit, False, R.resume_review),
    Row(T.creation, S.failed, True, Step.structure_validation, False, R.resume_review),
    Row(T.creation, S.failed, True, Step.review_edit, False, R.resume_review),
    # cancelled during content generation with nothing failed → restart_content_generation
    Row(
        T.creation, S.cancelled, True, Step.content_generation, False, R.restart_content_generation
    ),
    Row(
        T.creation,
        S.cancelled,
        True,
        Step.content_generation_queued,
        False,
        R.restart_content_generation,
    ),
    Row(T.creation, S.cancelled, True, Step.finalizing, False, R.restart_content_generation),
    Row(T.creation, S.failed, True, Step.content_generation, False, R.restart_content_generation),
    # partial_failure, or failed/cancelled with failed items → retry_failed_items
    Row(T.creation, S.partial_failure, True, Step.content_generation, False, R.retry_failed_items),
    Row(T.creation, S.partial_failure, True, Step.content_generation, True, R.retry_failed_items),
    Row(T.creation, S.failed, True, Step.content_generation, True, R.retry_failed_items),
    Row(T.creation, S.failed, True, Step.finalizing, True, R.retry_failed_items),
    Row(T.creation, S.cancelled, True, Step.content_generation, True, R.retry_failed_items),
    Row(T.creation, S.cancelled, True, Step.content_generation_queued, True, R.retry_failed_items),
    # a retry task reruns its items, whatever it stopped at
    Row(T.retry_tutorial, S.cancelled, True, Step.content_generation, False, R.retry_failed_items),
    Row(T.retry_tutorial, S.cancelled, True, Step.queued, False, R.retry_failed_items),
    Row(
        T.retry_tutorial,
        S.cancelled,
        True,
        Step.content_generation_queued,
        False,
        R.retry_failed_items,
    ),
    Row(T.retry_tutorial, S.failed, True, Step.content_generation, True, R.retry_failed_items),
    Row(T.retry_resources, S.failed, True, Step.content_generation, False, R.retry_failed_items),
    Row(T.retry_quiz, S.partial_failure, True, Step.content_generation, True, R.retry_failed_items),
    Row(T.retry_batch, S.cancelled, True, Step.finalizing, False, R.retry_failed_items),
    Row(T.retry_batch, S.cancelled, False, Step.content_generation, False, R.retry_failed_items),
]


@pytest.mark.parametrize("row", RETRY_TABLE, ids=lambda r: "-".join(map(str, r)))
def test_the_retry_table(row: Row) -> None:
    got = choose(
        row.task_type.value,
        row.status,
        row.has_subject,
        row.stopped_at,
        ROADMAP.review_steps,
        row.has_failed_items,
    )
    assert got == row.expected


def test_the_roadmap_workflow_resumes_review_at_the_framework_steps() -> None:
    assert ROADMAP.review_steps == FRAMEWORK_STEPS
    assert {
        Step.queued,
        Step.intent_analysis,
        Step.curriculum_design,
        Step.structure_validation,
        Step.validation_edit,
        Step.human_review,
        Step.review_edit,
    } == FRAMEWORK_STEPS
    for task_type in (T.creation, T.retry_tutorial, T.retry_resources, T.retry_quiz, T.retry_batch):
        assert WORKFLOWS[task_type.value] is ROADMAP
    assert WORKFLOWS[T.link_check.value] is LINK_CHECK


@pytest.mark.parametrize("stopped_at", sorted(FRAMEWORK_STEPS))
def test_review_steps_come_from_the_workflow(stopped_at: Step) -> None:
    """A step is a review step because the workflow says so, not because of its name."""
    args = (T.creation.value, S.cancelled, True, stopped_at)
    assert choose(*args, FRAMEWORK_STEPS, False) == R.resume_review
    assert choose(*args, frozenset(), False) == R.restart_content_generation
    assert choose(*args, frozenset(), True) == R.retry_failed_items


def _task(status: TaskStatus, task_type: TaskType = T.creation) -> TaskRow:
    return TaskRow(task_id="task_x", task_type=task_type.value, status=status.value)


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (S.completed, "task task_x completed; nothing to retry"),
        (S.pending, "task task_x is already pending"),
        (S.processing, "task task_x is already processing"),
        (S.human_review_pending, "task task_x is already human_review_pending"),
    ],
)
def test_completed_and_active_tasks_are_refused(status: TaskStatus, reason: str) -> None:
    assert refusal(_task(status), ROADMAP) == reason
    assert refusal(_task(status, T.link_check), LINK_CHECK) == reason


@pytest.mark.parametrize("status", [S.failed, S.cancelled, S.partial_failure])
def test_stopped_tasks_may_be_retried_unless_the_workflow_says_no(status: TaskStatus) -> None:
    assert refusal(_task(status), ROADMAP) is None
    assert refusal(_task(status, T.retry_quiz), ROADMAP) is None
    assert (
        refusal(_task(status, T.link_check), LINK_CHECK)
        == "a link check is not retried: start a new one"
    )
    assert LINK_CHECK.retryable is False and ROADMAP.retryable is True


# ---------------------------------------------------------------- applying a recovery

FRAMEWORK = Framework.model_validate(
    one_module(
        [
            {"concept_id": "a", "name": "A", "estimated_hours": 1},
            {"concept_id": "b", "name": "B", "estimated_hours": 2},
        ],
        roadmap_id="rm_r",
    )
)


async def _stopped(
    db: Database,
    status: TaskStatus,
    stopped_at: Step | None,
    *,
    subject: bool = True,
    items: dict[tuple[str, str], ItemStatus] | None = None,
) -> str:
    """A stopped creation task (its roadmap and six items, when ``subject``), items in the
    given statuses (others pending), all owned by it."""
    async with db.transaction() as s:
        if subject:
            await roadmaps.create_roadmap(s, FRAMEWORK, {}, None)
        task = await create_task(
            s,
            T.creation,
            {"goal": "g"},
            roadmap_id="rm_r" if subject else None,
            status=status,
            step=Step(status.value),
        )
        task.summary = {} if stopped_at is None else {"stopped_at_step": stopped_at.value}
        task.error_message = "it broke"
        task.failed_items = [{"concept_id": "a"}]
        task.validation_rounds = 2
        task.attempt = 3
        if subject:
            await s.execute(update(ItemRow).values(task_id=task.task_id))
            for (concept, kind), item_status in (items or {}).items():
                await s.execute(
                    update(ItemRow)
                    .where(ItemRow.concept_id == concept, ItemRow.content_type == kind)
                    .values(
                        status=item_status.value,
                        error="bad" if item_status == ItemStatus.failed else None,
                        lease_owner="w1",
                    )
                )
        return task.task_id


async def _recover(db: Database, task_id: str) -> Recovery:
    async with db.transaction() as s:
        task = await get_task(s, task_id, lock=True)
        assert refusal(task, ROADMAP) is None
        return await recover(s, task, ROADMAP)


async def _state(db: Database, task_id: str) -> tuple[TaskRow, list[Any], dict[str, str]]:
    async with db.read() as s:
        task = await get_task(s, task_id)
        events = [
            (e.seq, e.type, e.status, e.step, e.message, e.data)
            for e in await events_after(s, task_id)
        ]
        rows = (await s.scalars(select(ItemRow))).all()
        items = {f"{r.concept_id}/{r.content_type}": r.status for r in rows}
    return task, events, items


def _cleared(task: TaskRow) -> tuple[Any, ...]:
    return (task.recovery_type, task.attempt, task.error_message, task.failed_items)


async def test_restart_from_scratch(db: Database) -> None:
    task_id = await _stopped(db, S.failed, Step.intent_analysis, subject=False)
    got = await _recover(db, task_id)
    assert got == Recovery(R.restart_from_scratch, "Restarting from the intent analysis", False)
    task, events, _ = await _state(db, task_id)
    assert (task.status, task.current_step, task.validation_rounds) == ("pending", "queued", 0)
    assert _cleared(task) == ("restart_from_scratch", 4, None, [])
    assert events == [
        (
            1,
            EventType.task_recovering,
            "pending",
            "queued",
            "Restarting from the intent analysis",
            {"recovery_type": "restart_from_scratch"},
        )
    ]


async def test_resume_review_parks_the_task_again(db: Database) -> None:
    task_id = await _stopped(db, S.cancelled, Step.human_review)
    got = await _recover(db, task_id)
    message = "Resuming the review of the framework; edits and review history are kept"
    assert got == Recovery(R.resume_review, message, True)
    task, events, items = await _state(db, task_id)
    assert (task.status, task.current_step) == ("human_review_pending", "human_review")
    assert task.validation_rounds == 2  # the review history is kept
    assert _cleared(task) == ("resume_review", 4, None, [])
    assert events == [
        (
            1,
            EventType.task_recovering,
            "human_review_pending",
            "human_review",
            message,
            {"recovery_type": "resume_review"},
        ),
        (
            2,
            EventType.human_review_required,
            "human_review_pending",
            "human_review",
            "The roadmap framework is waiting for review again",
            None,
        ),
    ]
    assert set(items.values()) == {"pending"}


async def test_resume_review_before_the_review_runs_the_step_again(db: Database) -> None:
    task_id = await _stopped(db, S.cancelled, Step.structure_validation)
    got = await _recover(db, task_id)
    assert (got.kind, got.parked) == (R.resume_review, False)
    task, events, _ = await _state(db, task_id)
    assert (task.status, task.current_step) == ("processing", "structure_validation")
    assert [(e[0], e[1], e[2], e[3]) for e in events] == [
        (1, EventType.task_recovering, "processing", "structure_validation")
    ]


async def test_restart_content_generation_keeps_completed_items(db: Database) -> None:
    task_id = await _stopped(
        db, S.cancelled, Step.content_generation, items={("a", "tutorial"): ItemStatus.completed}
    )
    got = await _recover(db, task_id)
    message = "Restarting content generation for 2 concepts; completed items are kept"
    assert got == Recovery(R.restart_content_generation, message, False)
    task, events, items = await _state(db, task_id)
    assert (task.status, task.current_step) == ("processing", "content_generation_queued")
    assert events == [
        (
            1,
            EventType.task_recovering,
            "processing",
            "content_generation_queued",
            message,
            {"recovery_type": "restart_content_generation"},
        ),
        (
            2,
            EventType.progress,
            "processing",
            "content_generation_queued",
            message,
            {
                "roadmap_id": "rm_r",
                "total_concepts": 2,
                "recovery_type": "restart_content_generation",
            },
        ),
    ]
    assert items["a/tutorial"] == "completed"
    assert list(items.values()).count("pending") == 5


async def test_a_task_stopped_without_a_recorded_step_was_generating(db: Database) -> None:
    task_id = await _stopped(db, S.failed, None)
    assert (await _recover(db, task_id)).kind == R.restart_content_generation


async def test_retry_failed_items_reopens_failed_and_interrupted_items(db: Database) -> None:
    task_id = await _stopped(
        db,
        S.partial_failure,
        None,
        items={
            ("a", "tutorial"): ItemStatus.completed,
            ("a", "resources"): ItemStatus.failed,
            ("a", "quiz"): ItemStatus.generating,
            ("b", "quiz"): ItemStatus.completed,
        },
    )
    got = await _recover(db, task_id)
    message = "Retrying 4 unfinished item(s); completed items are kept"
    assert got == Recovery(R.retry_failed_items, message, False)
    task, events, items = await _state(db, task_id)
    assert (task.status, task.current_step) == ("processing", "content_generation_queued")
    assert _cleared(task) == ("retry_failed_items", 4, None, [])
    assert [(e[0], e[1], e[4]) for e in events] == [(1, EventType.task_recovering, message)]
    assert items == {
        "a/tutorial": "completed",
        "a/resources": "pending",
        "a/quiz": "pending",
        "b/tutorial": "pending",
        "b/resources": "pending",
        "b/quiz": "completed",
    }
    async with db.read() as s:
        reopened = (await s.scalars(select(ItemRow))).all()
    by_key = {(r.concept_id, r.content_type): r for r in reopened}
    assert by_key[("a", "resources")].error is None
    assert by_key[("a", "resources")].lease_owner is None
    assert by_key[("a", "quiz")].lease_owner is None
