"""What a process's item pool has spare for a fan-out to keep: a model slot for each item it
could start now, never more than its free item slots, and nothing once it hands its work
back (a worker's warm shutdown)."""

from __future__ import annotations

import pytest

from learnpath.dispatch.inline import InlineDispatcher
from learnpath.domain.items import ItemKey
from learnpath.domain.jobs import DocumentJobRequest
from learnpath.domain.tasks import Step, TaskStatus
from learnpath.service import jobs
from tests.documents.helpers import outline
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
