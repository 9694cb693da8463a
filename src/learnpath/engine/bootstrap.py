"""Build the runtime of an embedded process: database (migrated), event bus, LLM, workers."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from learnpath.agents.catalog import warm_up
from learnpath.config import Settings
from learnpath.dispatch.inline import InlineDispatcher
from learnpath.engine.runtime import Runtime
from learnpath.events.bus import MemoryBus
from learnpath.llm.registry import build_client
from learnpath.store.database import Database


@asynccontextmanager
async def embedded_runtime(settings: Settings | None = None) -> AsyncIterator[Runtime]:
    settings = settings or Settings()
    db = Database(settings.effective_database_url, schema=settings.database_schema)
    await db.upgrade()
    bus = MemoryBus()
    db.add_event_sink(bus.publish)
    rt = Runtime(settings=settings, db=db, llm=build_client(settings), bus=bus)
    rt.dispatcher = InlineDispatcher(rt)
    warm_up()
    # Everything loaded so far lives as long as the process: keep it out of the collector's
    # full passes, and collect less often, since tasks and requests allocate many
    # short-lived objects. A full pass over the start-up heap stalled the first wave of
    # content by ~60 ms (bench/pipeline.py) and request tails by tens of ms (bench/api.py).
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
    try:
        yield rt
    finally:
        await rt.poller.close()
        await rt.dispatcher.close()
        await db.dispose()
