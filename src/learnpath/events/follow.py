"""Follow a task's events: replay from the durable log, then live, each event exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from learnpath.domain.events import Event
from learnpath.engine.runtime import Runtime
from learnpath.events.log import events_after

POLL_INTERVAL_S = 1.0


async def follow(rt: Runtime, task_id: str, after_seq: int = 0) -> AsyncIterator[Event]:
    """Every event with ``seq > after_seq``, in order, without gaps or repeats; never ends.

    Live events come from the in-process bus; the log is re-read whenever a gap shows or the
    bus is quiet, so events committed by another process arrive too.
    """
    queue = rt.bus.subscribe(task_id)
    last = after_seq
    try:
        while True:
            async with rt.db.read() as s:
                backlog = await events_after(s, task_id, last)
            for event in backlog:
                last = event.seq
                yield event
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), POLL_INTERVAL_S)
                except TimeoutError:
                    break
                if event.seq <= last:
                    continue
                if event.seq != last + 1:
                    break
                last = event.seq
                yield event
    finally:
        rt.bus.unsubscribe(queue, task_id)
