"""The roadmap workflow end to end through the service layer: in-process workers on SQLite and
PostgreSQL, and Celery worker processes on PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from tests.support.providers import BrokenCurriculumProvider, InvalidOnceProvider
from tests.support.workflow import Opener, settle, wait_for

from learnpath.domain.content import ContentType
from learnpath.domain.events import EventType
from learnpath.domain.items import ItemStatus
from learnpath.domain.request import LearnerRequest
from learnpath.domain.tasks import RecoveryType, Step, TaskStatus
from learnpath.engine.runtime import Runtime
from learnpath.errors import Conflict, Invalid
from learnpath.service import roadmaps, tasks
from learnpath.service.follow import follow
from learnpath.store import contents
from learnpath.store.events import events_after
from learnpath.store.records import review_rounds
from learnpath.store.tables import LLMCallRow

RUST = LearnerRequest(goal="Learn Rust for systems programming", hours_per_week=6, target_weeks=3)
IN_PROCESS_ONLY = "swaps the model provider in this process; Celery workers run their own"


@pytest.fixture(params=["sqlite", "postgresql", "celery"])
def engine_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def backend(engine_kind: str) -> str:
    return "sqlite" if engine_kind == "sqlite" else "postgresql"


@pytest.fixture
async def rt(open_engine: Opener) -> AsyncIterator[Runtime]:
    async with open_engine() as runtime:
        yield runtime


async def versions(rt: Runtime, roadmap_id: str) -> dict[str, dict[str, int]]:
    async with rt.db.read() as s:
        return {t.value: await contents.count_versions(s, t.value, roadmap_id) for t in ContentType}


def item_statuses(framework: object) -> set[str]:
    return {
        getattr(c, f"{t.value}_status")
        for c in framework.concepts()  # type: ignore[attr-defined]
        for t in ContentType
    }


async def test_auto_approved_roadmap_completes_with_every_item_once(rt: Runtime) -> None:
    view = await tasks.submit_roadmap(rt, RUST, auto_approve=True)
    done = await settle(rt, view.task_id)

    assert done.status == TaskStatus.completed
    assert done.current_step == Step.completed
    assert done.roadmap_id is not None
    framework = await roadmaps.get_framework(rt, done.roadmap_id)
    concepts = list(framework.concepts())
    assert len(concepts) >= 4
    assert item_statuses(framework) == {ItemStatus.completed}
    assert all(c.tutorial_version == 1 and c.quiz_version == 1 for c in concepts)
    assert done.progress.total == 3 * len(concepts) == done.progress.completed
    assert framework.total_estimated_hours == pytest.approx(
        sum(c.estimated_hours for c in concepts), abs=0.1
    )
    counts = await versions(rt, done.roadmap_id)
    assert all(set(per.values()) == {1} and len(per) == len(concepts) for per in counts.values())

    async with rt.db.read() as s:
        events = await events_after(s, view.task_id)
        calls = (
            await s.execute(select(func.count()).where(LLMCallRow.task_id == view.task_id))
        ).scalar_one()
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].type == EventType.task_started
    assert events[-1].type == EventType.completed and events[-1].data == {
        "failed_count": 0,
        "failed_items": [],
    }
    assert sum(e.type == EventType.concept_complete for e in events) == 3 * len(concepts)
    assert calls == 2 + 3 * len(concepts) == done.summary["llm_calls"]
    assert done.summary["items_done"] == 3 * len(concepts)


async def test_review_gate_reject_with_feedback_then_approve(rt: Runtime) -> None:
    view = await tasks.submit_roadmap(rt, RUST)
    parked = await settle(rt, view.task_id)
    assert parked.status == TaskStatus.human_review_pending
    assert parked.current_step == Step.human_review
    assert parked.roadmap_id is not None
    before = await roadmaps.get_framework(rt, parked.roadmap_id)

    with pytest.raises(Invalid):
        await tasks.review(rt, view.task_id, approved=False, feedback="  ")
    await tasks.review(rt, view.task_id, approved=False, feedback="add a concept about lifetimes")
    again = await settle(rt, view.task_id)
    assert again.status == TaskStatus.human_review_pending
    after = await roadmaps.get_framework(rt, parked.roadmap_id)
    names = [c.name.lower() for c in after.concepts()]
    assert any("lifetimes" in n for n in names)
    assert len(names) == len(list(before.concepts())) + 1

    await tasks.review(rt, view.task_id, approved=True)
    done = await settle(rt, view.task_id)
    assert done.status == TaskStatus.completed
    assert done.roadmap_id == parked.roadmap_id
    async with rt.db.read() as s:
        rounds = await review_rounds(s, view.task_id)
    assert [(r.round, r.decision) for r in rounds] == [(1, "reject"), (2, "approve")]
    assert rounds[0].feedback == "add a concept about lifetimes"
    with pytest.raises(Conflict):
        await tasks.review(rt, view.task_id, approved=True)


async def test_validation_edit_loop_fixes_a_broken_design(
    open_engine: Opener, engine_kind: str
) -> None:
    if engine_kind == "celery":
        pytest.skip(IN_PROCESS_ONLY)
    async with open_engine() as rt:
        rt.llm.provider = BrokenCurriculumProvider(rt.settings)
        view = await tasks.submit_roadmap(rt, RUST)
        parked = await settle(rt, view.task_id)
        assert parked.status == TaskStatus.human_review_pending
        assert not [i for i in parked.validation_issues if i["severity"] == "error"]
        async with rt.db.read() as s:
            steps = [e.step for e in await events_after(s, view.task_id)]
            rounds = await review_rounds(s, view.task_id)
        assert Step.validation_edit in steps
        assert rounds[0].decision == "validation_edit"
        assert any("cycle" in i["issue"] for i in rounds[0].issues)


async def test_invalid_model_output_is_repaired_once(open_engine: Opener, engine_kind: str) -> None:
    if engine_kind == "celery":
        pytest.skip(IN_PROCESS_ONLY)
    async with open_engine() as rt:
        rt.llm.provider = InvalidOnceProvider(rt.settings, agent="intent")
        view = await tasks.submit_roadmap(rt, RUST, auto_approve=True)
        done = await settle(rt, view.task_id)
        assert done.status == TaskStatus.completed
        async with rt.db.read() as s:
            intent_calls = (
                await s.scalars(
                    select(LLMCallRow).where(
                        LLMCallRow.task_id == view.task_id, LLMCallRow.agent == "intent"
                    )
                )
            ).all()
        assert len(intent_calls) == 2


async def test_transient_failures_are_retried(open_engine: Opener) -> None:
    async with open_engine(offline_failure_rate=0.3, llm_max_retries=12) as rt:
        view = await tasks.submit_roadmap(rt, RUST, auto_approve=True)
        done = await settle(rt, view.task_id)
        assert done.status == TaskStatus.completed
        async with rt.db.read() as s:
            failed_calls = (
                await s.execute(
                    select(func.count()).where(
                        LLMCallRow.task_id == view.task_id, LLMCallRow.ok.is_(False)
                    )
                )
            ).scalar_one()
        assert failed_calls > 0


async def test_failing_content_type_then_retry_regenerates_only_failed(
    open_engine: Opener,
) -> None:
    async with open_engine(offline_fail_content="quiz") as rt:
        view = await tasks.submit_roadmap(rt, RUST, auto_approve=True)
        partial = await settle(rt, view.task_id)
        assert partial.status == TaskStatus.partial_failure
        assert partial.roadmap_id is not None
        framework = await roadmaps.get_framework(rt, partial.roadmap_id)
        concept_ids = {c.concept_id for c in framework.concepts()}
        assert {(f.concept_id, f.content_type) for f in partial.failed_items} == {
            (cid, "quiz") for cid in concept_ids
        }
        assert all(
            "LEARNPATH_OFFLINE_FAIL_CONTENT" in (f.error or "") for f in partial.failed_items
        )
        assert {c.quiz_status for c in framework.concepts()} == {ItemStatus.failed}

    async with open_engine() as rt:
        result = await tasks.retry(rt, view.task_id)
        assert result.recovery_type == RecoveryType.retry_failed_items
        assert (result.task_id, result.roadmap_id) == (view.task_id, partial.roadmap_id)
        done = await settle(rt, view.task_id)
        assert done.status == TaskStatus.completed
        assert done.failed_items == []
        counts = await versions(rt, partial.roadmap_id)
        assert set(counts["tutorial"].values()) == {1}
        assert set(counts["resources"].values()) == {1}
        assert set(counts["quiz"].values()) == {1} and set(counts["quiz"]) == concept_ids
        with pytest.raises(Conflict):
            await tasks.retry(rt, view.task_id)
        with pytest.raises(Conflict):
            await tasks.cancel(rt, view.task_id)


async def test_every_content_type_failing_fails_the_task(open_engine: Opener) -> None:
    async with open_engine(offline_fail_content="tutorial,resources,quiz") as rt:
        view = await tasks.submit_roadmap(rt, RUST, auto_approve=True)
        done = await settle(rt, view.task_id)
        assert done.status == TaskStatus.failed
        assert done.error_message and "every content item failed" in done.error_message


async def test_cancel_pending_then_restart_from_scratch(rt: Runtime, engine_kind: str) -> None:
    if engine_kind == "celery":
        pytest.skip("needs the task to stay queued; a Celery worker may start it at once")
    view = await tasks.submit_roadmap(rt, RUST, auto_approve=True)
    assert view.status == TaskStatus.pending
    cancelled = await tasks.cancel(rt, view.task_id)
    assert cancelled.status == TaskStatus.cancelled
    await settle(rt, view.task_id)
    assert (await tasks.get_task_view(rt, view.task_id)).status == TaskStatus.cancelled
    async with rt.db.read() as s:
        assert (
            await s.execute(select(func.count()).where(LLMCallRow.task_id == view.task_id))
        ).scalar_one() == 0

    result = await tasks.retry(rt, view.task_id)
    assert result.recovery_type == RecoveryType.restart_from_scratch
    assert result.task_id == view.task_id and result.roadmap_id is None
    done = await settle(rt, view.task_id)
    assert done.status == TaskStatus.completed


async def test_cancel_during_framework_step_then_restart(open_engine: Opener) -> None:
    async with open_engine(offline_latency_s=0.3) as rt:
        view = await tasks.submit_roadmap(rt, RUST, auto_approve=True)
        await wait_for(rt, view.task_id, TaskStatus.processing, step=Step.intent_analysis)
        await tasks.cancel(rt, view.task_id)
        stopped = await settle(rt, view.task_id)
        assert stopped.status == TaskStatus.cancelled
        assert stopped.summary["stopped_at_step"] == Step.intent_analysis
        result = await tasks.retry(rt, view.task_id)
        assert result.recovery_type == RecoveryType.restart_from_scratch
        done = await settle(rt, view.task_id)
        assert done.status == TaskStatus.completed


async def test_cancel_in_review_then_resume_review_keeps_direct_edit(rt: Runtime) -> None:
    view = await tasks.submit_roadmap(rt, RUST)
    parked = await settle(rt, view.task_id)
    assert parked.roadmap_id is not None
    framework = await roadmaps.get_framework(rt, parked.roadmap_id)
    data = framework.model_dump(mode="json")
    first = data["stages"][0]["modules"][0]["concepts"][0]
    first["name"] = "Renamed by the reviewer"
    await roadmaps.edit_framework(rt, parked.roadmap_id, data)

    await tasks.cancel(rt, view.task_id)
    result = await tasks.retry(rt, view.task_id)
    assert result.recovery_type == RecoveryType.resume_review
    assert (result.task_id, result.roadmap_id) == (view.task_id, parked.roadmap_id)
    resumed = await tasks.get_task_view(rt, view.task_id)
    assert resumed.status == TaskStatus.human_review_pending
    kept = await roadmaps.get_framework(rt, parked.roadmap_id)
    assert next(iter(kept.concepts())).name == "Renamed by the reviewer"

    await tasks.review(rt, view.task_id, approved=True)
    done = await settle(rt, view.task_id)
    assert done.status == TaskStatus.completed
    final = await roadmaps.get_framework(rt, parked.roadmap_id)
    assert next(iter(final.concepts())).name == "Renamed by the reviewer"
    async with rt.db.read() as s:
        decisions = [r.decision for r in await review_rounds(s, view.task_id)]
    assert decisions == ["edit", "approve"]


async def test_cancel_during_content_then_restart_content_generation(
    open_engine: Opener,
) -> None:
    async with open_engine(offline_latency_s=0.05, llm_concurrency=2) as rt:
        view = await tasks.submit_roadmap(rt, RUST)
        parked = await settle(rt, view.task_id)
        assert parked.roadmap_id is not None
        framework = await roadmaps.get_framework(rt, parked.roadmap_id)
        data = framework.model_dump(mode="json")
        data["title"] = "My edited Rust plan"
        await roadmaps.edit_framework(rt, parked.roadmap_id, data)
        await tasks.review(rt, view.task_id, approved=True)
        completed = 0
        async with asyncio.timeout(30):
            async for event in follow(rt, view.task_id):
                completed += event.type == EventType.concept_complete
                if completed == 3:
                    break
        stopped = await tasks.cancel(rt, view.task_id)
        assert stopped.status == TaskStatus.cancelled
        await settle(rt, view.task_id)
        mid = await roadmaps.get_framework(rt, parked.roadmap_id)
        assert ItemStatus.generating not in item_statuses(mid)
        done_before = {
            (c.concept_id, t.value)
            for c in mid.concepts()
            for t in ContentType
            if getattr(c, f"{t.value}_status") == ItemStatus.completed
        }
        assert 0 < len(done_before) < 3 * len(list(mid.concepts()))
        status = await roadmaps.status_check(rt, parked.roadmap_id)
        assert not status.has_active_task and status.stale_items

        async with rt.db.read() as s:
            seen = len(await events_after(s, view.task_id))
        result = await tasks.retry(rt, view.task_id)
        assert result.recovery_type == RecoveryType.restart_content_generation
        assert (result.task_id, result.roadmap_id) == (view.task_id, parked.roadmap_id)
        concepts = len(list(mid.concepts()))
        assert f"{concepts} concepts" in result.message
        async with rt.db.read() as s:
            new_events = await events_after(s, view.task_id, seen)
        progress = next(e for e in new_events if e.type == EventType.progress)
        assert progress.data == {
            "roadmap_id": parked.roadmap_id,
            "total_concepts": concepts,
            "recovery_type": "restart_content_generation",
        }
        resumed = await tasks.get_task_view(rt, view.task_id)
        assert resumed.status == TaskStatus.processing
        done = await settle(rt, view.task_id)
        assert done.status == TaskStatus.completed
        final = await roadmaps.get_framework(rt, parked.roadmap_id)
        assert final.title == "My edited Rust plan"
        counts = await versions(rt, parked.roadmap_id)
        assert all(set(per.values()) == {1} for per in counts.values())
        status = await roadmaps.status_check(rt, parked.roadmap_id)
        assert not status.stale_items


async def test_retry_of_an_active_task_conflicts(rt: Runtime) -> None:
    view = await tasks.submit_roadmap(rt, RUST)
    await settle(rt, view.task_id)
    with pytest.raises(Conflict):
        await tasks.retry(rt, view.task_id)


async def test_item_retry_makes_version_two_of_that_item_only(open_engine: Opener) -> None:
    # Model calls take a while, so the item is still generating when it is asked for again
    # (a Celery worker answered at once finishes it before the second request).
    async with open_engine(offline_latency_s=0.1) as rt:
        view = await tasks.submit_roadmap(rt, RUST, auto_approve=True)
        done = await settle(rt, view.task_id)
        assert done.roadmap_id is not None
        concept = next(iter((await roadmaps.get_framework(rt, done.roadmap_id)).concepts()))
        result = await roadmaps.retry_item(
            rt, done.roadmap_id, concept.concept_id, ContentType.quiz
        )
        now = await roadmaps.get_framework(rt, done.roadmap_id)
        assert now.concept(concept.concept_id).quiz_status == ItemStatus.generating  # type: ignore[union-attr]
        with pytest.raises(Conflict):
            await roadmaps.retry_item(rt, done.roadmap_id, concept.concept_id, ContentType.quiz)
        retried = await settle(rt, result.task_id)
        assert retried.status == TaskStatus.completed
        assert retried.task_type == "retry_quiz"
        async with rt.db.read() as s:
            kinds = [e.type for e in await events_after(s, result.task_id)]
        # Marked generating (with its event) by the request; the worker does not announce it again.
        assert kinds.count(EventType.concept_start) == 1
        assert kinds.count(EventType.concept_complete) == 1
        counts = await versions(rt, done.roadmap_id)
        assert counts["quiz"][concept.concept_id] == 2
        assert sum(counts["quiz"].values()) == len(counts["quiz"]) + 1
        assert set(counts["tutorial"].values()) == set(counts["resources"].values()) == {1}
        after = await roadmaps.get_framework(rt, done.roadmap_id)
        assert after.concept(concept.concept_id).quiz_version == 2  # type: ignore[union-attr]


async def test_direct_edit_after_generation_resets_only_changed_concepts(rt: Runtime) -> None:
    view = await tasks.submit_roadmap(rt, RUST, auto_approve=True)
    done = await settle(rt, view.task_id)
    assert done.roadmap_id is not None
    data = (await roadmaps.get_framework(rt, done.roadmap_id)).model_dump(mode="json")
    changed = data["stages"][0]["modules"][0]["concepts"][0]
    changed["description"] = "A new angle on this concept"
    saved = await roadmaps.edit_framework(rt, done.roadmap_id, data)
    pending = [c.concept_id for c in saved.concepts() if c.tutorial_status == ItemStatus.pending]
    assert pending == [changed["concept_id"]]

    broken = dict(data)
    broken["stages"] = []
    with pytest.raises(Invalid) as error:
        await roadmaps.edit_framework(rt, done.roadmap_id, broken)
    assert error.value.errors[0]["path"] == "stages"
