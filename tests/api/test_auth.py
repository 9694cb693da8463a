"""Authentication and isolation over HTTP (contract §9): every API route, the SSE stream and the
WebSocket need a valid token in server mode; a user only ever sees their own tasks and
roadmaps; ``learnpath serve`` refuses an unsafe configuration."""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.api.conftest import (
    PASSWORD,
    SMALL,
    TASK_STATUSES,
    TIMEOUT,
    Api,
    Json,
    concepts,
    create_users,
    editable,
    email,
    items,
)
from tests.support.server import LEARNPATH, SECRET, Server, free_port, running_server, server_env

pytestmark = pytest.mark.slow

PUBLIC = {("POST", "/api/v1/auth/token")}
"""The only API route that answers without a token: the login itself."""


def ws_url(server: Server, task_id: str, token: str | None = None) -> str:
    query = f"?token={token}" if token else ""
    return f"{server.base_url.replace('http://', 'ws://')}/api/v1/ws/{task_id}{query}"


def ws_session(url: str) -> tuple[list[Json], int]:
    """Connect and read until the server closes: the messages and the close code it sent."""
    messages = []
    with connect(url, open_timeout=10) as socket:
        try:
            while True:
                messages.append(json.loads(socket.recv(timeout=10)))
        except ConnectionClosed as closed:
            assert closed.rcvd is not None, "closed without a close frame"
            return messages, closed.rcvd.code
    raise AssertionError("unreachable")


def ws_session_from(url: str, origin: str) -> tuple[list[Json], int]:
    """:func:`ws_session` for a page of ``origin``."""
    messages = []
    with connect(url, open_timeout=10, origin=origin) as socket:
        try:
            while True:
                messages.append(json.loads(socket.recv(timeout=10)))
        except ConnectionClosed as closed:
            assert closed.rcvd is not None, "closed without a close frame"
            return messages, closed.rcvd.code
    raise AssertionError("unreachable")


def ws_close_code(url: str) -> int:
    messages, code = ws_session(url)
    assert messages == [], messages
    return code


def assert_unauthorised(answer: httpx.Response) -> None:
    assert answer.status_code == 401, f"{answer.request.url}: {answer.status_code} {answer.text}"
    assert answer.json() == {"detail": "not authenticated"}
    assert answer.headers["www-authenticate"] == "Bearer"


def api_routes(server: Server) -> list[tuple[str, str]]:
    """Every (method, path template) under ``/api/v1`` that OpenAPI documents."""
    spec = httpx.get(f"{server.base_url}/openapi.json", timeout=TIMEOUT).json()
    return sorted(
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        if path.startswith("/api/v1/")
        for method in operations
    )


def fill(path: str, **ids: str) -> str:
    """A path template with its parameters filled (``x`` for those not given)."""
    return re.sub(r"\{(\w+)\}", lambda m: ids.get(m[1], "x"), path)


# --------------------------------------------------------------------------- missing/bad tokens


@pytest.fixture(scope="module")
def people(fast_server: Server) -> dict[str, Api]:
    """The module's accounts, created in one go."""
    names = ("owner", "login", "alice", "bob")
    return dict(zip(names, create_users(fast_server, *names), strict=True))


@pytest.fixture(scope="module")
def owner(people: dict[str, Api]) -> Api:
    return people["owner"]


def test_every_api_route_needs_a_token(fast_server: Server) -> None:
    routes = api_routes(fast_server)
    families = {path.split("/")[3] for _, path in routes}
    assert {"tasks", "roadmaps", "users", "auth"} <= families
    assert ("GET", "/api/v1/tasks/{task_id}/events") in routes
    assert ("GET", "/api/v1/roadmaps/{roadmap_id}/concepts/{concept_id}/quiz") in routes
    anonymous = httpx.Client(base_url=fast_server.base_url, timeout=TIMEOUT)
    checked = 0
    for method, path in routes:
        if (method, path) in PUBLIC:
            continue
        assert_unauthorised(anonymous.request(method, fill(path)))
        checked += 1
    assert checked >= 20, routes


