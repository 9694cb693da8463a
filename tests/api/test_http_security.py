"""Authentication and HTTP security over real HTTP (issue 12): sign-in throttling that leaves
other requests fast, no token in any log line, revocable sessions (sign-out, password
change), the session cookie's attributes behind a trusted proxy, the WebSocket's origin
check, security headers, CORS, the Swagger UI without a CDN, and the metrics token."""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.api.conftest import PASSWORD, SMALL, TIMEOUT, Api, Json, create_users, email, login
from tests.support.server import (
    LEARNPATH,
    METRICS_AUTH,
    METRICS_TOKEN,
    Server,
    free_port,
    running_server,
    server_env,
)

pytestmark = pytest.mark.slow

TOKEN_URL = "/api/v1/auth/token"


def ws_base(server: Server) -> str:
    return server.base_url.replace("http://", "ws://")


def ws_read(url: str, **options: object) -> tuple[list[Json], int, str]:
    """Connect, read until the server closes: the messages, close code and close reason."""
    messages: list[Json] = []
    with connect(url, open_timeout=10, **options) as socket:
        try:
            while True:
                messages.append(json.loads(socket.recv(timeout=20)))
        except ConnectionClosed as closed:
            assert closed.rcvd is not None, "closed without a close frame"
            return messages, closed.rcvd.code, closed.rcvd.reason
    raise AssertionError("unreachable")


def sse_events(server: Server, task_id: str, **kw: object) -> httpx.Response:
    return httpx.get(
        f"{server.base_url}/api/v1/tasks/{task_id}/events",
        timeout=TIMEOUT,
        **kw,
    )


def browser_sign_in(server: Server, address: str, password: str = PASSWORD) -> httpx.Client:
    """A client holding what a browser would after the sign-in form: CSRF and login cookie."""
    client = httpx.Client(base_url=server.base_url, timeout=TIMEOUT)
    client.get("/signin")
    answer = client.post(
        "/signin",
        data={
            "email": address,
            "password": password,
            "csrf_token": client.cookies["learnpath_csrf"],
        },
    )
    assert answer.status_code == 303, answer.text
    assert client.cookies.get("learnpath_token")
    return client


# --------------------------------------------------------------------------- throttling


class Latency(threading.Thread):
    """``GET /healthz`` one after another until stopped: each one's seconds."""

    def __init__(self, server: Server) -> None:
        super().__init__(daemon=True)
        self.client = httpx.Client(base_url=server.base_url, timeout=TIMEOUT)
        self.stopped = threading.Event()
        self.seconds: list[float] = []

    def run(self) -> None:
        while not self.stopped.is_set():
            started = time.perf_counter()
            answer = self.client.get("/healthz")
            self.seconds.append(time.perf_counter() - started)
            assert answer.status_code == 200
            time.sleep(0.005)

    def stop(self) -> list[float]:
        self.stopped.set()
        self.join(timeout=30)
        return self.seconds


