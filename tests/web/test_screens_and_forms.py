"""The findings of a user test at 1280 and 375 px, in a real Chromium against one server
(``--local``) and one roadmap for the whole module: every page fits 320–1280 px without
sideways scrolling (a tutorial with a wide code line and a 200-character word included); every
form answers post/redirect/get and every address the browser showed answers a GET with HTML;
browsers get HTML error pages, the API JSON; form errors are sentences, listed at the top of
the page where the focus goes; dark mode follows the system."""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api.conftest import SMALL, TIMEOUT, Api, concepts, editable
from tests.support.server import Server
from tests.web.conftest import TIMEOUT_MS, shot

pytestmark = pytest.mark.slow

LONG_WORD = ("Floccinaucinihilipilification" * 7)[:200]
LONG_CODE = "total = add(" + ", ".join(f"argument_number_{n}" for n in range(30)) + ")"
DESCRIPTION = f"Content as wide as it gets: {LONG_WORD}.\n\n```python\n{LONG_CODE}\n```\n\nThe end."
"""The first concept's description, which the offline tutorial quotes as it is."""
WIDTHS = (320, 375, 1280)
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@dataclass
class Site:
    server: Server
    accounts: Server
    api: Api
    review_task: str
    done_task: str
    roadmap_id: str
    concept_id: str

    def url(self, path: str) -> str:
        return f"{self.server.base_url}{path}"

    @property
    def concept(self) -> str:
        return f"/roadmaps/{self.roadmap_id}?concept={self.concept_id}"

    def attempts(self) -> int:
        """Quiz attempts the server has stored (read from its SQLite file)."""
        db = Path(self.server.env["LEARNPATH_HOME"]) / "learnpath.db"
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            return int(conn.execute("SELECT count(*) FROM quiz_attempts").fetchone()[0])


@pytest.fixture(scope="module")
def site(local_server: Server, accounts_server: Server) -> Site:
    """A roadmap waiting for review, and a completed one whose first concept's tutorial has
    the wide code line and the long word (put in its description during review)."""
    api = Api(local_server)
    review_task, done_task = api.generate(SMALL), api.generate(SMALL)
    roadmap_id = str(api.wait_review(done_task)["roadmap_id"])
    framework = editable(api.roadmap(roadmap_id))
    first = concepts(framework)[0]
    first["description"] = DESCRIPTION
    api.call("PUT", f"/roadmaps/{roadmap_id}/framework", 200, json=framework)
    api.call("POST", f"/tasks/{done_task}/review", 200, json={"approved": True})
    assert api.wait(done_task)["status"] == "completed"
    api.wait_review(review_task)
    return Site(
        local_server, accounts_server, api, review_task, done_task, roadmap_id, first["concept_id"]
    )


@contextlib.contextmanager
def screen(browser: Browser, width: int, dark: bool = False) -> Iterator[Page]:
    """A fresh page ``width`` px wide; any script error on it fails the test."""
    scheme: Literal["dark", "light"] = "dark" if dark else "light"
    context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
    opened = context.new_page()
    opened.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield opened
    finally:
        context.close()
    assert errors == [], f"script errors on the page: {errors}"


def fits(page: Page, name: str, width: int) -> None:
    wide, screen_width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert wide <= screen_width, f"{name} is {wide} px wide on a {screen_width} px screen"
    if width == 375:
        shot(page, f"{name}-375px")