def test_the_websocket_closes_4401_without_a_valid_token(fast_server: Server, owner: Api) -> None:
    task_id = owner.generate(auto_approve=True)
    assert ws_close_code(ws_url(fast_server, task_id)) == 4401
    assert ws_close_code(ws_url(fast_server, task_id, "not-a-token")) == 4401
    assert ws_close_code(ws_url(fast_server, task_id, expired_token(owner))) == 4401
    # With the owner's token the same socket says it is connected (with the task), replays the
    # task's events, then closes normally.
    done = owner.wait(task_id)
    (connected, *events), code = ws_session(ws_url(fast_server, task_id, owner.token))
    assert connected == {"type": "connected", "task": done}
    assert code == 1000
    assert [e["seq"] for e in events] == list(range(1, done["last_event_seq"] + 1))
    assert {e["task_id"] for e in events} == {task_id}
    assert (events[0]["type"], events[-1]["type"]) == ("task_started", "completed")


def expired_token(user: Api) -> str:
    now = int(time.time())
    return jwt.encode(
        {"sub": user.user_id, "adm": False, "iat": now - 7200, "exp": now - 3600},
        SECRET,
        algorithm="HS256",
    )


def bad_tokens(user: Api) -> dict[str, str]:
    now = int(time.time())
    claims = {"sub": user.user_id, "adm": True, "iat": now, "exp": now + 3600}
    return {
        "garbage": "not-a-token",
        "expired": expired_token(user),
        "wrong key": jwt.encode(claims, "another-secret-" + "k" * 40, algorithm="HS256"),
        "no expiry": jwt.encode({"sub": user.user_id}, SECRET, algorithm="HS256"),
        "unsigned": jwt.encode(claims, None, algorithm="none"),
        "tampered": str(user.token)[:-4]
        + ("AAAA" if not str(user.token).endswith("AAAA") else "BBBB"),
    }


def test_bad_or_expired_tokens_are_refused_everywhere(fast_server: Server, owner: Api) -> None:
    task_id, roadmap_id = owner.completed_roadmap()
    concept_id = concepts(owner.roadmap(roadmap_id))[0]["concept_id"]
    ids = {"task_id": task_id, "roadmap_id": roadmap_id, "concept_id": concept_id}
    probes = [
        ("GET", "/api/v1/tasks"),
        ("GET", "/api/v1/tasks/{task_id}"),
        ("POST", "/api/v1/tasks/{task_id}/retry"),
        ("GET", "/api/v1/roadmaps"),
        ("GET", "/api/v1/roadmaps/{roadmap_id}"),
        ("GET", "/api/v1/roadmaps/{roadmap_id}/concepts/{concept_id}/quiz"),
        ("GET", "/api/v1/roadmaps/{roadmap_id}/export"),
        ("GET", "/api/v1/roadmaps/{roadmap_id}/graph"),
        ("GET", "/api/v1/tasks/{task_id}/events"),
        ("DELETE", "/api/v1/tasks/{task_id}"),
        ("GET", "/api/v1/roadmaps/{roadmap_id}/progress"),
        ("GET", "/api/v1/roadmaps/{roadmap_id}/reviews"),
    ]
    for name, token in bad_tokens(owner).items():
        client = httpx.Client(
            base_url=fast_server.base_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT,
        )
        for method, path in probes:
            answer = client.request(method, fill(path, **ids))
            assert answer.status_code == 401, f"{name} token, {method} {path}: {answer.text}"
        generate = client.post("/api/v1/roadmaps/generate", json=SMALL)
        assert generate.status_code == 401, name
        # The same token as a query parameter (how browsers open event streams) or a cookie.
        events = httpx.get(
            f"{fast_server.base_url}{fill('/api/v1/tasks/{task_id}/events', **ids)}",
            params={"token": token},
            timeout=TIMEOUT,
        )
        assert_unauthorised(events)
        cookie = httpx.get(
            f"{fast_server.base_url}/api/v1/tasks",
            cookies={"learnpath_token": token},
            timeout=TIMEOUT,
        )
        assert_unauthorised(cookie)
    # Nothing was created or changed by any of those calls.
    listed = owner.call("GET", "/tasks", 200)
    assert [t["task_id"] for t in listed["tasks"] if t["task_id"] == task_id] == [task_id]
    assert owner.task(task_id)["status"] == "completed"


