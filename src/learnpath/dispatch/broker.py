"""The distributed dispatcher: work goes to Celery workers through the broker.

The work a message carries gets a queued lease and the message's id in the database: if the
send fails or the broker loses the message (a restart without persistence), the lease runs out
and the sweeper queues the work again; a cancel finds the ids to revoke there.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, Protocol, cast

import redis.asyncio as aioredis
from celery import Celery
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

from learnpath.domain.items import ItemKey
from learnpath.domain.tasks import QUEUES, TaskType, queue_of
from learnpath.engine.leases import lease_until
from learnpath.engine.runtime import Runtime
from learnpath.engine.workflow import StartedItem
from learnpath.store import items as item_rows
from learnpath.store import tasks
from learnpath.store.records import now
from learnpath.store.tables import TaskRow
from learnpath.store.tasks import Lease

log = logging.getLogger(__name__)

ADVANCE = "learnpath.advance"
"""A message of a task's framework steps (and its fan-out)."""
GENERATE_ITEMS = "learnpath.generate_items"
"""A message of a few items of one task (a retry of failed items: all of them), made in the
receiving worker's shared pool."""

ITEMS_PER_MESSAGE = 4
"""Items a message carries: each message costs a worker a few ms of CPU (receipt, vouching,
acknowledgement), so a fan-out goes out a few items a message, still enough messages to
spread over every worker's slots. A retry of failed items goes as one message."""


@dataclass(frozen=True)
class Message:
    name: str
    args: list[Any]
    queue: str
    message_id: str


UNACKED = "unacked"
UNACKED_INDEX = "unacked_index"
"""Keys of kombu's Redis transport: the messages workers received and have not acknowledged."""


def _message_id(payload: bytes | str | None) -> str | None:
    """The Celery task id (our message id) of a message kept in ``unacked``."""
    if payload is None:
        return None
    try:
        message = json.loads(payload)[0]
        return str(message["headers"]["id"])
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def new_message_id() -> str:
    return str(uuid.uuid4())


def _item_messages(task_id: str, task_type: str, items: list[ItemKey]) -> list[Message]:
    """The messages of a task's items: a few to a message, a batch retry's all in one."""
    size = len(items) if task_type == TaskType.retry_batch.value else ITEMS_PER_MESSAGE
    return [
        Message(
            GENERATE_ITEMS,
            [task_id, [[k.concept_id, k.content_type] for k in items[start : start + size]]],
            queue_of(task_type, items=True),
            new_message_id(),
        )
        for start in range(0, len(items), size)
    ]


class _Sent:
    """What ``send_task`` returns for a message sent: its id, and no result to wait for."""

    def __init__(self, message_id: str) -> None:
        self.id = message_id
        self.ignored = True


def _keys(message: Message) -> list[ItemKey]:
    return [ItemKey(concept_id, kind) for concept_id, kind in message.args[1]]


class ItemPool(Protocol):
    """A worker process's own item pool (:class:`~learnpath.dispatch.inline.InlineDispatcher`)."""

    def spare(self) -> int:
        """Items it could start now with a model slot each."""

    def reserve(self, count: int) -> int:
        """Slots for items a step starts in its own transaction."""

    def run_started(self, started: list[StartedItem], reserved: int) -> None:
        """Generate items a step started, on slots of :meth:`reserve`."""

    def release(self, reserved: int) -> None:
        """Free slots of :meth:`reserve`."""

    def take(self, task_id: str, items: list[ItemKey]) -> Awaitable[object]:
        """Queue these items to generate (counted against :meth:`spare` at once); done once
        each is stored or given up."""


