"""Shared fixtures: a clean environment, both database backends, an embedded runtime."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from learnpath.config import Settings
from learnpath.engine.runtime import Runtime
from learnpath.wiring import distributed_runtime, embedded_runtime
from tests.support.cluster import running_cluster
from tests.support.workflow import Opener

PG_DSN = os.environ.get("LEARNPATH_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
PG_URL = "postgresql+asyncpg://" + PG_DSN.split("://", 1)[1]

SettingsFactory = Callable[..., Settings]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No LEARNPATH_ setting of the developer's shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith("LEARNPATH_") and name != "LEARNPATH_TEST_POSTGRES":
            monkeypatch.delenv(name)
    monkeypatch.chdir(Path(__file__).parent)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def database(backend: str, tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    """Connection settings for a fresh, empty database of the backend under test."""
    if backend == "sqlite":
        yield {"database_url": f"sqlite+aiosqlite:///{tmp_path / 'learnpath.db'}"}
        return
    schema = f"t_{secrets.token_hex(6)}"
    try:
        conn = await asyncpg.connect(PG_DSN, timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        pytest.skip(f"PostgreSQL not reachable at {PG_DSN}: {error}")
    try:
        await conn.execute(f"CREATE SCHEMA {schema}")
        yield {"database_url": PG_URL, "database_schema": schema}
    finally:
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await conn.close()


@pytest.fixture
def make_settings(tmp_path: Path, database: dict[str, Any]) -> SettingsFactory:
    def factory(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "home": tmp_path,
            "llm_retry_base_s": 0.01,
            "llm_retry_max_s": 0.05,
            **database,
        }
        values.update(overrides)
        return Settings(**values)

    return factory


@pytest.fixture
def engine_kind() -> str:
    """How tasks run: "embedded", or "celery" (worker processes; a module parametrizes it)."""
    return "embedded"


@pytest.fixture
def open_engine(
    engine_kind: str, make_settings: SettingsFactory, database: dict[str, Any], tmp_path: Path
) -> Opener:
    """Open a runtime with settings overrides. With Celery: a private Redis, one worker
    process with the same settings, and a distributed runtime in the test process."""

    @asynccontextmanager
    async def opened(**overrides: Any) -> AsyncIterator[Runtime]:
        if engine_kind != "celery":
            async with embedded_runtime(make_settings(**overrides)) as runtime:
                yield runtime
            return
        if shutil.which("redis-server") is None:
            pytest.skip("redis-server is not installed (apt-get install -y redis-server)")
        settings = {k: str(v) for k, v in {**database, **overrides}.items()}
        with running_cluster(tmp_path / "cluster", settings) as cluster:
            cluster.start_worker(concurrency=4)
            async with distributed_runtime(cluster.runtime_settings()) as runtime:
                yield runtime

    return opened


@pytest.fixture
async def rt(make_settings: SettingsFactory) -> AsyncIterator[Runtime]:
    async with embedded_runtime(make_settings()) as runtime:
        yield runtime


@pytest.fixture
def env_for(tmp_path: Path) -> Iterator[Callable[..., dict[str, str]]]:
    """Environment for a ``learnpath`` subprocess using this test's data directory."""

    def build(**settings: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEARNPATH_")}
        env["LEARNPATH_HOME"] = str(tmp_path / "home")
        env.update({f"LEARNPATH_{k.upper()}": v for k, v in settings.items()})
        return env

    yield build
