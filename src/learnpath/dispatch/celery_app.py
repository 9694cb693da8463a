"""The Celery application of distributed mode: queues, crash-safety settings, and the tasks a
``learnpath worker`` runs.

Crash safety: a message is acknowledged only after its job returns (``acks_late``) and goes
back to the queue when the process running it dies (``task_reject_on_worker_lost``); each
process reserves one message at a time; the broker's visibility timeout outlasts the longest
hard time limit, so a message is never handed to a second worker while the first may still
run it. A worker that dies with everything (SIGKILL of the machine) is covered by the leases
and the sweeper. Jobs are idempotent (see :mod:`learnpath.dispatch.jobs`).

Each worker process runs its jobs on one asyncio event loop with one runtime (database pool,
LLM client, event streams), built after the fork on the first job.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any

from celery import Celery
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_process_shutdown, worker_shutdown
from kombu.entity import Exchange, Queue

from learnpath.config import Settings
from learnpath.dispatch import jobs
from learnpath.dispatch.base import ItemKey
from learnpath.dispatch.inline import InlineDispatcher
from learnpath.engine.runtime import Runtime

log = logging.getLogger(__name__)

QUEUES = ("roadmap", "content_generation", "documents")
ADVANCE = "learnpath.advance"
GENERATE_ITEM = "learnpath.generate_item"
RETRY_BATCH = "learnpath.retry_batch"

FRAMEWORK_LIMITS_S = (1500, 1800)
"""(soft, hard) for a task's framework steps: several model calls and up to three edits."""
ITEM_LIMITS_S = (570, 600)
BATCH_LIMITS_S = (1500, 1800)
DEADLINE_MARGIN_S = 30
"""A job's own deadline comes this long before Celery's soft limit, so an item that takes too
long fails with a clear reason instead of being interrupted half-way."""
VISIBILITY_TIMEOUT_S = 2 * 3600

Job = Callable[[Runtime], Coroutine[Any, Any, None]]


class WorkerHost:
    """The asyncio side of one worker process: one event loop, in a thread of its own, and one
    runtime (database pool, LLM client, event streams), both built on the first job, after
    the pool's fork. Every job of the process runs on that loop, whichever pool thread or
    process received its message: with the threads pool, a process's jobs share connections
    and caches, and one heartbeat renews all their leases."""

    def __init__(self, settings: Settings, app: Celery) -> None:
        self.settings = settings
        self.app = app
        self._start = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runtime: contextlib.AbstractAsyncContextManager[Runtime] | None = None
        self._rt: Runtime | None = None
        self._running = 0
        self._heart: asyncio.Task[None] | None = None
        self._pool: InlineDispatcher | None = None

    def run_items(self, task_id: str, keys: list[ItemKey]) -> None:
        """Generate items in the process's pool: items of jobs running at once start, and
        are stored, in shared transactions."""

        async def job(rt: Runtime) -> None:
            if self._pool is None:
                self._pool = InlineDispatcher(rt, ITEM_LIMITS_S[0] - DEADLINE_MARGIN_S)
            await self._pool.run_items(task_id, keys)

        self.run(job)

    def run(self, job: Job) -> None:
        """Run ``job`` on the process's loop and wait for it (from a pool thread or process)."""
        loop, rt = self._started()
        done = asyncio.run_coroutine_threadsafe(self._run(rt, job), loop)
        try:
            done.result()
        except SoftTimeLimitExceeded:
            done.cancel()
            raise

    async def _run(self, rt: Runtime, job: Job) -> None:
        self._running += 1
        if self._heart is None or self._heart.done():
            self._heart = asyncio.create_task(jobs.heartbeat(rt, lambda: self._running > 0))
        try:
            await job(rt)
        finally:
            self._running -= 1

    def _started(self) -> tuple[asyncio.AbstractEventLoop, Runtime]:
        with self._start:
            if self._loop is None or self._rt is None:
                from learnpath.engine.bootstrap import distributed_runtime

                loop = asyncio.new_event_loop()
                threading.Thread(
                    target=loop.run_forever, name="learnpath-loop", daemon=True
                ).start()
                self._runtime = distributed_runtime(self.settings, app=self.app)
                self._rt = asyncio.run_coroutine_threadsafe(
                    self._runtime.__aenter__(), loop
                ).result()
                self._loop = loop
            return self._loop, self._rt

    def close(self) -> None:
        with self._start:
            loop, runtime = self._loop, self._runtime
            if loop is None:
                return
            if runtime is not None:
                with contextlib.suppress(Exception):
                    if self._pool is not None:
                        asyncio.run_coroutine_threadsafe(self._pool.close(), loop).result(30)
                    asyncio.run_coroutine_threadsafe(
                        runtime.__aexit__(None, None, None), loop
                    ).result(timeout=30)
            loop.call_soon_threadsafe(loop.stop)
            self._loop = self._runtime = self._rt = self._pool = None


def create_app(settings: Settings) -> Celery:
    """The app for ``settings.broker_url``: what API processes send with and workers run."""
    app = Celery("learnpath", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        task_queues=[Queue(name, Exchange(name), routing_key=name) for name in QUEUES],
        task_default_queue="content_generation",
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT_S},
        broker_connection_retry_on_startup=True,
        worker_cancel_long_running_tasks_on_connection_loss=False,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
    )
    host = WorkerHost(settings, app)

    @app.task(name=ADVANCE, soft_time_limit=FRAMEWORK_LIMITS_S[0], time_limit=FRAMEWORK_LIMITS_S[1])
    def advance(task_id: str) -> None:
        host.run(lambda rt: jobs.run_task(rt, task_id))

    @app.task(name=GENERATE_ITEM, soft_time_limit=ITEM_LIMITS_S[0], time_limit=ITEM_LIMITS_S[1])
    def generate_item(task_id: str, concept_id: str, content_type: str) -> None:
        host.run_items(task_id, [ItemKey(concept_id, content_type)])

    @app.task(name=RETRY_BATCH, soft_time_limit=BATCH_LIMITS_S[0], time_limit=BATCH_LIMITS_S[1])
    def retry_batch(task_id: str, items: list[list[str]]) -> None:
        host.run_items(
            task_id, [ItemKey(concept_id, content_type) for concept_id, content_type in items]
        )

    def shutdown(**_: object) -> None:
        host.close()

    worker_process_shutdown.connect(shutdown, weak=False)
    worker_shutdown.connect(shutdown, weak=False)
    return app
