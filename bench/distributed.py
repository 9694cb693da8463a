"""Benchmark distributed mode: the API and Celery workers on PostgreSQL and Redis.

    python bench/distributed.py [--latency 0.2 --workers 2 --concurrency 16]
                                [--roadmaps 100 --batch-latency 0.05]

Starts a private ``redis-server`` on a free port, a fresh PostgreSQL schema (dropped at the
end; ``--postgres``, default ``$LEARNPATH_TEST_POSTGRES`` or the local ``test`` database),
``learnpath serve --local`` and ``--workers`` ``learnpath worker`` processes that share
``--concurrency`` model calls in flight between them (``--pool`` threads, the default, with
twice as many jobs; or prefork, a process per call), all with the offline provider.

1. Latency: bench/pipeline.py's workload (same goal, auto-approved) submitted with
   ``POST /api/v1/roadmaps/generate`` and followed over SSE until its terminal event, at
   ``--latency`` seconds per model call. ``ideal_s`` is bench/pipeline.py's: the framework
   calls one after another, then the content calls in full waves of ``concurrency``; ``ratio``
   is measured over ideal. As in bench/pipeline.py, a first roadmap warms the processes (its
   figures are ``cold_``); of the ``--runs`` roadmaps after it, the median is reported, with
   where its time went (``framework_s``, ``content_s``, ``finish_s``, from the events).
2. Throughput: serve and workers restarted at ``--batch-latency``, one warm-up roadmap, then
   ``--roadmaps`` roadmaps submitted at once and followed until all have ended:
   ``roadmaps_per_min`` from the first request to the last completion, and the user + system
   CPU seconds per roadmap of the serve process and of the worker processes with any pool
   processes of theirs (psutil, before and after the batch).
3. Recovery: serve and workers restarted at ``--recovery-latency`` with short leases
   (``--recovery-lease``, ``--recovery-sweep``, ``--recovery-queued-lease``); ``--kills`` times,
   a roadmap is submitted and a worker holding its items is SIGKILLed once three are done
   (bench/recovery.py): ``recovery_s`` is the median time from the kill until every item the
   dead worker held is generating again on another worker (goal: ``recovery_bound_s`` =
   2 × lease + sweep interval).

The last line printed is one JSON object: concepts, llm_calls, ideal_s, measured_s, ratio,
latency, concurrency, workers, roadmaps, roadmaps_per_min, cpu_s_per_roadmap, recovery_s, and
the breakdowns described in README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.recovery import recovery_runs, summary
from tests.support.cluster import Cluster, running_cluster
from tests.support.server import Server

FRAMEWORK_AGENTS = {"intent", "curriculum", "editor"}
TERMINAL = {"completed", "partial_failure", "failed", "cancelled"}
PG_DSN = os.environ.get("LEARNPATH_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def _epoch(timestamp: str) -> float:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()


# --- the database ---------------------------------------------------------------------------


async def _admin(dsn: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


@contextmanager
def fresh_schema(dsn: str) -> Iterator[str]:
    schema = f"bench_{secrets.token_hex(5)}"
    asyncio.run(_admin(dsn, f"CREATE SCHEMA {schema}"))
    try:
        yield schema
    finally:
        asyncio.run(_admin(dsn, f"DROP SCHEMA IF EXISTS {schema} CASCADE"))


# --- CPU of process trees -------------------------------------------------------------------


def tree_cpu_s(pid: int) -> float:
    """User + system CPU seconds of the process and all its descendants, including those that
    already ended and were waited for (``children_*``)."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for process in processes:
        try:
            t = process.cpu_times()
        except psutil.Error:
            continue
        total += t.user + t.system + t.children_user + t.children_system
    return total


def postgres_cpu_s() -> float:
    """The machine's PostgreSQL server: every backend, whoever its client (when readable)."""
    total = 0.0
    for process in psutil.process_iter(["name"]):
        if process.info["name"] in {"postgres", "postmaster"}:
            try:
                t = process.cpu_times()
            except psutil.Error:
                continue
            total += t.user + t.system
    return total


