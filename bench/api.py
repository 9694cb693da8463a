"""Benchmark the HTTP API of one `learnpath serve` process (SQLite, embedded workers).

    python bench/api.py [--duration 20] [--clients 64] [--rate 600] [--subscribers 500]

1. Task-status reads: ``--clients`` concurrent clients send ``GET /api/v1/tasks/{id}`` for
   ``--duration`` seconds, together at ``--rate`` requests per second (open loop: latency is
   counted from when a request was due, so a slow server cannot hide its queueing).
2. Event fan-out: ``--subscribers`` SSE clients follow one running task; for every live event
   each of them receives, the latency from the event's timestamp to its arrival.

The last line printed is one JSON object with both results.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.server import running_server


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


async def wait_status(client: httpx.AsyncClient, task_id: str, *wanted: str) -> dict[str, Any]:
    while True:
        task = (await client.get(f"/api/v1/tasks/{task_id}")).json()
        if task["status"] in wanted:
            return dict(task)
        await asyncio.sleep(0.1)


async def read_load(
    base_url: str, task_id: str, clients: int, rate: float, duration: float
) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    interval = clients / rate
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=10) as client:
        start = time.perf_counter() + 0.5
        end = start + duration

        async def one_client(n: int) -> None:
            nonlocal errors
            due = start + interval * n / clients
            while due < end:
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                answer = await client.get(f"/api/v1/tasks/{task_id}")
                latencies.append(time.perf_counter() - due)
                errors += answer.status_code != 200
                due += interval

        await asyncio.gather(*(one_client(n) for n in range(clients)))
        elapsed = time.perf_counter() - start
    return {
        "requests": len(latencies),
        "errors": errors,
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2) if latencies else 0.0,
    }


def _read_load_process(args: tuple[str, str, int, float, float], out: Any) -> None:
    out.send(asyncio.run(read_load(*args)))


async def fan_out(base_url: str, subscribers: int) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=subscribers + 8)
    timeout = httpx.Timeout(120, connect=30)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=timeout) as client:
        answer = await client.post(
            "/api/v1/roadmaps/generate",
            json={"goal": "Learn Go for backend services", "hours_per_week": 10, "target_weeks": 4},
        )
        task_id = answer.json()["task_id"]
        parked = await wait_status(client, task_id, "human_review_pending")
        first_live = parked["last_event_seq"] + 1
        latencies: list[float] = []
        connected = 0
        all_connected = asyncio.Event()

        async def subscriber() -> None:
            nonlocal connected
            url = f"/api/v1/tasks/{task_id}/events"
            async with client.stream("GET", url) as stream:
                connected += 1
                if connected == subscribers:
                    all_connected.set()
                async for line in stream.aiter_lines():
                    if not line.startswith("data:"):
                        continue
                    arrived = time.time()
                    event = json.loads(line[5:])
                    if event["seq"] >= first_live:
                        sent = _epoch(event["timestamp"])
                        latencies.append(arrived - sent)

        readers = [asyncio.create_task(subscriber()) for _ in range(subscribers)]
        await asyncio.wait_for(all_connected.wait(), 120)
        await client.post(f"/api/v1/tasks/{task_id}/review", json={"approved": True})
        await asyncio.wait_for(asyncio.gather(*readers), 300)
    events = len(latencies) // subscribers if subscribers else 0
    return {
        "subscribers": subscribers,
        "live_events": events,
        "deliveries": len(latencies),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "max_ms": round(max(latencies, default=0.0) * 1000, 2),
    }


def _epoch(timestamp: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()


async def prepare(base_url: str) -> str:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        answer = await client.post(
            "/api/v1/roadmaps/generate",
            json={"goal": "Learn Rust", "target_weeks": 2, "auto_approve": True},
        )
        task_id = str(answer.json()["task_id"])
        await wait_status(client, task_id, "completed")
        return task_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--rate", type=float, default=600, help="target requests per second")
    parser.add_argument("--subscribers", type=int, default=500)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as home,
        running_server(
            Path(home), local=True, offline_latency_s="0.05", llm_concurrency="16"
        ) as server,
    ):
        task_id = asyncio.run(prepare(server.base_url))
        # The load generator gets a process of its own, so its work does not slow the server's.
        receive, send = multiprocessing.Pipe(duplex=False)
        loader = multiprocessing.Process(
            target=_read_load_process,
            args=((server.base_url, task_id, args.clients, args.rate, args.duration), send),
        )
        loader.start()
        reads = receive.recv()
        loader.join()
        print(f"status reads: {reads}")
        events = asyncio.run(fan_out(server.base_url, args.subscribers))
        print(f"event fan-out: {events}")
    print(json.dumps({"status_reads": reads, "event_fanout": events}))


if __name__ == "__main__":
    main()