def test_login(fast_server: Server, people: dict[str, Api]) -> None:
    user = people["login"]
    url = f"{fast_server.base_url}/api/v1/auth/token"
    wrong = httpx.post(url, data={"username": user.email, "password": "wrong password!"})
    assert_unauthorised(wrong)
    assert "set-cookie" not in wrong.headers
    unknown = httpx.post(url, data={"username": email("nobody"), "password": PASSWORD})
    assert_unauthorised(unknown)
    missing = httpx.post(url, data={"username": user.email})
    assert missing.status_code == 422
    assert ["body", "password"] in [e["loc"] for e in missing.json()["detail"]]

    # The email is matched case-insensitively; the answer is a bearer token and a cookie.
    good = httpx.post(url, data={"username": str(user.email).upper(), "password": PASSWORD})
    assert good.status_code == 200, good.text
    body = good.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 12 * 3600
    claims = jwt.decode(body["access_token"], SECRET, algorithms=["HS256"])
    assert claims["sub"] == user.user_id
    assert claims["exp"] - claims["iat"] == 12 * 3600
    cookie = good.headers["set-cookie"]
    assert cookie.startswith(f"learnpath_token={body['access_token']};")
    assert "HttpOnly" in cookie

    empty = {t: 0 for t in TASK_STATUSES}
    by_header = Api(fast_server, body["access_token"]).call("GET", "/tasks", 200)
    assert by_header == {"tasks": [], "total": 0, "status_counts": empty}
    by_cookie = httpx.get(
        f"{fast_server.base_url}/api/v1/roadmaps",
        cookies={"learnpath_token": body["access_token"]},
        timeout=TIMEOUT,
    )
    assert by_cookie.status_code == 200
    assert by_cookie.json() == []


# --------------------------------------------------------------------------- isolation


@dataclass
class Owned:
    """User A's things: a finished roadmap and one waiting for review."""

    done_task: str
    roadmap: str
    review_task: str
    review_roadmap: str
    concept: str
    framework: Json
    job: str
    """A finished document job."""


JOB_OUTLINE = {
    "title": "Indexes",
    "summary": "",
    "nodes": [{"id": "1", "title": "B-trees", "summary": "", "children": []}],
}


@pytest.fixture(scope="module")
def isolation(people: dict[str, Api]) -> Iterator[tuple[Api, Api, Owned]]:
    a, b = people["alice"], people["bob"]
    done_task, roadmap = a.completed_roadmap()
    review_task = a.generate()
    review_roadmap = str(a.wait_review(review_task)["roadmap_id"])
    framework = a.roadmap(roadmap)
    job = a.call("POST", "/jobs/document", 202, json={"outline": JOB_OUTLINE, "word_count": 300})
    assert a.wait(job["job_id"])["status"] == "completed"
    owned = Owned(
        done_task,
        roadmap,
        review_task,
        review_roadmap,
        concepts(framework)[0]["concept_id"],
        framework,
        job["job_id"],
    )
    yield a, b, owned


