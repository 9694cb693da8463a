"""Each input that once made the server answer 5xx, read a body whole, or answer an unclear
400, against a real ``learnpath serve`` on SQLite and PostgreSQL: now a 4xx with a JSON
``detail`` naming the problem, and nothing written."""

from __future__ import annotations

import copy
import socket
from typing import Any
from urllib.parse import urlsplit

import httpx
import psutil
import pytest

from tests.api.boundary import Target, assert_refused, dumps, target
from tests.api.conftest import SMALL

pytestmark = pytest.mark.slow
__all__ = ["target"]

NOT_FINITE = ["NaN", "Infinity", "-Infinity", "1e309"]


def raw_generate(target: Target, value: str) -> httpx.Response:
    body = '{"goal": "Learn SQL", "hours_per_week": ' + value + "}"
    return target.send("POST", "/roadmaps/generate", body.encode())


def framework_with(target: Target, **concept: Any) -> dict[str, Any]:
    framework = copy.deepcopy(target.framework)
    framework["stages"][0]["modules"][0]["concepts"][0].update(concept)
    return framework


@pytest.mark.parametrize("value", NOT_FINITE)
def test_a_number_that_is_no_json_number_is_a_422_naming_the_field(
    target: Target, value: str
) -> None:
    before = target.counts()
    detail = assert_refused(raw_generate(target, value), 422)
    assert detail[0]["loc"] == ["body", "hours_per_week"]
    assert detail[0]["type"] == "finite_number"
    body = dumps(framework_with(target, estimated_hours=float(value.replace("1e309", "inf"))))
    path = f"/roadmaps/{target.review_roadmap}/framework"
    detail = assert_refused(target.send("PUT", path, body), 422)
    assert detail[0]["loc"][-1] == "estimated_hours"
    assert target.counts() == before


@pytest.mark.parametrize("text", ["\ud800", "x\udfff", "a\x00b"])
def test_unstorable_text_is_a_422_naming_the_field(target: Target, text: str) -> None:
    before = target.counts()
    answer = target.send("POST", "/roadmaps/generate", dumps({"goal": f"Learn {text}"}))
    detail = assert_refused(answer, 422)
    assert detail[0]["loc"] == ["body", "goal"]
    review = dumps({"approved": False, "feedback": text})
    detail = assert_refused(target.send("POST", f"/tasks/{target.review_task}/review", review))
    assert detail[0]["loc"] == ["body", "feedback"]
    assert target.api.task(target.review_task)["status"] == "human_review_pending"
    assert target.counts() == before


def test_nul_in_a_path_id_a_query_value_or_the_login_form_is_a_422(target: Target) -> None:
    assert_refused(target.api.get("/roadmaps/rm%00x"), 422)
    assert_refused(target.api.get("/tasks/t%00"), 422)
    detail = assert_refused(target.api.get("/tasks", params={"status": "a\x00"}), 422)
    assert detail[0]["loc"] == ["query", "status"]
    for form in (
        {"username": "a\x00@example.com", "password": "x"},
        {"username": "a", "password": "\x00"},
    ):
        answer = httpx.post(f"{target.server.base_url}/api/v1/auth/token", data=form)
        assert_refused(answer, 422)
    page = httpx.get(f"{target.server.base_url}/signin?next=%00")
    assert_refused(page, 422)


def test_a_long_last_event_id_is_ignored(target: Target) -> None:
    answer = target.api.get(
        f"/tasks/{target.done_task}/events", headers={"Last-Event-ID": "9" * 5000}
    )
    assert answer.status_code == 200
    assert "event: completed" in answer.text or "completed" in answer.text


def test_a_long_prerequisite_cycle_is_a_422(target: Target) -> None:
    n = 5000
    cycle = [
        {
            "concept_id": f"c{i}",
            "name": f"C{i}",
            "estimated_hours": 1,
            "prerequisites": [f"c{(i + 1) % n}"],
        }
        for i in range(n)
    ]
    module = {"module_id": "m", "name": "M", "concepts": cycle}
    body = {"title": "T", "stages": [{"stage_id": "s", "name": "S", "modules": [module]}]}
    before = target.api.roadmap(target.review_roadmap)
    path = f"/roadmaps/{target.review_roadmap}/framework"
    assert_refused(target.send("PUT", path, dumps(body)), 422)
    assert target.api.roadmap(target.review_roadmap)["updated_at"] == before["updated_at"]


def test_a_hundred_thousand_keywords_are_refused(target: Target) -> None:
    body = dumps(framework_with(target, keywords=["k"] * 100_000))
    path = f"/roadmaps/{target.review_roadmap}/framework"
    detail = assert_refused(target.send("PUT", path, body), 422)
    assert detail[0]["loc"][-1] == "keywords"
    assert len(target.send("PUT", path, body).content) < 2000


def test_a_long_text_is_not_echoed_whole(target: Target) -> None:
    answer = target.send("POST", "/roadmaps/generate", dumps({"goal": "x" * 900_000}))
    detail = assert_refused(answer, 422)
    assert detail[0]["loc"] == ["body", "goal"]
    assert len(answer.content) < 2000


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "json_too_deep"),
        (b'{"goal": ' + b"7" * 5000 + b"}", "int_too_long"),
    ],
)
def test_deep_nesting_and_long_integers_are_a_422_naming_the_problem(
    target: Target, body: bytes, kind: str
) -> None:
    detail = assert_refused(target.send("POST", "/roadmaps/generate", body), 422)
    assert detail[0]["type"] == kind


def _raw_request(target: Target, head: bytes, chunks: list[bytes]) -> bytes:
    """Send a request head and as much of a body as the server takes; the server's answer."""
    url = urlsplit(target.server.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=30) as sock:
        sock.sendall(head)
        for chunk in chunks:
            try:
                sock.sendall(chunk)
            except OSError:  # the server answered and closed: it will not read the rest
                break
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    return answer


def test_a_100_mb_body_is_refused_unread(
    target: Target, capsys: pytest.CaptureFixture[str]
) -> None:
    server = psutil.Process(target.server.process.pid)
    before = server.memory_info().rss
    size = 100 * 1024 * 1024
    head = (
        b"POST /api/v1/roadmaps/generate HTTP/1.1\r\nHost: x\r\n"
        b"Authorization: Bearer " + str(target.api.token).encode() + b"\r\n"
        b"Content-Type: application/json\r\nContent-Length: " + str(size).encode() + b"\r\n\r\n"
    )
    answer = _raw_request(target, head, [b" " * 65536])
    assert answer.startswith(b"HTTP/1.1 413"), answer[:300]
    assert b'"detail"' in answer
    after = server.memory_info().rss
    with capsys.disabled():
        print(f"\nserver RSS around a refused 100 MB body: {before >> 20} MiB → {after >> 20} MiB")


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_a_chunked_body_over_the_limit_is_a_413(target: Target, content_type: str) -> None:
    head = (
        b"POST /api/v1/roadmaps/generate HTTP/1.1\r\nHost: x\r\n"
        b"Authorization: Bearer " + str(target.api.token).encode() + b"\r\n"
        b"Content-Type: " + content_type.encode() + b"\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
    answer = _raw_request(target, head, [chunk] * 40)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:300]
    assert b'"detail"' in answer


def test_a_small_valid_request_still_works(target: Target) -> None:
    task_id = target.api.generate(SMALL)
    target.api.wait_review(task_id)
