"""Operations over HTTP (contract §9): health, readiness, Prometheus metrics, request ids, and an
OpenAPI document that lists every route of contract §4."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.api.conftest import TASK_STATUSES, TIMEOUT, create_users
from tests.support.server import METRICS_AUTH, Server

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
    ("post", "/api/v1/auth/token"),
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


def test_metrics_count_tasks_by_status_and_llm_calls(fast_server: Server) -> None:
    (api,) = create_users(fast_server, "metrics")
    url = f"{fast_server.base_url}/metrics"
    before = fast_server.metrics()
    completed_before = metric(before, "learnpath_tasks", status="completed")
    review_before = metric(before, "learnpath_tasks", status="human_review_pending")
    total_before = sum(metric(before, "learnpath_tasks", status=s) for s in TASK_STATUSES)

    api.completed_roadmap()
    waiting = api.generate()
    api.wait_review(waiting)

    answer = httpx.get(url, headers=METRICS_AUTH, timeout=TIMEOUT)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    text = answer.text
    assert "# TYPE learnpath_tasks gauge" in text
    # Every status has a sample, and together they count every task: this test made two.
    assert sum(metric(text, "learnpath_tasks", status=s) for s in TASK_STATUSES) == (
        total_before + 2
    )
    assert metric(text, "learnpath_tasks", status="completed") >= completed_before + 1
    assert metric(text, "learnpath_tasks", status="human_review_pending") >= review_before + 1
    assert metric(text, "learnpath_llm_calls", agent="tutorial", ok="true") >= 4
    assert metric(text, "learnpath_llm_tokens", kind="prompt") > 0
    metric(text, "learnpath_queue_depth")  # present (its value depends on other tests' work)
    assert "learnpath_http_request_duration_seconds_count" in text
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
