"""Queries over recorded model calls (``llm_calls``): spend, history, timing."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnpath.domain.usage import Usage
from learnpath.store.tables import LLMCallRow, TaskRow

USAGE_COLUMNS = (
    func.count(LLMCallRow.id),
    func.coalesce(func.sum(LLMCallRow.prompt_tokens), 0),
    func.coalesce(func.sum(LLMCallRow.completion_tokens), 0),
    func.coalesce(func.sum(LLMCallRow.cost_usd), 0.0),
)


def as_usage(row: Any) -> Usage:
    calls, prompt, completion, cost = row
    return Usage(
        llm_calls=int(calls),
        prompt_tokens=int(prompt),
        completion_tokens=int(completion),
        cost_usd=round(float(cost), 6),
    )


def task_usage_columns() -> tuple[Any, ...]:
    """The usage of the task row in the query, as scalar subqueries (one row per task)."""
    return tuple(
        select(column).where(LLMCallRow.task_id == TaskRow.task_id).scalar_subquery()
        for column in USAGE_COLUMNS
    )


async def usage_of(
    session: AsyncSession,
    *,
    task_id: str | None = None,
    roadmap_id: str | None = None,
    agents: Collection[str] | None = None,
) -> Usage:
    """Calls of one task, or of every task of one roadmap; only ``agents``' if given."""
    query = select(*USAGE_COLUMNS)
    if task_id is not None:
        query = query.where(LLMCallRow.task_id == task_id)
    if roadmap_id is not None:
        tasks = select(TaskRow.task_id).where(TaskRow.roadmap_id == roadmap_id)
        query = query.where(LLMCallRow.task_id.in_(tasks))
    if agents is not None:
        query = query.where(LLMCallRow.agent.in_(agents))
    return as_usage((await session.execute(query)).one())


async def recent_calls(
    session: AsyncSession, agent: str | None, model: str, limit: int
) -> list[tuple[int, int, float]]:
    """``(prompt_tokens, completion_tokens, latency_ms)`` of the newest successful calls of
    ``model`` (by ``agent``, or by any agent)."""
    query = select(LLMCallRow.prompt_tokens, LLMCallRow.completion_tokens, LLMCallRow.latency_ms)
    query = query.where(LLMCallRow.model == model, LLMCallRow.ok.is_(True))
    if agent is not None:
        query = query.where(LLMCallRow.agent == agent)
    rows = await session.execute(query.order_by(LLMCallRow.id.desc()).limit(limit))
    return [(int(p), int(c), float(ms)) for p, c, ms in rows.all()]


async def call_times(
    session: AsyncSession, task_id: str, agents: Collection[str]
) -> list[tuple[datetime, float]]:
    """``(finished_at, latency_ms)`` of a task's calls by ``agents``."""
    rows = await session.execute(
        select(LLMCallRow.created_at, LLMCallRow.latency_ms).where(
            LLMCallRow.task_id == task_id, LLMCallRow.agent.in_(agents)
        )
    )
    return [(at, float(ms)) for at, ms in rows.all()]


async def spent_since(session: AsyncSession, since: datetime, user_id: str | None) -> float:
    """USD of the calls made since ``since`` for ``user_id``'s tasks (everyone's if None)."""
    query = select(func.coalesce(func.sum(LLMCallRow.cost_usd), 0.0)).where(
        LLMCallRow.created_at >= since
    )
    if user_id is not None:
        owned = select(TaskRow.task_id).where(TaskRow.user_id == user_id)
        query = query.where(LLMCallRow.task_id.in_(owned))
    return float((await session.execute(query)).scalar_one())


async def cost_by_model(session: AsyncSession) -> list[tuple[str, float]]:
    rows = await session.execute(
        select(LLMCallRow.model, func.coalesce(func.sum(LLMCallRow.cost_usd), 0.0)).group_by(
            LLMCallRow.model
        )
    )
    return [(str(model), float(cost)) for model, cost in rows.all()]
