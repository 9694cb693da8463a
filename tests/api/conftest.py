"""Helpers for the HTTP API suite: every test talks to a real ``learnpath serve`` over HTTP.

A session-wide server (offline provider, no latency, server mode) serves the modules whose
settings are the defaults; a module that needs latency or faults starts its own. Tests never
share a user unless they mean to: every account has a fresh email.
"""

from __future__ import annotations

import copy
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.support.server import Server, running_server

PASSWORD = "correct horse battery"
FINISHED = frozenset({"completed", "partial_failure", "failed", "cancelled"})
TASK_STATUSES = (
    "pending",
    "processing",
    "human_review_pending",
    "completed",
    "partial_failure",
    "failed",
    "cancelled",
)
CONTENT_TYPES = ("tutorial", "resources", "quiz")
SMALL = {"goal": "Learn SQL", "target_weeks": 1}
"""A small roadmap: 4 concepts, 12 content items with the offline provider."""
TIMEOUT = httpx.Timeout(30, connect=10)

Json = dict[str, Any]


def email(label: str) -> str:
    return f"{label}-{secrets.token_hex(4)}@example.com"


@dataclass
class Api:
    """One caller of ``/api/v1``: a user with a bearer token, or nobody (``token`` None)."""

    server: Server
    token: str | None = None
    email: str | None = None
    user_id: str | None = None
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        self.client = httpx.Client(
            base_url=f"{self.server.base_url}/api/v1", headers=headers, timeout=TIMEOUT
        )

    # -- raw calls ---------------------------------------------------------------------------
    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.get(path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.post(path, **kw)

    def put(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.put(path, **kw)

    def delete(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.delete(path, **kw)

    def call(self, method: str, path: str, expect: int, **kw: Any) -> Any:
        """The JSON body of a call that must answer ``expect``."""
        answer = self.client.request(method, path, **kw)
        assert answer.status_code == expect, f"{method} {path}: {answer.status_code} {answer.text}"
        return answer.json()

    # -- workflow helpers --------------------------------------------------------------------
    def generate(self, body: Json | None = None, **extra: Any) -> str:
        accepted = self.call("POST", "/roadmaps/generate", 202, json={**(body or SMALL), **extra})
        assert set(accepted) == {"task_id", "status"}
        assert accepted["status"] == "pending"
        return str(accepted["task_id"])

    def task(self, task_id: str) -> Json:
        view: Json = self.call("GET", f"/tasks/{task_id}", 200)
        return view

    def wait(
        self,
        task_id: str,
        statuses: Iterable[str] = FINISHED,
        timeout_s: float = 60,
    ) -> Json:
        """Poll ``GET /tasks/{id}`` until its status is one of ``statuses``."""
        wanted = frozenset(statuses)
        deadline = time.monotonic() + timeout_s
        while True:
            view = self.task(task_id)
            if view["status"] in wanted:
                return view
            assert time.monotonic() < deadline, (
                f"task {task_id} still {view['status']}/{view['current_step']} after "
                f"{timeout_s} s; wanted {sorted(wanted)}"
            )
            time.sleep(0.02)

    def wait_review(self, task_id: str) -> Json:
        view = self.wait(task_id, {"human_review_pending", *FINISHED})
        assert view["status"] == "human_review_pending", view
        assert view["current_step"] == "human_review"
        return view

    def completed_roadmap(self, body: Json | None = None) -> tuple[str, str]:
        """Generate (auto-approved) to completion: ``(task_id, roadmap_id)``."""
        task_id = self.generate(body, auto_approve=True)
        view = self.wait(task_id)
        assert view["status"] == "completed", view
        return task_id, str(view["roadmap_id"])

    def roadmap(self, roadmap_id: str) -> Json:
        detail: Json = self.call("GET", f"/roadmaps/{roadmap_id}", 200)
        return detail


def concepts(framework: Json) -> list[Json]:
    """Every concept of a framework, in order."""
    return [c for s in framework["stages"] for m in s["modules"] for c in m["concepts"]]


def items(framework: Json) -> dict[tuple[str, str], tuple[str, int | None]]:
    """``(concept_id, content_type) → (status, version)`` for every item of a framework."""
    return {
        (c["concept_id"], t): (c[f"{t}_status"], c[f"{t}_version"])
        for c in concepts(framework)
        for t in CONTENT_TYPES
    }


def editable(framework: Json) -> Json:
    """A framework as a client would send it back to ``PUT …/framework``."""
    return copy.deepcopy({k: framework[k] for k in ("title", "summary", "stages")})


CREATE_USERS = """
import sys
from learnpath.cli import app

admin, password, *emails = sys.argv[1:]
for address in emails:
    args = ["users", "create", "--email", address, "--password", password]
    app([*args, *(["--admin"] if admin == "admin" else [])], standalone_mode=False)
"""


def create_users(server: Server, *labels: str, admin: bool = False) -> list[Api]:
    """Create accounts with the ``learnpath users create`` command and log each one in.

    The command runs once per account, all in one interpreter: starting a process per account
    would cost about a second each.
    """
    emails = [email(label) for label in labels]
    done = subprocess.run(
        [sys.executable, "-c", CREATE_USERS, "admin" if admin else "-", PASSWORD, *emails],
        env={**server.env, "COLUMNS": "1000"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    created = dict(re.findall(r"created (?:admin )?user (\S+) \((user_[0-9a-f]+)\)", done.stdout))
    assert list(created) == emails, done.stdout
    return [Api(server, login(server, address), address, created[address]) for address in emails]


def login(server: Server, address: str, password: str = PASSWORD) -> str:
    answer = httpx.post(
        f"{server.base_url}/api/v1/auth/token",
        data={"username": address, "password": password},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "bearer"
    return str(body["access_token"])


@pytest.fixture(scope="session")
def fast_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Server mode, offline provider without latency: shared by the modules that need no
    special settings (each uses its own users)."""
    with running_server(tmp_path_factory.mktemp("api-fast")) as server:
        yield server
