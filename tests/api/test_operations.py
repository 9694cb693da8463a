"""Operations over HTTP (contract §9): health, readiness, Prometheus metrics, request ids, and an
OpenAPI document that lists every route of contract §4."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.api.conftest import CONTENT_TYPES, TASK_STATUSES, TIMEOUT, concepts, create_users
from tests.support.server import METRICS_AUTH, Server, running_server

pytestmark = pytest.mark.slow

SPEC_ROUTES = {
    ("post", "/api/v1/roadmaps/generate"),
    ("get", "/api/v1/tasks/{task_id}"),
    ("get", "/api/v1/tasks"),
    ("get", "/api/v1/users/{user_id}/tasks"),
    ("post", "/api/v1/tasks/{task_id}/cancel"),
    ("post", "/api/v1/tasks/{task_id}/retry"),
    ("post", "/api/v1/tasks/{task_id}/review"),
    ("get", "/api/v1/tasks/{task_id}/events"),
    ("get", "/api/v1/roadmaps"),
    ("get", "/api/v1/roadmaps/{roadmap_id}"),
    ("put", "/api/v1/roadmaps/{roadmap_id}/framework"),
    ("delete", "/api/v1/roadmaps/{roadmap_id}"),
    ("post", "/api/v1/roadmaps/{roadmap_id}/restore"),
    ("get", "/api/v1/roadmaps/{roadmap_id}/active-task"),
    ("get", "/api/v1/roadmaps/{roadmap_id}/status-check"),
    ("post", "/api/v1/roadmaps/{roadmap_id}/concepts/{concept_id}/{content_type}/retry"),
    ("post", "/api/v1/roadmaps/{roadmap_id}/retry-failed"),
    ("get", "/api/v1/roadmaps/{roadmap_id}/concepts/{concept_id}/tutorial"),
    ("get", "/api/v1/roadmaps/{roadmap_id}/concepts/{concept_id}/resources"),
    ("get", "/api/v1/roadmaps/{roadmap_id}/concepts/{concept_id}/quiz"),
    ("post", "/api/v1/roadmaps/{roadmap_id}/concepts/{concept_id}/quiz/attempts"),
    ("put", "/api/v1/roadmaps/{roadmap_id}/progress/{concept_id}"),
    ("get", "/api/v1/roadmaps/{roadmap_id}/export"),
    ("get", "/api/v1/roadmaps/{roadmap_id}/graph"),
    ("post", "/api/v1/auth/token"),
    ("post", "/api/v1/jobs/outline"),
    ("post", "/api/v1/jobs/document"),
    ("get", "/api/v1/jobs/{job_id}"),
    ("get", "/api/v1/jobs"),
    ("get", "/api/v1/jobs/{job_id}/events"),
    ("post", "/api/v1/jobs/{job_id}/cancel"),
    ("post", "/api/v1/jobs/{job_id}/retry"),
    ("get", "/api/v1/jobs/{job_id}/document"),
}


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text format."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    pattern = rf"^{re.escape(name)}{re.escape('{' + wanted + '}') if labels else ''} (\S+)$"
    found = re.search(pattern, text, re.MULTILINE)
    assert found, f"no sample {name}{{{wanted}}}"
    return float(found[1])


def test_health_and_readiness(fast_server: Server) -> None:
    health = httpx.get(f"{fast_server.base_url}/healthz", timeout=TIMEOUT)
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    ready = httpx.get(f"{fast_server.base_url}/readyz", timeout=TIMEOUT)
    assert (ready.status_code, ready.json()) == (
        200,
        {"status": "ok", "database": "ok", "model": "offline provider"},
    )


def samples(text: str, name: str) -> dict[str, float]:
    """Every sample of one metric: its labels as written (``a="x",b="y"``) → value."""
    pattern = rf"^{re.escape(name)}(?:\{{(.*)\}})? (\S+)$"
    return {labels or "": float(value) for labels, value in re.findall(pattern, text, re.M)}


def settled(server: Server, name: str, expected: float) -> str:
    """The metrics text once ``name`` reads ``expected``: a counter of events delivered to
    subscribers moves just after the commit a task's status is read from."""
    deadline = time.monotonic() + 5
    while True:
        text = server.metrics()
        if metric(text, name) == expected or time.monotonic() > deadline:
            return text
        time.sleep(0.05)


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of this module's own: every figure it reports comes from these tests."""
    with running_server(tmp_path_factory.mktemp("operations")) as server:
        yield server


