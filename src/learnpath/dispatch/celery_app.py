"""The Celery application of distributed mode: queues, crash-safety settings, and the tasks a
``learnpath worker`` runs.

Crash safety: a message is acknowledged only after its job returns (``acks_late``) and goes
back to the queue when the process running it dies (``task_reject_on_worker_lost``); each
process reserves one message at a time; the broker's visibility timeout outlasts the longest
hard time limit, so a message is never handed to a second worker while the first may still
run it. A worker that dies with everything (SIGKILL of the machine) is covered by the leases
it holds from the moment it receives a message (:mod:`learnpath.dispatch.vouching`) and by
the sweeper. Jobs are idempotent (see :mod:`learnpath.dispatch.jobs`).

Each worker process runs its jobs on one asyncio event loop with one runtime (database pool,
LLM client, event streams), built after the fork on the first job.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any

from celery import Celery
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import (
    task_received,
    worker_process_init,
    worker_process_shutdown,
    worker_shutdown,
    worker_shutting_down,
)
from celery.worker import state
from kombu.entity import Exchange, Queue

from learnpath.config import Settings
from learnpath.dispatch import jobs
from learnpath.dispatch.broker import ADVANCE, GENERATE_ITEMS, CeleryDispatcher
from learnpath.dispatch.inline import InlineDispatcher
from learnpath.dispatch.vouching import Holdings, Voucher
from learnpath.domain.items import ItemKey
from learnpath.domain.tasks import QUEUES
from learnpath.engine.runtime import Runtime, process_identity

log = logging.getLogger(__name__)

FRAMEWORK_LIMITS_S = (1500, 1800)
"""(soft, hard) for a task's framework steps: several model calls and up to three edits, then
the items its fan-out keeps in the process (started at once, each within ITEM_DEADLINE_S)."""
BATCH_LIMITS_S = (1500, 1800)
"""(soft, hard) for a message of items, which may wait for the pool's slots."""
ITEM_DEADLINE_S = 540
"""How long one item's generation may take once started before it fails with a clear reason:
well inside a message's soft limit, so that an item is not interrupted half-way."""
VISIBILITY_TIMEOUT_S = 2 * 3600

Job = Callable[[Runtime], Coroutine[Any, Any, None]]
OpenRuntime = Callable[[Settings, Celery], contextlib.AbstractAsyncContextManager[Runtime]]
"""Opens the runtime a worker process runs its jobs on (given the worker's own app)."""


def held_work() -> Holdings:
    """The work of every message this process's consumer received and has not acknowledged
    (Celery's own record: reserved for the pool, queued for a thread, or running)."""
    return work_of(_reserved_requests())


def work_of(requests: list[Any]) -> Holdings:
    """The work the messages of these Celery requests carry."""
    tasks: set[str] = set()
    items: set[tuple[str, ItemKey]] = set()
    for request in requests:
        args = request.args
        if request.name == ADVANCE:
            tasks.add(args[0])
        elif request.name == GENERATE_ITEMS:
            items.update((args[0], ItemKey(concept_id, kind)) for concept_id, kind in args[1])
    return Holdings(frozenset(tasks), frozenset(items))


def _reserved_requests() -> list[Any]:
    while True:
        try:
            return list(state.reserved_requests)
        except RuntimeError:  # the consumer thread changed the set meanwhile
            continue


