"""The learner's journey through two API processes and two worker processes on PostgreSQL and
Redis: the requests go to either API process, the work to either worker, and a client
following the task's events on API process A sees every event exactly once, in order, however
often it reconnects."""

from __future__ import annotations

import json
import threading
from contextlib import ExitStack

import httpx

from tests.api.conftest import SMALL, Api, Json, concepts, create_users, editable, items
from tests.support.cluster import Cluster


class Follower(threading.Thread):
    """Follows a task's SSE stream on one API process until the terminal event, hanging up
    after every ``cut_every`` events and resuming with ``Last-Event-ID``."""

    def __init__(self, api: Api, task_id: str, cut_every: int) -> None:
        super().__init__(daemon=True)
        self.api, self.task_id, self.cut_every = api, task_id, cut_every
        self.events: list[Json] = []
        self.connections = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.events or self.events[-1]["type"] not in ("completed", "failed"):
                self._connect()
        except BaseException as error:  # reported by the test
            self.error = error

    def _connect(self) -> None:
        self.connections += 1
        headers = {"Last-Event-ID": str(self.events[-1]["seq"])} if self.events else {}
        url = f"/tasks/{self.task_id}/events"
        timeout = httpx.Timeout(120, connect=10)
        with self.api.client.stream("GET", url, headers=headers, timeout=timeout) as answer:
            assert answer.status_code == 200, answer.read()
            taken = 0
            for line in answer.iter_lines():
                if not line.startswith("data:"):
                    continue
                self.events.append(json.loads(line[5:]))
                taken += 1
                if self.events[-1]["type"] in ("completed", "failed") or taken == self.cut_every:
                    return


def test_journey_across_two_api_processes_and_two_workers(cluster: Cluster) -> None:
    cluster.settings["offline_latency_s"] = "0.05"
    cluster.start_worker(concurrency=3)
    cluster.start_worker(concurrency=3)
    with ExitStack() as stack:
        a = stack.enter_context(cluster.server())
        b = stack.enter_context(cluster.server())
        (on_a,) = create_users(a, "traveller")
        on_b = Api(b, on_a.token, on_a.email, on_a.user_id)

        task_id = on_a.generate({**SMALL, "target_weeks": 2})
        follower = Follower(on_a, task_id, cut_every=7)
        follower.start()

        review = on_b.wait_review(task_id)
        roadmap_id = review["roadmap_id"]
        framework = on_a.roadmap(roadmap_id)
        edited = editable(framework)
        concepts(edited)[0]["name"] = "Edited on process B"
        on_b.call("PUT", f"/roadmaps/{roadmap_id}/framework", 200, json=edited)
        on_a.call(
            "POST",
            f"/tasks/{task_id}/review",
            200,
            json={"approved": False, "feedback": "add a concept about window functions"},
        )
        on_b.wait_review(task_id)
        on_b.call("POST", f"/tasks/{task_id}/review", 200, json={"approved": True})

        done = on_a.wait(task_id, timeout_s=120)
        assert done["status"] == "completed", done
        final = on_b.roadmap(roadmap_id)
        assert concepts(final)[0]["name"] == "Edited on process B"
        assert "Window functions" in [c["name"] for c in concepts(final)]
        assert items(final) == {key: ("completed", 1) for key in items(final)}
        assert done["progress"]["completed"] == len(items(final))

        follower.join(timeout=60)
        assert not follower.is_alive(), "the follower on process A never saw the end"
        assert follower.error is None, follower.error
        seqs = [e["seq"] for e in follower.events]
        assert seqs == list(range(1, done["last_event_seq"] + 1)), "lost, repeated or reordered"
        assert follower.connections > 5
        kinds = [e["type"] for e in follower.events]
        assert kinds.count("human_review_required") == 2
        assert kinds.count("concept_complete") == len(items(final))

        status = on_a.call("GET", f"/roadmaps/{roadmap_id}/status-check", 200)
        assert status == {"has_active_task": False, "active_tasks": [], "stale_items": []}
        for server in (a, b):
            ready = httpx.get(f"{server.base_url}/readyz", timeout=10).json()
            assert ready == {
                "status": "ok",
                "database": "ok",
                "broker": "ok",
                "model": "offline provider",
            }