def foreign_calls(owned: Owned) -> list[tuple[str, str, dict[str, Any]]]:
    """Every route that names a task or roadmap, with A's ids and a valid body."""
    t, r, c = owned.done_task, owned.roadmap, owned.concept
    review = owned.review_task
    content = f"/roadmaps/{r}/concepts/{c}"
    return [
        ("GET", f"/tasks/{t}", {}),
        ("POST", f"/tasks/{review}/cancel", {}),
        ("POST", f"/tasks/{t}/cancel", {}),
        ("POST", f"/tasks/{t}/retry", {}),
        ("POST", f"/tasks/{review}/review", {"json": {"approved": True}}),
        ("GET", f"/tasks/{t}/events", {}),
        ("DELETE", f"/tasks/{t}", {}),
        ("DELETE", f"/tasks/{review}", {}),
        ("GET", f"/roadmaps/{r}", {}),
        ("PUT", f"/roadmaps/{r}/framework", {"json": editable(owned.framework)}),
        ("PUT", f"/roadmaps/{owned.review_roadmap}/framework", {"json": editable(owned.framework)}),
        ("DELETE", f"/roadmaps/{r}", {}),
        ("POST", f"/roadmaps/{r}/restore", {}),
        ("GET", f"/roadmaps/{r}/active-task", {}),
        ("GET", f"/roadmaps/{r}/status-check", {}),
        ("POST", f"{content}/tutorial/retry", {}),
        ("POST", f"{content}/resources/retry", {}),
        ("POST", f"{content}/quiz/retry", {}),
        ("POST", f"/roadmaps/{r}/retry-failed", {}),
        ("POST", f"/roadmaps/{r}/resources/check", {}),
        ("GET", f"{content}/tutorial", {}),
        ("GET", f"{content}/resources", {}),
        ("GET", f"{content}/quiz", {"params": {"version": 1}}),
        ("POST", f"{content}/quiz/attempts", {"json": {"answers": {}}}),
        ("PUT", f"/roadmaps/{r}/progress/{c}", {"json": {"completed": True}}),
        ("GET", f"/roadmaps/{r}/progress", {}),
        ("GET", f"/roadmaps/{r}/reviews", {}),
        ("GET", f"/roadmaps/{r}/intent", {}),
        ("GET", f"/roadmaps/{r}/graph", {"params": {"format": "svg"}}),
        ("GET", f"/roadmaps/{r}/graph", {"params": {"format": "png"}}),
        ("GET", f"/roadmaps/{r}/export", {"params": {"format": "md"}}),
        ("GET", f"/roadmaps/{r}/export", {"params": {"format": "json"}}),
        ("GET", f"/roadmaps/{r}/export", {"params": {"format": "html"}}),
        ("GET", f"/jobs/{owned.job}", {}),
        ("GET", f"/jobs/{owned.job}/events", {}),
        ("POST", f"/jobs/{owned.job}/cancel", {}),
        ("POST", f"/jobs/{owned.job}/retry", {}),
        ("GET", f"/jobs/{owned.job}/document", {"params": {"format": "docx"}}),
        ("GET", f"/tasks/{owned.job}", {}),
    ]


def test_another_users_ids_are_not_found(
    fast_server: Server, isolation: tuple[Api, Api, Owned]
) -> None:
    a, b, owned = isolation
    calls = foreign_calls(owned)
    # Every documented route that takes a task or roadmap id is probed.
    named = {
        (m, p)
        for m, p in api_routes(fast_server)
        if any(name in p for name in ("{task_id}", "{roadmap_id}", "{job_id}"))
    }
    probed = set()
    for method, path in named:
        pattern = re.escape(path.removeprefix("/api/v1"))
        pattern = re.sub(r"\\\{\w+\\\}", "[^/]+", pattern)
        if any(m == method and re.fullmatch(pattern, p) for m, p, _ in calls):
            probed.add((method, path))
    assert probed == named, f"not probed: {sorted(named - probed)}"

    for method, path, kw in calls:
        answer = b.client.request(method, path, **kw)
        assert answer.status_code == 404, f"{method} {path}: {answer.status_code} {answer.text}"
        assert "detail" in answer.json()
    assert ws_close_code(ws_url(fast_server, owned.done_task, b.token)) == 4404

    # None of B's calls changed anything of A's.
    assert a.task(owned.review_task)["status"] == "human_review_pending"
    assert a.task(owned.done_task)["status"] == "completed"
    assert a.call("GET", f"/jobs/{owned.job}", 200)["status"] == "completed"
    after = a.roadmap(owned.roadmap)
    assert editable(after) == editable(owned.framework)
    assert items(after) == items(owned.framework)
    assert after["progress"]["concepts_completed"] == 0
    assert [r["roadmap_id"] for r in a.call("GET", "/roadmaps", 200)] == [
        owned.review_roadmap,
        owned.roadmap,
    ]
    assert a.call("GET", f"/roadmaps/{owned.roadmap}/active-task", 200) == {
        "has_active_task": False,
        "task_id": None,
        "status": None,
        "current_step": None,
        "task_type": None,
        "concept_id": None,
        "content_type": None,
    }