def figures(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    return (
        f"n={len(ms)} median={statistics.median(ms):.1f} ms "
        f"p95={ms[int(len(ms) * 0.95) - 1]:.1f} ms max={ms[-1]:.1f} ms"
    )


SIGN_IN_TIMEOUT = httpx.Timeout(180, connect=10)
"""A sign-in waits for every password hash queued before its own: the server hashes one at a
time on a low-priority thread (its event loop comes first), so 14 at once on a 2-core machine
busy with the rest of the suite took more than TIMEOUT's 30 s for the last of them."""


def attempt(server: Server, address: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{server.base_url}{TOKEN_URL}",
        data={"username": address, "password": password},
        timeout=SIGN_IN_TIMEOUT,
    )


def assert_throttled(answer: httpx.Response, window_s: int = 900) -> None:
    assert answer.status_code == 429, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    assert "too many failed sign-ins" in answer.json()["detail"]
    assert 1 <= int(answer.headers["retry-after"]) <= window_s
    assert "set-cookie" not in answer.headers


def test_login_throttling_per_account_and_address_keeps_other_requests_fast(
    tmp_path: Path,
) -> None:
    """The defaults: 10 failures per account, 30 per address, in 15 minutes."""
    with running_server(tmp_path) as server:
        victim, bystander = create_users(server, "victim", "bystander")
        assert victim.email and bystander.email
        quiet = Latency(server)
        quiet.start()
        time.sleep(1.0)
        baseline = quiet.stop()

        busy = Latency(server)
        busy.start()
        # 14 guesses at once: every one is checked (none had failed yet), but only the 10
        # that fit in the account's window get a real answer.
        with ThreadPoolExecutor(14) as pool:
            guesses = list(
                pool.map(lambda n: attempt(server, victim.email, f"guess-{n}!"), range(14))
            )
        codes = sorted(a.status_code for a in guesses)
        assert codes == [401] * 10 + [429] * 4, codes
        for answer in guesses:
            if answer.status_code == 429:
                assert_throttled(answer)
        # Now even the right password is refused, before any hashing.
        assert_throttled(attempt(server, victim.email, PASSWORD))
        # Another account from the same address still signs in: 10 of the address's 30.
        assert attempt(server, bystander.email, PASSWORD).status_code == 200

        # The address: 20 more failures fit, on accounts that exist or not.
        with ThreadPoolExecutor(8) as pool:
            sprayed = list(
                pool.map(lambda n: attempt(server, email(f"nobody{n}"), "x" * 12), range(26))
            )
        codes = sorted(a.status_code for a in sprayed)
        assert codes == [401] * 20 + [429] * 6, codes
        during = busy.stop()

        # Now nobody signs in from this address, by the API or by the web form.
        assert_throttled(attempt(server, bystander.email, PASSWORD))
        web = httpx.Client(base_url=server.base_url, timeout=TIMEOUT)
        web.get("/signin")
        form = {
            "email": bystander.email,
            "password": PASSWORD,
            "csrf_token": web.cookies["learnpath_csrf"],
        }
        page = web.post("/signin", data=form)
        assert page.status_code == 429
        assert 1 <= int(page.headers["retry-after"]) <= 900
        assert "Too many failed sign-ins" in page.text
        assert "learnpath_token" not in web.cookies
        # Tokens issued before keep working: the throttle is about sign-ins only.
        assert bystander.call("GET", "/tasks", 200)["total"] == 0

    print(f"\n/healthz alone: {figures(baseline)}")
    print(f"/healthz during 40 concurrent failing sign-ins: {figures(during)}")
    assert len(during) >= 5


def test_web_sign_in_failures_are_throttled_per_account(tmp_path: Path) -> None:
    with running_server(tmp_path, login_max_failures="3", login_window_s="60") as server:
        (user,) = create_users(server, "web-throttled")
        web = httpx.Client(base_url=server.base_url, timeout=TIMEOUT)
        web.get("/signin")
        csrf = web.cookies["learnpath_csrf"]
        answers = [
            web.post("/signin", data={"email": user.email, "password": "nope", "csrf_token": csrf})
            for _ in range(4)
        ]
        assert [a.status_code for a in answers] == [401, 401, 401, 429]
        assert 1 <= int(answers[-1].headers["retry-after"]) <= 60
        # The API counts the same failures (one throttle for both ways in).
        assert_throttled(attempt(server, str(user.email), PASSWORD), 60)


# --------------------------------------------------------------------------- logs


def test_a_whole_session_leaves_no_token_in_the_log(tmp_path: Path) -> None:
    """At the most verbose level, where uvicorn logs WebSocket paths with their query and
    the request headers: login, SSE (header, ``?token=``, ticket), WebSocket (``?token=``,
    ticket, cookie), metrics, logout, and a revoked token tried again."""
    secrets_seen: list[str] = [METRICS_TOKEN]
    with running_server(tmp_path, log_level="debug") as server:
        assert server.log_path is not None
        (user,) = create_users(server, "logged")
        assert user.token
        secrets_seen.append(user.token)
        task_id = user.generate(auto_approve=True)
        assert user.wait(task_id)["status"] == "completed"
        bearer = {"Authorization": f"Bearer {user.token}"}

        assert "event: completed" in sse_events(server, task_id, headers=bearer).text
        by_query = sse_events(server, task_id, params={"token": user.token})
        assert "event: completed" in by_query.text
        ticket = user.call("POST", "/auth/ticket", 200)["ticket"]
        secrets_seen.append(ticket)
        assert "event: completed" in sse_events(server, task_id, params={"ticket": ticket}).text

        messages, code, _ = ws_read(f"{ws_base(server)}/api/v1/ws/{task_id}?token={user.token}")
        assert code == 1000 and messages[-1]["type"] == "completed"
        ticket = user.call("POST", "/auth/ticket", 200)["ticket"]
        secrets_seen.append(ticket)
        messages, code, _ = ws_read(f"{ws_base(server)}/api/v1/ws/{task_id}?ticket={ticket}")
        assert code == 1000 and messages[-1]["type"] == "completed"
        cookie = {"Cookie": f"learnpath_token={user.token}"}
        messages, code, _ = ws_read(
            f"{ws_base(server)}/api/v1/ws/{task_id}", additional_headers=cookie
        )
        assert code == 1000

        web = browser_sign_in(server, str(user.email))
        secrets_seen.append(web.cookies["learnpath_token"])
        assert web.get("/tasks").status_code == 200
        assert httpx.get(f"{server.base_url}/metrics", headers=METRICS_AUTH).status_code == 200

        assert user.post("/auth/logout").status_code == 204
        assert sse_events(server, task_id, params={"token": user.token}).status_code == 401
        _, code, _ = ws_read(f"{ws_base(server)}/api/v1/ws/{task_id}?token={user.token}")
        assert code == 4401
        # A failing request whose error names the URL: still no token in the log.
        httpx.get(f"{server.base_url}/api/v1/tasks/x?token={user.token}", timeout=TIMEOUT)
    log = server.log_path.read_text()
    assert '"WebSocket /api/v1/ws/' in log, "uvicorn logged no WebSocket line at debug level"
    assert "token=[redacted]" in log and "ticket=[redacted]" in log
    for secret in secrets_seen:
        assert secret not in log
        # Nor any part that would let someone rebuild it (a JWT's signature).
        assert secret.rsplit(".", 1)[-1] not in log
    assert not re.search(r"eyJ[A-Za-z0-9_-]{10,}\.", log)


# --------------------------------------------------------------------------- sessions


def test_me_and_logout_end_only_this_session(fast_server: Server) -> None:
    (user,) = create_users(fast_server, "logout")
    assert user.email
    me = user.call("GET", "/auth/me", 200)
    assert me == {"user_id": user.user_id, "email": user.email, "is_admin": False}
    other = Api(fast_server, login(fast_server, user.email))
    cookie = {"learnpath_token": str(user.token)}
    assert httpx.get(f"{fast_server.base_url}/api/v1/tasks", cookies=cookie).status_code == 200

    answer = user.post("/auth/logout")
    assert answer.status_code == 204
    assert "learnpath_token=" in answer.headers["set-cookie"]
    assert "Max-Age=0" in answer.headers["set-cookie"]
    # The token is dead as header and as cookie, on every route and stream.
    assert user.get("/tasks").status_code == 401
    assert user.get("/auth/me").status_code == 401
    assert user.post("/auth/logout").status_code == 401
    assert httpx.get(f"{fast_server.base_url}/api/v1/tasks", cookies=cookie).status_code == 401
    pages = httpx.get(f"{fast_server.base_url}/tasks", cookies=cookie)
    assert pages.status_code == 303 and pages.headers["location"].startswith("/signin")
    # The user's other session goes on.
    assert other.call("GET", "/auth/me", 200)["user_id"] == user.user_id


def test_web_sign_out_ends_the_session(fast_server: Server) -> None:
    (user,) = create_users(fast_server, "signout")
    web = browser_sign_in(fast_server, str(user.email))
    token = web.cookies["learnpath_token"]
    assert Api(fast_server, token).get("/tasks").status_code == 200
    cookie = web.cookies["learnpath_csrf"]
    assert web.post("/signout", data={"csrf_token": cookie}).status_code == 303
    assert "learnpath_token" not in web.cookies
    assert Api(fast_server, token).get("/tasks").status_code == 401
    replayed = httpx.get(
        f"{fast_server.base_url}/tasks", cookies={"learnpath_token": token}, timeout=TIMEOUT
    )
    assert replayed.status_code == 303
    assert user.get("/tasks").status_code == 200, "the API session is another one"


def test_a_password_change_ends_every_session(fast_server: Server) -> None:
    (user,) = create_users(fast_server, "passwd")
    assert user.email and user.token
    second = login(fast_server, user.email)
    web = browser_sign_in(fast_server, user.email)
    cookie_token = web.cookies["learnpath_token"]

    new = "a brand new passphrase"
    done = subprocess.run(
        [LEARNPATH, "users", "passwd", user.email.upper()],
        env={**fast_server.env, "COLUMNS": "200"},
        input=new + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert f"password changed for {user.email}" in done.stdout
    assert "3 sessions ended" in done.stdout

    for token in (user.token, second, cookie_token):
        assert Api(fast_server, token).get("/tasks").status_code == 401
        as_cookie = httpx.get(
            f"{fast_server.base_url}/api/v1/tasks", cookies={"learnpath_token": token}
        )
        assert as_cookie.status_code == 401
    assert web.get("/tasks").status_code == 303
    assert attempt(fast_server, user.email, PASSWORD).status_code == 401
    fresh = Api(fast_server, login(fast_server, user.email, new))

    # The same over the API: the current password must be right; then every session ends.
    other = login(fast_server, user.email, new)
    wrong = fresh.post(
        "/auth/password", json={"current_password": "not it at all", "new_password": "x" * 12}
    )
    assert wrong.status_code == 403
    short = fresh.post("/auth/password", json={"current_password": new, "new_password": "short"})
    assert short.status_code == 422
    changed = fresh.post(
        "/auth/password", json={"current_password": new, "new_password": "third passphrase"}
    )
    assert changed.status_code == 204
    assert fresh.get("/tasks").status_code == 401
    assert Api(fast_server, other).get("/tasks").status_code == 401
    assert login(fast_server, user.email, "third passphrase")

    unknown = subprocess.run(
        [LEARNPATH, "users", "passwd", email("nobody")],
        env=fast_server.env,
        input=new + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert unknown.returncode == 1 and "no user with email" in unknown.stderr


def test_tickets_are_single_use_and_only_for_streams(fast_server: Server) -> None:
    (user,) = create_users(fast_server, "ticket")
    task_id, _ = user.completed_roadmap()
    issued = user.call("POST", "/auth/ticket", 200)
    assert set(issued) == {"ticket", "expires_in"} and 0 < issued["expires_in"] <= 60
    ticket = issued["ticket"]
    assert sse_events(fast_server, task_id, params={"ticket": ticket}).status_code == 200
    assert sse_events(fast_server, task_id, params={"ticket": ticket}).status_code == 401
    # Not a bearer token, nor good anywhere but the streams.
    assert Api(fast_server, ticket).get("/tasks").status_code == 401
    assert (
        httpx.get(
            f"{fast_server.base_url}/api/v1/tasks", params={"ticket": ticket, "token": user.token}
        ).status_code
        == 401
    ), "no credentials in the URL of an ordinary route"

    ticket = user.call("POST", "/auth/ticket", 200)["ticket"]
    url = f"{ws_base(fast_server)}/api/v1/ws/{task_id}?ticket={ticket}"
    messages, code, _ = ws_read(url)
    assert code == 1000 and messages[-1]["type"] == "completed"
    _, code, reason = ws_read(url)
    assert (code, reason) == (4401, "not authenticated")
    # A ticket dies with its session.
    ticket = user.call("POST", "/auth/ticket", 200)["ticket"]
    assert user.post("/auth/logout").status_code == 204
    assert sse_events(fast_server, task_id, params={"ticket": ticket}).status_code == 401


# --------------------------------------------------------------------------- cookie, proxies


def client_from(server: Server, source: str) -> httpx.Client:
    """A client whose connections come from ``source`` (a loopback address)."""
    return httpx.Client(
        base_url=server.base_url,
        timeout=TIMEOUT,
        transport=httpx.HTTPTransport(local_address=source),
    )


def cookie_attributes(answer: httpx.Response, name: str) -> set[str]:
    for header in answer.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return {part.strip().split("=")[0].lower() for part in header.split(";")[1:]} | {
                part.strip().lower() for part in header.split(";")[1:] if "samesite" in part.lower()
            }
    raise AssertionError(f"no {name} cookie set: {answer.headers.get_list('set-cookie')}")


def test_cookie_is_secure_only_behind_a_trusted_proxy(tmp_path: Path) -> None:
    with running_server(tmp_path, forwarded_allow_ips="127.0.0.2") as server:
        (user,) = create_users(server, "proxied")
        form = {"username": user.email, "password": PASSWORD}
        https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}

        trusted = client_from(server, "127.0.0.2")
        answer = trusted.post(TOKEN_URL, data=form, headers=https)
        assert answer.status_code == 200, answer.text
        assert {"secure", "httponly", "samesite=lax", "path", "max-age"} <= cookie_attributes(
            answer, "learnpath_token"
        )
        assert answer.headers["strict-transport-security"].startswith("max-age=")
        page = trusted.get("/signin", headers=https)
        assert "secure" in cookie_attributes(page, "learnpath_csrf")

        # The same header from an address that is not a trusted proxy is not believed.
        untrusted = client_from(server, "127.0.0.1")
        answer = untrusted.post(TOKEN_URL, data=form, headers=https)
        assert answer.status_code == 200
        attributes = cookie_attributes(answer, "learnpath_token")
        assert "secure" not in attributes and {"httponly", "samesite=lax"} <= attributes
        assert "strict-transport-security" not in answer.headers
        page = untrusted.get("/signin", headers=https)
        assert "secure" not in cookie_attributes(page, "learnpath_csrf")


# --------------------------------------------------------------------------- WebSocket origin


def test_websocket_with_a_cookie_from_a_foreign_origin_is_refused(fast_server: Server) -> None:
    (user,) = create_users(fast_server, "origin")
    task_id, _ = user.completed_roadmap()
    url = f"{ws_base(fast_server)}/api/v1/ws/{task_id}"
    cookie = {"Cookie": f"learnpath_token={user.token}"}

    messages, code, reason = ws_read(url, origin="https://evil.example", additional_headers=cookie)
    assert (messages, code, reason) == ([], 4403, "origin not allowed")
    # The server's own pages may; so may a client that is no browser (no Origin at all).
    messages, code, _ = ws_read(url, origin=fast_server.base_url, additional_headers=cookie)
    assert code == 1000 and messages[-1]["type"] == "completed"
    messages, code, _ = ws_read(url, additional_headers=cookie)
    assert code == 1000
    # A token the page put in the URL itself is no ambient credential: any origin may.
    messages, code, _ = ws_read(f"{url}?token={user.token}", origin="https://evil.example")
    assert code == 1000


def test_bad_websocket_query_values_close_with_a_reason(fast_server: Server) -> None:
    (user,) = create_users(fast_server, "ws-query")
    base = f"{ws_base(fast_server)}/api/v1/ws/task_x?token={user.token}"
    for query, field in (("&after=soon", "after"), ("&include_history=maybe", "include_history")):
        messages, code, reason = ws_read(base + query)
        assert (messages, code) == ([], 4422), (query, code, reason)
        assert reason.startswith(f"{field}: "), reason
    _, code, reason = ws_read(f"{ws_base(fast_server)}/api/v1/ws/task_x?token=garbage")
    assert (code, reason) == (4401, "not authenticated")


# --------------------------------------------------------------------------- headers, CORS, docs

HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


def test_security_headers_on_every_response(fast_server: Server) -> None:
    anonymous = httpx.Client(base_url=fast_server.base_url, timeout=TIMEOUT)
    answers = {
        "health": anonymous.get("/healthz"),
        "api 401": anonymous.get("/api/v1/tasks"),
        "api 404": anonymous.get("/api/v1/nothing-here"),
        "login 422": anonymous.post(TOKEN_URL, data={}),
        "openapi": anonymous.get("/openapi.json"),
        "sign-in page": anonymous.get("/signin"),
        "redirect": anonymous.get("/tasks"),
        "static": anonymous.get("/static/app.css"),
        "docs": anonymous.get("/docs"),
        "metrics 401": anonymous.get("/metrics"),
    }
    for name, answer in answers.items():
        for header, value in HEADERS.items():
            assert answer.headers.get(header) == value, (name, header, answer.headers)
        policy = answer.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy, (name, policy)
        assert "default-src 'self'" in policy and "object-src 'none'" in policy, (name, policy)
        assert "unsafe-inline" not in policy.split("style-src")[0], (name, policy)
        assert "strict-transport-security" not in answer.headers, name  # plain HTTP here
    assert answers["sign-in page"].status_code == 200
    assert "script-src 'self';" in answers["sign-in page"].headers["content-security-policy"]


def test_docs_are_served_without_a_cdn(fast_server: Server) -> None:
    page = httpx.get(f"{fast_server.base_url}/docs", timeout=TIMEOUT)
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources), sources
    assert "<script>" not in page.text, "an inline script would need 'unsafe-inline'"
    for source in sources:
        asset = httpx.get(f"{fast_server.base_url}{source}", timeout=TIMEOUT)
        assert asset.status_code == 200, source
    bundle = httpx.get(f"{fast_server.base_url}/docs/assets/swagger-ui-bundle.js", timeout=TIMEOUT)
    assert bundle.headers["content-type"].startswith("text/javascript")
    assert len(bundle.content) > 100_000
    assert httpx.get(f"{fast_server.base_url}/docs/assets/index.html").status_code == 404
    assert httpx.get(f"{fast_server.base_url}/redoc").status_code in (303, 404)


@pytest.fixture(scope="module")
def cors_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("cors")
    origins = "https://app.example.com, http://localhost:5173"
    with running_server(home, cors_origins=origins, docs="false") as server:
        yield server


def preflight(server: Server, origin: str) -> httpx.Response:
    return httpx.options(
        f"{server.base_url}/api/v1/tasks",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
        timeout=TIMEOUT,
    )


def test_cors_preflight_for_a_configured_origin_only(
    cors_server: Server, fast_server: Server
) -> None:
    allowed = preflight(cors_server, "https://app.example.com")
    assert allowed.status_code == 200, allowed.text
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    assert allowed.headers["access-control-allow-credentials"] == "true"
    assert "POST" in allowed.headers["access-control-allow-methods"]
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    assert allowed.headers["x-content-type-options"] == "nosniff"

    for refused in (
        preflight(cors_server, "https://evil.example"),
        preflight(cors_server, "https://app.example.com.evil.example"),
        preflight(fast_server, "https://app.example.com"),  # no origin configured at all
    ):
        assert refused.status_code >= 400, refused.text
        assert "access-control-allow-origin" not in refused.headers

    (user,) = create_users(cors_server, "cors")
    answer = httpx.get(
        f"{cors_server.base_url}/api/v1/tasks",
        headers={"Origin": "http://localhost:5173", "Authorization": f"Bearer {user.token}"},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "x-request-id" in answer.headers["access-control-expose-headers"].lower()
    foreign = httpx.get(
        f"{cors_server.base_url}/api/v1/tasks",
        headers={"Origin": "https://evil.example", "Authorization": f"Bearer {user.token}"},
        timeout=TIMEOUT,
    )
    assert "access-control-allow-origin" not in foreign.headers

    # A configured origin's page may also open the WebSocket with the cookie.
    task_id = user.generate(SMALL, auto_approve=True)
    user.wait(task_id)
    _, code, _ = ws_read(
        f"{ws_base(cors_server)}/api/v1/ws/{task_id}",
        origin="https://app.example.com",
        additional_headers={"Cookie": f"learnpath_token={user.token}"},
    )
    assert code == 1000


def test_docs_can_be_switched_off(cors_server: Server) -> None:
    assert httpx.get(f"{cors_server.base_url}/docs", timeout=TIMEOUT).status_code in (303, 404)
    assert httpx.get(f"{cors_server.base_url}/docs/assets/swagger-ui.css").status_code == 404
    assert httpx.get(f"{cors_server.base_url}/openapi.json").status_code == 200


def test_serve_refuses_a_wildcard_cors_origin(tmp_path: Path) -> None:
    for bad in ("*", "https://app.example.com/path", "app.example.com"):
        env = {**server_env(tmp_path, cors_origins=bad), "COLUMNS": "300"}
        done = subprocess.run(
            [LEARNPATH, "serve", "--port", str(free_port())],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=30,
        )
        said = " ".join((done.stdout + done.stderr).split())
        assert done.returncode == 2 and "cors_origins" in said and "not an origin" in said, said


# --------------------------------------------------------------------------- metrics


def test_metrics_need_the_metrics_token(fast_server: Server) -> None:
    url = f"{fast_server.base_url}/metrics"
    (user,) = create_users(fast_server, "metrics-token")
    for headers in (
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Bearer {user.token}"},  # a login token is not the metrics token
        {"Authorization": f"Basic {METRICS_TOKEN}"},
    ):
        answer = httpx.get(url, headers=headers, timeout=TIMEOUT)
        assert answer.status_code == 401, (headers, answer.text)
        assert answer.json() == {"detail": "not authenticated"}
        assert answer.headers["www-authenticate"] == "Bearer"
    answer = httpx.get(url, headers=METRICS_AUTH, timeout=TIMEOUT)
    assert answer.status_code == 200
    assert "learnpath_tasks" in answer.text


def test_metrics_are_closed_without_a_token_setting(tmp_path: Path) -> None:
    with running_server(tmp_path, metrics_token="") as server:
        assert httpx.get(f"{server.base_url}/metrics", timeout=TIMEOUT).status_code == 401
        answer = httpx.get(f"{server.base_url}/metrics", headers={"Authorization": "Bearer x"})
        assert answer.status_code == 401