class WorkerHost:
    """The asyncio side of one worker process: one event loop, in a thread of its own, and one
    runtime (database pool, LLM client, event streams), both built on the first message, after
    the pool's fork. Every job of the process runs on that loop, whichever pool thread or
    process received its message: with the threads pool, a process's jobs share connections
    and caches, and one voucher renews all their leases.

    Every process of a worker leases work under the worker's identity (its main process),
    so that the consumer, which vouches for the messages it holds, renews what a prefork
    pool process started."""

    def __init__(self, settings: Settings, app: Celery, open_runtime: OpenRuntime | None) -> None:
        self.settings = settings
        self.app = app
        self.open_runtime = open_runtime
        self.identity = process_identity()
        self._forget()

    def _forget(self) -> None:
        self._start = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runtime: contextlib.AbstractAsyncContextManager[Runtime] | None = None
        self._rt: Runtime | None = None
        self._voucher: Voucher | None = None
        self._vouching: concurrent.futures.Future[None] | None = None
        self._pool: InlineDispatcher | None = None
        self._closing = False

    def forked(self) -> None:
        """In a new pool process: what the parent had built is not this process's."""
        self._forget()

    def received(self, request: Any) -> None:
        """The consumer received a message: vouch for it now."""
        loop, _ = self._started()
        if self._voucher is not None:
            loop.call_soon_threadsafe(self._voucher.wake, work_of([request]))

    def shutting_down(self) -> None:
        """A warm shutdown began: the work this process holds and has not started goes back
        to the queue now; running work finishes."""
        with self._start:
            loop = self._loop
        self._closing = True
        if loop is not None and self._pool is not None:
            asyncio.run_coroutine_threadsafe(self._pool.hand_back(self._give_back_items), loop)

    async def _give_back_items(self, items: list[tuple[str, ItemKey]]) -> None:
        if self._voucher is not None:
            await self._voucher.give_back(Holdings(items=frozenset(items)))

    def run_task(self, task_id: str) -> None:
        """A task's framework steps and fan-out (with the items it keeps in the process's
        pool), or, once the worker is shutting down, the task back to the queue."""

        async def job(rt: Runtime) -> None:
            if self._closing and self._voucher is not None:
                await self._voucher.give_back(Holdings(tasks=frozenset([task_id])))
            else:
                await jobs.run_task(rt, task_id)

        self.run(job)

    def run_items(self, task_id: str, keys: list[ItemKey]) -> None:
        """Generate items in the process's pool: items of jobs running at once start, and
        are stored, in shared transactions. Once the worker is shutting down, the items go
        back to the queue."""

        async def job(rt: Runtime) -> None:
            if self._closing:
                await self._give_back_items([(task_id, key) for key in keys])
                return
            assert self._pool is not None
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
        await job(rt)

    def _started(self) -> tuple[asyncio.AbstractEventLoop, Runtime]:
        with self._start:
            if self._loop is None or self._rt is None:
                if self.open_runtime is None:
                    raise RuntimeError("this Celery app sends work; it was not made to run it")
                loop = asyncio.new_event_loop()
                threading.Thread(
                    target=loop.run_forever, name="learnpath-loop", daemon=True
                ).start()
                self._runtime = self.open_runtime(self.settings, self.app)
                rt = asyncio.run_coroutine_threadsafe(self._runtime.__aenter__(), loop).result()
                rt.worker_id = self.identity
                self._pool = InlineDispatcher(rt, ITEM_DEADLINE_S)
                if isinstance(rt.dispatcher, CeleryDispatcher):
                    rt.dispatcher.here = self._pool
                self._voucher = Voucher(rt, held_work)
                self._vouching = asyncio.run_coroutine_threadsafe(self._voucher.run(), loop)
                self._rt, self._loop = rt, loop
            return self._loop, self._rt

    def close(self) -> None:
        with self._start:
            loop, runtime = self._loop, self._runtime
            if loop is None:
                return
            if runtime is not None:
                with contextlib.suppress(Exception):
                    if self._vouching is not None:
                        self._vouching.cancel()
                    if self._pool is not None:
                        asyncio.run_coroutine_threadsafe(self._pool.close(), loop).result(30)
                    asyncio.run_coroutine_threadsafe(
                        runtime.__aexit__(None, None, None), loop
                    ).result(timeout=30)
            loop.call_soon_threadsafe(loop.stop)
            self._loop = self._runtime = self._rt = self._pool = None
            self._voucher = self._vouching = None


def create_app(settings: Settings, open_runtime: OpenRuntime | None = None) -> Celery:
    """The app for ``settings.broker_url``: what API processes send with and, given
    ``open_runtime`` (the wiring's), what workers run."""
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
    host = WorkerHost(settings, app, open_runtime)

    @app.task(name=ADVANCE, soft_time_limit=FRAMEWORK_LIMITS_S[0], time_limit=FRAMEWORK_LIMITS_S[1])
    def advance(task_id: str) -> None:
        host.run_task(task_id)

    @app.task(name=GENERATE_ITEMS, soft_time_limit=BATCH_LIMITS_S[0], time_limit=BATCH_LIMITS_S[1])
    def generate_items(task_id: str, items: list[list[str]]) -> None:
        host.run_items(
            task_id, [ItemKey(concept_id, content_type) for concept_id, content_type in items]
        )

    def shutdown(**_: object) -> None:
        host.close()

    def received(request: Any = None, **_: object) -> None:
        if request is not None:
            host.received(request)

    def shutting_down(how: str = "", **_: object) -> None:
        if how != "Cold":
            host.shutting_down()

    def forked(**_: object) -> None:
        host.forked()

    task_received.connect(received, weak=False)
    worker_shutting_down.connect(shutting_down, weak=False)
    worker_process_init.connect(forked, weak=False)
    worker_process_shutdown.connect(shutdown, weak=False)
    worker_shutdown.connect(shutdown, weak=False)
    return app
