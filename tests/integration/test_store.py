"""Repository behaviour, identical on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, inspect
from tests.support.frameworks import one_module

from learnpath.domain.events import EventType
from learnpath.domain.roadmap import Framework
from learnpath.domain.tasks import TaskStatus, TaskType
from learnpath.engine.runtime import Runtime
from learnpath.errors import TaskNotFound
from learnpath.service.tasks import get_task_view
from learnpath.store import contents, leases, roadmaps
from learnpath.store.database import Database
from learnpath.store.events import append_event, events_after
from learnpath.store.tasks import create_task, get_task, list_tasks

FRAMEWORK = Framework.model_validate(
    one_module(
        [
            {"concept_id": "a", "name": "A", "estimated_hours": 1},
            {"concept_id": "b", "name": "B", "estimated_hours": 2},
        ],
        roadmap_id="rm_test",
    )
)


async def test_migrations_create_every_table(rt: Runtime) -> None:
    async with rt.db.engine.connect() as conn:
        tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    assert {
        "tasks",
        "roadmaps",
        "items",
        "document_jobs",
        "chapters",
        "review_rounds",
        "intent_analyses",
        "tutorials",
        "resource_lists",
        "quizzes",
        "task_events",
        "llm_calls",
        "alembic_version",
    } <= tables
    await rt.db.upgrade()  # idempotent


async def test_task_ids_timestamps_and_listing(rt: Runtime) -> None:
    async with rt.db.transaction() as s:
        first = await create_task(s, TaskType.creation, {"goal": "x"}, user_id="u1")
        second = await create_task(s, TaskType.retry_quiz, {"goal": "y"}, user_id="u1")
        await create_task(s, TaskType.creation, {"goal": "z"}, user_id="u2")
        second.status = TaskStatus.failed.value
    assert first.task_id.startswith("task_") and len(first.task_id) == 5 + 32
    async with rt.db.read() as s:
        loaded = await get_task(s, first.task_id)
        assert loaded.created_at.tzinfo is not None
        assert loaded.created_at.utcoffset() == UTC.utcoffset(None)
        rows, total, counts = await list_tasks(s, user_id="u1")
        assert total == 2 and {r.task_id for r in rows} == {first.task_id, second.task_id}
        assert counts == {s.value: 0 for s in TaskStatus} | {"pending": 1, "failed": 1}
        rows, total, _ = await list_tasks(s, user_id="u1", status=TaskStatus.failed)
        assert total == 1 and rows[0].task_id == second.task_id
        rows, total, _ = await list_tasks(s, user_id="u1", limit=1, offset=1)
        assert total == 2 and len(rows) == 1


async def test_event_seq_is_gapless_under_concurrent_appends(rt: Runtime) -> None:
    async with rt.db.transaction() as s:
        task = await create_task(s, TaskType.creation, {})

    async def append(n: int) -> None:
        async with rt.db.transaction() as s:
            await append_event(s, task.task_id, EventType.progress, f"event {n}")

    await asyncio.gather(*(append(n) for n in range(40)))
    async with rt.db.read() as s:
        events = await events_after(s, task.task_id)
        assert [e.seq for e in events] == list(range(1, 41))
        assert [e.seq for e in await events_after(s, task.task_id, 38)] == [39, 40]
        assert (await get_task(s, task.task_id)).last_seq == 40


async def test_content_versions_and_idempotency(rt: Runtime) -> None:
    async with rt.db.transaction() as s:
        await roadmaps.create_roadmap(s, FRAMEWORK, {}, None)
    async with rt.db.transaction() as s:
        one = await contents.save_content(s, "quiz", "rm_test", "a", "fp:1", {"n": 1}, None, True)
        again = await contents.save_content(s, "quiz", "rm_test", "a", "fp:1", {"n": 9}, None, True)
        two = await contents.save_content(s, "quiz", "rm_test", "a", "fp:2", {"n": 2}, None, True)
    assert (one, again, two) == (1, 1, 2)
    async with rt.db.read() as s:
        latest = await contents.get_content(s, "quiz", "rm_test", "a")
        first = await contents.get_content(s, "quiz", "rm_test", "a", version=1)
        assert latest is not None and latest.body == {"n": 2}
        assert first is not None and first.body == {"n": 1}
        assert await contents.count_versions(s, "quiz", "rm_test") == {"a": 2}


async def test_framework_edit_resets_only_changed_concepts(rt: Runtime) -> None:
    async with rt.db.transaction() as s:
        row = await roadmaps.create_roadmap(s, FRAMEWORK, {}, None)
        for item in await roadmaps.items_of(s, "rm_test"):
            item.status = "completed"
    edited = FRAMEWORK.model_copy(deep=True)
    concept = edited.stages[0].modules[0].concepts[1]
    concept.description = "changed"
    edited.stages[0].modules[0].concepts.append(
        concept.model_copy(update={"concept_id": "c", "name": "C"})
    )
    async with rt.db.transaction() as s:
        row = await roadmaps.get_roadmap(s, "rm_test")
        changed = await roadmaps.save_framework(s, row, edited)
    assert changed == {"b", "c"}
    async with rt.db.read() as s:
        view = roadmaps.framework_view(
            await roadmaps.get_roadmap(s, "rm_test"), await roadmaps.items_of(s, "rm_test")
        )
    statuses = {c.concept_id: c.quiz_status for c in view.concepts()}
    assert statuses == {"a": "completed", "b": "pending", "c": "pending"}


async def test_task_view_reflects_every_commit_from_any_connection(rt: Runtime) -> None:
    """``get_task_view`` may skip its query while nothing was committed; a commit through
    this process's pool or through another engine (another process) shows at once."""
    async with rt.db.transaction() as s:
        task = await create_task(s, TaskType.creation, {"goal": "x"}, user_id="u1")
    first = await get_task_view(rt, task.task_id, "u1")
    assert first.status == TaskStatus.pending
    assert await get_task_view(rt, task.task_id, "u1") == first

    async with rt.db.transaction() as s:
        (await get_task(s, task.task_id)).status = TaskStatus.processing.value
    assert (await get_task_view(rt, task.task_id, "u1")).status == TaskStatus.processing

    other = Database(rt.settings.effective_database_url, schema=rt.settings.database_schema)
    try:
        async with other.transaction() as s:
            (await get_task(s, task.task_id)).status = TaskStatus.cancelled.value
    finally:
        await other.dispose()
    assert (await get_task_view(rt, task.task_id, "u1")).status == TaskStatus.cancelled
    with pytest.raises(TaskNotFound):
        await get_task_view(rt, task.task_id, "u2")


