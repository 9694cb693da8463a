"""Prompt recovery: the work a SIGKILLed worker had received, running, waiting for a model
slot or only reserved, runs again elsewhere within 2 × lease + sweep interval of the kill.

The queued lease is long (600 s) here, so that work falling back on it cannot pass: only the
leases a worker holds on every message it received, from receipt to acknowledgement, bring
it back in time. A healthy worker holding a long queue keeps it, and a warm shutdown gives
its queue back at once.
"""

from __future__ import annotations

import json
import random
import signal
import socket
import subprocess
import sys
import time
from typing import Any

import pytest

from tests.api.conftest import SMALL
from tests.distributed.helpers import (
    Database,
    Key,
    assert_one_version_each,
    learner,
    serve_log,
    stale,
    wait_items,
)
from tests.support.cluster import Cluster, wait_until

pytestmark = pytest.mark.slow

LEASE_S = 3.0
SWEEP_S = 0.5
BOUND_S = 2 * LEASE_S + SWEEP_S
"""What the kill of a worker may cost at most before its work runs again."""
PROMPT = {
    "lease_s": str(LEASE_S),
    "sweep_interval_s": str(SWEEP_S),
    "queued_lease_s": "600",
    "offline_latency_s": "0.3",
    "llm_concurrency": "2",
}
"""Two model calls and four items at once per worker: the rest of its jobs wait."""
MANY = {"goal": "Learn SQL", "target_weeks": 4}
"""11 concepts, 33 items."""
CHAOS = {"goal": "Learn Rust for systems programming", "hours_per_week": 20, "target_weeks": 20}
"""60 concepts, 180 items."""
OPEN = ("pending", "generating")


@pytest.fixture
def cluster_settings() -> dict[str, str]:
    return PROMPT


def identity(worker: subprocess.Popen[bytes]) -> str:
    """The lease owner a ``learnpath worker`` process writes."""
    return f"{socket.gethostname()}:{worker.pid}"


def leases(db: Database, roadmap_id: str) -> dict[Key, tuple[str, str | None]]:
    """Every item of the roadmap: (status, lease owner)."""
    rows = db.fetch(
        "SELECT concept_id, content_type, status, lease_owner FROM items WHERE subject_id = $1",
        roadmap_id,
    )
    return {(r["concept_id"], r["content_type"]): (r["status"], r["lease_owner"]) for r in rows}


def kill(
    cluster: Cluster, db: Database, roadmap_id: str, victim: subprocess.Popen[bytes]
) -> set[Key]:
    """SIGKILL the worker and start a replacement; returns the open items the dead worker
    held."""
    dead = identity(victim)
    cluster.kill_worker(victim)
    orphans = {k for k, (status, owner) in leases(db, roadmap_id).items() if owner == dead}
    assert orphans, "the killed worker held nothing"
    cluster.start_worker(concurrency=40)
    return orphans


def wait_running_again(db: Database, roadmap_id: str, orphans: set[Key], dead: str) -> None:
    """Until every orphan is held by a live worker again (or done), one of them generating
    or done."""

    def running_again() -> bool:
        now = leases(db, roadmap_id)
        held = all(now[k][0] == "completed" or now[k][1] not in (None, dead) for k in orphans)
        return held and any(now[k][0] in ("generating", "completed") for k in orphans)

    wait_until(running_again, limit_s=60, every_s=0.05)


def events(db: Database, task_id: str) -> list[dict[str, Any]]:
    """The task's event log, in order."""
    rows = db.fetch(
        "SELECT seq, type, payload FROM task_events WHERE task_id = $1 ORDER BY seq", task_id
    )
    return [{**json.loads(r["payload"]), "seq": r["seq"], "type": r["type"]} for r in rows]


def assert_recovered_in_time(elapsed: float) -> None:
    assert elapsed < 2 * BOUND_S, f"ran again {elapsed:.1f} s after the kill (bound {BOUND_S} s)"


def test_kill_with_reserved_items(cluster: Cluster, db: Database) -> None:
    """Most of the killed worker's items were only reserved (waiting for a slot)."""
    db.block_sweeper()
    victim = cluster.start_worker(concurrency=40)
    with cluster.server() as server:
        api = learner(server)
        task_id = api.generate(MANY, auto_approve=True)
        roadmap_id, _ = wait_items(api, db, task_id, lambda c: c["completed"] >= 3, limit_s=60)
        before = leases(db, roadmap_id)
        waiting = {k for k, (status, _) in before.items() if status == "pending"}
        assert len(waiting) >= 10, before
        # Every message the worker received is leased to it, started or not.
        assert {before[k][1] for k in waiting} == {identity(victim)}, before
        killed = time.monotonic()
        orphans = kill(cluster, db, roadmap_id, victim)
        # Items still waiting then were the dead worker's (one may have been started and
        # stored meanwhile, on a slow machine, and released).
        done = {k for k, (status, _) in leases(db, roadmap_id).items() if status == "completed"}
        assert orphans >= waiting - done

        # Once the dead worker's leases end, status-check calls all its items stale.
        wait_until(lambda: stale(api, roadmap_id) >= orphans, limit_s=LEASE_S + 3)
        db.release_sweeper()
        wait_running_again(db, roadmap_id, orphans, identity(victim))
        assert_recovered_in_time(time.monotonic() - killed)
        view = api.wait(task_id, timeout_s=90)
        assert view["status"] == "completed", view
        assert_one_version_each(api, db, roadmap_id, total=33)
        assert "sweeper queued again" in serve_log(cluster)