def answer_all(page: Page) -> None:
    questions = page.locator("#quiz fieldset")
    expect(questions.first).to_be_visible()
    for n in range(questions.count()):
        questions.nth(n).locator("input").first.check()


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_the_screen(browser: Browser, site: Site, width: int) -> None:
    pages = {
        "my-roadmaps": "/",
        "new-roadmap": "/new",
        "my-tasks": "/tasks",
        "task": f"/tasks/{site.done_task}",
        "review": f"/tasks/{site.review_task}",
        "roadmap": f"/roadmaps/{site.roadmap_id}",
        "resources": f"{site.concept}&tab=resources",
        "not-found": "/no/such/page",
        "not-yours": "/tasks/task_nope",
    }
    with screen(browser, width) as page:
        for name, path in pages.items():
            page.goto(site.url(path))
            expect(page.locator("main h1")).to_be_visible()
            fits(page, name, width)

        page.goto(site.url(site.concept))
        code = page.locator("#tutorial pre", has_text="argument_number_29")
        expect(code).to_be_visible()
        expect(page.locator("#tutorial")).to_contain_text(LONG_WORD)
        if width < 1280:
            assert code.evaluate("e => e.scrollWidth > e.clientWidth"), "the code scrolls inside"
        fits(page, "concept-tutorial", width)

        page.goto(site.url(f"{site.concept}&tab=quiz"))
        page.get_by_role("button", name="Submit answers").click()
        expect(page.locator("#error-summary")).to_be_visible()
        fits(page, "quiz-refused", width)
        answer_all(page)
        page.get_by_role("button", name="Submit answers").click()
        expect(page.locator("#quiz-score")).to_be_visible()
        fits(page, "quiz-result", width)

        with page.expect_navigation():  # a form sent where the address takes no POST: a 405
            page.evaluate(
                "() => { const f = document.createElement('form'); f.method = 'post';"
                f" f.action = '/tasks/{site.done_task}/live'; document.body.append(f);"
                " f.submit(); }"
            )
        expect(page.locator("main h1")).to_have_text("Not possible at this address")
        fits(page, "method-not-allowed", width)

        page.goto(f"{site.accounts.base_url}/signin")
        fits(page, "signin-form", width)


def test_refused_review_opens_at_its_error(page: Page, site: Site) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(site.url(f"/tasks/{site.review_task}"))
    expect(page.locator("#review")).to_be_visible()
    page.get_by_role("button", name="Request changes").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("feedback is required to request changes")
    box = summary.bounding_box()
    assert box is not None and box["y"] < 200, f"the error is at {box} on an 800 px screen"
    feedback = page.get_by_label("What should change?")
    expect(feedback).to_have_attribute("aria-invalid", "true")
    expect(feedback).to_have_attribute("aria-describedby", "feedback-error")
    shot(page, "review-refused-375px")

    assert page.url == site.url(f"/tasks/{site.review_task}/review")
    again = page.goto(page.url)
    assert again is not None and again.status == 200
    assert again.headers["content-type"].startswith("text/html")
    expect(page).to_have_url(site.url(f"/tasks/{site.review_task}"))
    expect(page.locator("#review")).to_be_visible()
    assert site.api.task(site.review_task)["status"] == "human_review_pending"


def test_quiz_result_has_an_address_of_its_own(page: Page, site: Site) -> None:
    quiz = site.url(f"{site.concept}&tab=quiz")
    shown: list[str] = []
    page.goto(quiz)
    questions = page.locator("#quiz fieldset")
    questions.first.locator("input").first.check()
    before = site.attempts()
    page.get_by_role("button", name="Submit answers").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    total = questions.count()
    expect(summary).to_contain_text(f"{total - 1} of {total} questions are not answered yet")
    expect(questions.first.locator("input").first).to_be_checked()
    expect(page.locator(".question.unanswered")).to_have_count(total - 1)
    assert site.attempts() == before, "a refused quiz is no attempt"
    shown.append(page.url)

    page.goto(quiz)
    answer_all(page)
    page.get_by_role("button", name="Submit answers").click()
    expect(page).to_have_url(re.compile(r"/quiz/result\?attempt="))
    score = page.locator("#quiz-score").inner_text()
    expect(page.locator(".explanation").first).to_contain_text(re.compile(r"Right|Not quite"))
    assert site.attempts() == before + 1
    page.reload()
    expect(page.locator("#quiz-score")).to_have_text(score)
    assert site.attempts() == before + 1, "a reload stores no new attempt"
    shown.append(result := page.url)

    page.go_back()
    expect(page.get_by_role("button", name="Submit answers")).to_be_visible()
    page.go_forward()
    expect(page).to_have_url(result)
    expect(page.locator("#quiz-score")).to_have_text(score)
    page.get_by_role("button", name="Mark as done").click()
    expect(page.locator("#learned")).to_contain_text("1 /")
    page.reload()
    expect(page.locator("#learned")).to_contain_text("1 /")
    assert site.attempts() == before + 1
    shown += [
        page.url,
        site.url(f"/roadmaps/{site.roadmap_id}/concepts/{site.concept_id}/complete"),
    ]

    for url in shown:
        answer = httpx.get(url, headers=HTML, follow_redirects=True, timeout=TIMEOUT)
        assert answer.status_code == 200, (url, answer.status_code)
        assert answer.headers["content-type"].startswith("text/html"), url
    forged = httpx.get(result.replace("attempt=", "attempt=x"), headers=HTML, timeout=TIMEOUT)
    assert forged.status_code == 404


