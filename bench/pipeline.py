"""Benchmark: the whole roadmap workflow (auto-approved) on the offline provider.

    python bench/pipeline.py --latency 0.2 --concurrency 16

The last line printed is one JSON object: concepts, llm_calls, ideal_s, measured_s, ratio,
cpu_s, cold_measured_s, cold_ratio, peak_rss_mb. ``ideal_s`` is what perfect scheduling would
take at this latency: the framework calls one after another, then the content calls in full
waves of ``concurrency``.

Two roadmaps run one after the other in one process: the ``cold_`` figures are the first,
which also pays the process's one-time costs (each SQL statement's first compilation, the
first database connections); the others are the second, what a running server sees.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import resource
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from learnpath.config import Settings
from learnpath.dispatch.inline import InlineDispatcher
from learnpath.domain.request import LearnerRequest
from learnpath.engine.runtime import Runtime
from learnpath.service.tasks import get_task_view, submit_roadmap
from learnpath.store.tables import LLMCallRow
from learnpath.wiring import embedded_runtime

FRAMEWORK_AGENTS = {"intent", "curriculum", "editor"}


async def measure(args: argparse.Namespace, home: Path) -> dict[str, float | int]:
    settings = Settings(
        home=home,
        database_url=args.database_url,
        llm_provider="offline",
        offline_latency_s=args.latency,
        llm_concurrency=args.concurrency,
    )
    request = LearnerRequest(goal=args.goal, hours_per_week=args.hours, target_weeks=args.weeks)
    async with embedded_runtime(settings) as rt:
        cold = await run_once(rt, request, args)
        warm = await run_once(rt, request, args)
    return {
        **warm,
        "cold_measured_s": cold["measured_s"],
        "cold_ratio": cold["ratio"],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


async def run_once(
    rt: Runtime, request: LearnerRequest, args: argparse.Namespace
) -> dict[str, float | int]:
    assert isinstance(rt.dispatcher, InlineDispatcher)
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    view = await submit_roadmap(rt, request, auto_approve=True)
    await rt.dispatcher.idle()
    measured = time.perf_counter() - wall_start
    cpu = time.process_time() - cpu_start
    async with rt.db.read() as s:
        agents = (
            await s.scalars(select(LLMCallRow.agent).where(LLMCallRow.task_id == view.task_id))
        ).all()
    final = await get_task_view(rt, view.task_id)
    if final.status != "completed":
        raise SystemExit(f"the run ended {final.status}: {final.error_message}")
    framework_calls = sum(1 for a in agents if a in FRAMEWORK_AGENTS)
    content_calls = len(agents) - framework_calls
    ideal = (
        framework_calls * args.latency + math.ceil(content_calls / args.concurrency) * args.latency
    )
    return {
        "concepts": final.progress.total // 3,
        "llm_calls": len(agents),
        "ideal_s": round(ideal, 3),
        "measured_s": round(measured, 3),
        "ratio": round(measured / ideal, 3) if ideal else 0.0,
        "cpu_s": round(cpu, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per LLM call")
    parser.add_argument("--concurrency", type=int, default=16, help="LLM calls in flight")
    parser.add_argument("--goal", default="Learn Rust for systems programming")
    parser.add_argument("--hours", type=float, default=10, help="hours per week")
    parser.add_argument("--weeks", type=int, default=12, help="target weeks")
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp dir")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        result = asyncio.run(measure(args, Path(home)))
    print(
        f"{result['concepts']} concepts, {result['llm_calls']} LLM calls: "
        f"{result['measured_s']} s against an ideal {result['ideal_s']} s"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
