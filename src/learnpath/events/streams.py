"""Events across processes through Redis Streams: one stream per task (distributed mode).

A committed event is appended to ``learnpath:events:{task_id}`` after the database commit,
under an entry id whose first part is at least the event's ``seq`` (``{ms}-{n}`` with
``ms = max(seq, newest ms in the stream)``). So an event with ``seq > s`` always lies after
the id ``{s}-<max>``: a follower resuming after ``seq`` s reads from that explicit id, never
from ``$``, and events committed out of order by two workers are still all there (the
follower's reorder buffer puts them back in order). Streams are trimmed to
``stream_maxlen`` entries and expire ``stream_ttl_s`` after their task's terminal event.

The database stays the durable log: when Redis is down or was restarted empty, followers
fall back to it (their gap check and the log poller's slower backstop).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import cast

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from learnpath.domain.events import Event
from learnpath.events.bus import MemoryBus

log = logging.getLogger(__name__)

KEY_PREFIX = "learnpath:events:"
MAX_ENTRY_PART = 2**64 - 1
BLOCK_MS = 200
"""How long one read waits for new entries. A task watched for the first time joins the next
read: the read under way is woken through the feed's own wake stream."""
WAKE_PREFIX = "learnpath:wake:"
WAKE_TTL_S = 600
BACKOFF_S = 1.0

# KEYS[1]: the stream. ARGV: maxlen, ttl (0: the task goes on, keep the stream), then
# seq, payload pairs in seq order.
_APPEND = """
local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local top = 0
if #newest > 0 then top = tonumber(string.match(newest[1][1], '^(%d+)')) end
for i = 3, #ARGV, 2 do
  local seq = tonumber(ARGV[i])
  if seq > top then top = seq end
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], top .. '-*', 'e', ARGV[i + 1])
end
if tonumber(ARGV[2]) > 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
else
  redis.call('PERSIST', KEYS[1])
end
return top
"""


def stream_key(task_id: str) -> str:
    return KEY_PREFIX + task_id


def position_after(seq: int) -> str:
    """The stream id after which every event with a greater ``seq`` lies."""
    return f"{seq}-{MAX_ENTRY_PART}"


class StreamPublisher:
    """The database's event sink in distributed mode: appends committed events to streams.

    A Redis failure never fails the commit that produced the events (they are in the
    database already); after one, appends are skipped for ``BACKOFF_S`` so that commits do
    not each wait for a dead server.
    """

    def __init__(self, client: aioredis.Redis, maxlen: int, ttl_s: int) -> None:
        self.client = client
        self.maxlen = maxlen
        self.ttl_s = ttl_s
        self._append = client.register_script(_APPEND)
        self._down_until = 0.0
        self.published = 0

    async def publish(self, events: list[Event]) -> None:
        if time.monotonic() < self._down_until:
            return
        by_task: dict[str, list[Event]] = {}
        for event in events:
            by_task.setdefault(event.task_id, []).append(event)
        try:
            for task_id, mine in by_task.items():
                args: list[str | int] = [
                    self.maxlen,
                    self.ttl_s if any(e.is_terminal for e in mine) else 0,
                ]
                for event in sorted(mine, key=lambda e: e.seq):
                    args += [event.seq, event.wire]
                await self._append(keys=[stream_key(task_id)], args=args)
                self.published += len(mine)
        except (RedisError, OSError) as error:
            self._down_until = time.monotonic() + BACKOFF_S
            log.warning("event stream append failed (followers read the database): %s", error)


class StreamFeed:
    """Reads the streams of the tasks followed in this process and publishes their events on
    the in-process bus: one blocking read per process, whatever the number of followers."""

    def __init__(self, client: aioredis.Redis, bus: MemoryBus) -> None:
        self.client = client
        self.bus = bus
        self._interest: Counter[str] = Counter()
        self._positions: dict[str, str] = {}
        self._task: asyncio.Task[None] | None = None
        self._wake_key = WAKE_PREFIX + uuid.uuid4().hex
        self._wakes: set[asyncio.Task[None]] = set()

    @contextlib.contextmanager
    def watching(self, task_id: str, after_seq: int) -> Iterator[None]:
        """Keep ``task_id``'s stream read while the block runs."""
        self._interest[task_id] += 1
        key = stream_key(task_id)
        if key not in self._positions:
            self._positions[key] = position_after(after_seq)
            if self._task is not None and not self._task.done():
                self._wake_reader()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        try:
            yield
        finally:
            self._interest[task_id] -= 1
            if self._interest[task_id] <= 0:
                del self._interest[task_id]
                self._positions.pop(stream_key(task_id), None)

    def _wake_reader(self) -> None:
        """End the read under way (blocked on the streams watched before this one): an
        entry on the wake stream it also reads."""
        wake = asyncio.create_task(self._wake())
        self._wakes.add(wake)
        wake.add_done_callback(self._wakes.discard)

    async def _wake(self) -> None:
        try:
            pipe = self.client.pipeline(transaction=False)
            pipe.xadd(self._wake_key, {"w": "1"}, maxlen=1, approximate=False)
            pipe.expire(self._wake_key, WAKE_TTL_S)
            await pipe.execute()
        except (RedisError, OSError) as error:  # the read ends within BLOCK_MS anyway
            log.debug("could not wake the stream read: %s", error)

    async def close(self) -> None:
        for wake in list(self._wakes):
            wake.cancel()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while self._interest:
            try:
                await self._read()
            except (RedisError, OSError) as error:
                log.warning("reading event streams failed; retrying: %s", error)
                await asyncio.sleep(BACKOFF_S)

    async def _read(self) -> None:
        positions = dict(self._positions)
        if not positions:
            return
        positions[self._wake_key] = "$"
        replies = cast(
            list[tuple[bytes, list[tuple[bytes, dict[bytes, bytes]]]]] | None,
            await self.client.xread(positions, block=BLOCK_MS),  # type: ignore[arg-type]
        )
        fresh: list[Event] = []
        for key, entries in replies or ():
            name = key.decode()
            if name == self._wake_key:
                continue
            fresh.extend(Event.model_validate_json(fields[b"e"]) for _, fields in entries)
            if name in self._positions and entries:
                self._positions[name] = entries[-1][0].decode()
        if fresh:
            await self.bus.publish(fresh)


def connect(url: str) -> aioredis.Redis:
    """A client for streams: short timeouts, so that an outage costs a commit little."""
    return aioredis.Redis.from_url(
        url, socket_timeout=5, socket_connect_timeout=2, health_check_interval=30
    )
