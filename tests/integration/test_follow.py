"""``follow_batches``: every event after a seq exactly once and in order, whatever order,
grouping or repetition the live bus brings them in, and from the log when the bus never
brings one."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator

from learnpath.domain.events import Event, EventType, new_event
from learnpath.domain.tasks import TaskType
from learnpath.engine.runtime import Runtime
from learnpath.service.follow import follow_batches
from learnpath.store.database import Database
from learnpath.store.events import store_events
from learnpath.store.tasks import create_task


async def logged_elsewhere(rt: Runtime, task_id: str, seqs: range) -> list[Event]:
    """Events committed by another process: in the log, never on this process's bus."""
    events = [new_event(seq, task_id, EventType.progress, f"event {seq}") for seq in seqs]
    other = Database(rt.settings.effective_database_url, schema=rt.settings.database_schema)
    try:
        async with other.transaction() as s:
            await store_events(s, events)
    finally:
        await other.dispose()
    return events


async def seqs_of(batches: AsyncGenerator[list[Event], None], count: int) -> list[int]:
    seen: list[int] = []
    async with asyncio.timeout(30):
        while len(seen) < count:
            seen.extend(e.seq for e in await anext(batches))
    return seen


async def test_bus_out_of_order_repeated_and_missing(rt: Runtime) -> None:
    async with rt.db.transaction() as s:
        task_id = (await create_task(s, TaskType.creation, {"goal": "x"})).task_id
    await logged_elsewhere(rt, task_id, range(1, 9))
    async with contextlib.aclosing(follow_batches(rt, task_id, after_seq=2)) as batches:
        assert await seqs_of(batches, 6) == [3, 4, 5, 6, 7, 8]  # the replay from the log

    async with contextlib.aclosing(follow_batches(rt, task_id, after_seq=8)) as batches:
        waiting = asyncio.ensure_future(seqs_of(batches, 6))
        await asyncio.sleep(0.05)  # the follower has replayed (nothing) and waits on the bus
        by_seq = {e.seq: e for e in await logged_elsewhere(rt, task_id, range(9, 15))}
        # 10 ahead of 9, then 9 with a repeat of 10, then 11-12 twice in one burst, then 14:
        # nothing publishes 13, so it comes from the log (after GAP_WAIT_S, or when the log
        # poller finds it first).
        await rt.bus.publish([by_seq[10]])
        await rt.bus.publish([by_seq[9], by_seq[10]])
        await rt.bus.publish([by_seq[11], by_seq[12], by_seq[11], by_seq[12]])
        await rt.bus.publish([by_seq[14]])
        assert await waiting == [9, 10, 11, 12, 13, 14]


async def test_quiet_task_gives_empty_batches(rt: Runtime) -> None:
    async with rt.db.transaction() as s:
        task_id = (await create_task(s, TaskType.creation, {"goal": "x"})).task_id
    async with contextlib.aclosing(follow_batches(rt, task_id, quiet_s=0.05)) as batches:
        assert await anext(batches) == []
        event = (await logged_elsewhere(rt, task_id, range(1, 2)))[0]
        await rt.bus.publish([event])
        batch = await anext(batches)
        while batch == []:  # a keep-alive may come first
            batch = await anext(batches)
        assert [e.seq for e in batch] == [1]