def test_metrics_count_tasks_by_status_and_llm_calls(own_server: Server) -> None:
    before = own_server.metrics()
    assert {s: metric(before, "learnpath_tasks", status=s) for s in TASK_STATUSES} == dict.fromkeys(
        TASK_STATUSES, 0
    )
    assert samples(before, "learnpath_llm_calls") == {}
    assert metric(before, "learnpath_llm_tokens", kind="prompt") == 0
    health_label = 'method="GET",route="/healthz",status="200"'
    health_before = samples(before, "learnpath_http_request_duration_seconds_count")[health_label]

    (api,) = create_users(own_server, "metrics")
    done, roadmap_id = api.completed_roadmap()
    waiting = api.generate()
    api.wait_review(waiting)
    views = [api.task(done), api.task(waiting)]
    concept_count = len(concepts(api.roadmap(roadmap_id)))
    for _ in range(3):
        httpx.get(f"{own_server.base_url}/healthz", timeout=TIMEOUT)

    events = sum(v["last_event_seq"] for v in views)
    text = settled(own_server, "learnpath_events_published_total", events)
    scrape = httpx.get(f"{own_server.base_url}/metrics", headers=METRICS_AUTH, timeout=TIMEOUT)
    assert scrape.status_code == 200
    assert scrape.headers["content-type"].startswith("text/plain")
    assert "# TYPE learnpath_tasks gauge" in text
    assert {s: metric(text, "learnpath_tasks", status=s) for s in TASK_STATUSES} == {
        **dict.fromkeys(TASK_STATUSES, 0),
        "completed": 1,
        "human_review_pending": 1,
    }
    calls = samples(text, "learnpath_llm_calls")
    assert all(labels.endswith('ok="true"') for labels in calls), calls
    assert sum(calls.values()) == sum(v["usage"]["llm_calls"] for v in views)
    for agent, expected in [("intent", 2), *((t, concept_count) for t in CONTENT_TYPES)]:
        assert calls[f'agent="{agent}",ok="true"'] == expected, calls
    for kind in ("prompt", "completion"):
        used = sum(v["usage"][f"{kind}_tokens"] for v in views)
        assert metric(text, "learnpath_llm_tokens", kind=kind) == used > 0
    assert sum(samples(text, "learnpath_llm_cost_usd_total").values()) == sum(
        v["usage"]["cost_usd"] for v in views
    )
    assert metric(text, "learnpath_queue_depth") == 0
    assert metric(text, "learnpath_events_published_total") == events
    assert samples(text, "learnpath_link_checks") == {}, "offline: no link is fetched"
    requests = samples(text, "learnpath_http_request_duration_seconds_count")
    assert requests[health_label] == health_before + 3
    # Requests are labelled by route template, not by the ids in the path.
    routes = set(re.findall(r'route="([^"]+)"', text))
    assert any(r.endswith("/tasks/{task_id}") for r in routes), routes
    assert waiting not in text


def test_request_id_is_echoed_or_made_up(fast_server: Server) -> None:
    base = fast_server.base_url
    given = httpx.get(f"{base}/healthz", headers={"X-Request-ID": "trace-42"}, timeout=TIMEOUT)
    assert given.headers["x-request-id"] == "trace-42"
    made = httpx.get(f"{base}/healthz", timeout=TIMEOUT).headers["x-request-id"]
    other = httpx.get(f"{base}/healthz", timeout=TIMEOUT).headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{16}", made) and made != other
    # On API errors as well, authenticated or not.
    unauthorised = httpx.get(
        f"{base}/api/v1/tasks", headers={"X-Request-ID": "abc-401"}, timeout=TIMEOUT
    )
    assert (unauthorised.status_code, unauthorised.headers["x-request-id"]) == (401, "abc-401")
    invalid = httpx.post(
        f"{base}/api/v1/auth/token", data={}, headers={"X-Request-ID": "abc-422"}, timeout=TIMEOUT
    )
    assert (invalid.status_code, invalid.headers["x-request-id"]) == (422, "abc-422")
    long = httpx.get(f"{base}/healthz", headers={"X-Request-ID": "x" * 100}, timeout=TIMEOUT)
    assert long.headers["x-request-id"] == "x" * 64


def test_openapi_documents_every_route(fast_server: Server) -> None:
    spec = httpx.get(f"{fast_server.base_url}/openapi.json", timeout=TIMEOUT).json()
    documented = {(m, p) for p, ops in spec["paths"].items() for m in ops}
    missing = SPEC_ROUTES - documented
    assert not missing, sorted(missing)
    events = spec["paths"]["/api/v1/tasks/{task_id}/events"]["get"]["responses"]
    assert "text/event-stream" in str(events["200"])


def test_doctor_is_for_admins(fast_server: Server) -> None:
    anonymous = httpx.get(f"{fast_server.base_url}/api/v1/admin/doctor", timeout=TIMEOUT)
    assert anonymous.status_code == 401
    (learner,) = create_users(fast_server, "doctor-learner")
    refused = learner.call("GET", "/admin/doctor", 403)
    assert refused["detail"] == "only an admin may run the doctor"
    (admin,) = create_users(fast_server, "doctor-admin", admin=True)
    report = admin.call("GET", "/admin/doctor", 200)
    states = {c["name"]: c["state"] for c in report["checks"]}
    assert report["ok"] is True
    assert states == {"configuration": "ok", "database": "ok", "model": "ok"}
    settings = report["checks"][0]["settings"]
    assert settings["provider"] == "offline" and settings["mode"] == "embedded"
