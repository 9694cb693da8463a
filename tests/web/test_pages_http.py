"""The web routes' failure paths over plain HTTP: sign-in redirects, someone else's task or
roadmap, bad form input, and CSRF rejection (forms and cookie-authenticated API calls)."""

from __future__ import annotations

import httpx
import pytest

from learnpath.web.csrf import CSRF_COOKIE
from tests.api.conftest import PASSWORD, SMALL, TIMEOUT, Api, create_users
from tests.support.server import Server

pytestmark = pytest.mark.slow


def browser_like(server: Server, api: Api | None = None) -> httpx.Client:
    """A client with the cookies a browser would hold: the CSRF cookie from a page, and the
    session cookie after signing in through the sign-in form."""
    client = httpx.Client(base_url=server.base_url, timeout=TIMEOUT)
    client.get("/signin")
    assert client.cookies.get(CSRF_COOKIE)
    if api is not None:
        answer = client.post(
            "/signin",
            data={"email": api.email, "password": PASSWORD, "csrf_token": token(client)},
        )
        assert answer.status_code == 303, answer.text
    return client


def token(client: httpx.Client) -> str:
    return str(client.cookies.get(CSRF_COOKIE))


@pytest.fixture(scope="module")
def two(accounts_server: Server) -> tuple[Api, Api]:
    owner, other = create_users(accounts_server, "web-owner", "web-other")
    return owner, other


@pytest.mark.parametrize("path", ["/", "/tasks", "/roadmaps", "/new", "/tasks/task_x"])
def test_pages_need_sign_in(accounts_server: Server, path: str) -> None:
    answer = httpx.get(f"{accounts_server.base_url}{path}", timeout=TIMEOUT)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/signin?next=")


def test_wrong_password_is_401_with_the_message(
    accounts_server: Server, two: tuple[Api, Api]
) -> None:
    client = browser_like(accounts_server)
    answer = client.post(
        "/signin", data={"email": two[0].email, "password": "nope", "csrf_token": token(client)}
    )
    assert answer.status_code == 401
    assert "Wrong email or password." in answer.text


def test_someone_elses_task_and_roadmap_are_404_pages(
    accounts_server: Server, two: tuple[Api, Api]
) -> None:
    owner, other = two
    task_id, roadmap_id = owner.completed_roadmap(SMALL)
    client = browser_like(accounts_server, other)
    for path in (f"/tasks/{task_id}", f"/roadmaps/{roadmap_id}", f"/tasks/{task_id}/live"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert answer.headers["content-type"].startswith("text/html")
        assert "Not found" in answer.text
    cancel = client.post(f"/tasks/{task_id}/cancel", data={"csrf_token": token(client)})
    assert cancel.status_code == 404
    mine = browser_like(accounts_server, owner)
    page = mine.get(f"/roadmaps/{roadmap_id}")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert (
        mine.post(f"/tasks/{task_id}/cancel", data={"csrf_token": token(mine)}).status_code == 409
    )


def test_bad_form_input_is_422_with_the_field_message(
    accounts_server: Server, two: tuple[Api, Api]
) -> None:
    client = browser_like(accounts_server, two[0])
    answer = client.post(
        "/new",
        data={
            "goal": "Learn SQL",
            "hours_per_week": "500",
            "language": "en",
            "csrf_token": token(client),
        },
    )
    assert answer.status_code == 422
    assert 'id="hours_per_week-error"' in answer.text
    assert "Hours per week must be between 1 and 80" in answer.text


def test_csrf_rejections(accounts_server: Server, two: tuple[Api, Api]) -> None:
    client = browser_like(accounts_server, two[0])
    form = client.post("/new", data={"goal": "Learn SQL", "csrf_token": "forged"})
    assert form.status_code == 403
    assert "Form expired" in form.text
    assert client.post("/new", data={"goal": "Learn SQL"}).status_code == 403

    api = "/api/v1/roadmaps/generate"
    no_header = client.post(api, json=SMALL)
    assert no_header.status_code == 403
    assert "CSRF" in no_header.json()["detail"]
    forged = client.post(api, json=SMALL, headers={"X-CSRF-Token": "forged"})
    assert forged.status_code == 403
    cross_site = httpx.post(
        f"{accounts_server.base_url}{api}",
        json=SMALL,
        headers={"Origin": "https://evil.example"},
        timeout=TIMEOUT,
    )
    assert cross_site.status_code == 403
    accepted = client.post(api, json=SMALL, headers={"X-CSRF-Token": token(client)})
    assert accepted.status_code == 202, accepted.text
    assert client.get("/api/v1/tasks").status_code == 200, "reads need no token"
    bearer = two[0].post("/roadmaps/generate", json=SMALL)
    assert bearer.status_code == 202, "bearer clients are not affected"
