"""What the input-boundary tests share: a server per module and backend, a caller with a
roadmap waiting for review and a completed one, and counts of what the caller owns."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.api.conftest import SMALL, Api, concepts, create_users, editable
from tests.support.databases import fresh_database
from tests.support.server import Server, running_server


@dataclass
class Target:
    server: Server
    api: Api
    review_task: str
    review_roadmap: str
    done_task: str
    done_roadmap: str
    framework: dict[str, Any]
    concept_id: str

    def counts(self) -> tuple[int, int]:
        """How many tasks and roadmaps the caller has (deleted ones included), once no task
        of an earlier, accepted request is still pending or processing."""
        deadline = time.monotonic() + 60
        while True:
            listed = self.api.call("GET", "/tasks", 200)
            busy = listed["status_counts"]["pending"] + listed["status_counts"]["processing"]
            if not busy or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        tasks = listed["total"]
        roadmaps = self.api.call("GET", "/roadmaps", 200, params={"include_deleted": True})
        return int(tasks), len(roadmaps)

    def send(self, method: str, path: str, body: bytes, **kw: Any) -> httpx.Response:
        headers = {"Content-Type": "application/json", **kw.pop("headers", {})}
        return self.api.client.request(method, path, content=body, headers=headers, **kw)


def dumps(value: Any) -> bytes:
    """JSON as a careless client writes it: NaN and Infinity allowed, surrogates escaped."""
    return json.dumps(value, allow_nan=True, ensure_ascii=True).encode()


def assert_refused(answer: httpx.Response, status: int | None = None) -> Any:
    """A 4xx (``status`` when given) whose JSON body has a ``detail``; returns it."""
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:500])
    if status is not None:
        assert answer.status_code == status, answer.text[:500]
    assert answer.headers["content-type"].startswith("application/json"), answer.headers
    detail = answer.json()["detail"]
    assert detail
    return detail


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    home = tmp_path_factory.mktemp(f"boundary-{request.param}")
    with (
        fresh_database(request.param, home) as database,
        running_server(home, **database) as server,
    ):
        (api,) = create_users(server, "boundary")
        review_task = api.generate(SMALL)
        review = api.wait_review(review_task)
        done_task, done_roadmap = api.completed_roadmap()
        framework = editable(api.roadmap(str(review["roadmap_id"])))
        yield Target(
            server,
            api,
            review_task,
            str(review["roadmap_id"]),
            done_task,
            done_roadmap,
            framework,
            str(concepts(api.roadmap(done_roadmap))[0]["concept_id"]),
        )
