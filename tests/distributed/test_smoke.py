"""The CLI against a cluster: the main job runs on Celery workers."""

from __future__ import annotations

import json

from tests.support.cluster import Cluster


def test_generate_runs_on_workers(cluster: Cluster) -> None:
    cluster.start_worker(concurrency=2)
    done = cluster.cli("generate", "Learn SQL", "--weeks", "1", "--auto-approve", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"] == "completed"
    shown = json.loads(cluster.cli("show", result["task_id"], "--json").stdout)
    assert shown["progress"]["failed"] == 0
    log = (cluster.home / "worker-0.log").read_text()
    assert "learnpath.generate_items" in log
