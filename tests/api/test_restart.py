"""Embedded mode: a ``learnpath serve`` killed with SIGKILL mid content resumes its task when
it starts again, within seconds, without a second version of anything."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.api.conftest import Api, create_users, items
from tests.support.server import running_server

pytestmark = pytest.mark.slow

SETTINGS = {"offline_latency_s": "0.2", "llm_concurrency": "2"}


def test_killed_server_resumes_on_restart(tmp_path: Path) -> None:
    with running_server(tmp_path, **SETTINGS) as first:
        (api,) = create_users(first, "restart")
        task_id = api.generate({"goal": "Learn SQL", "target_weeks": 2}, auto_approve=True)
        deadline = time.monotonic() + 60
        while api.task(task_id)["progress"]["completed"] < 3:
            assert time.monotonic() < deadline, "content generation never got going"
            time.sleep(0.05)
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=10)

    with running_server(tmp_path, **SETTINGS) as second:
        api = Api(second, api.token)
        killed = api.task(task_id)
        assert killed["status"] == "processing"
        assert killed["progress"]["completed"] < killed["progress"]["total"]
        view = api.wait(task_id, timeout_s=30)
        assert view["status"] == "completed", view
        roadmap_id = view["roadmap_id"]
        assert {version for _, version in items(api.roadmap(roadmap_id)).values()} == {1}
        checked = api.call("GET", f"/roadmaps/{roadmap_id}/status-check", 200)
        assert checked["stale_items"] == []
