"""The framework editor in the browser (issue 16): every field, structural changes in place,
the unsaved-changes guard, a refusal shown beside the field, the same form without scripts,
and the review history with what each revision changed. One ``--local`` server for the
module, offline provider without latency; each test reviews a roadmap of its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Dialog, Locator, Page, expect

from tests.api.conftest import Api, Json, concepts
from tests.support.server import Server, running_server
from tests.web.conftest import TIMEOUT_MS, shot

pytestmark = pytest.mark.slow

FIRST = "Relational databases and tables"
MOVED = "Aggregate functions"
"""The first concept of stage 2: it needs only concepts of stage 1, so it can join module
1.1 at its end without breaking the order of prerequisites."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("web-editor"), local=True) as started:
        yield started


@pytest.fixture(scope="module")
def api(server: Server) -> Api:
    return Api(server)


def in_review(api: Api) -> tuple[str, str]:
    """A new roadmap waiting for review: ``(task_id, roadmap_id)``."""
    task_id = api.generate()
    return task_id, str(api.wait_review(task_id)["roadmap_id"])


def definition(framework: Json) -> Json:
    """What a person edits, stage by stage: each module's name and its concepts' definitions."""
    keep = ("name", "description", "estimated_hours", "difficulty", "prerequisites", "keywords")
    return {
        "title": framework["title"],
        "stages": [
            [
                (m["name"], [{k: c[k] for k in ("concept_id", *keep)} for c in m["concepts"]])
                for m in s["modules"]
            ]
            for s in framework["stages"]
        ],
    }


def fits(page: Page) -> None:
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        scrolled = page.evaluate("document.documentElement.scrollWidth")
        inner = page.evaluate("innerWidth")
        assert scrolled <= inner, f"{page.url} scrolls sideways at {width} px ({scrolled} px)"
    page.set_viewport_size({"width": 1280, "height": 900})


def open_editor(page: Page, server: Server, task_id: str) -> None:
    page.goto(f"{server.base_url}/tasks/{task_id}")
    page.get_by_text("Edit the framework directly").click()
    expect(page.get_by_role("heading", name="Edit the framework")).to_be_visible()


def concept_box(page: Page, place: str) -> Locator:
    return page.get_by_role("group", name=f"Concept {place}", exact=True)


def edited(before: Json) -> Json:
    """What the round trip's edits make of the offline SQL roadmap (two stages of one module
    and two concepts each): concept 1.1.1 redefined, 2.1.1 moved to the end of module 1.1,
    and a third stage whose concept needs 1.1.1."""
    old = definition(before)
    stage_1, stage_2 = old["stages"]
    c1, c2 = stage_1[0][1]
    c3, c4 = stage_2[0][1]
    c1 |= {
        "description": "Tables hold rows; rows hold columns.",
        "difficulty": "hard",
        "keywords": ["tables", "rows", "columns"],
    }
    window = {
        "concept_id": "concept-1",
        "name": "Window functions",
        "description": "",
        "estimated_hours": 2.5,
        "difficulty": "medium",
        "prerequisites": [c1["concept_id"]],
        "keywords": [],
    }
    return {
        "title": old["title"],
        "stages": [
            [(stage_1[0][0], [c1, c2, c3])],
            [(stage_2[0][0], [c4])],
            [("New module", [window])],
        ],
    }


