"""A learner's whole journey in the browser (``--local``): create a roadmap, watch it live,
request changes, approve, read the tutorial as it appears, take the quiz; cancel and retry
under the same task id."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.api.conftest import Api
from tests.support.server import Server
from tests.web.conftest import shot

pytestmark = pytest.mark.slow


def task_id_of(page: Page) -> str:
    match = re.search(r"/tasks/([^/?#]+)$", page.url)
    assert match, page.url
    return match[1]


def test_create_review_read_and_quiz(page: Page, local_server: Server, local_api: Api) -> None:
    page.goto(f"{local_server.base_url}/new")
    page.get_by_label("What do you want to learn?").fill("x")
    page.get_by_role("button", name="Create roadmap").click()
    expect(page.locator("#goal-error")).to_contain_text("at least 3 characters")
    expect(page.get_by_label("What do you want to learn?")).to_have_attribute(
        "aria-invalid", "true"
    )
    shot(page, "new-roadmap-error")

    page.get_by_label("What do you want to learn?").fill("Learn SQL")
    page.get_by_label("Target weeks (optional)").fill("1")
    page.get_by_label("hands on").check()
    page.get_by_role("button", name="Create roadmap").click()
    expect(page).to_have_url(re.compile(r"/tasks/"))
    task_id = task_id_of(page)
    page.evaluate("window.__samePage = true")

    # The page follows the task live to the review: stepper, the intent, the framework.
    review = page.locator("#review")
    expect(review).to_be_visible()
    expect(page.locator(".phase.current")).to_have_text(re.compile("Review"))
    expect(page.locator(".phase.done")).to_have_count(3)
    expect(review).to_contain_text("What we understood")
    expect(page.locator("#log li[data-step='intent_analysis']")).to_be_visible()
    assert page.evaluate("window.__samePage") is True, "the page reloaded"
    # What approving will cost is shown before the decision (offline: free, instant).
    expect(page.locator("#estimate")).to_contain_text(
        re.compile(r"Approving starts \d+ content calls")
    )
    expect(page.locator("#estimate")).to_contain_text("$0.0000")
    shot(page, "task-review")

    page.get_by_role("button", name="Request changes").click()
    expect(page.locator("#feedback-error")).to_contain_text("required")
    page.get_by_label("What should change?").fill("Add more practice with joins")
    page.get_by_role("button", name="Request changes").click()
    expect(page.locator("[data-loop='review_edit']")).to_have_text("↺ 1")
    expect(page.locator("#task-status")).to_have_text("human review pending")
    page.get_by_role("button", name="Approve").click()

    expect(page.locator(".phase.current")).to_have_text(re.compile("Content|Done"))
    page.get_by_role("link", name="Open roadmap").first.click()
    expect(page).to_have_url(re.compile(r"/roadmaps/"))
    page.evaluate("window.__samePage = true")

    # The tutorial appears without a reload once it is generated, under the concept's name
    # (its own title heading is not repeated): its sections are the page's third level.
    tutorial = page.locator("#tutorial")
    expect(tutorial.locator("h3").first).to_be_visible()
    expect(tutorial.locator("h2")).to_have_count(0)
    assert page.evaluate("window.__samePage") is True, "the viewer reloaded"
    expect(page.locator(".item[data-item='quiz'] .badge")).to_have_text("Quiz ready")
    shot(page, "roadmap-tutorial")

    page.get_by_role("link", name="Resources").click()
    expect(page.locator("#resources li").first).to_be_visible()
    shot(page, "roadmap-resources")

    page.get_by_role("link", name="Quiz").click()
    questions = page.locator("#quiz fieldset")
    expect(questions.first).to_be_visible()
    for n in range(questions.count()):
        questions.nth(n).locator("input").first.check()
    # A live update arriving now (another item of the roadmap finished) keeps the answers.
    page.evaluate(
        """async () => {
            const root = document.getElementById("roadmap-live");
            root.dataset.signature = "stale";
            await window.LearnPath.swap("roadmap-live", root.dataset.liveUrl, false);
        }"""
    )
    for n in range(questions.count()):
        expect(questions.nth(n).locator("input").first).to_be_checked()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.locator("#quiz-score")).to_contain_text(re.compile(r"Score: \d+ / \d+"))
    expect(page.locator(".explanation").first).to_be_visible()
    shot(page, "roadmap-quiz-score")
    page.get_by_role("link", name="Retake the quiz").click()
    expect(page.get_by_role("button", name="Submit answers")).to_be_visible()

    page.get_by_role("button", name="Mark as done").click()
    expect(page.locator("#learned")).to_contain_text("1 /")

    page.goto(f"{local_server.base_url}/roadmaps")
    expect(page.get_by_role("link", name="Resume").first).to_be_visible()
    shot(page, "my-roadmaps")
    page.goto(f"{local_server.base_url}/tasks")
    expect(page.get_by_role("link", name=re.compile("completed \\(\\d+\\)"))).to_be_visible()
    shot(page, "my-tasks")

    # The concept read above may be done before the task has finished the others.
    finished = local_api.wait(task_id)
    assert finished["status"] == "completed"
    assert finished["actual"]["content_calls"] == finished["progress"]["total"]
    page.goto(f"{local_server.base_url}/tasks/{task_id}")
    expect(page.locator("#task-usage")).to_contain_text("LLM calls")
    expect(page.locator("#task-spend")).to_contain_text("Estimated")
    expect(page.locator("#task-spend")).to_contain_text(
        f"Actual{finished['actual']['content_calls']} content calls"
    )
    shot(page, "task-spend")


def test_cancel_during_content_then_retry(page: Page, local_server: Server, local_api: Api) -> None:
    task_id = local_api.generate({"goal": "Learn Rust", "target_weeks": 3}, auto_approve=True)
    page.goto(f"{local_server.base_url}/tasks/{task_id}")
    expect(page.locator("#current-step")).to_have_text("Content generation")
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator("#task-status")).to_have_text("cancelled")
    expect(page.locator(".phase.stopped")).to_have_text(re.compile("Content"))
    expect(page.locator("#log .problem").first).to_contain_text(
        "Cancelled during content generation"
    )
    shot(page, "task-cancelled")

    page.get_by_role("button", name="Retry").click()
    expect(page).to_have_url(f"{local_server.base_url}/tasks/{task_id}")
    expect(page.locator("#task-status")).to_have_text("completed")
    expect(page.locator(".phase.done")).to_have_count(6)
    total = page.locator("[data-count='total']").inner_text()
    expect(page.locator("[data-count='completed']")).to_have_text(total)
    expect(page.get_by_role("button", name="Retry")).to_have_count(0)
    view = local_api.task(task_id)
    assert (view["status"], view["recovery_type"]) == ("completed", "restart_content_generation")