class CeleryDispatcher:
    def __init__(self, rt: Runtime, app: Celery, broker: aioredis.Redis) -> None:
        self.rt = rt
        self.app = app
        self.broker = broker
        self.here: ItemPool | None = None
        """A worker's pool: the items of a fan-out made in this process start there first."""

    def lease_for_new(self) -> Lease:
        until = lease_until(self.rt.settings.queued_lease_s)
        return Lease(None, until, new_message_id())

    async def submit_task(self, task_id: str, created: TaskRow | None = None) -> None:
        if created is not None and created.broker_id is not None:
            message_id, task_type = created.broker_id, created.task_type
        else:
            message_id = new_message_id()
            async with self.rt.db.transaction() as s:
                task_type, _ = await tasks.kind_and_subject(s, task_id)
                until = lease_until(self.rt.settings.queued_lease_s)
                await tasks.queue(s, task_id, message_id, until)
        await self._send([Message(ADVANCE, [task_id], queue_of(task_type), message_id)])

    async def submit_items(
        self,
        task_id: str,
        items: list[ItemKey],
        task: TaskRow | None = None,
        *,
        started: list[StartedItem] | None = None,
        reserved: int = 0,
    ) -> None:
        """A worker fanning out keeps the items its own pool has model slots spare for (and
        those ``started`` by the step that made them) and generates them there, waiting for
        them: they need no message, no receipt and no queued lease. They are leased to this
        worker when they start, and the pool renews those leases; a worker that dies lets
        them end and the sweeper queues the items again, as any it was generating.

        The others go a few to a message (:data:`ITEMS_PER_MESSAGE`), a batch retry's in one.
        The messages go out first, and the items' queued leases and message ids follow,
        before the items the step started run here: other workers start at once, and their
        starts do not wait for that write's row locks. An item a worker already holds (it
        received its message first) keeps its worker's lease, and items sent but never
        leased (this process died in between) have none: the sweeper takes them for lost
        once ``lease_s`` has passed. An item queued again after its worker died is
        ``pending`` once more."""
        if task is None:
            async with self.rt.db.read() as s:
                task_type, subject_id = await tasks.kind_and_subject(s, task_id)
        else:
            task_type, subject_id = task.task_type, task.subject_id
        pool = self.here
        mine = [item.key for item in started or []]
        rest = [k for k in items if k not in mine]
        kept = rest[: pool.spare()] if pool is not None else []
        # Taken at once, so that nothing else takes their slots meanwhile.
        waits = [pool.take(task_id, kept)] if pool is not None and kept else []
        messages = _item_messages(task_id, task_type, rest[len(kept) :])
        try:
            if messages:
                await self._send(messages)
                await self._queued(task_id, subject_id, messages)
        finally:
            if pool is not None:
                pool.run_started(started or [], reserved)
                if mine:
                    waits.append(pool.take(task_id, mine))
            await asyncio.gather(*waits)

    def reserve(self, count: int) -> int:
        return self.here.reserve(count) if self.here is not None else 0

    def release(self, reserved: int) -> None:
        if self.here is not None:
            self.here.release(reserved)

    async def _queued(self, task_id: str, subject_id: str, messages: list[Message]) -> None:
        """The items of these sent messages wait on the broker under a queued lease (one
        statement: the row locks that other workers' starts may wait for are held briefly)."""
        async with self.rt.db.statement() as s:
            await item_rows.queue(
                s,
                subject_id,
                task_id,
                {key: m.message_id for m in messages for key in _keys(m)},
                at=now(),
                until=lease_until(self.rt.settings.queued_lease_s),
            )

    async def abandon(self, task_id: str) -> None:
        """Revoke the task's queued messages; running ones see the cancel before their next
        model call."""
        async with self.rt.db.read() as s:
            ids = await item_rows.message_ids(s, task_id)
            task_message = await tasks.message_id(s, task_id)
        if task_message:
            ids.add(task_message)
        if ids:
            try:
                await asyncio.to_thread(self.app.control.revoke, sorted(ids))
            except (KombuError, RedisError, OSError) as error:
                log.warning("task %s: could not revoke its queued work: %s", task_id, error)

    async def queue_depth(self) -> int:
        try:
            pipe = self.broker.pipeline(transaction=False)
            for queue in QUEUES:
                pipe.llen(queue)
            return sum(int(n) for n in await pipe.execute())
        except (RedisError, OSError):
            return 0

    async def reachable(self) -> bool:
        try:
            return bool(await self.broker.ping())
        except (RedisError, OSError):
            return False

    async def received_before(self, when: float) -> dict[str, str]:
        """Read from the Redis transport's record of delivered messages (``unacked_index``:
        tag → delivery time; ``unacked``: tag → the message), which the broker itself uses to
        redeliver after its visibility timeout."""
        try:
            tags = cast(list[bytes], await self.broker.zrangebyscore(UNACKED_INDEX, "-inf", when))
            payloads = await self.broker.hmget(UNACKED, tags) if tags else []
        except (RedisError, OSError) as error:
            log.warning("could not read the broker's delivered messages: %s", error)
            return {}
        received: dict[str, str] = {}
        for tag, payload in zip(tags, payloads, strict=True):
            message_id = _message_id(payload)
            if message_id is not None:
                received[message_id] = tag.decode() if isinstance(tag, bytes) else str(tag)
        return received

    async def redeliver(self, tags: list[str]) -> None:
        if tags:
            try:
                await asyncio.to_thread(self._restore, tags)
            except (KombuError, RedisError, OSError) as error:
                log.warning("could not redeliver %d message(s): %s", len(tags), error)

    def _restore(self, tags: list[str]) -> None:
        # The transport's own restore: atomic (a second sweeper finds nothing left), and
        # to the end of the queue workers take from next.
        with self.app.connection_for_write() as connection:
            qos = connection.default_channel.qos
            for tag in tags:
                qos.restore_by_tag(tag)

    async def close(self) -> None:
        return None

    async def _send(self, messages: list[Message]) -> None:
        try:
            await asyncio.to_thread(self._publish, messages)
        except (KombuError, RedisError, OSError) as error:
            # The work is leased in the database: the sweeper sends it again.
            log.warning(
                "could not queue %d message(s) (the sweeper will): %s", len(messages), error
            )

    def _publish(self, messages: list[Message]) -> None:
        with self.app.producer_or_acquire() as producer:
            for m in messages:
                # No result is kept (``task_ignore_result``), and none is asked for here:
                # send_task does not read that setting, and its default result handle looks
                # up the result backend, which in a worker costs 5-10 ms each time.
                self.app.send_task(
                    m.name,
                    args=m.args,
                    queue=m.queue,
                    task_id=m.message_id,
                    producer=producer,
                    ignore_result=True,
                    result_cls=_Sent,
                    add_to_parent=False,
                )
