"""What the sweeper picks up: runnable task steps and open items that nobody vouches for
(store.tasks.lapsed, store.items.lapsed), and what a resuming worker may take over
(store.tasks.unheld). Rows are written directly with chosen statuses, steps, leases and
update times, and the exact ids returned are checked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest

from learnpath.domain.items import ItemKey, ItemStatus
from learnpath.domain.tasks import Step, TaskStatus, TaskType
from learnpath.store import items, tasks
from learnpath.store.database import Database
from learnpath.store.tables import ItemRow, RoadmapRow, TaskRow

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
SETTLE_S = 60.0
SETTLED_IN = NOW - timedelta(seconds=SETTLE_S)
EXPIRED = NOW - timedelta(seconds=1)
LIVE = NOW + timedelta(seconds=30)
LONG_AGO = NOW - timedelta(hours=1)
RECENTLY = NOW - timedelta(seconds=5)

S = TaskStatus
I = ItemStatus  # noqa: E741


@dataclass(frozen=True)
class T:
    """A task row as the test writes it."""

    task_id: str
    status: TaskStatus
    step: Step
    owner: str | None = None
    expires: datetime | None = None
    updated: datetime = LONG_AGO


@dataclass(frozen=True)
class It:
    """An item row (of roadmap ``rm``) as the test writes it."""

    task_id: str | None
    concept: str
    kind: str
    status: ItemStatus
    owner: str | None = None
    expires: datetime | None = None
    updated: datetime = LONG_AGO


async def _write(db: Database, task_rows: list[T], item_rows: list[It] = []) -> None:  # noqa: B006
    async with db.transaction() as s:
        s.add(RoadmapRow(roadmap_id="rm", title="T", framework={}, request={}))
        await s.flush()  # no ORM relationship orders the item inserts after it
        for t in task_rows:
            s.add(
                TaskRow(
                    task_id=t.task_id,
                    task_type=TaskType.creation.value,
                    status=t.status.value,
                    current_step=t.step.value,
                    roadmap_id="rm",
                    request={},
                    lease_owner=t.owner,
                    lease_expires_at=t.expires,
                    created_at=LONG_AGO,
                    updated_at=t.updated,
                )
            )
        for i in item_rows:
            s.add(
                ItemRow(
                    subject_id="rm",
                    concept_id=i.concept,
                    content_type=i.kind,
                    status=i.status.value,
                    fingerprint="fp",
                    task_id=i.task_id,
                    lease_owner=i.owner,
                    lease_expires_at=i.expires,
                    updated_at=i.updated,
                )
            )
    async with db.read() as s:  # what was written is what the test meant
        for t in task_rows:
            row = await tasks.get_task(s, t.task_id)
            assert (row.updated_at, row.lease_expires_at) == (t.updated, t.expires)


async def _lapsed_tasks(db: Database, at: datetime = NOW) -> set[str]:
    async with db.read() as s:
        found = await tasks.lapsed(s, at, at - timedelta(seconds=SETTLE_S))
    assert len(found) == len(set(found))
    return set(found)


async def _lapsed_items(db: Database, at: datetime = NOW) -> list[tuple[str, ItemKey]]:
    async with db.read() as s:
        return await items.lapsed(s, at, SETTLE_S)


# ---------------------------------------------------------------- task steps

TASK_CASES: list[tuple[T, bool]] = [
    # a lease (a worker's, or a queued one without an owner) vouches while it lasts
    (T("expired_owned", S.processing, Step.intent_analysis, "w1", EXPIRED, RECENTLY), True),
    (T("expired_queued", S.pending, Step.queued, None, EXPIRED, RECENTLY), True),
    (T("expired_link_check", S.processing, Step.link_check, "w1", EXPIRED, RECENTLY), True),
    (T("expired_finalizing", S.processing, Step.finalizing, "w1", EXPIRED, RECENTLY), True),
    (T("live_owned", S.processing, Step.curriculum_design, "w1", LIVE, LONG_AGO), False),
    (T("live_queued", S.pending, Step.queued, None, LIVE, LONG_AGO), False),
    (T("lease_ends_now", S.processing, Step.structure_validation, "w1", NOW, LONG_AGO), False),
    # never leased: given the settling time since its last change
    (T("unleased_stale", S.pending, Step.queued, None, None, LONG_AGO), True),
    (T("unleased_stale_work", S.processing, Step.review_edit, None, None, LONG_AGO), True),
    (T("unleased_fresh", S.pending, Step.queued, None, None, RECENTLY), False),
    (T("unleased_settling_ends_now", S.pending, Step.queued, None, None, SETTLED_IN), False),
    # parked for a person: never, leased or not
    (T("parked", S.human_review_pending, Step.human_review, None, None, LONG_AGO), False),
    (T("parked_expired", S.human_review_pending, Step.human_review, "w1", EXPIRED), False),
    # (a runnable status at human_review is a row the state machine never writes; the step
    # alone still keeps it out)
    (T("runnable_at_review", S.processing, Step.human_review, "w1", EXPIRED), False),
    # stopped: never
    (T("completed", S.completed, Step.completed, "w1", EXPIRED), False),
    (T("partial", S.partial_failure, Step.partial_failure, "w1", EXPIRED), False),
    (T("failed", S.failed, Step.failed, None, None), False),
    (T("cancelled", S.cancelled, Step.cancelled, "w1", EXPIRED), False),
]


async def test_which_task_steps_lapse(db: Database) -> None:
    await _write(db, [t for t, _ in TASK_CASES])
    assert await _lapsed_tasks(db) == {t.task_id for t, swept in TASK_CASES if swept}


async def test_the_time_asked_about_may_be_in_any_zone(db: Database) -> None:
    await _write(db, [t for t, _ in TASK_CASES])
    east = NOW.astimezone(timezone(timedelta(hours=5)))
    assert await _lapsed_tasks(db, east) == {t.task_id for t, swept in TASK_CASES if swept}


async def test_nothing_lapses_before_its_time(db: Database) -> None:
    await _write(db, [t for t, _ in TASK_CASES])
    earlier = LONG_AGO - timedelta(seconds=1)
    assert await _lapsed_tasks(db, earlier) == set()
    later = LIVE + timedelta(seconds=1)  # every lease has ended; settled since NOW - 29 s
    runnable = {t.task_id for t, _ in TASK_CASES if t.status in (S.pending, S.processing)}
    assert await _lapsed_tasks(db, later) == runnable - {"unleased_fresh", "runnable_at_review"}


GENERATING = [
    T("gen_open_item", S.processing, Step.content_generation, "w1", EXPIRED),
    T("gen_generating_item", S.processing, Step.content_generation, None, None),
    T("gen_all_settled", S.processing, Step.content_generation, "w1", EXPIRED),
    T("gen_no_items", S.processing, Step.content_generation, None, None),
    T("gen_others_item", S.processing, Step.content_generation, "w1", EXPIRED),
    T("queueing_open_item", S.processing, Step.content_generation_queued, "w1", EXPIRED),
    T("parked_owner", S.human_review_pending, Step.human_review, None, None, RECENTLY),
]
GENERATING_ITEMS = [
    It("gen_open_item", "a", "tutorial", I.pending, None, LIVE),
    It("gen_open_item", "a", "quiz", I.completed),
    It("gen_generating_item", "b", "tutorial", I.generating, "w2", EXPIRED),
    It("gen_all_settled", "c", "tutorial", I.completed),
    It("gen_all_settled", "c", "quiz", I.failed),
    # an open item of another task does not vouch for this one
    It("parked_owner", "e", "tutorial", I.pending),
    It("queueing_open_item", "f", "tutorial", I.pending, None, LIVE),
]


async def test_a_generating_task_is_vouched_for_by_its_open_items(db: Database) -> None:
    await _write(db, GENERATING, GENERATING_ITEMS)
    assert await _lapsed_tasks(db) == {
        "gen_all_settled",
        "gen_no_items",
        "gen_others_item",
        "queueing_open_item",  # only the content_generation step is its items' to vouch for
    }


async def test_a_generating_task_with_dead_items_is_swept_through_its_items(
    db: Database,
) -> None:
    """The generating task is not swept as a task; its lapsed item is, as an item."""
    await _write(db, GENERATING, GENERATING_ITEMS)
    assert "gen_generating_item" not in await _lapsed_tasks(db)
    assert await _lapsed_items(db) == [("gen_generating_item", ItemKey("b", "tutorial"))]


# ---------------------------------------------------------------- items

ITEM_TASKS = [
    T("task_z_gen", S.processing, Step.content_generation, "w1", LIVE),
    T("task_a_gen", S.processing, Step.content_generation, "w1", LIVE),
    T("task_cancelled", S.cancelled, Step.cancelled),
    T("task_failed", S.failed, Step.failed),
    T("task_queueing", S.processing, Step.content_generation_queued, "w1", LIVE),
    T("task_finalizing", S.processing, Step.finalizing, "w1", LIVE),
    T("task_pending", S.pending, Step.content_generation, None, LIVE),
    T("task_parked", S.human_review_pending, Step.human_review),
]
ITEM_CASES: list[tuple[It, bool]] = [
    # open items of a generating task: swept once their lease ends or never came
    (It("task_z_gen", "z1", "tutorial", I.pending, None, EXPIRED, RECENTLY), True),
    (It("task_z_gen", "z1", "quiz", I.generating, "w2", EXPIRED, RECENTLY), True),
    (It("task_a_gen", "a1", "tutorial", I.generating, "w2", EXPIRED, RECENTLY), True),
    (It("task_a_gen", "a1", "resources", I.pending, None, None, LONG_AGO), True),
    (It("task_a_gen", "a1", "quiz", I.generating, "w2", LIVE, LONG_AGO), False),
    (It("task_a_gen", "a2", "tutorial", I.pending, None, LIVE, LONG_AGO), False),
    (It("task_a_gen", "a2", "resources", I.pending, None, None, RECENTLY), False),
    (It("task_a_gen", "a2", "quiz", I.pending, None, None, SETTLED_IN), False),
    (It("task_a_gen", "a3", "tutorial", I.generating, "w2", NOW, LONG_AGO), False),
    # settled items: never
    (It("task_a_gen", "a3", "resources", I.completed, "w2", EXPIRED), False),
    (It("task_a_gen", "a3", "quiz", I.failed, None, None), False),
    # open items of a task that is not generating: never
    (It("task_cancelled", "c1", "tutorial", I.pending, None, EXPIRED), False),
    (It("task_cancelled", "c1", "quiz", I.generating, "w2", EXPIRED), False),
    (It("task_failed", "c2", "tutorial", I.pending, None, None), False),
    (It("task_queueing", "q1", "tutorial", I.pending, None, EXPIRED), False),
    (It("task_finalizing", "q1", "quiz", I.pending, None, EXPIRED), False),
    (It("task_pending", "q2", "tutorial", I.pending, None, EXPIRED), False),
    (It("task_parked", "q2", "quiz", I.pending, None, EXPIRED), False),
    # owned by no task, or by a task that does not exist: never
    (It(None, "n1", "tutorial", I.pending, None, EXPIRED), False),
    (It("task_gone", "n1", "quiz", I.generating, "w2", EXPIRED), False),
]


async def test_which_items_lapse(db: Database) -> None:
    await _write(db, ITEM_TASKS, [i for i, _ in ITEM_CASES])
    got = await _lapsed_items(db)
    assert sorted(got, key=repr) == sorted(
        ((i.task_id or "", ItemKey(i.concept, i.kind)) for i, swept in ITEM_CASES if swept),
        key=repr,
    )
    assert [task_id for task_id, _ in got] == ["task_a_gen"] * 2 + ["task_z_gen"] * 2


@pytest.mark.parametrize("lease_s", [30.0, 7200.0])
async def test_an_unleased_item_is_given_lease_s_since_its_last_change(
    db: Database, lease_s: float
) -> None:
    await _write(
        db,
        [T("task_gen", S.processing, Step.content_generation, "w1", LIVE)],
        [
            It("task_gen", "x", "tutorial", I.pending, None, None, LONG_AGO),
            It("task_gen", "x", "quiz", I.pending, None, None, RECENTLY),
            It("task_gen", "x", "resources", I.pending, None, None, NOW - timedelta(seconds=45)),
        ],
    )
    async with db.read() as s:
        got = {key.content_type for _, key in await items.lapsed(s, NOW, lease_s)}
    assert got == ({"tutorial", "resources"} if lease_s == 30.0 else set())


# ---------------------------------------------------------------- resume candidates


async def test_unheld_is_every_runnable_task_but_the_askers_own(db: Database) -> None:
    await _write(
        db,
        [
            T("mine", S.processing, Step.curriculum_design, "w1", LIVE),
            T("mine_expired", S.processing, Step.intent_analysis, "w1", EXPIRED),
            T("mine_pending", S.pending, Step.queued, "w1", LIVE),
            T("theirs", S.processing, Step.content_generation, "w2", LIVE),
            T("queued", S.pending, Step.queued, None, LIVE),
            T("nobodys", S.pending, Step.queued),
            T("parked", S.human_review_pending, Step.human_review),
            T("parked_theirs", S.human_review_pending, Step.human_review, "w2", LIVE),
            T("runnable_at_review", S.pending, Step.human_review, "w2", LIVE),
            T("done", S.completed, Step.completed),
            T("cancelled_theirs", S.cancelled, Step.cancelled, "w2", LIVE),
            T("failed", S.failed, Step.failed),
        ],
    )
    async with db.read() as s:
        for_w1 = {t.task_id for t in await tasks.unheld(s, "w1")}
        for_w2 = {t.task_id for t in await tasks.unheld(s, "w2")}
        for_w3 = {t.task_id for t in await tasks.unheld(s, "w3")}
    assert for_w1 == {"theirs", "queued", "nobodys"}
    assert for_w2 == {"mine", "mine_expired", "mine_pending", "queued", "nobodys"}
    assert for_w3 == for_w1 | for_w2
