"""The framework editor's plain form over HTTP, as a browser without scripts sends it: an
action shows the form again changed and unsaved, Save redirects to a page that says "Saved",
a refusal saves nothing and names the field, someone else's roadmap is not there, and the
roadmap's own edit page after generation. No browser: the fields are read from the page."""

from __future__ import annotations

import httpx
import pytest

from tests.api.conftest import SMALL, Api, concepts, create_users
from tests.support.html_form import form_fields
from tests.support.server import Server
from tests.web.test_pages_http import browser_like, token

pytestmark = pytest.mark.slow

EDITOR = "framework-editor"


@pytest.fixture(scope="module")
def two(accounts_server: Server) -> tuple[Api, Api]:
    owner, other = create_users(accounts_server, "editor-owner", "editor-other")
    return owner, other


def post(
    client: httpx.Client, url: str, fields: dict[str, list[str]], **changes: str
) -> httpx.Response:
    """The editor's form as the page holds it, with ``changes`` (``s0.m0.c0.name=…``;
    ``action=…``) typed in."""
    sent = {**fields, **{k.replace("__", "."): [v] for k, v in changes.items()}}
    sent["csrf_token"] = [token(client)]
    return client.post(url, data=sent)


def test_actions_show_the_form_again_and_save_redirects(
    accounts_server: Server, two: tuple[Api, Api]
) -> None:
    owner = two[0]
    task_id = owner.generate(SMALL)
    roadmap_id = owner.wait_review(task_id)["roadmap_id"]
    client = browser_like(accounts_server, owner)
    fields = form_fields(client.get(f"/tasks/{task_id}").text, EDITOR)
    url = f"/tasks/{task_id}/framework"

    added = post(client, url, fields, action="add:s0.m0")
    assert added.status_code == 200
    assert 'id="editor-unsaved"' in added.text
    assert 'id="editor-unsaved" hidden' not in added.text
    assert '<button type="submit" id="approve" disabled' in added.text
    after_add = form_fields(added.text, EDITOR)
    assert after_add["s0.m0.c2.name"] == ["New concept"]
    assert after_add["s0.m0.c2.concept_id"] == ["concept-1"]
    assert len(concepts(owner.roadmap(roadmap_id))) == 4, "an action saves nothing"

    saved = post(client, url, after_add, action="save", s0__m0__c2__name="Indexes")
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/tasks/{task_id}?saved=1#review"
    shown = client.get(f"/tasks/{task_id}?saved=1")
    assert "Saved: the framework now holds your changes." in shown.text
    names = [c["name"] for c in concepts(owner.roadmap(roadmap_id))]
    assert names[2] == "Indexes" and len(names) == 5
    assert client.get(url).headers["location"] == f"/tasks/{task_id}", "revisited: a redirect"
    reviews = owner.call("GET", f"/roadmaps/{roadmap_id}/reviews", 200)
    assert [r["decision"] for r in reviews] == ["edit"]
    assert reviews[0]["changes"]["added"] == []

    stranger = browser_like(accounts_server, two[1])
    assert post(stranger, url, after_add, action="save").status_code == 404
    edit = f"/roadmaps/{roadmap_id}/edit"
    assert stranger.get(edit).status_code == 404
    assert post(stranger, edit, after_add, action="save").status_code == 404
    assert len(concepts(owner.roadmap(roadmap_id))) == 5


def test_a_refused_save_keeps_the_form_and_saves_nothing(
    accounts_server: Server, two: tuple[Api, Api]
) -> None:
    owner = two[0]
    task_id = owner.generate(SMALL)
    roadmap_id = owner.wait_review(task_id)["roadmap_id"]
    before = owner.roadmap(roadmap_id)
    client = browser_like(accounts_server, owner)
    fields = form_fields(client.get(f"/tasks/{task_id}").text, EDITOR)
    first = concepts(before)[0]["name"]
    refused = post(
        client,
        f"/tasks/{task_id}/framework",
        fields,
        action="save",
        s0__m0__c0__estimated_hours="0",
        s0__m0__c1__name="",
    )
    assert refused.status_code == 422
    told = f"Hours of concept 1.1.1 “{first}” must be between 0.5 and 200"
    assert 'id="s0-m0-c1-name-error" data-err="name">Name of concept 1.1.2 must not be empty' in (
        refused.text
    )
    assert '<a href="#s0-m0-c1-name">Name of concept 1.1.2 must not be empty</a>' in refused.text
    assert "error-summary" in refused.text
    assert told not in refused.text, "the models' problems come first; the rules run after"
    kept = form_fields(refused.text, EDITOR)
    assert kept["s0.m0.c0.estimated_hours"] == ["0"]
    assert owner.roadmap(roadmap_id) == before

    rules = post(
        client,
        f"/tasks/{task_id}/framework",
        fields,
        action="save",
        s0__m0__c0__estimated_hours="0",
    )
    assert rules.status_code == 422
    assert f'<a href="#s0-m0-c0-estimated_hours">{told}</a>' in rules.text
    assert 'aria-invalid="true"' in rules.text
    assert owner.roadmap(roadmap_id) == before


def test_the_roadmaps_edit_page_after_generation(
    accounts_server: Server, two: tuple[Api, Api]
) -> None:
    owner = two[0]
    _, roadmap_id = owner.completed_roadmap(SMALL)
    client = browser_like(accounts_server, owner)
    edit = f"/roadmaps/{roadmap_id}/edit"
    page = client.get(edit)
    assert page.status_code == 200
    assert f'href="{edit}"' in client.get(f"/roadmaps/{roadmap_id}").text
    fields = form_fields(page.text, EDITOR)
    saved = post(client, edit, fields, action="save", s1__m0__c0__description="Counting rows.")
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{edit}?saved=1"
    assert "Saved: the framework now holds your changes." in client.get(f"{edit}?saved=1").text
    changed = concepts(owner.roadmap(roadmap_id))[2]
    assert changed["description"] == "Counting rows."
    assert changed["tutorial_status"] == "pending", "a changed definition loses its content"