def machine_cpu_s() -> float:
    """Busy CPU seconds of all CPUs, whatever ran."""
    t = psutil.cpu_times()
    return float(t.user + t.nice + t.system + getattr(t, "irq", 0.0) + getattr(t, "softirq", 0.0))


def cpu_snapshot(server: Server, cluster: Cluster, workers: list[int]) -> dict[str, float]:
    assert cluster.redis.process is not None
    return {
        "api": tree_cpu_s(server.process.pid),
        "workers": sum(tree_cpu_s(pid) for pid in workers),
        "redis": tree_cpu_s(cluster.redis.process.pid),
        "postgres": postgres_cpu_s(),
        "bench": sum(psutil.Process().cpu_times()[:2]),
        "machine": machine_cpu_s(),
        "wall": time.time(),
    }


def other_busy(before: dict[str, float], after: dict[str, float]) -> float:
    """The share of the machine's CPUs that processes of neither this benchmark nor its
    PostgreSQL kept busy meanwhile: above a few %, someone else's load skews the figures."""
    delta = {k: after[k] - before[k] for k in before}
    ours = sum(delta[k] for k in ("api", "workers", "redis", "postgres", "bench"))
    return max(0.0, delta["machine"] - ours) / ((os.cpu_count() or 1) * delta["wall"])


# --- the cluster ----------------------------------------------------------------------------


@contextmanager
def services(cluster: Cluster, args: argparse.Namespace, latency: float) -> Iterator[Server]:
    """``learnpath serve --local`` and the workers at this latency; stopped afterwards."""
    cluster.settings["offline_latency_s"] = str(latency)
    per_worker = split(args.concurrency, args.workers)
    with ExitStack() as stack:
        stack.callback(cluster.stop)
        for n in per_worker:
            # n model calls in flight per worker; with threads, twice as many jobs, so that the
            # next items are started while others wait on the model (as embedded mode does).
            cluster.settings["llm_concurrency"] = str(n)
            jobs = 2 * n if args.pool == "threads" else n
            cluster.start_worker(concurrency=jobs, pool=args.pool)
        yield stack.enter_context(cluster.server(local=True))


def split(concurrency: int, workers: int) -> list[int]:
    share, extra = divmod(concurrency, workers)
    return [share + (1 if i < extra else 0) for i in range(workers)]


def running_workers(cluster: Cluster) -> list[int]:
    return [p.pid for p in cluster.workers if p.poll() is None]


# --- part 1: one roadmap, followed live -----------------------------------------------------


async def follow_one(
    base_url: str, dsn: str, schema: str, body: dict[str, Any], latency: float, concurrency: int
) -> dict[str, Any]:
    timeout = httpx.Timeout(300, connect=30)
    async with httpx.AsyncClient(base_url=base_url, timeout=timeout) as client:
        started = time.time()
        answer = await client.post("/api/v1/roadmaps/generate", json=body)
        answer.raise_for_status()
        task_id = answer.json()["task_id"]
        events: list[dict[str, Any]] = []
        ended = None
        async with client.stream("GET", f"/api/v1/tasks/{task_id}/events") as stream:
            async for line in stream.aiter_lines():
                if line.startswith("data: "):
                    event = json.loads(line[6:])
                    events.append(event)
                    if event["type"] in {"completed", "failed", "cancelled"}:
                        ended = time.time()
                        break
        if ended is None:
            raise SystemExit(f"task {task_id}: its event stream ended without a terminal event")
        task = (await client.get(f"/api/v1/tasks/{task_id}")).json()
    if task["status"] != "completed":
        raise SystemExit(f"the run ended {task['status']}: {task['error_message']}")
    agents = [
        r["agent"]
        for r in await _admin(
            dsn, f"SELECT agent FROM {schema}.llm_calls WHERE task_id = $1", task_id
        )
    ]
    framework_calls = sum(1 for a in agents if a in FRAMEWORK_AGENTS)
    content_calls = len(agents) - framework_calls
    ideal = framework_calls * latency + math.ceil(content_calls / concurrency) * latency
    measured = ended - started
    return {
        "task_id": task_id,
        "concepts": task["progress"]["total"] // 3,
        "llm_calls": len(agents),
        "ideal_s": round(ideal, 3),
        "measured_s": round(measured, 3),
        "ratio": round(measured / ideal, 3) if ideal else 0.0,
        **phases(events, started, ended, framework_calls * latency, content_calls),
    }