def test_kill_mid_framework_step(cluster: Cluster, db: Database) -> None:
    victim = cluster.start_worker(concurrency=4)
    with cluster.server() as server:
        api = learner(server)
        task_id = api.generate(SMALL, auto_approve=True)
        wait_until(lambda: api.task(task_id)["current_step"] == "intent_analysis", every_s=0.02)
        dead = identity(victim)
        cluster.kill_worker(victim)
        killed = time.monotonic()
        step = api.task(task_id)["current_step"]
        assert step in ("intent_analysis", "curriculum_design"), step
        replacement = identity(cluster.start_worker(concurrency=4))

        def running_again() -> bool:
            rows = db.fetch("SELECT lease_owner FROM tasks WHERE task_id = $1", task_id)
            return bool(rows[0]["lease_owner"] == replacement)

        wait_until(running_again, limit_s=60, every_s=0.05)
        assert_recovered_in_time(time.monotonic() - killed)
        assert dead != replacement
        view = api.wait(task_id, timeout_s=60)
        assert view["status"] == "completed", view
        assert_one_version_each(api, db, view["roadmap_id"])
        assert db.fetch("SELECT count(*) AS n FROM roadmaps")[0]["n"] == 1
        rows = db.fetch("SELECT count(*) AS n FROM intent_analyses WHERE task_id = $1", task_id)
        assert rows[0]["n"] == 1


def test_kill_mid_batch_retry(cluster: Cluster, db: Database) -> None:
    cluster.settings["offline_fail_content"] = "quiz"
    faulty = cluster.start_worker(concurrency=8)
    with cluster.server() as server:
        api = learner(server)
        first = api.wait(api.generate(SMALL, auto_approve=True), timeout_s=60)
        assert first["status"] == "partial_failure", first
        roadmap_id = first["roadmap_id"]
        cluster.kill_worker(faulty)
        cluster.settings["offline_fail_content"] = ""
        cluster.settings["llm_concurrency"] = "1"
        victim = cluster.start_worker(concurrency=8)
        batch = api.call("POST", f"/roadmaps/{roadmap_id}/retry-failed", 202)
        assert batch["task_type"] == "retry_batch"
        wait_items(
            api,
            db,
            batch["task_id"],
            lambda c: c["completed"] >= 9 and c["pending"] + c["generating"] >= 2,
        )
        killed = time.monotonic()
        orphans = kill(cluster, db, roadmap_id, victim)
        wait_running_again(db, roadmap_id, orphans, identity(victim))
        assert_recovered_in_time(time.monotonic() - killed)
        view = api.wait(batch["task_id"], timeout_s=60)
        assert view["status"] == "completed", view
        assert_one_version_each(api, db, roadmap_id)


@pytest.mark.parametrize(
    "cluster_settings",
    [{**PROMPT, "queued_lease_s": "20", "offline_latency_s": "0.5"}],
)
def test_chaos_kills_random_workers(cluster: Cluster, db: Database) -> None:
    """A loop kills a random worker every few seconds and starts a new one."""
    for _ in range(2):
        cluster.start_worker(concurrency=8)
    with cluster.server() as server:
        api = learner(server)
        task_id = api.generate(CHAOS, auto_approve=True)
        roadmap_id, _ = wait_items(api, db, task_id, lambda c: c["completed"] >= 3, limit_s=60)
        chance = random.Random(11)
        for _ in range(5):
            time.sleep(1)
            assert api.task(task_id)["status"] == "processing", "the roadmap ended too soon"
            alive = [w for w in cluster.workers if w.poll() is None]
            cluster.kill_worker(chance.choice(alive))
            cluster.start_worker(concurrency=8)
        view = api.wait(task_id, timeout_s=240)
        assert view["status"] == "completed", view
        assert_one_version_each(api, db, roadmap_id, total=180)
        log = events(db, task_id)
        assert [e["seq"] for e in log] == list(range(1, view["last_event_seq"] + 1))
        done = [
            (e["concept_id"], e["content_type"]) for e in log if e["type"] == "concept_complete"
        ]
        assert sorted(done) == sorted(db.items(roadmap_id)), "an item completed twice"
        assert log[-1]["type"] == "completed"


