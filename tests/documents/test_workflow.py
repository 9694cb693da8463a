"""Document jobs on the engine (docs/contract.md §7), through the service layer, on both
database backends: the outline → edit → document journey, word budgets, a failing chapter
and its retry, cancel while writing, languages, retention."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from learnpath.domain.jobs import DocumentJobRequest, OutlineJobRequest
from learnpath.domain.request import LearnerRequest
from learnpath.domain.words import count_words
from learnpath.engine.runtime import Runtime
from learnpath.errors import Invalid, TaskNotFound
from learnpath.llm.types import LLMRequest, LLMResponse
from learnpath.offline.provider import OfflineProvider
from learnpath.service import jobs, tasks
from learnpath.service.sweeper import purge_old_jobs
from learnpath.store import documents
from learnpath.store import tasks as store_tasks
from learnpath.store.events import events_after
from learnpath.store.records import now
from tests.documents.helpers import (
    CONTEXT,
    chapter_events,
    citation_numbers,
    document_job,
    event_types,
    first_appearances,
    outline,
    outline_job,
    writes,
)
from tests.support.workflow import Opener, settle, wait_for

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def rt(open_engine: Opener) -> AsyncIterator[Runtime]:
    async with open_engine() as runtime:
        yield runtime


async def test_outline_edit_document_journey_with_context_files(rt: Runtime) -> None:
    made = await outline_job(
        rt, "A practical guide to database indexes for backend developers", context_files=CONTEXT
    )
    assert made.status == "completed" and made.current_step == "completed"
    assert made.result is not None
    assert [s["file_name"] for s in made.result["sources"]] == ["notes.md"]
    assert await event_types(rt, made.job_id) == [
        "task_started",
        "task_progress",
        "task_progress",
        "outline_generated",
        "task_completed",
    ]
    edited = made.result["outline"]
    edited["nodes"][0]["title"] = "Why indexes matter"
    edited["nodes"].append(
        {"id": "9", "title": "Indexes in practice", "summary": "", "children": []}
    )
    edited["nodes"][-1]["id"] = str(len(edited["nodes"]))
    written = await document_job(
        rt, outline=edited, word_count=3000, source_job_id=made.job_id, context_files=CONTEXT[1:]
    )
    assert written.status == "completed", written.error_message
    document = written.result["document"]  # type: ignore[index]
    assert document["chapters"][0]["title"] == "Why indexes matter"
    assert document["chapters"][-1]["title"] == "Indexes in practice"
    assert {c["status"] for c in document["chapters"]} == {"completed"}
    assert "## Contents" in document["markdown"] and "## References" in document["markdown"]
    assert [r["file_name"] for r in document["references"]] == ["notes.md"]
    assert document["references"][0] == {
        "n": 1,
        "title": "notes.md",
        "file_name": "notes.md",
        "kind": "file",
        "verified": True,
    }
    numbers = citation_numbers(document["markdown"])
    assert numbers and first_appearances(numbers) == [1]
    assert await writes(rt, written.job_id) == {c["id"]: 1 for c in document["chapters"]}
    types = await event_types(rt, written.job_id)
    assert types[0] == "task_started" and types[-2:] == ["document_generated", "task_completed"]
    starts = [c for c, status in await chapter_events(rt, written.job_id) if status == "generating"]
    assert sorted(starts) == sorted(c["id"] for c in document["chapters"])


@pytest.mark.parametrize("words", [500, 3000, 20000])
async def test_the_document_is_within_20_percent_of_its_word_count(rt: Runtime, words: int) -> None:
    written = await document_job(rt, outline=outline(6), word_count=words)
    assert written.status == "completed", written.error_message
    document = written.result["document"]  # type: ignore[index]
    assert abs(document["word_count"] - words) <= 0.2 * words
    assert document["word_count"] == sum(c["word_count"] for c in document["chapters"])


async def test_a_chinese_prompt_gets_a_chinese_outline_and_document(rt: Runtime) -> None:
    made = await outline_job(rt, "写一份关于数据库索引的实用指南", online=False)
    assert made.status == "completed", made.error_message
    titles = [n["title"] for n in made.result["outline"]["nodes"]]  # type: ignore[index]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in titles), titles
    written = await document_job(
        rt,
        outline=made.result["outline"],
        word_count=2000,
        source_job_id=made.job_id,  # type: ignore[index]
    )
    markdown = written.result["document"]["markdown"]  # type: ignore[index]
    han = sum(1 for ch in markdown if "\u4e00" <= ch <= "\u9fff")
    assert han > 1000
    assert abs(count_words(markdown) - 2000) <= 0.3 * 2000


async def test_a_failing_chapter_is_a_partial_failure_and_retry_rewrites_only_it(
    open_engine: Opener,
) -> None:
    async with open_engine(offline_fail_content="chapter:2") as rt:
        failed = await document_job(rt, outline=outline(4), word_count=1200)
        async with rt.db.read() as s:
            last = (await events_after(s, failed.job_id))[-1]
    assert failed.status == "partial_failure"
    assert last.message == "Finished with 1 failed chapter(s) of 4"
    assert [(f.concept_id, f.content_type) for f in failed.failed_items] == [("2", "chapter")]
    assert "chapter" in (failed.failed_items[0].error or "")
    chapters = failed.result["document"]["chapters"]  # type: ignore[index]
    assert [c["status"] for c in chapters] == ["completed", "failed", "completed", "completed"]
    async with open_engine() as rt:
        before = (await tasks.get_task_view(rt, failed.job_id)).last_event_seq
        result = await tasks.retry(rt, failed.job_id)
        assert result.recovery_type == "retry_failed_items"
        view = await settle(rt, failed.job_id)
        assert view.status == "completed", view.error_message
        assert await chapter_events(rt, failed.job_id, before) == [
            ("2", "generating"),
            ("2", "completed"),
        ]
        assert await writes(rt, failed.job_id) == {"1": 1, "2": 1, "3": 1, "4": 1}
        done = await jobs.get_job(rt, failed.job_id)
    assert {c["status"] for c in done.result["document"]["chapters"]} == {"completed"}  # type: ignore[index]


async def test_every_chapter_failing_fails_the_job_naming_the_first_error(
    open_engine: Opener,
) -> None:
    async with open_engine(offline_fail_content="chapter") as rt:
        failed = await document_job(rt, outline=outline(3), word_count=900)
    assert failed.status == "failed"
    assert failed.error_message is not None
    assert failed.error_message.startswith("every chapter failed; first error: ")
    assert "chapter 1 generation is set to fail" in failed.error_message


async def test_cancel_while_writing_stops_the_chapters_and_retry_finishes_them(
    open_engine: Opener,
) -> None:
    async with open_engine(offline_latency_s=0.4, llm_concurrency=2) as rt:
        view = await jobs.submit_document(
            rt, DocumentJobRequest.model_validate({"outline": outline(6), "word_count": 900})
        )
        await wait_for(rt, view.job_id, "processing", step="chapter_writing")
        await asyncio.sleep(0.5)
        cancelled = await tasks.cancel(rt, view.job_id)
        assert cancelled.status == "cancelled"
        seq = (await tasks.get_task_view(rt, view.job_id)).last_event_seq
        await asyncio.sleep(1.0)
        assert await chapter_events(rt, view.job_id, seq) == []
        done_before = await writes(rt, view.job_id)
        assert len(done_before) < 6
        result = await tasks.retry(rt, view.job_id)
        assert result.recovery_type == "retry_failed_items"
        finished = await settle(rt, view.job_id)
        assert finished.status == "completed", finished.error_message
        assert await writes(rt, view.job_id) == {str(i): 1 for i in range(1, 7)}
    types = await event_types(rt, view.job_id)
    assert types.count("cancelled") == 1 and types[-1] == "task_completed"


async def test_an_outline_job_cancelled_while_researching_restarts_from_scratch(
    open_engine: Opener,
) -> None:
    async with open_engine(offline_latency_s=0.3) as rt:
        view = await jobs.submit_outline(rt, OutlineJobRequest(task_prompt="Indexes in PostgreSQL"))
        await wait_for(rt, view.job_id, "processing", step="outline_generation")
        await tasks.cancel(rt, view.job_id)
        result = await tasks.retry(rt, view.job_id)
        assert result.recovery_type == "restart_from_scratch"
        finished = await settle(rt, view.job_id)
    assert finished.status == "completed"


async def test_finished_jobs_older_than_the_retention_are_purged(rt: Runtime) -> None:
    kept_roadmap_task = await tasks.submit_roadmap(
        rt, LearnerRequest(goal="Learn SQL", target_weeks=1), auto_approve=True
    )
    await settle(rt, kept_roadmap_task.task_id)
    job = await document_job(rt, outline=outline(2), word_count=400)
    assert await purge_old_jobs(rt, now() + timedelta(days=29)) == 0
    assert await purge_old_jobs(rt, now() + timedelta(days=31)) == 1
    with pytest.raises(TaskNotFound):
        await jobs.get_job(rt, job.job_id)
    assert await writes(rt, job.job_id) == {}
    assert (await tasks.get_task_view(rt, kept_roadmap_task.task_id)).status == "completed"


async def test_an_invalid_outline_is_refused_naming_the_node(rt: Runtime) -> None:
    bad = outline(3)
    bad["nodes"][1]["children"][0]["id"] = "2.5"
    with pytest.raises(Invalid) as refused:
        await jobs.submit_document(rt, DocumentJobRequest.model_validate({"outline": bad}))
    assert "2.1" in str(refused.value)
    assert (await jobs.list_jobs(rt)).total == 0


class BlankOutliner(OfflineProvider):
    """An outline writer whose every chapter title is blank: nothing usable is left."""

    async def complete(self, request: LLMRequest) -> LLMResponse:
        if request.agent != "outline":
            return await super().complete(request)
        draft = {"title": "Indexes", "summary": "", "nodes": [{"title": "   ", "summary": ""}]}
        return LLMResponse(
            text=json.dumps(draft), model="scripted", prompt_tokens=1, completion_tokens=1
        )


async def test_an_unusable_generated_outline_fails_the_job_at_its_validation(
    open_engine: Opener,
) -> None:
    """The draft is kept and the job fails at ``outline_validation``, saying why; a valid
    draft is checked and completes in the same step (the journey tests)."""
    async with open_engine() as rt:
        rt.llm.provider = BlankOutliner(rt.settings)
        view = await outline_job(rt, "Indexes in PostgreSQL")
        types = await event_types(rt, view.job_id)
        async with rt.db.read() as s:
            kept = (await documents.get_job(s, view.job_id)).outline
    assert view.status == "failed" and view.result is None
    assert view.error_message is not None
    assert view.error_message.startswith("outline_validation failed: ")
    assert "the outline has no chapters" in view.error_message
    assert kept == {"title": "Indexes", "summary": "", "nodes": []}  # its blank chapter dropped
    assert "outline_generated" not in types and types[-1] == "task_failed"


async def test_a_job_left_at_its_validation_step_is_checked_when_it_runs_again(
    rt: Runtime,
) -> None:
    """A job stored at ``outline_validation`` with its draft unchecked (as a step of its own
    left it, before a crash or an upgrade) is checked and completed when it runs again."""
    first = await outline_job(rt, "Indexes in PostgreSQL")
    draft = {"title": "Indexes", "summary": "", "nodes": [{"title": " B-trees ", "summary": ""}]}
    async with rt.db.transaction() as s:
        task = await store_tasks.get_task(s, first.job_id, lock=True)
        task.status, task.current_step = "processing", "outline_validation"
        row = await documents.get_job(s, first.job_id, lock=True)
        row.outline, row.result = draft, None
    await rt.dispatcher.submit_task(first.job_id)
    await settle(rt, first.job_id)
    done = await jobs.get_job(rt, first.job_id)
    assert done.status == "completed"
    assert done.result is not None
    assert done.result["outline"]["nodes"][0] == {
        "id": "1",
        "title": "B-trees",
        "summary": "",
        "children": [],
    }
    assert (await event_types(rt, first.job_id)).count("outline_generated") == 2