def test_listings_only_show_the_callers_own(isolation: tuple[Api, Api, Owned]) -> None:
    a, b, owned = isolation
    b_task = b.generate()
    b.wait_review(b_task)
    mine = b.call("GET", "/tasks", 200)
    assert [t["task_id"] for t in mine["tasks"]] == [b_task]
    assert mine["total"] == 1
    assert mine["status_counts"]["human_review_pending"] == 1
    assert mine["status_counts"]["completed"] == 0
    assert {t["user_id"] for t in mine["tasks"]} == {b.user_id}
    b_roadmaps = [r["roadmap_id"] for r in b.call("GET", "/roadmaps", 200)]
    assert len(b_roadmaps) == 1
    assert owned.roadmap not in b_roadmaps
    a_tasks = {t["task_id"] for t in a.call("GET", "/tasks", 200)["tasks"]}
    assert b_task not in a_tasks
    assert {owned.done_task, owned.review_task, owned.job} <= a_tasks
    assert b.call("GET", "/jobs", 200) == {"jobs": [], "total": 0}
    assert [j["job_id"] for j in a.call("GET", "/jobs", 200)["jobs"]] == [owned.job]


def test_user_task_listing_is_for_the_user_or_an_admin(
    fast_server: Server, isolation: tuple[Api, Api, Owned]
) -> None:
    a, b, owned = isolation
    (admin,) = create_users(fast_server, "admin", admin=True)
    path = f"/users/{a.user_id}/tasks"

    refused = b.call("GET", path, 403)
    assert "admin" in refused["detail"]

    own = a.call("GET", path, 200)
    as_admin = admin.call("GET", path, 200)
    assert as_admin == own
    a_tasks = {owned.done_task, owned.review_task}
    assert {t["task_id"] for t in as_admin["tasks"]} >= a_tasks
    assert {t["user_id"] for t in as_admin["tasks"]} == {a.user_id}
    assert as_admin["total"] == len(as_admin["tasks"])
    assert sum(as_admin["status_counts"].values()) == as_admin["total"]
    filtered = admin.call(
        "GET", path, 200, params={"status": "human_review_pending", "task_type": "creation"}
    )
    assert [t["task_id"] for t in filtered["tasks"]] == [owned.review_task]
    assert admin.call("GET", path, 422, params={"limit": 201})["detail"][0]["loc"] == [
        "query",
        "limit",
    ]
    # An admin's own listing is still only their own.
    assert admin.call("GET", "/tasks", 200)["total"] == 0
    # A user listing someone else's tasks by id is refused even for an unknown id.
    assert b.call("GET", "/users/user_doesnotexist/tasks", 403)


# --------------------------------------------------------------------------- serve refusals