def test_error_pages_are_html_for_browsers_and_json_for_the_api(page: Page, site: Site) -> None:
    missing = page.goto(site.url("/no/such/page"))
    assert missing is not None and missing.status == 404
    expect(page.locator("main h1")).to_have_text("Page not found")
    expect(page.locator("header .brand")).to_be_visible()
    with httpx.Client(base_url=site.server.base_url, timeout=TIMEOUT) as client:
        api = client.get("/api/v1/nope", headers=HTML)
        assert api.status_code == 404
        assert api.headers["content-type"] == "application/json"
        assert api.json() == {"detail": "Not Found"}
        program = client.get("/no/such/page", headers={"Accept": "application/json"})
        assert (program.status_code, program.json()) == (404, {"detail": "Not Found"})
        wrong_method = client.post(f"/tasks/{site.done_task}/live", headers=HTML)
        assert wrong_method.status_code == 405
        assert wrong_method.headers["content-type"].startswith("text/html")
        assert "GET" in wrong_method.headers["allow"]
        api_method = client.put("/api/v1/tasks", headers=HTML)
        assert api_method.status_code == 405
        assert api_method.headers["content-type"] == "application/json"
        for path in ("/favicon.ico", "/static/favicon.svg"):
            icon = client.get(path)
            assert icon.status_code == 200, path
            assert icon.headers["content-type"].startswith("image/svg+xml")
            assert "<svg" in icon.text


def test_form_errors_are_sentences_at_the_top(page: Page, site: Site) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(site.url("/new"))
    hours = page.get_by_label("Hours per week")
    expect(page.locator("label[for=hours_per_week]")).to_contain_text("(1–80)")
    expect(page.locator("label[for=target_weeks]")).to_contain_text("(1–104)")
    page.get_by_label("What do you want to learn?").fill("Learn SQL")
    hours.fill("0")
    page.get_by_label("Target weeks (optional)").fill("2.5")
    page.get_by_role("button", name="Create roadmap").click()

    message = "Hours per week must be between 1 and 80"
    expect(page.locator("#hours_per_week-error")).to_have_text(message)
    expect(hours).to_have_attribute("aria-invalid", "true")
    expect(hours).to_have_attribute("aria-describedby", "hours_per_week-error")
    expect(page.locator("#target_weeks-error")).to_have_text(
        "Target weeks must be a whole number between 1 and 104"
    )
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator("h2")).to_have_text("There are 2 problems")
    expect(summary.get_by_role("link", name=message)).to_have_attribute("href", "#hours_per_week")
    expect(hours).to_have_value("0")
    shot(page, "new-roadmap-errors-375px")


def luminance(css: str) -> float:
    """The relative luminance (WCAG) of a computed ``rgb(…)`` colour."""
    channels = [int(c) / 255 for c in re.findall(r"\d+", css)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_dark_mode_follows_the_system(browser: Browser, site: Site) -> None:
    with screen(browser, 375, dark=True) as page:
        page.goto(site.url(site.concept))
        expect(page.locator("#tutorial pre").first).to_be_visible()
        style = "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]"
        text, background = page.locator("body").evaluate(style)
        assert luminance(background) < 0.05, f"the page is not dark: {background}"
        assert contrast(text, background) >= 7, (text, background)
        muted = page.locator(".muted").first.evaluate("e => getComputedStyle(e).color")
        card = page.locator(".card").first.evaluate("e => getComputedStyle(e).backgroundColor")
        assert contrast(muted, card) >= 4.5, (muted, card)
        link = page.locator(".navigator a").first.evaluate("e => getComputedStyle(e).color")
        assert contrast(link, card) >= 4.5, (link, card)
        shot(page, "concept-dark-375px")
