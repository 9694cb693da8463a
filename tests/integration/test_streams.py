"""Redis streams of task events against a real (private) ``redis-server``: entries placed so
that reading after ``{seq}-<max>`` finds every later event even when two processes appended
out of order; trimming and expiry; a Redis outage never fails the commit path."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from tests.support.cluster import RedisServer

from learnpath.domain.events import Event, EventType, new_event
from learnpath.events import streams
from learnpath.events.bus import MemoryBus
from learnpath.events.streams import StreamFeed, StreamPublisher, connect, stream_key


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install -y redis-server)")
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def client(redis_server: RedisServer) -> AsyncIterator[aioredis.Redis]:
    redis = connect(redis_server.url)
    try:
        yield redis
    finally:
        await redis.aclose()


def events(task_id: str, *seqs: int, kind: EventType = EventType.progress) -> list[Event]:
    return [new_event(seq, task_id, kind, f"event {seq}") for seq in seqs]


async def received(feed_queue: asyncio.Queue[tuple[Event, ...]], count: int) -> list[int]:
    seqs: list[int] = []
    async with asyncio.timeout(10):
        while len(seqs) < count:
            seqs.extend(e.seq for e in await feed_queue.get())
    return seqs


async def test_out_of_order_appends_are_all_found_after_a_seq(client: aioredis.Redis) -> None:
    publisher = StreamPublisher(client, maxlen=1000, ttl_s=60)
    # Process B commits 3-4 and appends first; process A's 1-2 arrive late.
    await publisher.publish(events("t1", 3, 4))
    await publisher.publish(events("t1", 1, 2))
    await publisher.publish(events("t1", 5))
    ids = [entry_id.decode() for entry_id, _ in await client.xrange(stream_key("t1"))]
    assert [int(i.split("-")[0]) for i in ids] == [3, 4, 4, 4, 5]

    for after, expected in [(0, [3, 4, 1, 2, 5]), (2, [3, 4, 1, 2, 5]), (3, [4, 1, 2, 5])]:
        bus = MemoryBus()
        queue = bus.subscribe("t1")
        feed = StreamFeed(client, bus)
        with feed.watching("t1", after):
            got = await received(queue, len(expected))
        await feed.close()
        # Every event later than ``after`` is there (the follower drops the older ones).
        assert [s for s in got if s > after] == [s for s in expected if s > after]
        assert set(got) >= {s for s in range(after + 1, 6)}


async def test_live_events_reach_a_follower_and_the_stream_expires_after_the_end(
    client: aioredis.Redis,
) -> None:
    publisher = StreamPublisher(client, maxlen=1000, ttl_s=30)
    bus = MemoryBus()
    queue = bus.subscribe("t2")
    feed = StreamFeed(client, bus)
    with feed.watching("t2", 0):
        await asyncio.sleep(0.05)
        await publisher.publish(events("t2", 1, 2))
        assert await received(queue, 2) == [1, 2]
        assert await client.ttl(stream_key("t2")) == -1  # a running task's stream stays
        await publisher.publish(events("t2", 3, kind=EventType.completed))
        assert await received(queue, 1) == [3]
    await feed.close()
    assert 0 < await client.ttl(stream_key("t2")) <= 30


async def test_a_task_watched_while_a_read_waits_joins_it_at_once(
    client: aioredis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read blocked on the streams watched so far is woken for a newly watched one: with
    reads that would block for a minute, the new task's events still arrive."""
    monkeypatch.setattr(streams, "BLOCK_MS", 60_000)
    publisher = StreamPublisher(client, maxlen=1000, ttl_s=30)
    bus = MemoryBus()
    first, second = bus.subscribe("w1"), bus.subscribe("w2")
    feed = StreamFeed(client, bus)
    with feed.watching("w1", 0):
        await publisher.publish(events("w1", 1))
        assert await received(first, 1) == [1]  # the feed now blocks on w1 alone
        with feed.watching("w2", 0):
            await publisher.publish(events("w2", 1, 2))
            assert await received(second, 2) == [1, 2]
    await feed.close()
    wake_keys = [key async for key in client.scan_iter(match=streams.WAKE_PREFIX + "*")]
    assert len(wake_keys) == 1
    assert 0 < await client.ttl(wake_keys[0]) <= streams.WAKE_TTL_S


async def test_streams_are_trimmed(client: aioredis.Redis) -> None:
    publisher = StreamPublisher(client, maxlen=100, ttl_s=60)
    for start in range(1, 1001, 50):
        await publisher.publish(events("t3", *range(start, start + 50)))
    length = await client.xlen(stream_key("t3"))
    assert 100 <= length < 1000


async def test_a_redis_outage_costs_the_commit_path_nothing(redis_server: RedisServer) -> None:
    client = connect(redis_server.url)
    publisher = StreamPublisher(client, maxlen=1000, ttl_s=60)
    await publisher.publish(events("t4", 1))
    redis_server.stop()
    try:
        async with asyncio.timeout(5):
            await publisher.publish(events("t4", 2))  # logged, not raised
            await publisher.publish(events("t4", 3))  # skipped during the back-off
        assert publisher.published == 1
    finally:
        redis_server.start()
        await client.aclose()