async def test_concurrent_task_view_reads_share_one_query(rt: Runtime, backend: str) -> None:
    """Hundreds of followers check a task at once when its terminal event arrives: on SQLite
    they share one query (elsewhere each runs its own)."""
    async with rt.db.transaction() as s:
        task = await create_task(s, TaskType.creation, {"goal": "x"}, user_id="u1")
    statements: list[str] = []

    def count(*args: Any) -> None:
        statement = args[2]
        if "FROM tasks" in statement:
            statements.append(statement)

    event.listen(rt.db.engine.sync_engine, "before_cursor_execute", count)
    try:
        views = await asyncio.gather(*(get_task_view(rt, task.task_id) for _ in range(50)))
    finally:
        event.remove(rt.db.engine.sync_engine, "before_cursor_execute", count)
    assert {v.task_id for v in views} == {task.task_id}
    assert len(statements) == (1 if backend == "sqlite" else 50)


async def test_a_one_statement_write_commits_by_itself(rt: Runtime, backend: str) -> None:
    """What a one-statement unit of work writes (a task's lease taken) is committed once
    its block ends: on PostgreSQL with no transaction around it. Events belong in a
    transaction (they are published after its commit): one statement refuses them there."""
    async with rt.db.transaction() as s:
        task = await create_task(s, TaskType.creation, {})
    until = datetime.now(UTC) + timedelta(seconds=30)
    async with rt.db.statement() as s:
        held = await leases.hold_task(s, task.task_id, "worker-1", until)
    assert held is not None and held.lease_owner == "worker-1"
    async with rt.db.read() as s:
        assert (await get_task(s, task.task_id)).lease_owner == "worker-1"
    if backend == "postgresql":
        with pytest.raises(RuntimeError, match="events are stored in a transaction"):
            async with rt.db.statement() as s:
                await append_event(s, task.task_id, EventType.progress, "not here")
