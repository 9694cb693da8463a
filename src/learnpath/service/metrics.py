"""The figures behind ``/metrics`` (contract §9) that outlive a process: read at scrape time
from the shared database, and the dispatcher's queue."""

from __future__ import annotations

from dataclasses import dataclass

from learnpath.engine.runtime import Runtime
from learnpath.store import links, searches, usage
from learnpath.store.metrics import CallFigures, call_figures, tasks_by_status


@dataclass(frozen=True)
class Figures:
    tasks_by_status: dict[str, int]
    """Only the statuses some task has."""
    calls: list[CallFigures]
    cost_by_model: list[tuple[str, float]]
    """USD of every recorded call, by model."""
    link_outcomes: dict[str, int]
    """URLs by the outcome of their last check (``ok``, ``dead``, ``broken``)."""
    searches_by_provider: dict[str, int]
    """Distinct queries each search provider answered (as cached)."""
    queue_depth: int
    """Work submitted and not yet started."""


async def figures(rt: Runtime) -> Figures:
    async with rt.db.read() as s:
        by_status = await tasks_by_status(s)
        calls = await call_figures(s)
        cost = await usage.cost_by_model(s)
    return Figures(
        tasks_by_status=by_status,
        calls=calls,
        cost_by_model=cost,
        link_outcomes=await links.outcome_counts(rt.db),
        searches_by_provider=await searches.searches_by_provider(rt.db),
        queue_depth=await rt.dispatcher.queue_depth(),
    )
