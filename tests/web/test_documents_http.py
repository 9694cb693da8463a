"""The Documents pages' form handlers over plain HTTP (docs/contract.md §7): sign-in, refused
uploads and prompts that create nothing, someone else's job as a 404 page, the session
cookie reaching the jobs API (downloads), and forms' addresses answering a reload."""

from __future__ import annotations

import httpx
import pytest

from learnpath.domain.jobs import MAX_FILE_BYTES
from tests.api.conftest import Api, create_users
from tests.support.server import Server
from tests.web.test_pages_http import browser_like, token

pytestmark = pytest.mark.slow
PROMPT = "A short guide to database indexes"


@pytest.fixture(scope="module")
def two(accounts_server: Server) -> tuple[Api, Api]:
    owner, other = create_users(accounts_server, "docs-owner", "docs-other")
    return owner, other


@pytest.fixture(scope="module")
def job_id(two: tuple[Api, Api]) -> str:
    accepted = two[0].call("POST", "/jobs/outline", 202, json={"task_prompt": PROMPT})
    return str(accepted["job_id"])


def total(api: Api) -> int:
    return int(api.call("GET", "/jobs", 200)["total"])


@pytest.mark.parametrize("path", ["/documents", "/documents/new", "/documents/job_x"])
def test_documents_need_sign_in(accounts_server: Server, path: str) -> None:
    answer = httpx.get(f"{accounts_server.base_url}{path}", timeout=30)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/signin?next=")


def test_someone_elses_job_is_a_404_page(
    accounts_server: Server, two: tuple[Api, Api], job_id: str
) -> None:
    owner, other = two
    mine, theirs = browser_like(accounts_server, owner), browser_like(accounts_server, other)
    page = mine.get(f"/documents/{job_id}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert PROMPT in page.text
    assert mine.get(f"/api/v1/jobs/{job_id}").json()["job_id"] == job_id  # the session cookie
    for path in (f"/documents/{job_id}", f"/documents/{job_id}/live"):
        refused = theirs.get(path, headers={"Accept": "text/html"})
        assert refused.status_code == 404
        assert "There is nothing here, or it is not yours." in refused.text
    cancel = theirs.post(f"/documents/{job_id}/cancel", data={"csrf_token": token(theirs)})
    assert cancel.status_code == 404
    assert theirs.get(f"/api/v1/jobs/{job_id}/document?format=md").status_code == 404
    listed = theirs.get("/documents")
    assert listed.status_code == 200
    assert PROMPT not in listed.text
    assert "No documents yet" in listed.text


def test_refused_forms_name_the_problem_and_create_nothing(
    accounts_server: Server, two: tuple[Api, Api], job_id: str
) -> None:
    owner = two[0]
    client = browser_like(accounts_server, owner)
    before = total(owner)
    big = b"a" * (MAX_FILE_BYTES + 1)
    cases = [
        (PROMPT, [("files", ("big.md", big, "text/markdown"))], "big.md is larger than 2 MB"),
        (
            PROMPT,
            [
                ("files", ("same.md", b"one", "text/markdown")),
                ("file-1", ("same.md", b"two", "text/markdown")),
            ],
            "Two files are named same.md: rename one of them",
        ),
        (
            PROMPT,
            [("files", ("nul.txt", b"a\x00b", "text/plain"))],
            "nul.txt holds characters that cannot be stored (such as NUL)",
        ),
        ("ab", [], "The prompt must be at least 3 characters long"),
    ]
    for prompt, files, message in cases:
        answer = client.post(
            "/documents/new",
            data={"csrf_token": token(client), "task_prompt": prompt, "files-role-0": "content"},
            files=files,
        )
        assert answer.status_code == 422, message
        assert message in answer.text
        assert 'aria-invalid="true"' in answer.text
    wrong_role = client.post(
        "/documents/new",
        data={"csrf_token": token(client), "task_prompt": PROMPT, "role-2": "boss"},
        files=[("file-2", ("rules.md", b"Be brief.", "text/markdown"))],
    )
    assert wrong_role.status_code == 422
    assert "rules.md: the role must be one of content, style, requirements" in wrong_role.text
    assert total(owner) == before


def test_a_form_without_its_token_is_refused(accounts_server: Server, two: tuple[Api, Api]) -> None:
    client = browser_like(accounts_server, two[0])
    before = total(two[0])
    answer = client.post("/documents/new", data={"task_prompt": PROMPT})
    assert answer.status_code == 403
    assert total(two[0]) == before


def test_a_new_document_goes_to_its_job_page(accounts_server: Server, two: tuple[Api, Api]) -> None:
    client = browser_like(accounts_server, two[0])
    answer = client.post(
        "/documents/new",
        data={
            "csrf_token": token(client),
            "task_prompt": "Indexes for reporting",
            "role-1": "style",
        },
        files=[("file-1", ("style.md", "Short sentences. ✓".encode(), "text/markdown"))],
    )
    assert answer.status_code == 303
    job = answer.headers["location"].removeprefix("/documents/")
    view = two[0].call("GET", f"/jobs/{job}", 200)
    assert (view["task_type"], view["title"]) == ("document_outline", "Indexes for reporting")


@pytest.mark.parametrize("form", ["outline", "cancel", "retry"])
def test_form_addresses_answer_a_reload(
    accounts_server: Server, two: tuple[Api, Api], job_id: str, form: str
) -> None:
    client = browser_like(accounts_server, two[0])
    answer = client.get(f"/documents/{job_id}/{form}")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/documents/{job_id}"
