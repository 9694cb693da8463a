"""Celery workers of distributed mode (contract §1): the queues they may consume, and running
one in this process."""

from __future__ import annotations

import os

from learnpath.config import Settings
from learnpath.dispatch.celery_app import QUEUES, create_app
from learnpath.errors import Invalid


def check_queues(queues: list[str]) -> None:
    """:class:`Invalid` naming any queue that is not one of ``QUEUES``."""
    unknown = set(queues) - set(QUEUES)
    if unknown:
        raise Invalid(f"unknown queue(s) {sorted(unknown)}; choose from {', '.join(QUEUES)}")


def run_worker(
    settings: Settings, *, concurrency: int, queues: str, pool: str, log_level: str
) -> None:
    """Consume ``queues`` (comma-separated) until stopped, ``concurrency`` jobs at once in a
    ``threads`` or ``prefork`` pool."""
    create_app(settings).worker_main(
        [
            "worker",
            f"--concurrency={concurrency}",
            f"--queues={queues}",
            f"--loglevel={log_level.upper()}",
            f"--hostname=learnpath-{os.getpid()}@%h",
            f"--pool={pool}",
            "--without-gossip",
            "--without-mingle",
        ]
    )
