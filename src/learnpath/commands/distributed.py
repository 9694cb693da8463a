"""The processes of distributed mode (contract §1): ``learnpath worker`` and
``learnpath sweeper``."""

from __future__ import annotations

import asyncio
import contextlib
from enum import StrEnum
from typing import Annotated

import typer

from learnpath.commands.common import fail, log_to_stderr, run, settings
from learnpath.config import Settings
from learnpath.service import schema
from learnpath.wiring import Runtime, run_worker


class WorkerPool(StrEnum):
    threads = "threads"
    prefork = "prefork"


def worker(
    concurrency: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=512,
            help="Jobs run at once (default: twice LEARNPATH_LLM_CONCURRENCY, so that the next "
            "items start while others wait on the model)",
        ),
    ] = None,
    queues: Annotated[
        str, typer.Option(help="Queues to consume, comma-separated")
    ] = "roadmap,content_generation,documents",
    pool: Annotated[
        WorkerPool,
        typer.Option(
            help="threads: one process, its jobs sharing one event loop (model calls wait on "
            "the network, so this is the lean choice); prefork: a process per job, with "
            "Celery's hard time limits"
        ),
    ] = WorkerPool.threads,
    log_level: Annotated[str, typer.Option(help="Log level")] = "info",
) -> None:
    """Run a Celery worker (distributed mode: needs LEARNPATH_BROKER_URL)."""
    from learnpath.service import workers

    config = _distributed_settings("learnpath worker")
    chosen = [q.strip() for q in queues.split(",")]
    workers.check_queues(chosen)
    asyncio.run(schema.require_current(config))
    log_to_stderr(log_level)
    run_worker(
        config,
        concurrency=concurrency or config.item_concurrency,
        queues=queues,
        pool=pool.value,
        log_level=log_level,
    )


def sweeper(log_level: Annotated[str, typer.Option(help="Log level")] = "info") -> None:
    """Queue again the work of dead workers, forever (distributed mode; one process leads).
    Every `learnpath serve` runs one too."""
    from learnpath.service.sweeper import Sweeper

    _distributed_settings("learnpath sweeper")
    log_to_stderr(log_level)

    async def work(rt: Runtime) -> None:
        await Sweeper(rt).run()

    with contextlib.suppress(KeyboardInterrupt):
        run(work)


def _distributed_settings(command: str) -> Settings:
    config = settings()
    if not config.distributed:
        fail(f"{command} needs LEARNPATH_BROKER_URL (a redis:// URL): it runs distributed mode")
    return config
