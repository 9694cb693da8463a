"""The durable figures ``/metrics`` reports (contract §9): tasks by status and recorded model
calls, read from the database every process shares, so that every process reports the same."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnpath.store.tables import LLMCallRow, TaskRow


@dataclass(frozen=True)
class CallFigures:
    """The recorded calls of one agent with one outcome."""

    agent: str
    ok: bool
    calls: int
    prompt_tokens: int
    completion_tokens: int
    mean_latency_ms: float | None


async def tasks_by_status(session: AsyncSession) -> dict[str, int]:
    """How many tasks there are in each status (statuses without any are left out)."""
    rows = await session.execute(select(TaskRow.status, func.count()).group_by(TaskRow.status))
    return {str(status): int(count) for status, count in rows.tuples().all()}


async def call_figures(session: AsyncSession) -> list[CallFigures]:
    """Every recorded model call, counted by agent and outcome."""
    rows = await session.execute(
        select(
            LLMCallRow.agent,
            LLMCallRow.ok,
            func.count(),
            func.coalesce(func.sum(LLMCallRow.prompt_tokens), 0),
            func.coalesce(func.sum(LLMCallRow.completion_tokens), 0),
            func.avg(LLMCallRow.latency_ms),
        ).group_by(LLMCallRow.agent, LLMCallRow.ok)
    )
    return [
        CallFigures(
            agent=str(agent),
            ok=bool(ok),
            calls=int(count),
            prompt_tokens=int(prompt),
            completion_tokens=int(completion),
            mean_latency_ms=None if latency is None else float(latency),
        )
        for agent, ok, count, prompt, completion, latency in rows.all()
    ]
