"""The task page in a browser: titled by the goal, a compact log in seq order with filters,
a cancel named by its step, no horizontal scroll on a phone."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api.conftest import Api
from tests.support.server import Server, running_server
from tests.web.conftest import SLOW, shot

pytestmark = pytest.mark.slow
GOAL = "Learn SQL joins for reporting"
TASK_EVENTS = {
    "task_started",
    "human_review_required",
    "completed",
    "failed",
    "cancelled",
    "task_recovering",
}


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Offline, every quiz failing: a finished task has problems to filter."""
    home: Path = tmp_path_factory.mktemp("web-task-pages")
    with running_server(home, local=True, offline_fail_content="quiz", **SLOW) as server:
        yield server


@pytest.fixture(scope="module")
def finished(faulty: Server) -> str:
    api = Api(faulty)
    task_id = api.generate({"goal": GOAL, "target_weeks": 2}, auto_approve=True)
    assert api.wait(task_id)["status"] == "partial_failure"
    return task_id


def events_of(server: Server, task_id: str) -> list[dict[str, object]]:
    """The task's events from its stream, which ends after the terminal event."""
    url = f"{server.base_url}/api/v1/tasks/{task_id}/events"
    body = httpx.get(url, timeout=30).text
    return [json.loads(line[5:]) for line in body.splitlines() if line.startswith("data:")]


def expected_lines(events: list[dict[str, object]]) -> int:
    items = sum(e["type"] in ("concept_complete", "concept_failed") for e in events)
    steps = [e["step"] for e in events if e["type"] == "progress"]
    changes = sum(1 for n, step in enumerate(steps) if n == 0 or step != steps[n - 1])
    return items + changes + sum(e["type"] in TASK_EVENTS for e in events)


def test_finished_task_page(page: Page, faulty: Server, finished: str) -> None:
    page.goto(f"{faulty.base_url}/tasks/{finished}")
    expect(page.locator("h1")).to_have_text(GOAL)
    expect(page).to_have_title(re.compile(re.escape(GOAL)))
    lines = page.locator("#log li")
    events = events_of(faulty, finished)
    expect(lines).to_have_count(expected_lines(events))
    seqs = [int(s) for s in lines.evaluate_all("items => items.map(i => i.dataset.seq)")]
    assert seqs == sorted(seqs)
    concept_start = {e["seq"] for e in events if e["type"] == "concept_start"}
    assert concept_start and not concept_start & set(seqs)

    page.get_by_role("link", name="Problems only").click()
    visible = page.locator("#log li:visible")
    expect(visible.first).to_contain_text("failed")
    assert visible.count() == page.locator("#log li.problem").count() > 0
    for text in visible.all_inner_texts():
        assert "quiz failed" in text
    assert page.url.endswith("?log=problems")
    shot(page, "task-log-problems")

    page.goto("about:blank")
    page.goto(f"{faulty.base_url}/tasks/{finished}?log=steps")
    expect(page.locator("#log li:visible").first).to_be_visible()
    kinds = page.locator("#log li:visible").evaluate_all("items => items.map(i => i.dataset.kind)")
    assert set(kinds) == {"step"}


def test_task_list_names_the_goal(page: Page, faulty: Server, finished: str) -> None:
    page.goto(f"{faulty.base_url}/tasks")
    expect(page.get_by_role("link", name=GOAL)).to_be_visible()


def test_phone_width_has_no_horizontal_scroll(page: Page, faulty: Server, finished: str) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{faulty.base_url}/tasks/{finished}")
    expect(page.locator("#log li").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "task-page-375")


def test_cancel_names_the_step(page: Page, faulty: Server) -> None:
    api = Api(faulty)
    task_id = api.generate({"goal": "Learn Rust", "target_weeks": 3}, auto_approve=True)
    page.goto(f"{faulty.base_url}/tasks/{task_id}")
    expect(page.locator("#current-step")).to_have_text("Content generation")
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator("#task-status")).to_have_text("cancelled")
    expect(page.locator("#log li.problem").last).to_contain_text(
        "Cancelled during content generation"
    )


OBSERVE = """
document.addEventListener("DOMContentLoaded", () => {
  window.__seen = [];
  const log = document.getElementById("log");
  const count = (name) => Number(document.querySelector(`[data-count='${name}']`).textContent);
  new MutationObserver((changes) => changes.forEach((change) => change.addedNodes.forEach((li) => {
    window.__seen.push({
      kind: li.dataset.kind,
      text: li.textContent,
      items: log.querySelectorAll("li[data-kind='item']").length,
      status: document.getElementById("task-status").textContent,
      counted: count("completed") + count("failed"),
    });
  }))).observe(log, { childList: true });
});
"""


def test_status_panel_never_lags_the_log(page: Page, faulty: Server) -> None:
    """Each line appended live finds the panel already counting its item, and the last
    line finds the panel showing how the task ended."""
    page.add_init_script(OBSERVE)
    task_id = Api(faulty).generate({"goal": "Learn Go", "target_weeks": 2}, auto_approve=True)
    page.goto(f"{faulty.base_url}/tasks/{task_id}")
    expect(page.locator("#log-connection")).to_have_text("Finished: the log is complete.")
    seen = page.evaluate("window.__seen")
    items = [line for line in seen if line["kind"] == "item"]
    assert items, "no item line was appended live"
    assert all(line["counted"] >= line["items"] for line in items), items
    assert seen[-1]["status"] == "partial failure", seen[-1]


def test_retry_of_one_item_names_the_concept(page: Page, faulty: Server, finished: str) -> None:
    api = Api(faulty)
    roadmap_id = str(api.task(finished)["roadmap_id"])
    framework = api.roadmap(roadmap_id)
    concept = next(c for s in framework["stages"] for m in s["modules"] for c in m["concepts"])
    path = f"/roadmaps/{roadmap_id}/concepts/{concept['concept_id']}/quiz/retry"
    retry = api.call("POST", path, 202)
    page.goto(f"{faulty.base_url}/tasks/{retry['task_id']}")
    expect(page.locator("h1")).to_have_text(f"Regenerate the quiz of '{concept['name']}'")


def test_filters_work_without_javascript(browser: Browser, faulty: Server, finished: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.goto(f"{faulty.base_url}/tasks/{finished}")
        plain.get_by_role("link", name="Problems only").click()
        expect(plain).to_have_url(re.compile(r"\?log=problems$"))
        visible = plain.locator("#log li:visible")
        expect(visible.first).to_contain_text("quiz failed")
        assert visible.count() == plain.locator("#log li.problem").count()
    finally:
        context.close()
