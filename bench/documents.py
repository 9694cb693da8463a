"""Benchmark: a document job end to end on the offline provider — an outline job, then the
document of a ``--chapters``-chapter outline at ``--words`` words.

    python bench/documents.py --latency 0.2 --concurrency 16 --chapters 12 --words 6000
    python bench/documents.py ... --distributed [--workers 2]

The last line printed is one JSON object: chapters, llm_calls, ideal_s, measured_s, ratio,
cpu_s. ``ideal_s`` is what perfect scheduling would take at this latency: the research and
outline calls one after another, then the chapter calls (drafts and any revisions) in full
waves of ``concurrency``. A first run warms the process(es); its figures are ``cold_``. In
distributed mode one more warm-up run follows for each further worker: the workers take the
jobs' framework steps in turn, so each first runs the path of an outline job and of a
document job's fan-out in one of the first ``--workers`` runs. Then ``--runs`` warm runs
(default 5): the figures printed are their median's, by measured time, since one run on a
shared machine varies by several percent.

Embedded mode runs in this process (SQLite in a temp dir unless ``--database-url``);
``cpu_s`` is this process's CPU time. ``--distributed`` starts a private Redis, a fresh
PostgreSQL schema, ``learnpath serve --local`` and ``--workers`` workers sharing
``--concurrency`` model calls (as bench/distributed.py does), submits over HTTP and follows
the job's events over SSE; ``cpu_s`` is the CPU time of the server and the workers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.distributed import PG_DSN, fresh_schema, running_workers, services, tree_cpu_s
from tests.support.cluster import running_cluster

from learnpath.config import Settings
from learnpath.dispatch.inline import InlineDispatcher
from learnpath.domain.jobs import DocumentJobRequest, OutlineJobRequest
from learnpath.service import jobs
from learnpath.store.tables import LLMCallRow
from learnpath.wiring import Runtime, embedded_runtime

CHAPTER_AGENTS = {"chapter", "chapter_revision"}
PROMPT = "A practical guide to database indexes for backend developers"


def outline(chapters: int) -> dict[str, Any]:
    return {
        "title": "Database indexes",
        "summary": "How indexes make queries fast, and what they cost.",
        "nodes": [
            {
                "id": str(i),
                "title": f"Part {i}: indexes at work",
                "summary": f"What part {i} covers.",
                "children": [
                    {"id": f"{i}.{j}", "title": f"Section {i}.{j}", "summary": "", "children": []}
                    for j in (1, 2)
                ],
            }
            for i in range(1, chapters + 1)
        ],
    }


def figures(
    agents: Counter[str], measured: float, cpu: float, args: argparse.Namespace
) -> dict[str, Any]:
    chapter_calls = sum(n for a, n in agents.items() if a in CHAPTER_AGENTS)
    sequential = sum(agents.values()) - chapter_calls
    ideal = (sequential + math.ceil(chapter_calls / args.concurrency)) * args.latency
    return {
        "chapters": args.chapters,
        "llm_calls": sum(agents.values()),
        "ideal_s": round(ideal, 3),
        "measured_s": round(measured, 3),
        "ratio": round(measured / ideal, 3) if ideal else 0.0,
        "cpu_s": round(cpu, 3),
    }


async def embedded_once(rt: Runtime, args: argparse.Namespace) -> dict[str, Any]:
    assert isinstance(rt.dispatcher, InlineDispatcher)
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    first = await jobs.submit_outline(rt, OutlineJobRequest(task_prompt=PROMPT))
    await rt.dispatcher.idle()
    request = {"outline": outline(args.chapters), "word_count": args.words}
    second = await jobs.submit_document(rt, DocumentJobRequest.model_validate(request))
    await rt.dispatcher.idle()
    measured, cpu = time.perf_counter() - wall_start, time.process_time() - cpu_start
    done = await jobs.get_job(rt, second.job_id)
    if done.status != "completed":
        raise SystemExit(f"the document job ended {done.status}: {done.error_message}")
    async with rt.db.read() as s:
        rows = await s.scalars(
            select(LLMCallRow.agent).where(LLMCallRow.task_id.in_([first.job_id, second.job_id]))
        )
        agents = Counter(rows.all())
    return figures(agents, measured, cpu, args)


async def embedded(args: argparse.Namespace, home: Path) -> list[dict[str, Any]]:
    settings = Settings(
        home=home,
        database_url=args.database_url,
        llm_provider="offline",
        offline_latency_s=args.latency,
        llm_concurrency=args.concurrency,
    )
    async with embedded_runtime(settings) as rt:
        return [await embedded_once(rt, args) for _ in range(1 + args.runs)]


async def _follow(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> str:
    answer = await client.post(path, json=body)
    answer.raise_for_status()
    job_id = str(answer.json()["job_id"])
    async with client.stream("GET", f"/api/v1/jobs/{job_id}/events") as stream:
        async for line in stream.aiter_lines():
            if line.startswith("data: ") and json.loads(line[6:])["type"] in {
                "task_completed",
                "task_failed",
                "cancelled",
            }:
                break
    return job_id


async def distributed_once(base_url: str, args: argparse.Namespace) -> tuple[float, list[str]]:
    timeout = httpx.Timeout(300, connect=30)
    async with httpx.AsyncClient(base_url=base_url, timeout=timeout) as client:
        started = time.perf_counter()
        first = await _follow(client, "/api/v1/jobs/outline", {"task_prompt": PROMPT})
        body = {"outline": outline(args.chapters), "word_count": args.words}
        second = await _follow(client, "/api/v1/jobs/document", body)
        measured = time.perf_counter() - started
        done = (await client.get(f"/api/v1/jobs/{second}")).json()
    if done["status"] != "completed":
        raise SystemExit(f"the document job ended {done['status']}: {done['error_message']}")
    return measured, [first, second]


def distributed(args: argparse.Namespace, home: Path) -> list[dict[str, Any]]:
    from bench.distributed import _admin

    with fresh_schema(args.postgres) as schema:
        database = {
            "database_url": "postgresql+asyncpg://" + args.postgres.split("://", 1)[1],
            "database_schema": schema,
        }
        with running_cluster(home, database) as cluster:
            args.pool = "threads"
            with services(cluster, args, args.latency) as server:
                results = []
                for _ in range(args.workers + args.runs):
                    pids = [server.process.pid, *running_workers(cluster)]
                    cpu_start = sum(tree_cpu_s(pid) for pid in pids)
                    measured, job_ids = asyncio.run(distributed_once(server.base_url, args))
                    cpu = sum(tree_cpu_s(pid) for pid in pids) - cpu_start
                    rows = asyncio.run(
                        _admin(
                            args.postgres,
                            f"SELECT agent FROM {schema}.llm_calls WHERE task_id = ANY($1)",
                            job_ids,
                        )
                    )
                    agents = Counter(r["agent"] for r in rows)
                    results.append(figures(agents, measured, cpu, args))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per LLM call")
    parser.add_argument("--concurrency", type=int, default=16, help="LLM calls in flight")
    parser.add_argument("--chapters", type=int, default=12, help="chapters of the outline")
    parser.add_argument("--words", type=int, default=6000, help="the document's word count")
    parser.add_argument("--database-url", default=None, help="embedded: default SQLite")
    parser.add_argument("--distributed", action="store_true", help="Celery workers")
    parser.add_argument("--workers", type=int, default=2, help="distributed: worker processes")
    parser.add_argument("--postgres", default=PG_DSN, help="distributed: a database to use")
    parser.add_argument("--runs", type=int, default=5, help="warm runs (their median counts)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        if args.distributed:
            runs = distributed(args, Path(home))
        else:
            runs = asyncio.run(embedded(args, Path(home)))
    cold, warm_runs = runs[0], runs[len(runs) - args.runs :]
    ranked = sorted(warm_runs, key=lambda run: float(run["measured_s"]))
    warm = ranked[len(ranked) // 2]
    print(
        f"{warm['chapters']} chapters, {warm['llm_calls']} LLM calls: {warm['measured_s']} s "
        f"against an ideal {warm['ideal_s']} s (median of {len(ranked)} warm runs: "
        f"{', '.join(str(run['measured_s']) for run in ranked)}; cold {cold['measured_s']} s)"
    )
    print(json.dumps({**warm, "cold_measured_s": cold["measured_s"], "cold_ratio": cold["ratio"]}))


if __name__ == "__main__":
    main()
