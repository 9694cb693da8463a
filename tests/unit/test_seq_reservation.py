"""A task's event seqs: reserved in blocks while its items are generated
(store.tasks.reserve_seqs), one at a time under guards (store.events.next_seq), and read
back in order without gaps (store.events.events_after)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from learnpath.domain.events import EventType, new_event
from learnpath.domain.tasks import Step, TaskStatus, TaskType
from learnpath.store.database import Database
from learnpath.store.events import (
    add_event,
    append_event,
    events_after,
    next_seq,
    store_events,
)
from learnpath.store.tables import TaskRow
from learnpath.store.tasks import create_task, generating_attempt, get_task, reserve_seqs

S = TaskStatus
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


async def _task(
    db: Database,
    status: TaskStatus = S.processing,
    step: Step = Step.content_generation,
    last_seq: int = 5,
) -> str:
    async with db.transaction() as s:
        task = await create_task(
            s, TaskType.creation, {}, roadmap_id="rm", status=status, step=step
        )
        task.last_seq = last_seq
        task.attempt = 2
        task.updated_at = LONG_AGO
        return task.task_id


async def _row(db: Database, task_id: str) -> TaskRow:
    async with db.read() as s:
        return await get_task(s, task_id)


async def test_a_reservation_starts_after_the_last_seq_and_advances_it(db: Database) -> None:
    task_id = await _task(db, last_seq=5)
    async with db.transaction() as s:
        assert await reserve_seqs(s, task_id, 3) == 6
    row = await _row(db, task_id)
    assert (row.last_seq, row.status, row.current_step) == (8, "processing", "content_generation")


async def test_successive_reservations_never_overlap(db: Database) -> None:
    task_id = await _task(db, last_seq=0)
    sizes = [1, 4, 2, 1, 7, 3]
    firsts = []
    for n in sizes:
        async with db.transaction() as s:
            firsts.append(await reserve_seqs(s, task_id, n))
    async with db.transaction() as s:  # two in one transaction too
        firsts.append(await reserve_seqs(s, task_id, 2))
        firsts.append(await reserve_seqs(s, task_id, 2))
    sizes += [2, 2]
    assert firsts == [1, 2, 6, 8, 9, 16, 19, 21]
    blocks = [set(range(f, f + n)) for f, n in zip(firsts, sizes, strict=True) if f is not None]
    assert set().union(*blocks) == set(range(1, 23))
    assert sum(map(len, blocks)) == 22
    assert (await _row(db, task_id)).last_seq == 22


@pytest.mark.parametrize(
    ("status", "step"),
    [
        (S.cancelled, Step.cancelled),
        (S.failed, Step.failed),
        (S.completed, Step.completed),
        (S.processing, Step.finalizing),
        (S.processing, Step.content_generation_queued),
        (S.processing, Step.curriculum_design),
        (S.pending, Step.content_generation),
        (S.human_review_pending, Step.human_review),
    ],
)
async def test_no_reservation_once_the_task_stopped_generating(
    db: Database, status: TaskStatus, step: Step
) -> None:
    task_id = await _task(db, status, step, last_seq=5)
    async with db.transaction() as s:
        assert await reserve_seqs(s, task_id, 3) is None
        assert await reserve_seqs(s, task_id, 1, finishing=Step.finalizing) is None
        assert await generating_attempt(s, task_id) is None
    row = await _row(db, task_id)
    assert (row.last_seq, row.status, row.current_step) == (5, status.value, step.value)
    assert row.updated_at == LONG_AGO


async def test_no_reservation_for_a_task_that_does_not_exist(db: Database) -> None:
    async with db.transaction() as s:
        assert await reserve_seqs(s, "task_missing", 1) is None


async def test_generating_attempt(db: Database) -> None:
    task_id = await _task(db)
    async with db.read() as s:
        assert await generating_attempt(s, task_id) == ("creation", 2, "rm")


async def test_the_last_reservation_moves_the_task_to_finalizing(db: Database) -> None:
    task_id = await _task(db, last_seq=9)
    before = datetime.now(UTC) - timedelta(seconds=1)
    async with db.transaction() as s:
        assert await reserve_seqs(s, task_id, 1, finishing=Step.finalizing) == 10
    row = await _row(db, task_id)
    assert (row.last_seq, row.status, row.current_step) == (10, "processing", "finalizing")
    assert row.updated_at > before
    async with db.transaction() as s:  # finalizing: no longer generating
        assert await reserve_seqs(s, task_id, 1) is None
        assert await reserve_seqs(s, task_id, 1, finishing=Step.finalizing) is None
    assert (await _row(db, task_id)).last_seq == 10


async def test_a_rolled_back_reservation_is_not_kept(db: Database) -> None:
    task_id = await _task(db, last_seq=4)
    with pytest.raises(RuntimeError, match="boom"):
        async with db.transaction() as s:
            assert await reserve_seqs(s, task_id, 3, finishing=Step.finalizing) == 5
            raise RuntimeError("boom")
    row = await _row(db, task_id)
    assert (row.last_seq, row.current_step) == (4, "content_generation")
    async with db.transaction() as s:
        assert await reserve_seqs(s, task_id, 2) == 5


# Guards are module-level tuples, as next_seq asks (its statement is built once for each).
PROCESSING = (TaskRow.status == S.processing.value,)
CANCELLED = (TaskRow.status == S.cancelled.value,)
GENERATING_CONTENT = (
    TaskRow.status == S.processing.value,
    TaskRow.current_step == Step.content_generation.value,
)
FIRST_ATTEMPT = (TaskRow.attempt == 1,)
SECOND_ATTEMPT = (TaskRow.attempt == 2,)


async def test_next_seq_with_guards_and_changes(db: Database) -> None:
    task_id = await _task(db, S.processing, Step.curriculum_design, last_seq=3)
    async with db.transaction() as s:
        assert await next_seq(s, task_id) == 4
        assert await next_seq(s, task_id, guards=PROCESSING) == 5
        assert await next_seq(s, task_id, guards=CANCELLED) is None
        assert await next_seq(s, task_id, guards=GENERATING_CONTENT) is None
        assert await next_seq(s, task_id, count=3) == 8
        assert await next_seq(s, "task_missing") is None
    assert (await _row(db, task_id)).last_seq == 8
    async with db.transaction() as s:
        refused = await next_seq(
            s, task_id, guards=FIRST_ATTEMPT, current_step=Step.structure_validation.value
        )
        assert refused is None
    row = await _row(db, task_id)
    assert (row.last_seq, row.current_step) == (8, "curriculum_design")
    async with db.transaction() as s:
        moved = await next_seq(
            s, task_id, guards=SECOND_ATTEMPT, current_step=Step.structure_validation.value
        )
        assert moved == 9
    row = await _row(db, task_id)
    assert (row.last_seq, row.current_step) == (9, "structure_validation")


async def test_events_come_back_in_seq_order_without_gaps(db: Database) -> None:
    task_id = await _task(db, last_seq=0)
    other = await _task(db, last_seq=0)
    async with db.transaction() as s:
        await append_event(s, task_id, EventType.task_started, "e1")
        await append_event(s, other, EventType.task_started, "other 1")
        await append_event(s, task_id, EventType.progress, "e2")
    async with db.transaction() as s:  # a block of item events, stored out of order
        first = await reserve_seqs(s, task_id, 4)
        assert first == 3
        block = [
            new_event(first + i, task_id, EventType.concept_start, f"e{first + i}")
            for i in range(4)
        ]
        await store_events(s, block[::-1])
    async with db.transaction() as s:
        seq = await reserve_seqs(s, task_id, 1, finishing=Step.finalizing)
        assert seq == 7
        await add_event(s, seq, task_id, EventType.progress, "e7", step=Step.finalizing.value)
        await append_event(s, task_id, EventType.completed, "e8")
        await append_event(s, other, EventType.progress, "other 2")
    async with db.read() as s:
        events = await events_after(s, task_id)
        tail = await events_after(s, task_id, 5)
        others = await events_after(s, other)
        none_after = await events_after(s, task_id, 8)
    assert [(e.seq, e.message) for e in events] == [(n, f"e{n}") for n in range(1, 9)]
    assert {e.task_id for e in events} == {task_id}
    assert [e.seq for e in tail] == [6, 7, 8]
    assert [(e.seq, e.message) for e in others] == [(1, "other 1"), (2, "other 2")]
    assert none_after == []
    assert (await _row(db, task_id)).last_seq == 8


async def test_a_seq_is_stored_once(db: Database) -> None:
    task_id = await _task(db, last_seq=0)
    async with db.transaction() as s:
        await append_event(s, task_id, EventType.task_started, "first")
    with pytest.raises(IntegrityError):
        async with db.transaction() as s:
            await add_event(s, 1, task_id, EventType.progress, "again under seq 1")
    async with db.read() as s:
        assert [(e.seq, e.message) for e in await events_after(s, task_id)] == [(1, "first")]
