"""What a process's item pool has spare for a fan-out to keep: a model slot for each item it
could start now, never more than its free item slots, and nothing once it hands its work
back (a worker's warm shutdown)."""

from __future__ import annotations

from typing import Any

import pytest

from learnpath.dispatch.inline import InlineDispatcher
from learnpath.domain.items import ItemKey
from learnpath.domain.jobs import DocumentJobRequest
from learnpath.domain.tasks import Step, TaskStatus
from learnpath.engine.items import StartHere
from learnpath.service import jobs
from tests.documents.helpers import chapter_events, document_job, outline, writes
from tests.support.workflow import Opener, wait_for, wait_generating

pytestmark = pytest.mark.asyncio


@pytest.mark.parametrize("engine_kind", ["embedded"])
@pytest.mark.parametrize(
    "limits",
    [{"llm_concurrency": 3}, {"llm_concurrency": 8, "worker_concurrency": 3}],
    ids=["model slots", "item slots"],
)
async def test_spare_counts_the_scarcer_slots(open_engine: Opener, limits: dict[str, int]) -> None:
    # Model calls that never return in time: the chapters stay generating.
    async with open_engine(offline_latency_s=60, **limits) as rt:
        pool = rt.dispatcher
        assert isinstance(pool, InlineDispatcher)
        assert pool.spare() == 3
        request = DocumentJobRequest.model_validate({"outline": outline(2), "word_count": 400})
        job = await jobs.submit_document(rt, request)
        await wait_for(rt, job.job_id, TaskStatus.processing, step=Step.chapter_writing.value)
        await wait_generating(pool, 2)
        assert pool.spare() == 1
        handed: list[tuple[str, ItemKey]] = []

        async def requeue(items: list[tuple[str, ItemKey]]) -> None:
            handed.extend(items)

        await pool.hand_back(requeue)
        assert (pool.spare(), handed) == (0, [])


@pytest.mark.parametrize("engine_kind", ["embedded"])
async def test_items_taken_count_at_once(open_engine: Opener) -> None:
    """Two fan-outs of one process, one right after the other, cannot both count the same
    slots: what the pool takes counts before its admission runs."""
    async with open_engine(llm_concurrency=3) as rt:
        pool = rt.dispatcher
        assert isinstance(pool, InlineDispatcher)
        taken = pool.take("no-such-task", [ItemKey("1", "chapter"), ItemKey("2", "chapter")])
        assert pool.spare() == 1
        await taken  # nothing to start: each is given up
        assert pool.spare() == 3


@pytest.mark.parametrize("engine_kind", ["embedded"])
async def test_chapters_started_by_their_research_step_run_once(open_engine: Opener) -> None:
    """The research step starts, in its own transaction, the chapters the pool has slots
    for; the fan-out after it starts only the others. Each is announced and written once,
    and every slot is free again at the end."""
    async with open_engine(llm_concurrency=2) as rt:
        pool = rt.dispatcher
        assert isinstance(pool, InlineDispatcher)
        done = await document_job(rt, outline=outline(3), word_count=600)
        assert done.status == TaskStatus.completed, done.error_message
        events = await chapter_events(rt, done.job_id)
        started = [chapter for chapter, status in events if status == "generating"]
        assert sorted(started) == ["1", "2", "3"]
        assert await writes(rt, done.job_id) == {"1": 1, "2": 1, "3": 1}
        assert (pool.spare(), pool.generating) == (2, set())


@pytest.mark.parametrize("engine_kind", ["embedded"])
async def test_a_research_step_that_fails_gives_its_slots_back(
    open_engine: Opener, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chapters started in a research transaction that then rolls back never run, and
    their slots are free again: the job fails where it started, with nothing generating."""
    start = StartHere.start

    async def start_then_fail(self: StartHere, *args: Any) -> None:
        await start(self, *args)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(StartHere, "start", start_then_fail)
    async with open_engine(llm_concurrency=2) as rt:
        pool = rt.dispatcher
        assert isinstance(pool, InlineDispatcher)
        done = await document_job(rt, outline=outline(3), word_count=600)
        assert (done.status, done.error_message) == (
            TaskStatus.failed,
            "queued failed: internal error during queued",
        )
        assert await chapter_events(rt, done.job_id) == []
        assert (pool.spare(), pool.generating) == (2, set())
