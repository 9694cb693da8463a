"""Celery workers of distributed mode (contract §1): the queues they may consume (a worker
runs through :func:`learnpath.wiring.run_worker`)."""

from __future__ import annotations

from learnpath.domain.tasks import QUEUES
from learnpath.errors import Invalid


def check_queues(queues: list[str]) -> None:
    """:class:`Invalid` naming any queue that is not one of ``QUEUES``."""
    unknown = set(queues) - set(QUEUES)
    if unknown:
        raise Invalid(f"unknown queue(s) {sorted(unknown)}; choose from {', '.join(QUEUES)}")
