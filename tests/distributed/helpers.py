"""What the distributed recovery tests share: the cluster's schema read directly, a hold on
the sweeper's leadership, and checks of a roadmap's items and content."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import asyncpg
import httpx

from tests.api.conftest import CONTENT_TYPES, TIMEOUT, Api, email
from tests.conftest import PG_DSN
from tests.support.cluster import Cluster, wait_until
from tests.support.server import Server

CONTENT_TABLES = {"tutorial": "tutorials", "resources": "resource_lists", "quiz": "quizzes"}

T = TypeVar("T")
Key = tuple[str, str]
"""An item: (concept_id, content_type)."""


class Database:
    """The cluster's schema, read directly, and a hold on the sweeper's leadership."""

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self.loop = asyncio.new_event_loop()
        self.conn: asyncpg.Connection = self._run(
            asyncpg.connect(PG_DSN, timeout=5, server_settings={"search_path": schema})
        )
        self._lock: asyncpg.Connection | None = None

    def _run(self, work: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(work)

    def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        return self._run(self.conn.fetch(sql, *args))

    def items(self, roadmap_id: str) -> dict[Key, str]:
        """Every item of the roadmap and its status."""
        rows = self.fetch(
            "SELECT concept_id, content_type, status FROM items WHERE subject_id = $1",
            roadmap_id,
        )
        return {(r["concept_id"], r["content_type"]): r["status"] for r in rows}

    def contents(self, roadmap_id: str) -> list[tuple[str, str, int, int]]:
        """Every stored content version of the roadmap: (concept_id, type, version, row id)."""
        rows = self.fetch(
            " UNION ALL ".join(
                f"SELECT concept_id, '{kind}' AS kind, version, id FROM {table} "
                "WHERE roadmap_id = $1"
                for kind, table in CONTENT_TABLES.items()
            ),
            roadmap_id,
        )
        return sorted((r["concept_id"], r["kind"], r["version"], r["id"]) for r in rows)

    def llm_calls(self, task_id: str) -> int:
        return int(
            self.fetch("SELECT count(*) AS n FROM llm_calls WHERE task_id = $1", task_id)[0]["n"]
        )

    def block_sweeper(self) -> None:
        """Hold the lock a sweeper must win to act: from now on no sweeper sweeps."""
        assert self._lock is None
        self._lock = self._run(asyncpg.connect(PG_DSN, timeout=5))
        won = self._run(
            self._lock.fetchval(
                "SELECT pg_try_advisory_lock(hashtext($1))", f"learnpath-sweeper:{self.schema}"
            )
        )
        assert won, "a sweeper already leads: block it before the server starts"

    def release_sweeper(self) -> None:
        """Let go of the lock: a waiting sweeper takes over at its next check."""
        if self._lock is not None:
            self._run(self._lock.close())
            self._lock = None

    def close(self) -> None:
        self.release_sweeper()
        self._run(self.conn.close())
        self.loop.close()


# -- helpers ------------------------------------------------------------------------------------


def learner(server: Server) -> Api:
    address = email("recovery")
    return Api(server, server.create_user(address), address)


def counts(items: dict[Key, str]) -> Counter[str]:
    return Counter(items.values())


def keys_in(items: dict[Key, str], status: str) -> set[Key]:
    return {k for k, s in items.items() if s == status}


def unfinished(items: dict[Key, str]) -> set[Key]:
    return {k for k, s in items.items() if s in ("pending", "generating")}


def wait_items(
    api: Api,
    db: Database,
    task_id: str,
    condition: Callable[[Counter[str]], bool],
    limit_s: float = 30,
) -> tuple[str, dict[Key, str]]:
    """Poll until the task's roadmap exists and its item statuses meet ``condition``:
    ``(roadmap_id, items)`` as they were when they did."""
    found: dict[str, Any] = {}

    def met() -> bool:
        if "roadmap_id" not in found:
            view = api.task(task_id)
            assert view["status"] in ("pending", "processing"), view
            if view["roadmap_id"] is None or view["current_step"] != "content_generation":
                return False
            found["roadmap_id"] = view["roadmap_id"]
        items = db.items(found["roadmap_id"])
        found["items"] = items
        return bool(items) and condition(counts(items))

    wait_until(met, limit_s=limit_s, every_s=0.03)
    return found["roadmap_id"], found["items"]


def status_check(api: Api, roadmap_id: str) -> dict[str, Any]:
    body: dict[str, Any] = api.call("GET", f"/roadmaps/{roadmap_id}/status-check", 200)
    return body


def stale(api: Api, roadmap_id: str) -> set[Key]:
    return {
        (i["concept_id"], i["content_type"]) for i in status_check(api, roadmap_id)["stale_items"]
    }


def assert_one_version_each(api: Api, db: Database, roadmap_id: str, total: int = 12) -> None:
    """Every item completed with exactly one stored content version, version 1, and the API
    agrees; nothing is stale or active any more."""
    items = db.items(roadmap_id)
    assert len(items) == total, items
    assert set(items.values()) == {"completed"}, counts(items)
    stored = [(c, kind, v) for c, kind, v, _ in db.contents(roadmap_id)]
    assert sorted(stored) == sorted((c, kind, 1) for c, kind in items), stored
    framework = api.roadmap(roadmap_id)
    for stage in framework["stages"]:
        for module in stage["modules"]:
            for concept in module["concepts"]:
                for kind in CONTENT_TYPES:
                    assert concept[f"{kind}_status"] == "completed", concept
                    assert concept[f"{kind}_version"] == 1, concept
    checked = status_check(api, roadmap_id)
    assert checked["stale_items"] == []
    assert checked["has_active_task"] is False


def serve_log(cluster: Cluster) -> str:
    return "".join(p.read_text() for p in sorted(cluster.home.glob("serve-*.log")))


def sse_events(server: Server, token: str, task_id: str, into: list[dict[str, Any]]) -> None:
    """Follow the task's events over SSE from the start until its terminal event."""
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{server.base_url}/api/v1/tasks/{task_id}/events"
    with (
        httpx.Client(timeout=TIMEOUT, headers=headers) as client,
        client.stream("GET", url, params={"after": 0}) as answer,
    ):
        assert answer.status_code == 200
        for line in answer.iter_lines():
            if line.startswith("data:"):
                into.append(json.loads(line[5:]))