def phases(
    events: list[dict[str, Any]], started: float, ended: float, framework_ideal: float, items: int
) -> dict[str, Any]:
    """Where the time went, from the events' own timestamps: the framework (request to the
    first item started), the content (first item started to last item settled) and the end
    (last item settled to the terminal event's arrival)."""
    starts = [_epoch(e["timestamp"]) for e in events if e["type"] == "concept_start"]
    settles = [
        _epoch(e["timestamp"])
        for e in events
        if e["type"] in {"concept_complete", "concept_failed"}
    ]
    if not starts or not settles:
        return {}
    return {
        "framework_s": round(min(starts) - started, 3),
        "framework_ideal_s": round(framework_ideal, 3),
        "content_s": round(max(settles) - min(starts), 3),
        "finish_s": round(ended - max(settles), 3),
        "items": items,
    }


# --- part 2: a batch of roadmaps submitted at once ------------------------------------------


async def counts(client: httpx.AsyncClient) -> dict[str, int]:
    answer = await client.get("/api/v1/tasks", params={"limit": 1})
    answer.raise_for_status()
    return {k: int(v) for k, v in answer.json()["status_counts"].items()}


async def run_batch(
    base_url: str, body: dict[str, Any], roadmaps: int, on_done: Callable[[], dict[str, float]]
) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=roadmaps + 4)
    timeout = httpx.Timeout(300, connect=30)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=timeout) as client:
        before = await counts(client)
        if any(before.get(s, 0) for s in before if s not in TERMINAL):
            raise SystemExit(f"tasks still running before the batch: {before}")
        started = time.time()
        answers = await asyncio.gather(
            *(client.post("/api/v1/roadmaps/generate", json=body) for _ in range(roadmaps))
        )
        for answer in answers:
            answer.raise_for_status()
        submitted = time.time()
        while True:
            now = await counts(client)
            done = sum(now.get(s, 0) - before.get(s, 0) for s in TERMINAL)
            if done >= roadmaps:
                break
            await asyncio.sleep(0.2)
        ended = time.time()
        cpu = on_done()
    completed = now.get("completed", 0) - before.get("completed", 0)
    if completed != roadmaps:
        other = {s: now.get(s, 0) - before.get(s, 0) for s in TERMINAL if s != "completed"}
        raise SystemExit(f"of {roadmaps} roadmaps, {completed} completed; the others: {other}")
    return {"elapsed_s": ended - started, "submit_s": submitted - started, "cpu": cpu}


# --- part 3: SIGKILLed workers -------------------------------------------------------------


def recovery(
    cluster: Cluster, args: argparse.Namespace, schema: str, body: dict[str, Any]
) -> dict[str, Any]:
    cluster.settings["lease_s"] = str(args.recovery_lease)
    cluster.settings["sweep_interval_s"] = str(args.recovery_sweep)
    cluster.settings["queued_lease_s"] = str(args.recovery_queued_lease)
    with services(cluster, args, args.recovery_latency) as server:
        runs = asyncio.run(
            recovery_runs(cluster, server.base_url, args.postgres, schema, body, args.kills)
        )
    return summary(runs, args.recovery_lease, args.recovery_sweep)


# --- the benchmark --------------------------------------------------------------------------


