"""The chapters of a job started together (one wave) are stored together: their model calls
end within milliseconds of each other, and the first to end waits, a little, for the rest
of its wave, so that one transaction stores them all. A chapter that does not end soon does
not hold the others back."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, func, select

from learnpath.config import Settings
from learnpath.domain.jobs import DocumentJobRequest
from learnpath.domain.tasks import TaskStatus
from learnpath.engine.runtime import Runtime
from learnpath.llm.types import LLMRequest, LLMResponse
from learnpath.offline.provider import OfflineProvider
from learnpath.service import jobs, tasks
from learnpath.store.tables import ChapterRow
from tests.documents.helpers import outline
from tests.support.workflow import Opener, settle

pytestmark = pytest.mark.asyncio


class Staggered(OfflineProvider):
    """The offline provider, whose chapters other than the first answer ``late_s`` later."""

    def __init__(self, settings: Settings, late_s: float) -> None:
        super().__init__(settings)
        self.late_s = late_s

    async def complete(self, request: LLMRequest) -> LLMResponse:
        answer = await super().complete(request)
        if request.payload.get("chapter_id") not in (None, "1"):
            await asyncio.sleep(self.late_s)
        return answer


def _chapter_writes(rt: Runtime) -> list[str]:
    """The statements that store chapters, from now on."""
    writes: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO CHAPTERS"):
            writes.append(statement)

    event.listen(rt.db.engine.sync_engine, "before_cursor_execute", seen)
    return writes


@pytest.mark.parametrize("engine_kind", ["embedded"])
async def test_a_wave_ending_a_few_ms_apart_is_stored_in_one_transaction(
    open_engine: Opener,
) -> None:
    async with open_engine(offline_latency_s=0.05) as rt:
        request = DocumentJobRequest.model_validate({"outline": outline(4), "word_count": 800})
        # A first job warms the process: the first chapters it writes start tens of ms apart.
        await settle(rt, (await jobs.submit_document(rt, request)).job_id)
        rt.llm.provider = Staggered(rt.settings, late_s=0.004)
        writes = _chapter_writes(rt)
        job = await jobs.submit_document(rt, request)
        assert (await settle(rt, job.job_id)).status == TaskStatus.completed
        async with rt.db.read() as s:
            stored = await s.scalar(select(func.count()).where(ChapterRow.job_id == job.job_id))
        assert (stored, len(writes)) == (4, 1)


@pytest.mark.parametrize("engine_kind", ["embedded"])
async def test_a_chapter_still_writing_does_not_hold_back_its_wave(open_engine: Opener) -> None:
    async with open_engine(offline_latency_s=0.05) as rt:
        rt.llm.provider = Staggered(rt.settings, late_s=60)
        request = DocumentJobRequest.model_validate({"outline": outline(3), "word_count": 600})
        job = await jobs.submit_document(rt, request)
        async with asyncio.timeout(10):
            while True:
                async with rt.db.read() as s:
                    chapters = (
                        await s.scalars(
                            select(ChapterRow.chapter_id).where(ChapterRow.job_id == job.job_id)
                        )
                    ).all()
                if chapters:
                    break
                await asyncio.sleep(0.02)
        assert chapters == ["1"]
        assert (await jobs.get_job(rt, job.job_id)).status == TaskStatus.processing
        await tasks.cancel(rt, job.job_id)
