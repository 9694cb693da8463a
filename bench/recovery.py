"""Part 3 of bench/distributed.py: how soon the work a SIGKILLed worker held runs again.

For each kill, one roadmap is submitted; once three of its items are done, the worker holding
the most of its unfinished messages (received in its log, not finished) is killed with its
whole process group and a replacement is started. The orphans are the open items of those
messages and the items generating under the dead worker's lease; ``recovery_s`` is the time
from the kill until every orphan is ``generating`` under another worker's lease (or done).
"""

from __future__ import annotations

import asyncio
import re
import socket
import statistics
import subprocess
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx
from tests.support.cluster import Cluster

OPEN = ("pending", "generating")
RECEIVED = re.compile(r"Task learnpath\.\w+\[([0-9a-f-]+)\] received")
ENDED = re.compile(r"Task learnpath\.\w+\[([0-9a-f-]+)\] (?:succeeded|failed|raised)")
ITEMS = """
    SELECT i.concept_id, i.content_type, i.status, i.broker_id, i.lease_owner
    FROM items i JOIN tasks t ON t.roadmap_id = i.subject_id
    WHERE t.task_id = $1
"""


async def until(check: Callable[[], Awaitable[bool]], every_s: float = 0.05) -> None:
    while True:
        if await check():
            return
        await asyncio.sleep(every_s)


def held_messages(cluster: Cluster, worker: subprocess.Popen[bytes]) -> set[str]:
    """Message ids the worker received and did not finish, from its log."""
    log = (cluster.home / f"worker-{cluster.workers.index(worker)}.log").read_text()
    return set(RECEIVED.findall(log)) - set(ENDED.findall(log))


async def one_kill(
    cluster: Cluster, client: httpx.AsyncClient, conn: asyncpg.Connection, body: dict[str, Any]
) -> float:
    answer = await client.post("/api/v1/roadmaps/generate", json=body)
    answer.raise_for_status()
    task_id = answer.json()["task_id"]

    async def three_done() -> bool:
        rows = await conn.fetch(ITEMS, task_id)
        return sum(r["status"] == "completed" for r in rows) >= 3

    await until(three_done)
    alive = [w for w in cluster.workers if w.poll() is None]
    victim = max(alive, key=lambda w: len(held_messages(cluster, w)))
    cluster.kill_worker(victim)
    killed = time.monotonic()
    replacing = asyncio.create_task(
        asyncio.to_thread(
            cluster.start_worker, concurrency=2 * int(cluster.settings["llm_concurrency"])
        )
    )
    dead = f"{socket.gethostname()}:{victim.pid}"
    held = held_messages(cluster, victim)
    orphans = {
        (r["concept_id"], r["content_type"])
        for r in await conn.fetch(ITEMS, task_id)
        if r["status"] in OPEN and (r["broker_id"] in held or r["lease_owner"] == dead)
    }
    if not orphans:
        raise SystemExit(f"the killed worker held none of task {task_id}'s items")

    async def recovered() -> bool:
        rows = {(r["concept_id"], r["content_type"]): r for r in await conn.fetch(ITEMS, task_id)}
        return all(
            rows[k]["status"] == "completed"
            or (rows[k]["status"] == "generating" and rows[k]["lease_owner"] != dead)
            for k in orphans
        )

    await until(recovered)
    recovery_s = time.monotonic() - killed
    await replacing

    async def ended() -> bool:
        query = "SELECT status FROM tasks WHERE task_id = $1"
        return await conn.fetchval(query, task_id) not in ("pending", "processing")

    await until(ended, every_s=0.2)
    status = await conn.fetchval("SELECT status FROM tasks WHERE task_id = $1", task_id)
    if status != "completed":
        raise SystemExit(f"task {task_id} ended {status} after the kill")
    return recovery_s


async def recovery_runs(
    cluster: Cluster, base_url: str, dsn: str, schema: str, body: dict[str, Any], kills: int
) -> list[float]:
    conn = await asyncpg.connect(dsn, timeout=10, server_settings={"search_path": schema})
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(60)) as client:
            return [await one_kill(cluster, client, conn, body) for _ in range(kills)]
    finally:
        await conn.close()


def summary(runs: list[float], lease_s: float, sweep_s: float) -> dict[str, Any]:
    return {
        "recovery_s": round(statistics.median(runs), 3),
        "recovery_runs_s": [round(r, 3) for r in runs],
        "recovery_bound_s": 2 * lease_s + sweep_s,
    }
