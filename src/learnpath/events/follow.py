"""Follow a task's events: replay from the durable log, then live, each event exactly once."""

from __future__ import annotations

from collections.abc import AsyncIterator

from learnpath.domain.events import Event
from learnpath.engine.runtime import Runtime
from learnpath.events.log import events_after


async def follow_batches(
    rt: Runtime, task_id: str, after_seq: int = 0
) -> AsyncIterator[list[Event]]:
    """Every event with ``seq > after_seq``, in order, without gaps or repeats, in batches of
    what is available at once (so a burst reaches a client in one write); never ends.

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
                if backlog:
                    last = backlog[-1].seq
                    yield backlog
                gap = False
                while not gap:
                    arrived = [await queue.get()]
                    while not queue.empty():
                        arrived.append(queue.get_nowait())
                    batch = []
                    for event in arrived:
                        if event.seq <= last:
                            continue
                        if event.seq != last + 1:
                            gap = True
                            break
                        last = event.seq
                        batch.append(event)
                    if batch:
                        yield batch
    finally:
        rt.bus.unsubscribe(queue, task_id)


async def follow(rt: Runtime, task_id: str, after_seq: int = 0) -> AsyncIterator[Event]:
    """:func:`follow_batches`, one event at a time."""
    async for batch in follow_batches(rt, task_id, after_seq):
        for event in batch:
            yield event
