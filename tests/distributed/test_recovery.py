"""Recovery in distributed mode: SIGKILLed workers, a Redis restarted empty, cancels.

Every test runs real ``learnpath worker`` processes, a ``learnpath serve`` (which runs a
sweeper) and a private Redis against a fresh PostgreSQL schema, with the offline provider
slowed down so that work is caught half-way. Leases are short (``FAST_RECOVERY``).

To see what a dead worker leaves behind before anything repairs it, a test can keep the
sweeper from acting: it takes the sweeper's leadership lock (a PostgreSQL advisory lock per
schema) before the server starts, so no sweeper leads until the test lets go of it.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from tests.api.conftest import SMALL, Api, email
from tests.distributed.helpers import (
    Database,
    assert_one_version_each,
    counts,
    keys_in,
    learner,
    serve_log,
    sse_events,
    stale,
    status_check,
    unfinished,
    wait_items,
)
from tests.support.cluster import FAST_RECOVERY, Cluster, wait_until

pytestmark = pytest.mark.slow

LATENCY_S = 0.5
"""Seconds per offline model call: an item takes at least this long."""
LEASE_S = float(FAST_RECOVERY["lease_s"])
QUEUED_LEASE_S = float(FAST_RECOVERY["queued_lease_s"])


@pytest.fixture
def cluster_settings() -> dict[str, str]:
    return {"offline_latency_s": str(LATENCY_S), **FAST_RECOVERY}


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
        assert "learnpath.generate_items" in log, "the replacement got the queued messages"
        assert "sweeper queued again" not in serve_log(cluster)
        assert second.poll() is None

        # Retried, it completes on the replacement worker without duplicates.
        retried = api.call("POST", f"/tasks/{task_id}/retry", 200)
        assert retried["recovery_type"] == "restart_content_generation"
        view = api.wait(task_id, timeout_s=30)
        assert view["status"] == "completed", view
        assert_one_version_each(api, db, roadmap_id)
        assert set(contents) <= set(db.contents(roadmap_id))
