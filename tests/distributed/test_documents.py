"""Document jobs in distributed mode (docs/contract.md §7): they run on the ``documents``
queue, a finished job's result is also in Redis at ``job_result:{job_id}`` for
``LEARNPATH_JOB_RESULT_TTL_S``, and a worker SIGKILLed mid chapter loses nothing: the job
completes with each chapter written once."""

from __future__ import annotations

import json

import pytest
import redis

from tests.distributed.helpers import Database, learner
from tests.support.cluster import FAST_RECOVERY, Cluster, wait_until

pytestmark = pytest.mark.slow

OUTLINE = {
    "title": "Database indexes",
    "summary": "",
    "nodes": [
        {"id": str(i), "title": f"Part {i}", "summary": "", "children": []} for i in range(1, 7)
    ],
}


@pytest.fixture
def cluster_settings() -> dict[str, str]:
    return {"offline_latency_s": "0.5", "job_result_ttl_s": "600", **FAST_RECOVERY}


def chapters(db: Database, job_id: str) -> dict[str, str]:
    rows = db.fetch("SELECT concept_id, status FROM items WHERE subject_id = $1", job_id)
    return {r["concept_id"]: r["status"] for r in rows}


def writes(db: Database, job_id: str) -> list[tuple[str, int]]:
    rows = db.fetch(
        "SELECT chapter_id, count(*) AS n FROM chapters WHERE job_id = $1 GROUP BY chapter_id "
        "ORDER BY chapter_id",
        job_id,
    )
    return [(r["chapter_id"], r["n"]) for r in rows]


def test_jobs_run_on_the_documents_queue_and_results_reach_redis(cluster: Cluster) -> None:
    cluster.start_worker(concurrency=4, queues="documents")
    with cluster.server() as server:
        api = learner(server)
        outline_job = api.call("POST", "/jobs/outline", 202, json={"task_prompt": "Indexes"})
        assert api.wait(outline_job["job_id"])["status"] == "completed"
        job = api.call("POST", "/jobs/document", 202, json={"outline": OUTLINE, "word_count": 600})
        assert api.wait(job["job_id"])["status"] == "completed"
        views = [api.call("GET", f"/jobs/{j['job_id']}", 200) for j in (outline_job, job)]
    cache = redis.Redis.from_url(cluster.settings["broker_url"])
    for view in views:
        key = f"job_result:{view['job_id']}"
        assert json.loads(cache.get(key) or b"null") == view["result"]
        assert 590 <= cache.ttl(key) <= 600


def test_a_worker_killed_mid_chapter_loses_nothing(cluster: Cluster, db: Database) -> None:
    first = cluster.start_worker(concurrency=2)
    with cluster.server() as server:
        api = learner(server)
        job_id = api.call(
            "POST", "/jobs/document", 202, json={"outline": OUTLINE, "word_count": 1200}
        )["job_id"]
        wait_until(
            lambda: (
                list(chapters(db, job_id).values()).count("generating") >= 1
                and "completed" in chapters(db, job_id).values()
            ),
            limit_s=60,
            every_s=0.05,
        )
        cluster.kill_worker(first)
        assert api.task(job_id)["status"] == "processing"
        cluster.start_worker(concurrency=2)
        done = api.wait(job_id, timeout_s=90)
    assert done["status"] == "completed", done
    assert writes(db, job_id) == [(str(i), 1) for i in range(1, 7)]
    assert set(chapters(db, job_id).values()) == {"completed"}


@pytest.mark.parametrize("cluster_settings", [{"offline_latency_s": "0.2", "llm_concurrency": "4"}])
def test_a_fan_out_keeps_what_its_worker_has_model_slots_for(
    cluster: Cluster, db: Database
) -> None:
    """The worker fanning a job out writes as many chapters as it has model slots spare in
    its own pool, with no message; only the others are sent, a few to a message."""
    # As many item slots as model slots: the worker cannot start the chapters it sends (its
    # own message may reach it first) before their message ids are written, which skips
    # items a worker holds already.
    cluster.start_worker(concurrency=4)
    with cluster.server() as server:
        api = learner(server)
        job_id = api.call(
            "POST", "/jobs/document", 202, json={"outline": OUTLINE, "word_count": 600}
        )["job_id"]
        assert api.wait(job_id)["status"] == "completed"
    rows = db.fetch("SELECT broker_id FROM items WHERE subject_id = $1", job_id)
    sent = [r["broker_id"] for r in rows if r["broker_id"] is not None]
    assert (len(rows) - len(sent), len(sent), len(set(sent))) == (4, 2, 1), rows
    assert writes(db, job_id) == [(str(i), 1) for i in range(1, 7)]
