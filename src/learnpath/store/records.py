"""Small persisted side records of a task: LLM usage, review rounds, intent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from learnpath.domain.intent import IntentAnalysis
from learnpath.domain.tasks import ReviewDecision
from learnpath.llm.types import LLMCall
from learnpath.store import usage
from learnpath.store.tables import IntentAnalysisRow, LLMCallRow, ReviewRoundRow


async def record_calls(session: AsyncSession, task_id: str | None, calls: Sequence[object]) -> None:
    rows = [
        {
            "task_id": task_id,
            "agent": call.agent,
            "provider": call.provider,
            "model": call.model,
            "ok": call.ok,
            "prompt_tokens": call.prompt_tokens,
            "completion_tokens": call.completion_tokens,
            "cost_usd": call.cost_usd,
            "latency_ms": call.latency_ms,
            "error": call.error,
            "created_at": call.created_at,
        }
        for call in calls
        if isinstance(call, LLMCall)
    ]
    if rows:
        await session.execute(_INSERT_CALLS, rows)


_INSERT_CALLS = insert(cast(Table, LLMCallRow.__table__))


_USAGE = select(*usage.USAGE_COLUMNS).where(LLMCallRow.task_id == bindparam("task_id"))
"""Built once (building a statement costs more than running it on SQLite)."""


async def usage_summary(session: AsyncSession, task_id: str) -> dict[str, Any]:
    row = (await session.execute(_USAGE, {"task_id": task_id})).one()
    return {
        "llm_calls": row[0],
        "prompt_tokens": row[1],
        "completion_tokens": row[2],
        "cost_usd": round(float(row[3]), 6),
    }


async def add_review_round(
    session: AsyncSession,
    task_id: str,
    roadmap_id: str,
    decision: ReviewDecision,
    framework: dict[str, Any],
    feedback: str | None = None,
    issues: list[dict[str, str]] | None = None,
) -> ReviewRoundRow:
    last = (
        await session.execute(
            select(func.max(ReviewRoundRow.round)).where(ReviewRoundRow.task_id == task_id)
        )
    ).scalar()
    row = ReviewRoundRow(
        task_id=task_id,
        roadmap_id=roadmap_id,
        round=(last or 0) + 1,
        decision=decision.value,
        feedback=feedback,
        framework=framework,
        issues=issues or [],
    )
    session.add(row)
    return row


async def review_rounds(session: AsyncSession, task_id: str) -> list[ReviewRoundRow]:
    rows = await session.scalars(
        select(ReviewRoundRow)
        .where(ReviewRoundRow.task_id == task_id)
        .order_by(ReviewRoundRow.round)
    )
    return list(rows.all())


async def roadmap_review_rounds(session: AsyncSession, roadmap_id: str) -> list[ReviewRoundRow]:
    """Every review round of the roadmap, over all its tasks, oldest first."""
    rows = await session.scalars(
        select(ReviewRoundRow)
        .where(ReviewRoundRow.roadmap_id == roadmap_id)
        .order_by(ReviewRoundRow.created_at, ReviewRoundRow.id)
    )
    return list(rows.all())


async def latest_intent(
    session: AsyncSession, *, task_id: str | None = None, roadmap_id: str | None = None
) -> IntentAnalysis | None:
    query = select(IntentAnalysisRow).order_by(IntentAnalysisRow.id.desc()).limit(1)
    if task_id is not None:
        query = query.where(IntentAnalysisRow.task_id == task_id)
    if roadmap_id is not None:
        query = query.where(IntentAnalysisRow.roadmap_id == roadmap_id)
    row = (await session.execute(query)).scalar_one_or_none()
    return IntentAnalysis.model_validate(row.analysis) if row else None


def add_intent(
    session: AsyncSession, task_id: str, roadmap_id: str | None, analysis: dict[str, Any]
) -> None:
    session.add(IntentAnalysisRow(task_id=task_id, roadmap_id=roadmap_id, analysis=analysis))


async def attach_intent(session: AsyncSession, task_id: str, roadmap_id: str) -> None:
    await session.execute(
        update(IntentAnalysisRow)
        .where(IntentAnalysisRow.task_id == task_id, IntentAnalysisRow.roadmap_id.is_(None))
        .values(roadmap_id=roadmap_id)
    )


def now() -> datetime:
    return datetime.now(UTC)
