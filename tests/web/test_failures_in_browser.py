"""Failure paths in the browser: a content type that keeps failing, then comes back by its
retry button once the fault is gone; LLM markdown with script and event handlers shown
inert."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.api.conftest import Api, concepts, editable
from tests.support.server import Server, running_server
from tests.web.conftest import SLOW, shot

pytestmark = pytest.mark.slow

PAYLOAD = (
    "Tables <script>window.__pwned = 'script'</script> and "
    "<img src=x onerror=\"window.__pwned = 'onerror'\"> "
    "<a href=\"javascript:window.__pwned='link'\">a link</a>"
)


def test_failed_quiz_retry_after_fault_lifted(page: Page, tmp_path: Path) -> None:
    with running_server(tmp_path, local=True, offline_fail_content="quiz", **SLOW) as faulty:
        api = Api(faulty)
        task_id = api.generate(auto_approve=True)
        assert api.wait(task_id)["status"] == "partial_failure"
        roadmap_id = str(api.task(task_id)["roadmap_id"])
        page.goto(f"{faulty.base_url}/roadmaps/{roadmap_id}?tab=quiz")
        quiz = page.locator(".item[data-item='quiz']")
        expect(quiz.locator(".badge")).to_have_text("Quiz: Could not be written")
        expect(quiz).to_contain_text("LEARNPATH_OFFLINE_FAIL_CONTENT")
        page.get_by_text("Manage this roadmap").click()
        unwritten = page.locator("#manage-roadmap .unwritten li")
        expect(unwritten.first).to_contain_text("Quiz: Could not be written")
        page.goto(f"{faulty.base_url}/tasks/{task_id}")
        expect(page.locator("#task-status")).to_have_text("partial failure")
        expect(page.get_by_role("button", name="Retry")).to_be_visible()
        shot(page, "task-partial-failure")
        page.goto("about:blank")

    with running_server(tmp_path, local=True, **SLOW) as healthy:
        page.goto(f"{healthy.base_url}/roadmaps/{roadmap_id}?tab=quiz")
        page.evaluate("window.__samePage = true")
        quiz = page.locator(".item[data-item='quiz']")
        expect(quiz.locator(".badge")).to_have_text("Quiz: Could not be written")
        page.get_by_text("Manage this concept's material").click()
        shot(page, "roadmap-item-failed")
        page.get_by_role("button", name="Retry quiz").click()
        expect(quiz.locator(".badge")).to_have_text(re.compile("Quiz: Being written|Quiz ready"))
        expect(quiz.locator(".badge")).to_have_text("Quiz ready")
        # The live update kept the Manage section open, as the reader left it.
        expect(page.get_by_role("button", name="Regenerate quiz")).to_be_visible()
        expect(page.locator("#quiz fieldset").first).to_be_visible()
        assert page.evaluate("window.__samePage") is True, "the viewer reloaded"


def test_llm_markdown_is_inert(page: Page, local_server: Server, local_api: Api) -> None:
    """The offline tutorial quotes the concept's description: a reviewer's edit puts the
    payload into the markdown the provider returns, which goes through the real rendering."""
    task_id = local_api.generate()
    view = local_api.wait(task_id, {"human_review_pending"})
    roadmap_id = str(view["roadmap_id"])
    framework = editable(local_api.roadmap(roadmap_id))
    target = concepts(framework)[0]
    target["description"] = PAYLOAD
    local_api.call("PUT", f"/roadmaps/{roadmap_id}/framework", 200, json=framework)
    local_api.call("POST", f"/tasks/{task_id}/review", 200, json={"approved": True})
    assert local_api.wait(task_id)["status"] == "completed"
    markdown = local_api.call(
        "GET", f"/roadmaps/{roadmap_id}/concepts/{target['concept_id']}/tutorial", 200
    )["markdown"]
    assert "<script>" in markdown and "onerror=" in markdown, "the payload reached the LLM output"

    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{local_server.base_url}/roadmaps/{roadmap_id}?concept={target['concept_id']}")
    tutorial = page.locator("#tutorial")
    expect(tutorial).to_contain_text("Tables")
    expect(tutorial).to_contain_text("a link")
    assert tutorial.locator("script").count() == 0
    assert page.locator("[onerror]").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    handlers = page.evaluate(
        "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes]"
        ".filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name))"
    )
    assert handlers == []
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []
    shot(page, "tutorial-inert-markdown")
