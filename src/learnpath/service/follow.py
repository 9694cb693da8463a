"""Follow a task's events: replay from the durable log, then live, each event exactly once."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Coroutine
from typing import Any, TypeVar

from learnpath.domain.events import Event
from learnpath.engine.runtime import Runtime
from learnpath.store.events import events_after

T = TypeVar("T")
GAP_WAIT_S = 0.5
"""How long an event that arrived ahead of its predecessor waits for it on the bus (commits
of one task by different coroutines may publish out of order) before the log is read."""


async def uncancelled(rt: Runtime, work: Coroutine[Any, Any, T]) -> T:
    """Await ``work``, letting it finish even when the caller is cancelled (a client hanging
    up): a database read cancelled half-way makes SQLAlchemy terminate its connection, which
    logs "Task was destroyed but it is pending!" and throws the pooled connection away."""
    task = asyncio.ensure_future(work)
    rt.detached.add(task)
    task.add_done_callback(rt.detached.discard)
    return await asyncio.shield(task)


async def _backlog(rt: Runtime, task_id: str, after_seq: int) -> list[Event]:
    async with rt.db.read() as s:
        return await events_after(s, task_id, after_seq)


async def follow_batches(
    rt: Runtime, task_id: str, after_seq: int = 0, quiet_s: float | None = None
) -> AsyncGenerator[list[Event], None]:
    """Every event with ``seq > after_seq``, in order, without gaps or repeats, in batches of
    what is available at once (a burst committed together reaches a client in one write);
    never ends. With ``quiet_s``, an empty batch whenever nothing came for that long (a
    follower's cue for a keep-alive).

    Live events come from the in-process bus, fed by this process's commits and by the feeds
    of other processes' events (the log poller; Redis streams in distributed mode). An event
    ahead of its predecessor is held back until the predecessor arrives; if it does not come
    within ``GAP_WAIT_S``, the log is read again from the last delivered event.

    This runs once per follower per burst, hundreds of times for a watched task: it wakes
    once per burst and sleeps on nothing else.
    """
    queue = rt.bus.subscribe(task_id)
    last = after_seq
    try:
        with contextlib.ExitStack() as feeds:
            for feed in rt.feeds:
                feeds.enter_context(feed.watching(task_id, after_seq))
            while True:
                backlog = await uncancelled(rt, _backlog(rt, task_id, last))
                if backlog:
                    last = backlog[-1].seq
                    yield backlog
                early: dict[int, Event] = {}
                while True:
                    try:
                        async with asyncio.timeout(GAP_WAIT_S if early else quiet_s):
                            arrived = list(await queue.get())
                    except TimeoutError:
                        if early:
                            break  # a missing event never came through the bus: read the log
                        yield []
                        continue
                    while not queue.empty():
                        arrived.extend(queue.get_nowait())
                    if not early and all(e.seq == last + n for n, e in enumerate(arrived, 1)):
                        last = arrived[-1].seq  # the usual case: what follows, in order
                        yield arrived
                        continue
                    early.update((e.seq, e) for e in arrived if e.seq > last)
                    batch = []
                    while last + 1 in early:
                        last += 1
                        batch.append(early.pop(last))
                    if batch:
                        yield batch
    finally:
        rt.bus.unsubscribe(queue, task_id)


async def follow(rt: Runtime, task_id: str, after_seq: int = 0) -> AsyncGenerator[Event, None]:
    """:func:`follow_batches`, one event at a time. Closing this closes the batches at once
    (``aclosing``), so the bus subscription does not wait for the garbage collector."""
    async with contextlib.aclosing(follow_batches(rt, task_id, after_seq)) as batches:
        async for batch in batches:
            for event in batch:
                yield event
