"""Pooled PostgreSQL connections the server closed (a restart, an operator's
``pg_terminate_backend``, an idle timeout) are replaced, not handed to the next unit of work."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy import text
from tests.conftest import PG_DSN

from learnpath.dispatch.inline import InlineDispatcher
from learnpath.domain.jobs import OutlineJobRequest
from learnpath.domain.tasks import TaskStatus
from learnpath.engine.runtime import Runtime
from learnpath.service import jobs


@pytest.fixture
def backend() -> str:
    return "postgresql"


async def _backend_pids(rt: Runtime, sessions: int) -> set[int]:
    """The server processes of ``sessions`` pooled connections, all checked out at once."""
    started = asyncio.Event()
    pids: list[int] = []

    async def one() -> None:
        async with rt.db.read() as s:
            pids.append(int((await s.execute(text("SELECT pg_backend_pid()"))).scalar_one()))
            if len(pids) == sessions:
                started.set()
            await started.wait()

    await asyncio.gather(*(one() for _ in range(sessions)))
    return set(pids)


async def _terminate(pids: set[int]) -> None:
    """End these server processes, as an operator would, and wait until they are gone."""
    admin = await asyncpg.connect(PG_DSN)
    try:
        ended = await admin.fetch(
            "SELECT pg_terminate_backend(pid, 5000) AS gone FROM unnest($1::int[]) AS pid",
            list(pids),
        )
    finally:
        await admin.close()
    assert all(row["gone"] for row in ended)


async def test_connections_the_server_closed_are_replaced(rt: Runtime) -> None:
    before = await _backend_pids(rt, 4)
    await _terminate(before)
    after = await _backend_pids(rt, 4)
    assert not before & after
    job = await jobs.submit_outline(rt, OutlineJobRequest(task_prompt="Database indexes"))
    assert isinstance(rt.dispatcher, InlineDispatcher)
    await rt.dispatcher.idle()
    assert (await jobs.get_job(rt, job.job_id)).status == TaskStatus.completed.value