def test_full_round_trip_and_the_unsaved_changes_guard(
    page: Page, server: Server, api: Api
) -> None:
    task_id, roadmap_id = in_review(api)
    before = api.roadmap(roadmap_id)
    open_editor(page, server, task_id)
    approve = page.get_by_role("button", name="Approve")
    unsaved = page.get_by_text("Unsaved changes: save them to keep them.")
    expect(approve).to_be_enabled()
    expect(unsaved).to_be_hidden()

    first = concept_box(page, "1.1.1")
    first.get_by_label("Concept description").fill("Tables hold rows; rows hold columns.")
    expect(unsaved).to_be_visible()
    expect(approve).to_be_disabled()
    expect(page.locator("#approve-reason")).to_be_visible()

    dialogs: list[str] = []

    def refuse(dialog: Dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", refuse)
    page.get_by_role("link", name="Discard changes").click()
    expect(page.get_by_role("button", name="Save changes").first).to_be_visible()
    assert dialogs == ["beforeunload"]
    assert page.url == f"{server.base_url}/tasks/{task_id}"

    first.get_by_label("Difficulty").select_option("hard")
    first.get_by_label("Keywords").fill("tables, rows , columns")
    page.get_by_role("button", name="+ Add a stage").click()
    added = concept_box(page, "3.1.1")
    added.get_by_label("Concept name").fill("Window functions")
    added.get_by_label("Hours").fill("2.5")
    added.get_by_label("Prerequisites").select_option(label=FIRST)
    offered = first.get_by_label("Prerequisites").locator("option")
    expect(offered).to_have_text([c["name"] for c in concepts(before)[1:]] + ["Window functions"])
    page.get_by_role("group", name="Stage 3", exact=True).get_by_label("Stage name").fill("Beyond")
    moving = concept_box(page, "2.1.1")
    moving.get_by_label("Module").select_option(label="1.1 Querying basics")
    expect(concept_box(page, "1.1.3").get_by_label("Concept name")).to_have_value(MOVED)
    shot(page, "editor-unsaved")
    page.get_by_role("button", name="Save changes").first.click()

    expect(page).to_have_url(f"{server.base_url}/tasks/{task_id}?saved=1#review")
    page.reload()
    expect(page.get_by_text("Saved: the framework now holds your changes.")).to_be_visible()
    expect(approve).to_be_enabled()
    expect(unsaved).to_be_hidden()
    assert dialogs == ["beforeunload"], "no prompt once saved"
    expect(page.locator("#framework-facts")).to_contain_text("5 concepts in 3 stage(s)")
    fits(page)

    assert definition(api.roadmap(roadmap_id)) == edited(before)
    after = api.roadmap(roadmap_id)
    assert after["stages"][2]["name"] == "Beyond"
    assert after["total_estimated_hours"] == before["total_estimated_hours"] + 2.5


def test_a_refused_save_shows_the_problem_beside_the_field(
    page: Page, server: Server, api: Api
) -> None:
    task_id, roadmap_id = in_review(api)
    before = api.roadmap(roadmap_id)
    open_editor(page, server, task_id)
    hours = concept_box(page, "1.1.1").get_by_label("Hours")
    hours.fill("0")
    page.get_by_role("button", name="Save changes").last.click()

    told = f"Hours of concept 1.1.1 “{FIRST}” must be between 0.5 and 200"
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text([told])
    hours = concept_box(page, "1.1.1").get_by_label("Hours")
    expect(hours).to_have_attribute("aria-invalid", "true")
    expect(hours).to_have_value("0")
    expect(concept_box(page, "1.1.1").locator(".field-error")).to_have_text(told)
    expect(page.get_by_role("button", name="Approve")).to_be_disabled()
    shot(page, "editor-refused")
    assert api.roadmap(roadmap_id) == before, "nothing saved"


def test_the_plain_form_without_scripts(browser: Browser, server: Server, api: Api) -> None:
    task_id, roadmap_id = in_review(api)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        open_editor(page, server, task_id)
        module = page.get_by_role("group", name="Module 1.1", exact=True)
        module.get_by_role("button", name="+ Add a concept").click()
        expect(page.get_by_text("Unsaved changes: save them to keep them.")).to_be_visible()
        expect(page.get_by_role("button", name="Approve")).to_be_disabled()
        concept_box(page, "1.1.3").get_by_label("Concept name").fill("Indexes")
        fits(page)
        page.get_by_role("button", name="Save changes").first.click()
        expect(page.get_by_text("Saved: the framework now holds your changes.")).to_be_visible()
        page.reload()
        expect(page.get_by_text("Saved: the framework now holds your changes.")).to_be_visible()
        names = [c["name"] for c in concepts(api.roadmap(roadmap_id))]
        assert names.count("Indexes") == 1, names
        assert len(names) == 5
        page.goto(f"{server.base_url}/roadmaps/{roadmap_id}/edit")
        expect(page.get_by_role("button", name="Save changes").first).to_be_visible()
        fits(page)
    finally:
        context.close()


def test_review_history_after_two_rejects(page: Page, server: Server, api: Api) -> None:
    task_id, roadmap_id = in_review(api)
    for wanted in ("window functions", "subqueries"):
        feedback = {"approved": False, "feedback": f"add a concept about {wanted}"}
        api.call("POST", f"/tasks/{task_id}/review", 200, json=feedback)
        api.wait_review(task_id)
    now = api.roadmap(roadmap_id)
    for address in (f"/tasks/{task_id}", f"/roadmaps/{roadmap_id}"):
        page.goto(f"{server.base_url}{address}")
        rounds = page.locator("#review-history .round")
        expect(rounds).to_have_count(2)
        expect(rounds.nth(0)).to_contain_text("Changes requested")
        expect(rounds.nth(0)).to_contain_text("add a concept about window functions")
        expect(rounds.nth(0)).to_contain_text("The first round: nothing earlier to compare with.")
        expect(rounds.nth(1).locator(".change-added")).to_have_text(["Added Window functions"])
        expect(page.locator("#framework-facts")).to_contain_text(
            f"{len(concepts(now))} concepts in {len(now['stages'])} stage(s) · "
            f"{now['total_estimated_hours']:g} h in total"
        )
        fits(page)
    page.goto(f"{server.base_url}/tasks/{task_id}")
    marked = page.locator("#framework-tree .concept.mark-added .concept-name")
    expect(marked).to_have_text(["Subqueries"])
    shot(page, "review-history")