def measure(args: argparse.Namespace, home: Path, schema: str) -> dict[str, Any]:
    body = {
        "goal": args.goal,
        "hours_per_week": args.hours,
        "target_weeks": args.weeks,
        "auto_approve": True,
    }
    batch_body = {**body, "goal": args.batch_goal or args.goal}
    if args.batch_weeks is not None:
        batch_body["target_weeks"] = args.batch_weeks
    database = {"database_url": "postgresql+asyncpg://" + args.postgres.split("://", 1)[1]}
    database["database_schema"] = schema
    settings = {"llm_concurrency": str(args.concurrency)}
    with running_cluster(home, database, **settings) as cluster:
        with services(cluster, args, args.latency) as server:
            one = (server.base_url, args.postgres, schema, body, args.latency, args.concurrency)
            cold = asyncio.run(follow_one(*one))
            workers = running_workers(cluster)
            start = cpu_snapshot(server, cluster, workers)
            runs = [asyncio.run(follow_one(*one)) for _ in range(args.runs)]
            runs_other = other_busy(start, cpu_snapshot(server, cluster, workers))
        warm = sorted(runs, key=lambda run: run["measured_s"])[len(runs) // 2]
        pools = "+".join(map(str, split(args.concurrency, args.workers)))
        print(
            f"1. {warm['concepts']} concepts, {warm['llm_calls']} LLM calls at "
            f"{args.latency} s, workers with {pools} model calls in flight ({args.pool} pool): "
            f"{warm['measured_s']} s against an ideal {warm['ideal_s']} s "
            f"(ratio {warm['ratio']}, the median of {args.runs}: "
            f"{', '.join(str(run['measured_s']) for run in runs)} s; "
            f"cold {cold['measured_s']} s, ratio {cold['ratio']})"
        )
        print(
            f"   framework {warm['framework_s']} s (ideal {warm['framework_ideal_s']} s), "
            f"content {warm['content_s']} s (ideal "
            f"{math.ceil(warm['items'] / args.concurrency) * args.latency:.3f} s), "
            f"finish {warm['finish_s']} s; other load {100 * runs_other:.0f}% of the CPUs"
        )
        with services(cluster, args, args.batch_latency) as server:
            warmup = asyncio.run(
                follow_one(
                    server.base_url,
                    args.postgres,
                    schema,
                    batch_body,
                    args.batch_latency,
                    args.concurrency,
                )
            )
            workers = running_workers(cluster)
            before = cpu_snapshot(server, cluster, workers)
            batch = asyncio.run(
                run_batch(
                    server.base_url,
                    batch_body,
                    args.roadmaps,
                    lambda: cpu_snapshot(server, cluster, workers),
                )
            )
        recovered = recovery(cluster, args, schema, body)
    n = args.roadmaps
    cpu = {k: batch["cpu"][k] - before[k] for k in before}
    # Every model call holds a pool process for the latency: no schedule beats this.
    batch_ideal = n * warmup["llm_calls"] * args.batch_latency / args.concurrency
    result = {
        "concepts": warm["concepts"],
        "llm_calls": warm["llm_calls"],
        "ideal_s": warm["ideal_s"],
        "measured_s": warm["measured_s"],
        "ratio": warm["ratio"],
        "latency": args.latency,
        "concurrency": args.concurrency,
        "workers": args.workers,
        "pool": args.pool,
        "cold_measured_s": cold["measured_s"],
        "cold_ratio": cold["ratio"],
        "framework_s": warm["framework_s"],
        "content_s": warm["content_s"],
        "finish_s": warm["finish_s"],
        "other_cpu_busy": round(runs_other, 3),
        "roadmaps": n,
        "batch_latency": args.batch_latency,
        "batch_concepts": warmup["concepts"],
        "batch_llm_calls": n * warmup["llm_calls"],
        "batch_s": round(batch["elapsed_s"], 3),
        "batch_submit_s": round(batch["submit_s"], 3),
        "batch_ideal_s": round(batch_ideal, 3),
        "roadmaps_per_min": round(n / batch["elapsed_s"] * 60, 2),
        "ideal_roadmaps_per_min": round(n / batch_ideal * 60, 2),
        "cpu_s_per_roadmap": round((cpu["api"] + cpu["workers"]) / n, 4),
        "api_cpu_s_per_roadmap": round(cpu["api"] / n, 4),
        "workers_cpu_s_per_roadmap": round(cpu["workers"] / n, 4),
        "redis_cpu_s_per_roadmap": round(cpu["redis"] / n, 4),
        "postgres_cpu_s_per_roadmap": round(cpu["postgres"] / n, 4),
        "machine_cpu_s_per_roadmap": round(cpu["machine"] / n, 4),
        "machine_busy": round(cpu["machine"] / ((os.cpu_count() or 1) * cpu["wall"]), 3),
        "batch_other_cpu_busy": round(other_busy(before, batch["cpu"]), 3),
        "cpus": os.cpu_count(),
        **recovered,
    }
    print(
        f"2. {n} roadmaps of {warmup['concepts']} concepts ({result['batch_llm_calls']} LLM "
        f"calls) at {args.batch_latency} s, submitted at once in {result['batch_submit_s']} s: "
        f"all done in {result['batch_s']} s (ideal {result['batch_ideal_s']} s) = "
        f"{result['roadmaps_per_min']} roadmaps/min"
    )
    print(
        f"   CPU per roadmap: {result['cpu_s_per_roadmap']} s (API "
        f"{result['api_cpu_s_per_roadmap']} s, workers {result['workers_cpu_s_per_roadmap']} s; "
        f"besides: Redis {result['redis_cpu_s_per_roadmap']} s, PostgreSQL "
        f"{result['postgres_cpu_s_per_roadmap']} s; the whole machine "
        f"{result['machine_cpu_s_per_roadmap']} s, its {result['cpus']} CPUs "
        f"{100 * result['machine_busy']:.0f}% busy, {100 * result['batch_other_cpu_busy']:.0f}% "
        f"with other load)"
    )
    print(
        f"3. {args.kills} SIGKILLed workers at {args.recovery_latency} s per call, lease "
        f"{args.recovery_lease} s, sweep every {args.recovery_sweep} s, queued lease "
        f"{args.recovery_queued_lease} s: their work ran again after {result['recovery_s']} s "
        f"(median of {', '.join(map(str, result['recovery_runs_s']))} s; goal "
        f"≤ {result['recovery_bound_s']} s)"
    )
    return result


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per LLM call")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=16,
        help="model calls in flight, split between the workers",
    )
    parser.add_argument("--workers", type=int, default=2, help="`learnpath worker` processes")
    parser.add_argument("--pool", choices=["threads", "prefork"], default="threads")
    parser.add_argument("--goal", default="Learn Rust for systems programming")
    parser.add_argument("--hours", type=float, default=10, help="hours per week")
    parser.add_argument("--weeks", type=int, default=12, help="target weeks")
    parser.add_argument("--runs", type=int, default=3, help="warm runs of part 1 (median)")
    parser.add_argument("--roadmaps", type=int, default=100, help="roadmaps submitted at once")
    parser.add_argument("--batch-latency", type=float, default=0.05, help="for the roadmaps")
    parser.add_argument("--batch-goal", default=None, help="default: --goal")
    parser.add_argument("--batch-weeks", type=int, default=None, help="default: --weeks")
    parser.add_argument("--kills", type=int, default=3, help="SIGKILLed workers of part 3")
    parser.add_argument("--recovery-latency", type=float, default=0.3, help="for part 3")
    parser.add_argument("--recovery-lease", type=float, default=5.0, help="LEARNPATH_LEASE_S")
    parser.add_argument(
        "--recovery-sweep", type=float, default=1.0, help="LEARNPATH_SWEEP_INTERVAL_S"
    )
    parser.add_argument(
        "--recovery-queued-lease", type=float, default=60.0, help="LEARNPATH_QUEUED_LEASE_S"
    )
    parser.add_argument("--postgres", default=PG_DSN, help="a database to make a schema in")
    args = parser.parse_args()
    if args.workers < 1 or args.concurrency < args.workers or args.runs < 1:
        parser.error("--concurrency must be at least --workers, --workers and --runs at least 1")
    if shutil.which("redis-server") is None:
        raise SystemExit("bench/distributed.py needs redis-server: apt-get install -y redis-server")
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        with tempfile.TemporaryDirectory() as tmp, fresh_schema(args.postgres) as schema:
            result = measure(args, Path(tmp) / "cluster", schema)
    except KeyboardInterrupt:
        raise SystemExit("interrupted: processes stopped, schema dropped") from None
    print(json.dumps(result))


if __name__ == "__main__":
    main()
