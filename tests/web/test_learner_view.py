"""The roadmap page as a learner's product (issue 16), in the browser at 1280 and 375 px: the
progress overview and the weekly plan, previous and next concept, marking a concept done
where the reader is, the quiz attempt history, resources in plain words, and the generation
state behind "Manage". Then the forms' plain HTTP answers."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from learnpath.domain.learning import ConceptLearning
from learnpath.domain.study_plan import weekly_plan
from tests.api.conftest import TIMEOUT, Api, Json, concepts
from tests.support.server import Server, running_server
from tests.web.conftest import shot
from tests.web.test_pages_http import browser_like, token

pytestmark = pytest.mark.slow

PER_WEEK = 1
BODY = {"goal": "Learn SQL", "target_weeks": 3, "hours_per_week": PER_WEEK}
"""Few hours a week: the weekly plan runs over several weeks."""
WIDTHS = (320, 375, 1280, 1440)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``--local`` with the offline provider at full speed: the roadmaps finish at once."""
    with running_server(tmp_path_factory.mktemp("web-learner"), local=True) as started:
        yield started


@pytest.fixture(scope="module")
def api(server: Server) -> Api:
    return Api(server)


def fits(page: Page, name: str) -> None:
    """No sideways scrolling at any of the widths; the viewport is left as it was."""
    before = page.viewport_size
    assert before is not None
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        wide, screen = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert wide <= screen, f"{name} is {wide} px wide on a {screen} px screen"
    page.set_viewport_size(before)


def progress(api: Api, roadmap_id: str) -> dict[str, object]:
    answer: dict[str, object] = api.call("GET", f"/roadmaps/{roadmap_id}/progress", 200)
    return answer


def planned_of(hours: float, concept_hours: float) -> str:
    return "" if hours == concept_hours else f" of {concept_hours:g} h"


def scores(page: Page) -> list[str]:
    """Each listed attempt's ``score / total``, in the order shown."""
    rows = page.locator("#quiz-attempts li").all_inner_texts()
    found = [re.search(r": (\d+ / \d+) right \(", row) for row in rows]
    assert all(found), rows
    return [m[1] for m in found if m]


def take_quiz(page: Page, option: int) -> str:
    questions = page.locator("#quiz fieldset")
    expect(questions.first).to_be_visible()
    for n in range(questions.count()):
        choices = questions.nth(n).locator("input")
        choices.nth(min(option, choices.count() - 1)).check()
    page.get_by_role("button", name="Submit answers").click()
    score = page.locator("#quiz-score")
    expect(score).to_contain_text(re.compile(r"Score: \d+ / \d+"))
    found = re.search(r"(\d+ / \d+)", score.inner_text())
    assert found
    return found[1]


def see_overview(page: Page, api: Api, roadmap_id: str, total: int) -> None:
    """Nothing done yet, every hour left, the plan week by week from this week on."""
    before = progress(api, roadmap_id)
    expect(page.locator("#overview-counts")).to_have_text(
        f"0 of {total} concepts done · 0 h studied · {before['hours_left']:g} h left"
    )
    listed = before["concepts"]
    assert isinstance(listed, list)
    plan = weekly_plan([ConceptLearning.model_validate(c) for c in listed], PER_WEEK)
    weeks = page.locator("#weekly-plan > li")
    expect(weeks).to_have_count(len(plan))
    assert len(plan) == before["weeks_left"] and len(plan) > 1
    expect(weeks.first).to_have_class(re.compile(r"\bcurrent\b"))
    expect(weeks.locator(".plan-head")).to_have_text(
        [f"{'This week' if w.number == 1 else f'Week {w.number}'} {w.hours:g} h" for w in plan]
    )
    expect(weeks.first.locator("li")).to_have_text(
        [f"{i.name} {i.hours:g} h" + planned_of(i.hours, i.concept_hours) for i in plan[0].items]
    )
    expect(page.locator("#plan-pace")).to_have_text(
        f"At {PER_WEEK} h a week, about {before['weeks_left']} weeks to go."
    )


def mark_done_on_resources(page: Page, api: Api, roadmap_id: str, concept: Json) -> None:
    """Done from the resources tab: back at the concept, on that tab; the overview and the
    API's progress agree."""
    page.locator(".tabs").get_by_role("link", name="Resources").click()
    expect(page.locator("#resources li").first).to_be_visible()
    resources = page.locator("#resources")
    expect(resources.locator(".link-check").first).to_have_text("Link not checked yet")
    for jargon in ("relevance", "verified"):
        expect(resources).not_to_contain_text(jargon)
    page.get_by_role("button", name="Mark as done").click()
    expect(page).to_have_url(re.compile(r"tab=resources#concept-panel$"))
    expect(page.locator("#concept-state")).to_have_text("✓ Done")
    # The browser scrolls to the fragment after the page loads: wait for it, not a moment.
    top = "Math.abs(document.getElementById('concept-panel').getBoundingClientRect().top) <= 1"
    page.wait_for_function(top, timeout=10_000)  # the page shows the concept, not its top
    expect(page.get_by_role("button", name="Mark as not done")).to_be_visible()
    after = progress(api, roadmap_id)
    listed = after["concepts"]
    assert isinstance(listed, list)
    assert {c["concept_id"]: c["state"] for c in listed}[concept["concept_id"]] == "done"
    assert after["hours_done"] == concept["estimated_hours"]
    expect(page.locator("#overview-counts")).to_contain_text(
        f"1 of {len(listed)} concepts done · {concept['estimated_hours']:g} h studied"
    )
    expect(page.locator(".nav-concept[data-state='done']")).to_have_count(1)