REFUSALS = {
    "no secret key": ([], {}, "LEARNPATH_SECRET_KEY is not set"),
    "default secret key": ([], {"secret_key": "changeme"}, "default or trivial value"),
    "trivial secret key": ([], {"secret_key": "a" * 40}, "default or trivial value"),
    "short secret key": ([], {"secret_key": "Kx8-vQ2zT"}, "at least 32 characters"),
    "local on every interface": (
        ["--local", "--host", "0.0.0.0"],
        {},
        "only binds a loopback address, not 0.0.0.0",
    ),
}


def test_serve_refuses_an_unsafe_configuration(tmp_path: Path) -> None:
    started = {}
    for name, (args, settings, _) in REFUSALS.items():
        env = server_env(tmp_path / name.replace(" ", "-"), **settings)
        if "secret_key" not in settings:
            env.pop("LEARNPATH_SECRET_KEY")
        env["COLUMNS"] = "500"
        started[name] = subprocess.Popen(
            [LEARNPATH, "serve", "--port", str(free_port()), *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    try:
        for name, process in started.items():
            try:
                out, err = process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                pytest.fail(f"{name}: learnpath serve started instead of refusing")
            said = " ".join((out + err).decode().split())
            assert process.returncode == 2, f"{name}: exit {process.returncode}: {said}"
            assert REFUSALS[name][2] in said, f"{name}: {said}"
            assert "error:" in said
            assert "Traceback" not in said
    finally:
        for process in started.values():
            if process.poll() is None:
                process.kill()
                process.wait()


def test_local_mode_needs_no_token(tmp_path: Path) -> None:
    # An empty secret key, which server mode refuses: the loopback single-user mode never
    # issues or checks tokens, so it does not need one.
    with running_server(tmp_path, local=True, secret_key="") as server:
        anyone = Api(server)
        assert anyone.call("GET", "/tasks", 200)["total"] == 0
        task_id, roadmap_id = anyone.completed_roadmap()
        assert anyone.task(task_id)["user_id"] is None
        assert anyone.roadmap(roadmap_id)["roadmap_id"] == roadmap_id
        events = anyone.get(f"/tasks/{task_id}/events")
        assert events.status_code == 200
        assert "event: completed" in events.text
        assert ws_close_code(ws_url(server, "task_unknown")) == 4404
        messages, code = ws_session(ws_url(server, task_id))
        assert code == 1000
        assert messages[0] == {"type": "connected", "task": anyone.task(task_id)}
        assert (messages[1]["seq"], messages[-1]["type"]) == (1, "completed")
        # A bogus token is simply not needed (and not checked) here.
        noisy = Api(server, "whatever")
        assert noisy.call("GET", "/roadmaps", 200)[0]["roadmap_id"] == roadmap_id
        # Being on this machine is the credential here, so a page of another site that the
        # user's browser shows may not read the events (browsers always send Origin).
        with (
            connect(ws_url(server, task_id), origin="https://evil.example") as socket,
            pytest.raises(ConnectionClosed) as refused,
        ):
            socket.recv(timeout=10)
        assert refused.value.rcvd is not None
        assert (refused.value.rcvd.code, refused.value.rcvd.reason) == (4403, "origin not allowed")
        messages, code = ws_session_from(ws_url(server, task_id), server.base_url)
        assert code == 1000 and messages[-1]["type"] == "completed"
        # Nor may it through a name of its own that resolves to this machine (DNS rebinding).
        rebound = anyone.get("/tasks", headers={"Host": "evil.example:8000"})
        assert rebound.status_code == 400
        for name in ("localhost", "127.0.0.1"):
            assert anyone.get("/tasks", headers={"Host": f"{name}:8000"}).status_code == 200


def test_login_password_is_not_a_default(fast_server: Server) -> None:
    """There is no built-in account: a fresh server knows no user at all."""
    for username in ("admin", "admin@example.com"):
        for password in ("admin", "changeme"):
            answer = httpx.post(
                f"{fast_server.base_url}/api/v1/auth/token",
                data={"username": username, "password": password},
                timeout=TIMEOUT,
            )
            assert answer.status_code == 401, (username, password)
