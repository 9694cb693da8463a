"""The last chapters of a job settled at the same moment by two workers (two transactions
at once, as two Celery workers storing their chapters): one of them must see every chapter
settled and end the job. Counted before the task row was locked, each could miss the
other's chapter and the job sat at chapter_writing until its lease ran out."""

from __future__ import annotations

import asyncio

import pytest

from learnpath.dispatch.inline import InlineDispatcher
from learnpath.domain.items import ItemKey
from learnpath.domain.jobs import DocumentJobRequest
from learnpath.domain.tasks import Step, TaskStatus
from learnpath.engine.items import settle_items
from learnpath.engine.workflow import Outcome, StartedItem
from learnpath.service import jobs
from learnpath.store import documents
from learnpath.store import tasks as store_tasks
from tests.documents.helpers import outline
from tests.support.workflow import Opener, wait_for, wait_generating

pytestmark = pytest.mark.asyncio


@pytest.mark.parametrize("engine_kind", ["embedded"])
async def test_two_last_chapters_settled_at_once_end_the_job(open_engine: Opener) -> None:
    # Model calls that never return in time: the chapters stay generating for the test to
    # store, as the two workers holding them would.
    async with open_engine(offline_latency_s=60) as rt:
        request = DocumentJobRequest.model_validate({"outline": outline(2), "word_count": 400})
        job = await jobs.submit_document(rt, request)
        await wait_for(rt, job.job_id, TaskStatus.processing, step=Step.chapter_writing.value)
        assert isinstance(rt.dispatcher, InlineDispatcher)
        await wait_generating(rt.dispatcher, 2)  # both chapters started, calls in flight
        await rt.dispatcher.abandon(job.job_id)  # the calls are dropped, the items stay held
        async with rt.db.read() as s:
            attempt = (await store_tasks.get_task(s, job.job_id)).attempt
        fan_out = rt.workflow("document_generation").fan_out
        assert fan_out is not None
        context = rt.contexts[(job.job_id, attempt)]
        outcomes = []
        for chapter in ("1", "2"):
            key = ItemKey(chapter, documents.CHAPTER)
            located = fan_out.locate(context, key)
            assert located is not None
            item = StartedItem(job.job_id, "document_generation", job.job_id, key, *located)
            body = {"markdown": f"Chapter {chapter} in words.", "summary": "", "word_count": 4}
            outcomes.append(Outcome(item, [], body=body, synthetic=True))
        await asyncio.gather(*(settle_items(rt, [outcome]) for outcome in outcomes))
        done = await jobs.get_job(rt, job.job_id)
        assert (done.status, done.current_step) == ("completed", "completed")