def quiz_twice(page: Page) -> None:
    """Two attempts at the open concept's quiz, listed newest first with their scores."""
    page.locator(".tabs").get_by_role("link", name="Quiz").click()
    expect(page.locator("#quiz-attempts-none")).to_have_text("No attempt yet.")
    one = take_quiz(page, 0)
    page.get_by_role("link", name="Retake the quiz").click()
    two = take_quiz(page, 1)
    assert scores(page) == [two, one]
    times = page.locator("#quiz-attempts time").evaluate_all("ts => ts.map(t => t.dateTime)")
    assert times == sorted(times, reverse=True)
    expect(page.locator("#concept-state")).to_have_text("◐ In progress")


def open_manage(page: Page, total: int) -> None:
    """The generation state is the operator's, behind Manage (closed at first)."""
    manage = page.locator("#manage-concept")
    regenerate = page.get_by_role("button", name="Regenerate quiz")
    expect(regenerate).to_be_hidden()
    manage.get_by_text("Manage this concept's material").click()
    expect(regenerate).to_be_visible()
    expect(manage.locator(".item .badge")).to_have_text(
        ["Tutorial ready", "Resources ready", "Quiz ready"]
    )
    delete = page.get_by_role("button", name="Delete this roadmap")
    expect(delete).to_be_hidden()
    page.locator("#manage-roadmap").get_by_text("Manage this roadmap").click()
    expect(page.locator("#material-state")).to_have_text(
        f"Study material: {total * 3} of {total * 3} ready."
    )
    expect(delete).to_be_visible()


@pytest.mark.parametrize("width", [1280, 375])
def test_a_learners_journey(page: Page, server: Server, api: Api, width: int) -> None:
    _, roadmap_id = api.completed_roadmap(BODY)
    shape = concepts(api.roadmap(roadmap_id))
    first, second = shape[0], shape[1]
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{server.base_url}/roadmaps/{roadmap_id}")
    see_overview(page, api, roadmap_id, len(shape))
    expect(page.get_by_role("heading", name=first["name"], exact=True)).to_have_count(1)
    expect(page.locator("#concept-state")).to_have_text("○ Not started")
    fits(page, f"roadmap-{width}")

    # Next and previous, in roadmap order; the first concept has no previous one.
    expect(page.get_by_role("link", name=re.compile("^← Previous"))).to_have_count(0)
    page.get_by_role("link", name=f"Next: {second['name']} →").click()
    expect(page.locator("#concept-title")).to_have_text(second["name"])
    page.get_by_role("link", name=f"← Previous: {first['name']}").click()
    expect(page.locator("#concept-title")).to_have_text(first["name"])
    page.get_by_role("link", name=f"Next: {second['name']} →").click()

    mark_done_on_resources(page, api, roadmap_id, second)
    fits(page, f"roadmap-resources-{width}")
    page.get_by_role("link", name=f"← Previous: {first['name']}").click()
    quiz_twice(page)
    fits(page, f"roadmap-quiz-{width}")
    shot(page, f"learner-quiz-history-{width}")
    open_manage(page, len(shape))
    fits(page, f"roadmap-manage-{width}")
    shot(page, f"learner-manage-{width}")


def test_the_forms_answer_plain_http(server: Server, api: Api) -> None:
    _, roadmap_id = api.completed_roadmap(BODY)
    concept_id = concepts(api.roadmap(roadmap_id))[0]["concept_id"]
    client = browser_like(server)
    here = f"/roadmaps/{roadmap_id}"
    done = client.post(
        f"{here}/concepts/{concept_id}/complete",
        data={"csrf_token": token(client), "completed": "true", "tab": "quiz"},
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"{here}?concept={concept_id}&tab=quiz#concept-panel"
    page = client.get(f"{here}?concept={concept_id}&tab=quiz")
    assert 'id="concept-state" class="state state-done"' in page.text
    assert '<p class="muted" id="quiz-attempts-none">No attempt yet.</p>' in page.text
    assert "Check the resource links" not in page.text, "link checks are off here"
    refused = client.post(f"{here}/resources/check", data={"csrf_token": token(client)})
    assert refused.status_code == 409
    nothing = client.post(f"{here}/retry-failed", data={"csrf_token": token(client)})
    assert nothing.status_code == 409
    for form in ("retry-failed", "resources/check"):
        again = httpx.get(f"{server.base_url}{here}/{form}", timeout=TIMEOUT)
        assert (again.status_code, again.headers["location"]) == (303, here)
