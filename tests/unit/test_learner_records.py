"""The store operations behind the learner routes, on a per-test SQLite copy: a roadmap's review
rounds over all its tasks, the concepts with quiz attempts, and deleting a finished task (its
events go, everything of its roadmap and its spend record stay); and the service answers
built on them (service.learner)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.support.frameworks import one_module

from learnpath.domain.events import EventType
from learnpath.domain.roadmap import Framework
from learnpath.domain.tasks import ReviewDecision, Step, TaskStatus, TaskType
from learnpath.errors import Conflict, IntentNotFound, RoadmapNotFound, TaskNotFound
from learnpath.llm.types import LLMCall
from learnpath.service import content, learner, tasks
from learnpath.store import attempts, records, roadmaps
from learnpath.store.database import Database
from learnpath.store.events import append_event, events_after
from learnpath.store.tables import LLMCallRow, QuizAttemptRow
from learnpath.store.tasks import create_task, delete_task, get_task

REQUEST = {"goal": "Learn SQL", "hours_per_week": 4}


def framework(roadmap_id: str, *names: str) -> Framework:
    concepts = [{"concept_id": n.lower(), "name": n, "estimated_hours": 1.5} for n in names]
    return Framework.model_validate(one_module(concepts, roadmap_id=roadmap_id))


INTENT: dict[str, Any] = {
    "normalized_goal": "Learn SQL",
    "key_topics": ["Querying"],
    "difficulty": "beginner",
    "time_budget": {"hours_per_week": 4, "weeks": 2, "total_hours": 8, "assessment": "fine"},
    "suggested_path": ["Querying"],
}


async def _roadmap(db: Database, roadmap_id: str = "rm_a", user_id: str = "u1") -> Framework:
    shape = framework(roadmap_id, "Select", "Where")
    async with db.transaction() as s:
        await roadmaps.create_roadmap(s, shape, REQUEST, user_id)
    return shape


async def _task(
    db: Database, roadmap_id: str | None, status: TaskStatus, step: Step, user_id: str = "u1"
) -> str:
    async with db.transaction() as s:
        task = await create_task(
            s,
            TaskType.creation,
            REQUEST,
            user_id=user_id,
            roadmap_id=roadmap_id,
            status=status,
            step=step,
        )
        return task.task_id


def runtime(db: Database) -> Any:
    """What the service functions here use of a runtime: the database and the cancel flags."""
    return SimpleNamespace(db=db, cancel_flags=SimpleNamespace(forget=lambda task_id: None))


async def test_review_rounds_of_a_roadmap_span_its_tasks_in_time_order(db: Database) -> None:
    await _roadmap(db, "rm_a")
    await _roadmap(db, "rm_b")
    first = await _task(db, "rm_a", TaskStatus.cancelled, Step.cancelled)
    second = await _task(db, "rm_a", TaskStatus.human_review_pending, Step.human_review)
    elsewhere = await _task(db, "rm_b", TaskStatus.human_review_pending, Step.human_review)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    order = [(first, 0), (elsewhere, 1), (second, 2), (first, 3)]
    async with db.transaction() as s:
        for task_id, minutes in order:
            roadmap_id = "rm_b" if task_id == elsewhere else "rm_a"
            row = await records.add_review_round(
                s,
                task_id,
                roadmap_id,
                ReviewDecision.edit,
                framework(roadmap_id, "X").definition_json(),
            )
            row.created_at = base + timedelta(minutes=minutes)
            await s.flush()
    async with db.read() as s:
        rows = await records.roadmap_review_rounds(s, "rm_a")
    assert [(r.task_id, r.round, r.created_at) for r in rows] == [
        (first, 1, base),
        (second, 1, base + timedelta(minutes=2)),
        (first, 2, base + timedelta(minutes=3)),
    ]


async def test_service_reviews_diff_each_round_against_the_one_before(db: Database) -> None:
    await _roadmap(db)
    task_id = await _task(db, "rm_a", TaskStatus.processing, Step.content_generation)
    snapshots = [
        framework("rm_a", "Select", "Where"),
        framework("rm_a", "Select", "Where", "Joins"),
        framework("rm_a", "Select", "Joins"),
    ]
    decisions = [ReviewDecision.reject, ReviewDecision.edit, ReviewDecision.approve]
    async with db.transaction() as s:
        for decision, snapshot in zip(decisions, snapshots, strict=True):
            await records.add_review_round(
                s, task_id, "rm_a", decision, snapshot.definition_json(), feedback="why"
            )
            await s.flush()
    answer = await learner.reviews(runtime(db), "rm_a", "u1")
    assert [(r.round, r.decision, r.feedback) for r in answer] == [
        (1, ReviewDecision.reject, "why"),
        (2, ReviewDecision.edit, "why"),
        (3, ReviewDecision.approve, "why"),
    ]
    changes = [r.changes.model_dump(by_alias=True) for r in answer]
    assert changes[0] == {"added": [], "removed": [], "renamed": [], "changed": []}
    assert changes[1] == {
        "added": [{"concept_id": "joins", "name": "Joins"}],
        "removed": [],
        "renamed": [],
        "changed": [],
    }
    assert changes[2] == {
        "added": [],
        "removed": [{"concept_id": "where", "name": "Where"}],
        "renamed": [],
        "changed": [],
    }
    with pytest.raises(RoadmapNotFound):
        await learner.reviews(runtime(db), "rm_a", "someone-else")


async def test_intent_is_the_roadmaps_newest_or_not_found(db: Database) -> None:
    await _roadmap(db)
    task_id = await _task(db, "rm_a", TaskStatus.processing, Step.curriculum_design)
    with pytest.raises(IntentNotFound) as missing:
        await learner.intent(runtime(db), "rm_a", "u1")
    assert str(missing.value) == "roadmap rm_a has no intent analysis yet"
    assert missing.value.http_status == 404
    async with db.transaction() as s:
        records.add_intent(s, task_id, "rm_a", INTENT)
        records.add_intent(s, task_id, "rm_a", {**INTENT, "normalized_goal": "Learn SQL well"})
    found = await learner.intent(runtime(db), "rm_a", "u1")
    assert found.normalized_goal == "Learn SQL well"
    with pytest.raises(RoadmapNotFound):
        await learner.intent(runtime(db), "rm_a", "someone-else")


async def test_attempted_concepts_are_per_roadmap(db: Database) -> None:
    await _roadmap(db, "rm_a")
    await _roadmap(db, "rm_b")
    async with db.transaction() as s:
        for roadmap_id, concept_id in (("rm_a", "where"), ("rm_a", "where"), ("rm_b", "select")):
            attempts.add_attempt(
                s,
                roadmap_id=roadmap_id,
                concept_id=concept_id,
                version=1,
                user_id="u1",
                answers={},
                score=0,
                total=4,
            )
    async with db.read() as s:
        assert await attempts.attempted_concepts(s, "rm_a") == {"where"}
        assert await attempts.attempted_concepts(s, "rm_b") == {"select"}
    progress = await learner.progress(runtime(db), "rm_a", "u1")
    assert [(c.concept_id, c.state.value) for c in progress.concepts] == [
        ("select", "not_started"),
        ("where", "in_progress"),
    ]
    assert (progress.hours_done, progress.hours_left, progress.weeks_left) == (0, 3.0, 1)


async def test_a_concepts_quiz_attempts_are_listed_newest_first(db: Database) -> None:
    await _roadmap(db, "rm_a")
    at = datetime(2026, 3, 1, 9, tzinfo=UTC)
    graded = (("where", 1, 1, 4), ("select", 1, 2, 4), ("where", 2, 3, 3))
    async with db.transaction() as s:
        for concept_id, version, score, total in graded:
            attempts.add_attempt(
                s,
                roadmap_id="rm_a",
                concept_id=concept_id,
                version=version,
                user_id="u1",
                answers={},
                score=score,
                total=total,
            )
            await s.flush()
        for row in await s.scalars(select(QuizAttemptRow)):
            row.created_at = at + timedelta(minutes=row.score)
    listed = await content.quiz_attempts(runtime(db), "rm_a", "where", "u1")
    assert [(a.version, a.score, a.total, a.percentage) for a in listed] == [
        (2, 3, 3, 100.0),
        (1, 1, 4, 25.0),
    ]
    assert listed[0].created_at.replace(tzinfo=UTC) == at + timedelta(minutes=3)
    selected = await content.quiz_attempts(runtime(db), "rm_a", "select", "u1")
    assert [(a.score, a.percentage) for a in selected] == [(2, 50.0)]
    with pytest.raises(RoadmapNotFound):
        await content.quiz_attempts(runtime(db), "rm_a", "nope", "u1")
    with pytest.raises(RoadmapNotFound):
        await content.quiz_attempts(runtime(db), "rm_a", "where", "someone-else")


async def _calls(db: Database, task_id: str) -> int:
    async with db.read() as s:
        count = await s.scalar(
            select(func.count()).select_from(LLMCallRow).where(LLMCallRow.task_id == task_id)
        )
    return int(count or 0)


async def test_deleting_a_task_removes_it_and_its_events_only(db: Database) -> None:
    await _roadmap(db)
    task_id = await _task(db, "rm_a", TaskStatus.completed, Step.completed)
    kept = await _task(db, "rm_a", TaskStatus.failed, Step.failed)
    async with db.transaction() as s:
        for _ in range(3):
            await append_event(s, task_id, EventType.progress, "step")
        await append_event(s, kept, EventType.failed, "no")
        await records.record_calls(s, task_id, [LLMCall("tutorial", "m", "offline", True, 1.0)])
        await records.add_review_round(s, task_id, "rm_a", ReviewDecision.approve, {})
        records.add_intent(s, task_id, "rm_a", INTENT)
        for item in await roadmaps.items_of(s, "rm_a"):
            item.task_id = task_id
    async with db.transaction() as s:
        await delete_task(s, task_id)
    async with db.read() as s:
        with pytest.raises(TaskNotFound):
            await get_task(s, task_id)
        assert await events_after(s, task_id) == []
        assert [e.seq for e in await events_after(s, kept)] == [1]
        assert (await get_task(s, kept)).status == "failed"
        items = await roadmaps.items_of(s, "rm_a")
        assert len(items) == 6 and {i.task_id for i in items} == {None}
        assert [r.task_id for r in await records.roadmap_review_rounds(s, "rm_a")] == [task_id]
        assert await records.latest_intent(s, roadmap_id="rm_a") is not None
        assert (await roadmaps.get_roadmap(s, "rm_a")).framework["title"] == "T"
    assert await _calls(db, task_id) == 1, "the spend record stays"


async def test_service_delete_refuses_active_and_foreign_tasks(db: Database) -> None:
    await _roadmap(db)
    rt = runtime(db)
    for status, step in (
        (TaskStatus.pending, Step.queued),
        (TaskStatus.processing, Step.content_generation),
        (TaskStatus.human_review_pending, Step.human_review),
    ):
        active = await _task(db, "rm_a", status, step)
        with pytest.raises(Conflict) as refused:
            await tasks.delete(rt, active, "u1")
        assert refused.value.task_id == active
        assert str(refused.value) == (
            f"task {active} is {status.value}; cancel it before deleting it"
        )
    for status, step in (
        (TaskStatus.completed, Step.completed),
        (TaskStatus.partial_failure, Step.partial_failure),
        (TaskStatus.failed, Step.failed),
        (TaskStatus.cancelled, Step.cancelled),
    ):
        finished = await _task(db, "rm_a", status, step)
        with pytest.raises(TaskNotFound):
            await tasks.delete(rt, finished, "someone-else")
        await tasks.delete(rt, finished, "u1")
        with pytest.raises(TaskNotFound):
            await tasks.delete(rt, finished, "u1")
