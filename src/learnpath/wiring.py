"""Build a process's runtime: embedded (SQLite by default, in-process workers) or distributed
(Celery workers, Redis streams), as the settings say, with the workflows it runs.

The one module that knows every concrete part (docs/architecture.md, "Layers"): front ends
and the Celery worker get their runtime from here.
"""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING

from learnpath.agents.catalog import warm_up
from learnpath.config import Settings
from learnpath.dispatch.inline import InlineDispatcher
from learnpath.engine.documents import WORKFLOWS as DOCUMENT_WORKFLOWS
from learnpath.engine.roadmap import WORKFLOWS as ROADMAP_WORKFLOWS
from learnpath.engine.runtime import Runtime
from learnpath.errors import SchemaOutOfDate
from learnpath.events.bus import MemoryBus
from learnpath.events.poller import LogPoller
from learnpath.providers import build_client, build_provider
from learnpath.service.users import hashing_pool
from learnpath.store.database import Database
from learnpath.store.llm_modes import DatabaseModeMemory

if TYPE_CHECKING:
    from celery import Celery

    from learnpath.service.doctor import Report

BACKSTOP_POLL_S = 2.0
"""Distributed mode reads the log this often for followed tasks, in case Redis lost events."""


def open_runtime(settings: Settings | None = None) -> AbstractAsyncContextManager[Runtime]:
    """The runtime the settings ask for: distributed when a broker is configured."""
    settings = settings or Settings()
    if settings.distributed:
        return distributed_runtime(settings)
    return embedded_runtime(settings)


def _quiet_collector() -> None:
    # Everything loaded so far lives as long as the process: keep it out of the collector's
    # full passes, and collect less often, since tasks and requests allocate many
    # short-lived objects. A full pass over the start-up heap stalled the first wave of
    # content by ~60 ms (bench/pipeline.py) and request tails by tens of ms (bench/api.py).
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def _database(settings: Settings) -> Database:
    return Database(
        settings.effective_database_url,
        pool_size=settings.database_pool_size,
        schema=settings.database_schema,
    )


def _runtime(settings: Settings, db: Database, bus: MemoryBus) -> Runtime:
    """The runtime over ``db`` and ``bus``: its model client, workflows and hashing pool (the
    caller adds its dispatcher and event feeds)."""
    return Runtime(
        settings=settings,
        db=db,
        llm=build_client(settings, DatabaseModeMemory(db)),
        bus=bus,
        workflows={**ROADMAP_WORKFLOWS, **DOCUMENT_WORKFLOWS},
        hashing=hashing_pool(),
    )


async def _stop(rt: Runtime) -> None:
    for feed in rt.feeds:
        await feed.close()
    await rt.dispatcher.close()
    await rt.research.aclose()
    if rt.hashing is not None:
        rt.hashing.shutdown(wait=False)


@asynccontextmanager
async def embedded_runtime(settings: Settings | None = None) -> AsyncIterator[Runtime]:
    settings = settings or Settings()
    db = _database(settings)
    await db.upgrade()
    bus = MemoryBus()
    db.add_event_sink(bus.publish)
    rt = _runtime(settings, db, bus)
    rt.feeds = [LogPoller(db, bus)]
    rt.dispatcher = InlineDispatcher(rt)
    warm_up()
    _quiet_collector()
    try:
        yield rt
    finally:
        await _stop(rt)
        await db.dispose()


@asynccontextmanager
async def distributed_runtime(
    settings: Settings, app: Celery | None = None
) -> AsyncIterator[Runtime]:
    """A runtime whose work goes to Celery workers (``app``: the worker's own app, else one
    made for sending) and whose events cross processes through Redis streams. The schema must
    be current: ``learnpath db upgrade`` applies it."""
    from learnpath.dispatch.broker import CeleryDispatcher
    from learnpath.dispatch.celery_app import create_app
    from learnpath.dispatch.job_results import RedisJobResults
    from learnpath.events import streams

    assert settings.broker_url is not None and settings.events_redis_url is not None
    db = _database(settings)
    redis = streams.connect(settings.events_redis_url)
    broker = streams.connect(settings.broker_url)
    try:
        if not await db.at_head():
            raise SchemaOutOfDate(
                "the database schema is not current: run `learnpath db upgrade` first"
            )
        bus = MemoryBus()
        db.add_event_sink(bus.publish)
        publisher = streams.StreamPublisher(redis, settings.stream_maxlen, settings.stream_ttl_s)
        db.add_event_sink(publisher.publish)
        rt = _runtime(settings, db, bus)
        rt.feeds = [
            streams.StreamFeed(redis, bus),
            LogPoller(db, bus, interval_s=BACKSTOP_POLL_S),
        ]
        rt.dispatcher = CeleryDispatcher(rt, app or create_app(settings), broker)
        rt.job_results = RedisJobResults(redis, settings.job_result_ttl_s)
        warm_up()
        _quiet_collector()
        try:
            yield rt
        finally:
            await _stop(rt)
    finally:
        await redis.aclose()
        await broker.aclose()
        await db.dispose()


def run_worker(
    settings: Settings, *, concurrency: int, queues: str, pool: str, log_level: str
) -> None:
    """Run a Celery worker in this process until stopped: it consumes ``queues``
    (comma-separated), ``concurrency`` jobs (and items) at once in a ``threads`` or
    ``prefork`` pool, each on a distributed runtime."""
    from learnpath.dispatch.celery_app import create_app

    # A message carries a few items: they wait for the process's item slots, of which there
    # are no more than jobs, as when a message carried one item.
    slots = min(concurrency, settings.item_concurrency)
    settings = settings.model_copy(update={"worker_concurrency": slots})
    create_app(settings, distributed_runtime).worker_main(
        [
            "worker",
            f"--concurrency={concurrency}",
            f"--queues={queues}",
            f"--loglevel={log_level.upper()}",
            f"--hostname=learnpath-{os.getpid()}@%h",
            f"--pool={pool}",
            "--without-gossip",
            "--without-mingle",
        ]
    )


async def diagnose_installation(settings: Settings) -> Report:
    """:func:`learnpath.service.doctor.diagnose` for the CLI: its own database handle and
    provider, nothing migrated."""
    # Imported here: the doctor reaches the OpenAI SDK, which takes half a second to import.
    from learnpath.service.doctor import diagnose

    db = Database(settings.effective_database_url, pool_size=1, schema=settings.database_schema)
    try:
        try:
            current = await db.at_head()
        except Exception:
            current = False
        # Learnt modes are kept only where the table for them exists.
        memory = DatabaseModeMemory(db) if current else None
        return await diagnose(settings, db, build_provider(settings, memory))
    finally:
        await db.dispose()


__all__ = [
    "Runtime",
    "diagnose_installation",
    "distributed_runtime",
    "embedded_runtime",
    "open_runtime",
    "run_worker",
]
