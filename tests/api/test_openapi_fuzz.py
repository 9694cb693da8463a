"""Schemathesis over the API's OpenAPI document against a live ``learnpath serve``: no input
makes the API answer 5xx, and every answer has a documented status code, content type and
body schema (checks: not_a_server_error, status_code_conformance, content_type_conformance,
response_schema_conformance).

The document is built in-process, so that Schemathesis can make one test per operation at
collection time, before any server runs; ``test_served_document_is_the_fuzzed_one`` checks
that the live ``/openapi.json`` is the same document. (Loading it from the live server needs
``schemathesis.pytest.from_fixture``, whose runner reads ``Node._nodeid``, gone in pytest 9.)

The server runs in server mode and every call carries a real bearer token, so requests get
past authentication. Path parameters are often real ids (a completed roadmap, its concepts
and task, a roadmap waiting for review, the caller's user id) so that operations reach their
handlers, not only the 404 branch. The SSE stream only gets ids of completed tasks (or random
ones): the stream of a task waiting for review never ends, by design. ``DELETE /tasks/{id}``
gets a cancelled task of its own (or random ids), never one the other operations read. The
WebSocket is not an OpenAPI operation, so it is not fuzzed here
(tests/api/test_event_streams.py covers it).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.server import Server, running_server

pytestmark = pytest.mark.slow

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
TIMEOUT_S = 60
Ids = dict[str, list[str]]


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    # Fuzzing the login fails many sign-ins from this address: the throttle (tested in
    # tests/api/test_http_security.py) would then refuse the logins that the logout case needs.
    with running_server(
        tmp_path_factory.mktemp("fuzz"), login_max_failures_per_address="1000000"
    ) as srv:
        yield srv


def wait_for(client: httpx.Client, task_id: str, status: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while True:
        view: dict[str, Any] = client.get(f"/tasks/{task_id}").json()
        if view["status"] == status:
            return view
        assert time.monotonic() < deadline, f"task {task_id} still {view['status']}"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def token_and_ids(fuzz_server: Server) -> tuple[str, Ids]:
    """A bearer token, and ids worth putting in paths."""
    token = fuzz_server.create_user("fuzz@example.com")
    with httpx.Client(
        base_url=f"{fuzz_server.base_url}/api/v1",
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT_S,
    ) as client:
        small = {"goal": "Learn SQL", "target_weeks": 1}
        done = client.post("/roadmaps/generate", json={**small, "auto_approve": True})
        review = client.post("/roadmaps/generate", json={**small, "goal": "Learn Go"})
        assert done.status_code == review.status_code == 202, (done.text, review.text)
        done_view = wait_for(client, done.json()["task_id"], "completed")
        review_view = wait_for(client, review.json()["task_id"], "human_review_pending")
        doomed = client.post("/roadmaps/generate", json={**small, "goal": "Learn Rust"})
        assert doomed.status_code == 202, doomed.text
        cancelled = client.post(f"/tasks/{doomed.json()['task_id']}/cancel")
        assert cancelled.status_code == 200, cancelled.text
        framework = client.get(f"/roadmaps/{done_view['roadmap_id']}").json()
    concepts = [
        c["concept_id"] for s in framework["stages"] for m in s["modules"] for c in m["concepts"]
    ]
    return token, {
        "task_id": [done_view["task_id"], review_view["task_id"]],
        "completed_task_id": [done_view["task_id"]],
        "deletable_task_id": [doomed.json()["task_id"]],
        "roadmap_id": [done_view["roadmap_id"], review_view["roadmap_id"]],
        "concept_id": concepts[:3],
        "user_id": [done_view["user_id"]],
    }


KNOWN_IDS: Ids = {}
"""Filled by the ``target`` fixture once the server has data; read while examples are drawn."""


def served_document() -> dict[str, Any]:
    """The OpenAPI document the server serves, built in-process so that the operations can be
    collected before any server runs (``test_served_document_is_the_fuzzed_one`` checks that
    the live ``/openapi.json`` is the same)."""
    from learnpath.config import Settings
    from learnpath.server import create_app

    document: dict[str, Any] = create_app(Settings.model_construct()).openapi()
    return document


schema = schemathesis.openapi.from_dict(served_document())


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    """Keep each generated path parameter, or put a real id in its place."""
    if not path_parameters:
        return st.just(path_parameters)
    operation = context.operation
    stream = operation is not None and operation.path.endswith("/events")
    deleting = (
        operation is not None
        and operation.method.upper() == "DELETE"
        and operation.path == "/api/v1/tasks/{task_id}"
    )
    choices = {}
    for name, value in path_parameters.items():
        known = name
        if name == "task_id" and (stream or deleting):
            known = "completed_task_id" if stream else "deletable_task_id"
        real = KNOWN_IDS.get(known, [])
        choices[name] = st.sampled_from([value, *real]) if real else st.just(value)
    return st.fixed_dictionaries(choices)


@pytest.fixture(scope="module")
def target(fuzz_server: Server, token_and_ids: tuple[str, Ids]) -> tuple[str, dict[str, str]]:
    """The base URL and headers every fuzzed call uses."""
    token, ids = token_and_ids
    KNOWN_IDS.clear()
    KNOWN_IDS.update(ids)
    return fuzz_server.base_url, {"Authorization": f"Bearer {token}"}


def test_served_document_is_the_fuzzed_one(fuzz_server: Server) -> None:
    answer = httpx.get(f"{fuzz_server.base_url}/openapi.json", timeout=TIMEOUT_S)
    assert answer.status_code == 200
    assert answer.json() == served_document()


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_api_answers_as_documented(
    case: schemathesis.Case, target: tuple[str, dict[str, str]]
) -> None:
    base_url, headers = target
    if case.operation.path == "/api/v1/auth/logout":
        # Signing out ends the session: a session of its own, so every other call keeps its.
        headers = {"Authorization": f"Bearer {login(base_url)}"}
    case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS, timeout=TIMEOUT_S)


def login(base_url: str) -> str:
    answer = httpx.post(
        f"{base_url}/api/v1/auth/token",
        data={"username": "fuzz@example.com", "password": "correct horse battery"},
        timeout=TIMEOUT_S,
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])
