"""Follow a task's events: replay from the durable log, then live, each event exactly once."""

from __future__ import annotations

from collections.abc import AsyncIterator

from learnpath.domain.events import Event
from learnpath.engine.runtime import Runtime
from learnpath.events.log import events_after


async def follow(rt: Runtime, task_id: str, after_seq: int = 0) -> AsyncIterator[Event]:
    """Every event with ``seq > after_seq``, in order, without gaps or repeats; never ends.

    Live events come from the in-process bus (fed by this process's commits and by the log
    poller for other processes'); a gap in ``seq`` means the bus got ahead of this reader, so
    the log is read again from the last delivered event.
    """
    queue = rt.bus.subscribe(task_id)
    last = after_seq
    try:
        with rt.poller.watching(task_id, after_seq):
            while True:
                async with rt.db.read() as s:
                    backlog = await events_after(s, task_id, last)
                for event in backlog:
                    last = event.seq
                    yield event
                while True:
                    event = await queue.get()
                    if event.seq <= last:
                        continue
                    if event.seq != last + 1:
                        break
                    last = event.seq
                    yield event
    finally:
        rt.bus.unsubscribe(queue, task_id)