@pytest.mark.parametrize(
    "cluster_settings",
    [{**PROMPT, "offline_latency_s": "1.0", "llm_concurrency": "1"}],
)
def test_healthy_worker_keeps_its_long_queue(cluster: Cluster, db: Database) -> None:
    """One model call at a time, a second each: the last item waits four leases long."""
    cluster.start_worker(concurrency=20)
    with cluster.server() as server:
        api = learner(server)
        task_id = api.generate(SMALL, auto_approve=True)
        view = api.wait(task_id, timeout_s=90)
        assert view["status"] == "completed", view
        assert_one_version_each(api, db, view["roadmap_id"])
        assert "sweeper queued again" not in serve_log(cluster)
        starts = [e for e in events(db, task_id) if e["type"] == "concept_start"]
        assert len(starts) == 12, "an item was started twice"
        rows = db.fetch(
            "SELECT count(*) AS n FROM llm_calls WHERE task_id = $1 "
            "AND agent IN ('tutorial', 'resources', 'quiz')",
            task_id,
        )
        assert rows[0]["n"] == 12


@pytest.mark.parametrize(
    "cluster_settings",
    [{**PROMPT, "lease_s": "60", "llm_concurrency": "1"}],
)
def test_warm_shutdown_gives_reserved_work_back(cluster: Cluster, db: Database) -> None:
    """SIGTERM: the worker finishes what it runs and queues the rest again at once, long
    before its leases would end."""
    first = cluster.start_worker(concurrency=20)
    with cluster.server() as server:
        api = learner(server)
        task_id = api.generate(SMALL, auto_approve=True)
        roadmap_id, _ = wait_items(
            api, db, task_id, lambda c: c["completed"] >= 2 and c["pending"] >= 5
        )
        first.send_signal(signal.SIGTERM)
        stopped = time.monotonic()
        first.wait(timeout=30)
        given_back = leases(db, roadmap_id)
        assert identity(first) not in {
            owner for status, owner in given_back.values() if status in OPEN
        }, given_back
        cluster.start_worker(concurrency=20)
        view = api.wait(task_id, timeout_s=60)
        assert view["status"] == "completed", view
        assert time.monotonic() - stopped < 60, "the work waited for its leases"
        assert_one_version_each(api, db, roadmap_id)
        assert "sweeper queued again" not in serve_log(cluster)
        assert "gave back" in (cluster.home / "worker-0.log").read_text()


RECEIVE_AND_HANG = """
import sys, time
from kombu import Connection
with Connection(sys.argv[1]) as connection:
    channel = connection.default_channel
    message = None
    while message is None:
        message = channel.basic_get(sys.argv[2], no_ack=False)
        time.sleep(0.05)
    print(message.headers["id"], flush=True)
    time.sleep(3600)
"""
"""A consumer that receives one message the way a worker does (the broker records it as
delivered, unacknowledged) and never claims its work: killed, it is a worker that died
between receiving a message and vouching for it."""


def test_kill_between_receipt_and_claim(cluster: Cluster, db: Database) -> None:
    """Nothing in the database knows such a message was received: its work still has the
    long queued lease, and the broker would hand it out again only after its visibility
    timeout (2 h). The sweeper finds it among the broker's delivered messages."""
    with cluster.server() as server:
        api = learner(server)
        task_id = api.generate(SMALL, auto_approve=True)
        receiver = subprocess.Popen(
            [sys.executable, "-c", RECEIVE_AND_HANG, cluster.settings["broker_url"], "roadmap"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert receiver.stdout is not None
        message_id = receiver.stdout.readline().strip()
        receiver.kill()
        receiver.wait()
        killed = time.monotonic()
        row = db.fetch("SELECT broker_id, lease_owner FROM tasks WHERE task_id = $1", task_id)[0]
        assert (row["broker_id"], row["lease_owner"]) == (message_id, None)

        worker = identity(cluster.start_worker(concurrency=4))

        def running_again() -> bool:
            rows = db.fetch("SELECT lease_owner, status FROM tasks WHERE task_id = $1", task_id)
            return rows[0]["lease_owner"] == worker or rows[0]["status"] == "completed"

        wait_until(running_again, limit_s=60, every_s=0.05)
        assert_recovered_in_time(time.monotonic() - killed)
        view = api.wait(task_id, timeout_s=60)
        assert view["status"] == "completed", view
        assert_one_version_each(api, db, view["roadmap_id"])
        assert "received by a worker that died before claiming them" in serve_log(cluster)
