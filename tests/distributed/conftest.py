"""Fixtures of the distributed suite: PostgreSQL (a fresh schema per test), a private Redis
and real worker processes. Without PostgreSQL or ``redis-server`` the suite skips, saying
which is missing."""

from __future__ import annotations

import asyncio
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.conftest import PG_DSN, PG_URL
from tests.distributed.helpers import Database
from tests.support.cluster import Cluster, running_cluster

pytestmark = pytest.mark.slow


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_DSN, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture
def pg_schema() -> Iterator[dict[str, str]]:
    """Connection settings for a fresh, empty schema of the machine's PostgreSQL."""
    schema = f"d_{secrets.token_hex(6)}"
    try:
        asyncio.run(_admin(f"CREATE SCHEMA {schema}"))
    except (OSError, asyncpg.PostgresError) as error:
        pytest.skip(f"PostgreSQL not reachable at {PG_DSN}: {error}")
    try:
        yield {"database_url": PG_URL, "database_schema": schema}
    finally:
        asyncio.run(_admin(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))


@pytest.fixture
def cluster_settings() -> dict[str, str]:
    """Overridden by a module that needs latency, faults or short leases."""
    return {}


@pytest.fixture
def cluster(
    tmp_path: Path, pg_schema: dict[str, str], cluster_settings: dict[str, str]
) -> Iterator[Cluster]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install -y redis-server)")
    with running_cluster(tmp_path / "cluster", pg_schema, **cluster_settings) as running:
        yield running


@pytest.fixture
def db(cluster: Cluster) -> Iterator[Database]:
    database = Database(cluster.settings["database_schema"])
    try:
        yield database
    finally:
        database.close()
