"""Benchmark the HTTP API of one `learnpath serve` process (SQLite, embedded workers).

    python bench/api.py [--duration 20] [--clients 64] [--rate 600] [--subscribers 500]

1. Task-status reads: ``--clients`` concurrent clients send ``GET /api/v1/tasks/{id}`` for
   ``--duration`` seconds, each pausing between requests so that together they offer about
   ``--rate`` requests per second. The load comes from ``wrk`` (Debian package ``wrk``) in a
   process of its own: a Python client cannot produce this load without becoming the
   bottleneck it is meant to measure.
2. Event fan-out: ``--subscribers`` SSE clients follow one running task; for every live event
   each of them receives, the latency from the event's timestamp to its arrival.

The last line printed is one JSON object with both results.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import subprocess
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


WRK_SCRIPT = """
-- Random pauses (mean {pause_ms} ms) keep the connections from firing in lockstep bursts.
local pause_ms = {pause_ms}
function delay()
  return math.random(0, 2 * pause_ms)
end
"""
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if match is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return round(float(match.group(1)) * _UNITS[match.group(2)], 2)


def read_load(
    base_url: str, task_id: str, clients: int, rate: float, duration: float
) -> dict[str, Any]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("bench/api.py needs wrk for the read load: apt-get install -y wrk")
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT.format(pause_ms=round(1000 * clients / rate)))
        script.flush()
        done = subprocess.run(
            [
                wrk,
                "-t1",
                f"-c{clients}",
                f"-d{round(duration)}s",
                "--latency",
                "-s",
                script.name,
                f"{base_url}/api/v1/tasks/{task_id}",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    report = done.stdout
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", report, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", report)
    return {
        "requests": int(re.search(r"(\d+) requests in", report).group(1)),  # type: ignore[union-attr]
        "errors": int(errors.group(1)) if errors else 0,
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", report).group(1)),  # type: ignore[union-attr]
        "p50_ms": _ms(percentiles["50"]),
        "p99_ms": _ms(percentiles["99"]),
    }


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
        received: list[dict[int, float]] = []
        stamps: dict[int, float] = {}
        connected = 0
        all_connected = asyncio.Event()
        url = httpx.URL(base_url)

        async def subscriber() -> None:
            """A lean SSE reader (raw socket): it counts as connected once the replay up to the
            parked task's last event is in, only stamps each chunk's arrival while the stream
            runs and parses afterwards, so that 500 of them in one process measure the
            server rather than the client. The server ends the body after the terminal event
            (its connection stays open for the next request)."""
            nonlocal connected
            reader, writer = await asyncio.open_connection(url.host, url.port)
            writer.write(
                f"GET /api/v1/tasks/{task_id}/events HTTP/1.1\r\nHost: {url.host}\r\n"
                "Accept: text/event-stream\r\n\r\n".encode()
            )
            await reader.readuntil(b"\r\n\r\n")
            chunks: list[tuple[float, bytes]] = []
            replayed = f'"seq":{first_live - 1},'.encode()
            while replayed not in b"".join(chunk for _, chunk in chunks[-2:]):
                chunk = await reader.read(1 << 16)
                if not chunk:
                    raise RuntimeError("an event stream ended during its replay")
                chunks.append((time.time(), chunk))
            connected += 1
            if connected == subscribers:
                all_connected.set()
            try:
                while chunk := await reader.read(1 << 16):
                    chunks.append((time.time(), chunk))
                    if chunk.endswith(b"\r\n0\r\n\r\n"):
                        break  # the chunked body's last chunk: the stream ended
            finally:
                writer.close()
            arrivals: dict[int, float] = {}
            pending = b""
            for arrived, chunk in chunks:
                *lines, pending = (pending + chunk).split(b"\n")
                for line in lines:
                    if line.startswith(b"data: "):
                        event = json.loads(line[6:])
                        assert event["seq"] not in arrivals, "an event arrived twice"
                        arrivals[event["seq"]] = arrived
                        stamps[event["seq"]] = _epoch(event["timestamp"])
            received.append(arrivals)

        readers = [asyncio.create_task(subscriber()) for _ in range(subscribers)]
        await asyncio.wait_for(all_connected.wait(), 120)
        approved = time.perf_counter()
        await client.post(f"/api/v1/tasks/{task_id}/review", json={"approved": True})
        await asyncio.wait_for(asyncio.gather(*readers), 300)
        live_s = time.perf_counter() - approved
        final = await client.get(f"/api/v1/tasks/{task_id}")
    every = list(range(1, final.json()["last_event_seq"] + 1))
    complete = all(sorted(arrivals) == every for arrivals in received)
    live = [seq for seq in every if seq >= first_live]
    latencies = [arrivals[seq] - stamps[seq] for arrivals in received for seq in live]
    first = [min(arrivals[seq] for arrivals in received) - stamps[seq] for seq in live]
    return {
        "subscribers": subscribers,
        "every_event_exactly_once": complete,
        "live_events": len(live),
        "events_per_s": round(len(live) / live_s, 1),
        "deliveries": len(latencies),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
        "max_ms": round(max(latencies, default=0.0) * 1000, 2),
        "first_subscriber_p50_ms": round(percentile(first, 0.50) * 1000, 2),
        "first_subscriber_p99_ms": round(percentile(first, 0.99) * 1000, 2),
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
    parser.add_argument(
        "--model-latency",
        type=float,
        default=0.2,
        help="seconds per offline LLM call: sets the followed task's event rate",
    )
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as home,
        running_server(
            Path(home),
            local=True,
            offline_latency_s=str(args.model_latency),
            llm_concurrency="16",
        ) as server,
    ):
        task_id = asyncio.run(prepare(server.base_url))
        reads = read_load(server.base_url, task_id, args.clients, args.rate, args.duration)
        print(f"status reads: {reads}")
        events = asyncio.run(fan_out(server.base_url, args.subscribers))
        print(f"event fan-out: {events}")
    print(json.dumps({"status_reads": reads, "event_fanout": events}))


if __name__ == "__main__":
    main()
