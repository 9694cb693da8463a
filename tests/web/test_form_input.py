"""The web forms cross the same input boundary as the API: text no database stores, numbers
that are no option index, and oversized lists are a 4xx, never a 5xx (SQLite and
PostgreSQL)."""

from __future__ import annotations

import httpx
import pytest

from tests.api.boundary import Target, target

pytestmark = pytest.mark.slow
__all__ = ["target"]


def browser(target: Target) -> tuple[httpx.Client, str]:
    """A signed-in browser and its CSRF token."""
    client = httpx.Client(base_url=target.server.base_url, timeout=30)
    client.cookies.set("learnpath_token", str(target.api.token))
    client.get("/new")
    return client, str(client.cookies["learnpath_csrf"])


def test_web_forms_refuse_unstorable_and_odd_input(target: Target) -> None:
    client, csrf = browser(target)
    before = target.counts()
    forms = [
        ("/signin", {"email": "a\x00@example.com", "password": "x"}),
        ("/new", {"goal": "Learn \x00 SQL"}),
        ("/new", {"goal": "Learn SQL", "learning_styles": ["text"] * 50}),
        ("/new", {"goal": "Learn SQL", "hours_per_week": "nan"}),
        (f"/tasks/{target.review_task}/review", {"decision": "reject", "feedback": "x" * 9000}),
        (
            f"/roadmaps/{target.done_roadmap}/concepts/{target.concept_id}/quiz",
            {f"q-q{i}": ["²", "9" * 5000, *["0"] * 100] for i in range(1, 9)},
        ),
    ]
    try:
        for path, form in forms:
            answer = client.post(path, data={**form, "csrf_token": csrf})
            assert 400 <= answer.status_code < 500, (path, answer.status_code, answer.text[:300])
    finally:
        client.close()
    assert target.counts() == before
    assert target.api.task(target.review_task)["status"] == "human_review_pending"
