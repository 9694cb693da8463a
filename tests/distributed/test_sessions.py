"""Sign-in throttling and sessions across two API processes on PostgreSQL and Redis: the
failure counts live in Redis, so both processes count the same failures; a session ended on
one process is refused by the other at once; a stream ticket is good once, whichever process
it is shown to."""

from __future__ import annotations

from contextlib import ExitStack

import httpx
import pytest

from tests.api.conftest import PASSWORD, TIMEOUT, Api, create_users, login
from tests.support.cluster import Cluster


@pytest.fixture
def cluster_settings() -> dict[str, str]:
    return {"login_max_failures": "4", "login_window_s": "120"}


def attempt(base_url: str, email: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{base_url}/api/v1/auth/token",
        data={"username": email, "password": password},
        timeout=TIMEOUT,
    )


def test_two_api_processes_share_throttle_and_sessions(cluster: Cluster) -> None:
    with ExitStack() as stack:
        a = stack.enter_context(cluster.server())
        b = stack.enter_context(cluster.server())
        on_a, other = create_users(a, "shared-throttle", "shared-session")
        assert on_a.email and other.email

        # Two failures on each process fill the account's window of four.
        codes = [attempt(s.base_url, on_a.email, "wrong password").status_code for s in (a, b)]
        codes += [attempt(s.base_url, on_a.email, "wrong password").status_code for s in (a, b)]
        assert codes == [401, 401, 401, 401]
        for server in (a, b):
            refused = attempt(server.base_url, on_a.email, PASSWORD)
            assert refused.status_code == 429, refused.text
            assert 1 <= int(refused.headers["retry-after"]) <= 120
        assert attempt(b.base_url, other.email, PASSWORD).status_code == 200

        # Signed out on A: refused on B too, as header and as cookie.
        token = login(b, other.email)
        on_b = Api(b, token)
        assert on_b.get("/auth/me").status_code == 200
        assert Api(a, token).post("/auth/logout").status_code == 204
        assert on_b.get("/auth/me").status_code == 401
        cookie = httpx.get(
            f"{b.base_url}/api/v1/tasks", cookies={"learnpath_token": token}, timeout=TIMEOUT
        )
        assert cookie.status_code == 401
        assert other.call("GET", "/auth/me", 200)["email"] == other.email

        # A ticket taken on A is good once, on B.
        ticket = other.call("POST", "/auth/ticket", 200)["ticket"]
        task_id = other.generate(auto_approve=True)
        events = f"/api/v1/tasks/{task_id}/events"
        # No worker runs it, so its stream stays open: the answer's status is what counts.
        with httpx.stream(
            "GET", f"{b.base_url}{events}", params={"ticket": ticket}, timeout=TIMEOUT
        ) as first:
            assert first.status_code == 200
        again = httpx.get(f"{a.base_url}{events}", params={"ticket": ticket}, timeout=TIMEOUT)
        assert again.status_code == 401
