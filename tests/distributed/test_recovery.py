"""Recovery in distributed mode (SPEC §6): SIGKILLed workers, a Redis restarted empty, cancels.

Every test runs real ``learnpath worker`` processes, a ``learnpath serve`` (which runs a
sweeper) and a private Redis against a fresh PostgreSQL schema, with the offline provider
slowed down so that work is caught half-way. Leases are short (``FAST_RECOVERY``).

To see what a dead worker leaves behind before anything repairs it, a test can keep the
sweeper from acting: it takes the sweeper's leadership lock (a PostgreSQL advisory lock per
schema) before the server starts, so no sweeper leads until the test lets go of it.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import asyncpg
import httpx
import pytest

from tests.api.conftest import CONTENT_TYPES, SMALL, TIMEOUT, Api, email
from tests.conftest import PG_DSN
from tests.support.cluster import FAST_RECOVERY, Cluster, wait_until
from tests.support.server import Server

pytestmark = pytest.mark.slow

LATENCY_S = 0.5
"""Seconds per offline model call: an item takes at least this long."""
LEASE_S = float(FAST_RECOVERY["lease_s"])
QUEUED_LEASE_S = float(FAST_RECOVERY["queued_lease_s"])
CONTENT_TABLES = {"tutorial": "tutorials", "resources": "resource_lists", "quiz": "quizzes"}

T = TypeVar("T")
Key = tuple[str, str]
"""An item: (concept_id, content_type)."""


@pytest.fixture
def cluster_settings() -> dict[str, str]:
    return {"offline_latency_s": str(LATENCY_S), **FAST_RECOVERY}


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
            "SELECT concept_id, content_type, status FROM roadmap_items WHERE roadmap_id = $1",
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


@pytest.fixture
def db(cluster: Cluster) -> Iterator[Database]:
    database = Database(cluster.settings["database_schema"])
    try:
        yield database
    finally:
        database.close()


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


def assert_one_version_each(api: Api, db: Database, roadmap_id: str) -> None:
    """Every item completed with exactly one stored content version, version 1, and the API
    agrees; nothing is stale or active any more."""
    items = db.items(roadmap_id)
    assert len(items) == 12, items
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


# -- tests --------------------------------------------------------------------------------------


def test_worker_killed_during_content_generation(cluster: Cluster, db: Database) -> None:
    db.block_sweeper()
    first = cluster.start_worker(concurrency=2)
    with cluster.server() as server:
        api = learner(server)
        task_id = api.generate(SMALL, auto_approve=True)
        roadmap_id, _ = wait_items(
            api, db, task_id, lambda c: c["completed"] >= 2 and c["generating"] >= 1
        )
        cluster.kill_worker(first)
        killed_at = time.monotonic()
        at_kill = db.items(roadmap_id)
        running, done = keys_in(at_kill, "generating"), keys_in(at_kill, "completed")
        assert running, at_kill
        assert len(done) >= 2, at_kill
        versions_done = [row for row in db.contents(roadmap_id) if (row[0], row[1]) in done]

        # The dead worker's leases still run: nothing is stale yet.
        assert stale(api, roadmap_id) == set()
        # Once they ran out, its items are stale (no sweeper acts: the test holds its lock).
        wait_until(lambda: stale(api, roadmap_id) >= running, limit_s=LEASE_S + 3)
        assert time.monotonic() - killed_at >= LEASE_S * 2 / 3 - 0.5
        assert api.task(task_id)["status"] == "processing"

        # A replacement worker runs what is still queued, but not the dead worker's items:
        # their messages died unacknowledged with it.
        cluster.start_worker(concurrency=2)
        wait_until(
            lambda: unfinished(db.items(roadmap_id)) <= stale(api, roadmap_id),
            limit_s=QUEUED_LEASE_S + 10,
        )
        time.sleep(1)
        now = db.items(roadmap_id)
        assert keys_in(now, "generating") >= running, now
        assert running <= stale(api, roadmap_id)
        assert api.task(task_id)["status"] == "processing"

        # The sweeper queues them again: the task completes, the completed work is kept.
        db.release_sweeper()
        view = api.wait(task_id, timeout_s=30)
        assert view["status"] == "completed", view
        assert view["progress"]["completed"] == 12
        assert view["progress"]["failed"] == 0
        assert_one_version_each(api, db, roadmap_id)
        kept = [row for row in db.contents(roadmap_id) if (row[0], row[1]) in done]
        assert kept == versions_done
        assert "sweeper queued again" in serve_log(cluster)


def test_worker_killed_during_framework_step(cluster: Cluster, db: Database) -> None:
    db.block_sweeper()
    first = cluster.start_worker(concurrency=2)
    with cluster.server() as server:
        api = learner(server)
        task_id = api.generate(SMALL, auto_approve=True)
        wait_until(lambda: api.task(task_id)["current_step"] == "intent_analysis", every_s=0.02)
        cluster.kill_worker(first)
        view = api.task(task_id)
        step = view["current_step"]
        assert step in ("intent_analysis", "curriculum_design"), view
        assert view["status"] == "processing"

        # A replacement worker alone does not pick the task up (its message died with the
        # killed worker), even after the task's lease ran out.
        cluster.start_worker(concurrency=2)
        time.sleep(LEASE_S + 1)
        view = api.task(task_id)
        assert (view["status"], view["current_step"]) == ("processing", step), view

        # The sweeper queues it again; it resumes from its last committed step.
        db.release_sweeper()
        view = api.wait(task_id, timeout_s=30)
        assert view["status"] == "completed", view
        assert view["progress"] == {
            "completed": 12,
            "failed": 0,
            "total": 12,
            "percentage": 100.0,
        }
        assert_one_version_each(api, db, view["roadmap_id"])
        rows = db.fetch("SELECT count(*) AS n FROM roadmaps")
        assert rows[0]["n"] == 1, "a resumed task makes no second roadmap"
        # The killed step committed nothing; the committed intent analysis was not redone.
        rows = db.fetch("SELECT count(*) AS n FROM intent_analyses WHERE task_id = $1", task_id)
        assert rows[0]["n"] == 1


def test_redis_restarted_during_content_generation(cluster: Cluster, db: Database) -> None:
    worker = cluster.start_worker(concurrency=2)
    with cluster.server() as server:
        token = server.create_user(email("recovery"))
        api = Api(server, token)
        task_id = api.generate(SMALL, auto_approve=True)
        events: list[dict[str, Any]] = []
        follower = threading.Thread(
            target=sse_events, args=(server, token, task_id, events), daemon=True
        )
        follower.start()
        roadmap_id, _ = wait_items(
            api, db, task_id, lambda c: c["completed"] >= 2 and c["pending"] >= 4
        )
        cluster.redis.restart()
        at_restart = db.items(roadmap_id)
        done = keys_in(at_restart, "completed")
        assert len(done) >= 2
        assert len(keys_in(at_restart, "pending")) >= 2, at_restart
        versions_done = [row for row in db.contents(roadmap_id) if (row[0], row[1]) in done]

        # The queued messages are gone with Redis; the sweeper queues the work again once
        # its queued lease runs out, and the worker, reconnected, runs it.
        view = api.wait(task_id, timeout_s=QUEUED_LEASE_S + 25)
        assert view["status"] == "completed", view
        assert worker.poll() is None, "the worker survives the broker's restart"
        assert_one_version_each(api, db, roadmap_id)
        kept = [row for row in db.contents(roadmap_id) if (row[0], row[1]) in done]
        assert kept == versions_done
        assert "sweeper queued again" in serve_log(cluster)

        # A follower watching throughout got every event once, in order, to the end.
        follower.join(timeout=15)
        assert not follower.is_alive()
        assert [e["seq"] for e in events] == list(range(1, view["last_event_seq"] + 1))
        assert events[-1]["type"] == "completed"
        complete = [e for e in events if e["type"] == "concept_complete"]
        assert sorted((e["concept_id"], e["content_type"]) for e in complete) == sorted(
            db.items(roadmap_id)
        )
        assert {e["data"]["version"] for e in complete} == {1}


def test_redis_restarted_while_a_worker_waits_for_work(cluster: Cluster, db: Database) -> None:
    """The broker restarts while the worker runs a framework step (its message unacknowledged)
    and its other process waits on empty queues: the worker reconnects and goes on."""
    worker = cluster.start_worker(concurrency=2)
    with cluster.server() as server:
        api = learner(server)
        task_id = api.generate(SMALL, auto_approve=True)
        wait_until(lambda: api.task(task_id)["current_step"] == "intent_analysis", every_s=0.02)
        cluster.redis.restart()
        time.sleep(2)
        assert worker.poll() is None, "the worker survives the broker's restart"
        view = api.wait(task_id, timeout_s=QUEUED_LEASE_S + 25)
        assert view["status"] == "completed", view
        assert worker.poll() is None
        assert_one_version_each(api, db, view["roadmap_id"])


def test_cancel_queued_and_running_items_then_retry(cluster: Cluster, db: Database) -> None:
    worker = cluster.start_worker(concurrency=1)
    with cluster.server() as server:
        api = learner(server)
        task_id = api.generate(SMALL, auto_approve=True)
        roadmap_id, _ = wait_items(
            api, db, task_id, lambda c: c["completed"] >= 1 and c["generating"] == 1
        )
        cancelled = api.call("POST", f"/tasks/{task_id}/cancel", 200)
        assert cancelled["status"] == "cancelled"
        done_at_cancel = cancelled["progress"]["completed"]
        assert 1 <= done_at_cancel < 12

        # The running item is abandoned within 2 s, the queued ones never start.
        time.sleep(2 + LATENCY_S)
        settled = db.items(roadmap_id)
        assert counts(settled) == {"completed": done_at_cancel, "pending": 12 - done_at_cancel}
        contents = db.contents(roadmap_id)
        assert len(contents) == done_at_cancel
        calls = db.llm_calls(task_id)
        time.sleep(2)
        assert db.items(roadmap_id) == settled
        assert db.contents(roadmap_id) == contents
        assert db.llm_calls(task_id) == calls
        view = api.task(task_id)
        assert view["status"] == "cancelled"
        assert view["progress"]["completed"] == done_at_cancel
        assert worker.poll() is None

        # A retry generates the rest under the same ids, keeping what was completed.
        retried = api.call("POST", f"/tasks/{task_id}/retry", 200)
        assert retried["recovery_type"] == "restart_content_generation"
        assert (retried["task_id"], retried["roadmap_id"]) == (task_id, roadmap_id)
        view = api.wait(task_id, timeout_s=30)
        assert view["status"] == "completed", view
        assert_one_version_each(api, db, roadmap_id)
        assert set(contents) <= set(db.contents(roadmap_id))


def test_cancelled_task_is_not_revived_by_redelivery(cluster: Cluster, db: Database) -> None:
    first = cluster.start_worker(concurrency=2)
    with cluster.server() as server:
        api = learner(server)
        task_id = api.generate(SMALL, auto_approve=True)
        roadmap_id, _ = wait_items(
            api, db, task_id, lambda c: c["generating"] >= 1 and c["pending"] >= 4
        )
        cluster.kill_worker(first)
        killed_at = time.monotonic()
        cancelled = api.call("POST", f"/tasks/{task_id}/cancel", 200)
        assert cancelled["status"] == "cancelled"
        settled = db.items(roadmap_id)
        assert "generating" not in counts(settled), settled
        contents = db.contents(roadmap_id)

        # A replacement worker gets the task's messages still queued (the revoke reached no
        # live worker), and the sweeper runs throughout: past every lease, nothing revives.
        second = cluster.start_worker(concurrency=2)
        time.sleep(max(0.0, killed_at + QUEUED_LEASE_S + 2 - time.monotonic()))
        view = api.task(task_id)
        assert view["status"] == "cancelled", view
        assert view["current_step"] == "cancelled"
        assert db.items(roadmap_id) == settled
        assert db.contents(roadmap_id) == contents
        checked = status_check(api, roadmap_id)
        assert checked["has_active_task"] is False
        assert {i["status"] for i in checked["stale_items"]} <= {"pending"}
        log = (cluster.home / "worker-1.log").read_text()
        assert "learnpath.generate_item" in log, "the replacement got the queued messages"
        assert "sweeper queued again" not in serve_log(cluster)
        assert second.poll() is None

        # Retried, it completes on the replacement worker without duplicates.
        retried = api.call("POST", f"/tasks/{task_id}/retry", 200)
        assert retried["recovery_type"] == "restart_content_generation"
        view = api.wait(task_id, timeout_s=30)
        assert view["status"] == "completed", view
        assert_one_version_each(api, db, roadmap_id)
        assert set(contents) <= set(db.contents(roadmap_id))
