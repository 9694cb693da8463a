"""Issue 16's accessibility scan: axe-core (from npm, ``node_modules/``; injected into the page,
no network) finds nothing serious or critical on any page of the web app, in the light and the
dark colour scheme, and every page fits 375, 1280 and 1440 px without sideways scrolling.

One server (offline provider, server mode) for the module; its data directory first gets a task
whose every item failed, from a server that fails all content. Every finding, moderate and minor
included, is printed and written to ``test-artifacts/web/axe-findings.txt``; each page at each
width is a screenshot ``axe-<page>-<width>px.png`` there."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api.conftest import PASSWORD, SMALL, Api, concepts, email
from tests.support.server import Server, running_server
from tests.web.conftest import ARTIFACTS, SLOW, TIMEOUT_MS, shot

pytestmark = pytest.mark.slow

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
  .map(v => ({id: v.id, impact: v.impact, targets: v.nodes.map(n => n.target.join(" "))}))"""
BLOCKING = frozenset({"serious", "critical"})
SCHEMES: tuple[Literal["light", "dark"], ...] = ("light", "dark")
WIDTHS = (375, 1280, 1440)
FINDINGS = ARTIFACTS / "axe-findings.txt"
ALL_CONTENT = "tutorial,resources,quiz"
"""What the first server fails: every item of its task, which so ends ``failed``."""
BIG = {"goal": "Learn data engineering end to end", "target_weeks": 16}
"""Enough content items (some 20 s of them) that this roadmap is still being written when its
task's page, the module's first, is scanned."""
JOB_OUTLINE = {
    "title": "Database indexes",
    "summary": "How indexes make queries fast.",
    "nodes": [
        {"id": "1", "title": "B-trees", "summary": "Sorted keys.", "children": []},
        {"id": "2", "title": "Hash indexes", "summary": "Equality lookups.", "children": []},
    ],
}
NOTES = {"file_name": "notes.md", "content": "A B-tree keeps keys sorted [1].", "role": "content"}


@dataclass
class Site:
    server: Server
    learner: str
    newcomer: str
    tasks: dict[str, str]
    roadmap_id: str
    concept_id: str
    jobs: dict[str, str]
    """A finished outline job and a finished document job."""

    def url(self, path: str) -> str:
        return f"{self.server.base_url}{path}"

    @property
    def concept(self) -> str:
        return f"/roadmaps/{self.roadmap_id}?concept={self.concept_id}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Tasks in every state for one learner (failed, in review, finished, running), and a
    second learner with nothing yet."""
    if not AXE.exists():
        pytest.skip(f"no axe-core at {AXE}: `npm ci` (scripts/browser) could not install it")
    FINDINGS.unlink(missing_ok=True)
    home = tmp_path_factory.mktemp("web-axe")
    learner, newcomer = email("learner"), email("newcomer")
    with (
        running_server(home, offline_fail_content=ALL_CONTENT) as faulty,
        ThreadPoolExecutor() as pool,
    ):
        made = pool.submit(faulty.create_user, newcomer, PASSWORD)
        token = faulty.create_user(learner, PASSWORD)
        api = Api(faulty, token)
        failed = api.generate(SMALL, auto_approve=True)
        assert api.wait(failed)["status"] == "failed"
        made.result()
    with running_server(home, **SLOW) as server:
        api = Api(server, token)
        review, done = api.generate(SMALL), api.generate(SMALL, auto_approve=True)
        api.wait_review(review)
        roadmap_id = str(api.wait(done)["roadmap_id"])
        assert api.task(done)["status"] == "completed"
        running = api.generate(BIG, auto_approve=True)
        api.wait(running, {"processing"})
        first = concepts(api.roadmap(roadmap_id))[0]["concept_id"]
        tasks = {"failed": failed, "review": review, "finished": done, "running": running}
        outline = api.call("POST", "/jobs/outline", 202, json={"task_prompt": "Indexes"})
        body = {"outline": JOB_OUTLINE, "word_count": 400, "context_files": [NOTES]}
        document = api.call("POST", "/jobs/document", 202, json=body)
        jobs = {"outline": outline["job_id"], "document": document["job_id"]}
        for job_id in jobs.values():
            assert api.wait(job_id)["status"] == "completed"
        yield Site(server, learner, newcomer, tasks, roadmap_id, first, jobs)


@dataclass(frozen=True)
class Finding:
    rule: str
    impact: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        shown = ", ".join(self.targets[:3]) + (" …" if len(self.targets) > 3 else "")
        return f"{self.impact} {self.rule} ×{len(self.targets)}: {shown}"


def scan(page: Page) -> list[Finding]:
    """axe-core's violations on the page as it is now."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    return [Finding(f["id"], str(f["impact"]), tuple(f["targets"])) for f in found]


def check(page: Page, name: str) -> None:
    """The page as it is shown now: axe in both colour schemes, then its width at each screen
    width (a screenshot of each); every finding recorded before anything is asserted."""
    findings: dict[str, list[Finding]] = {}
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme)
        findings[scheme] = scan(page)
    page.emulate_media(color_scheme="light")
    too_wide: dict[int, int] = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        wide, screen = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        if wide > screen:
            too_wide[screen] = wide
        shot(page, f"axe-{name}-{width}px")
    page.set_viewport_size({"width": 1280, "height": 900})
    lines = [f"{name} {scheme}: {f}" for scheme, found in findings.items() for f in found]
    print("\n".join(lines or [f"{name}: no findings"]))
    with FINDINGS.open("a", encoding="utf-8") as out:
        out.write("\n".join(lines or [f"{name}: no findings"]) + "\n")
    blocking = [f"{s} {f}" for s, found in findings.items() for f in found if f.impact in BLOCKING]
    assert blocking == [], f"{name}: {blocking}"
    assert too_wide == {}, f"{name} scrolls sideways (screen width → page width): {too_wide}"


@contextmanager
def signed_in(browser: Browser, site: Site, who: str | None) -> Iterator[Page]:
    """A fresh page, signed in as ``who`` (nobody when None); any script error on it fails
    the test. The page's CSP is bypassed so that axe can be injected inline."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    opened = context.new_page()
    opened.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    try:
        if who is not None:
            sign_in(opened, site, who)
        yield opened
    finally:
        context.close()
    assert errors == [], f"script errors on the page: {errors}"


def sign_in(page: Page, site: Site, who: str) -> None:
    page.goto(site.url("/signin"))
    page.get_by_label("Email").fill(who)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("main h1")).to_have_text("My roadmaps")


@pytest.fixture(scope="module")
def learner(browser: Browser, site: Site) -> Iterator[Page]:
    with signed_in(browser, site, site.learner) as page:
        yield page


def shown(path: Callable[[Site], str], ready: str = "main h1") -> Callable[[Page, Site], None]:
    """A visit to the site's ``path`` that is done once ``ready`` shows."""

    def visit(page: Page, site: Site) -> None:
        page.goto(site.url(path(site)))
        expect(page.locator(ready).first).to_be_visible()

    return visit


def fixed(path: str) -> Callable[[Site], str]:
    """An address that is the same on every site."""
    return lambda _: path


def refused_form(page: Page, site: Site) -> None:
    page.goto(site.url("/new"))
    page.get_by_label("Hours per week").fill("lots")
    page.get_by_role("button", name="Create roadmap").click()
    expect(page.locator("#error-summary")).to_be_focused()


def graded_quiz(page: Page, site: Site) -> None:
    page.goto(site.url(f"{site.concept}&tab=quiz"))
    questions = page.locator("#quiz fieldset")
    expect(questions.first).to_be_visible()
    for n in range(questions.count()):
        questions.nth(n).locator("input").first.check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.locator("#quiz-score")).to_be_visible()


PAGES: dict[str, Callable[[Page, Site], None]] = {
    "task-running": shown(
        lambda s: f"/tasks/{s.tasks['running']}", "form[action$='/cancel'] button"
    ),
    "home-roadmaps": shown(fixed("/"), ".card"),
    "new-roadmap": shown(fixed("/new"), "#goal"),
    "new-roadmap-refused": refused_form,
    "tasks": shown(fixed("/tasks")),
    "task-review": shown(lambda s: f"/tasks/{s.tasks['review']}", "#review"),
    "task-finished": shown(lambda s: f"/tasks/{s.tasks['finished']}", "#task-status"),
    "task-failed": shown(lambda s: f"/tasks/{s.tasks['failed']}", "form[action$='/retry'] button"),
    "roadmap": shown(lambda s: f"/roadmaps/{s.roadmap_id}"),
    "concept-tutorial": shown(lambda s: s.concept, "#tutorial"),
    "concept-resources": shown(lambda s: f"{s.concept}&tab=resources", "#resources"),
    "concept-quiz": shown(lambda s: f"{s.concept}&tab=quiz", "#quiz fieldset"),
    "quiz-result": graded_quiz,
    "roadmap-edit": shown(lambda s: f"/roadmaps/{s.roadmap_id}/edit"),
    "not-found": shown(fixed("/no/such/page")),
    "docs": shown(fixed("/docs"), ".opblock-tag"),
    "documents": shown(fixed("/documents")),
    "document-new": shown(fixed("/documents/new"), "#task_prompt"),
    "document-outline": shown(lambda s: f"/documents/{s.jobs['outline']}", "form"),
    "document-reading": shown(lambda s: f"/documents/{s.jobs['document']}", "#downloads"),
}


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_serious_findings_and_fits(learner: Page, site: Site, name: str) -> None:
    PAGES[name](learner, site)
    check(learner, name)


def test_pages_before_content_have_no_serious_findings(browser: Browser, site: Site) -> None:
    with signed_in(browser, site, None) as page:
        page.goto(site.url("/signin"))
        expect(page.get_by_label("Email")).to_be_visible()
        check(page, "signin")
        sign_in(page, site, site.newcomer)
        check(page, "home-empty")
        page.goto(site.url("/tasks"))
        check(page, "tasks-empty")


def test_the_scan_reports_what_it_should(learner: Page, site: Site) -> None:
    """The check checked: an image without a text alternative and faint text, put on a page
    that has no findings, are the scan's findings (critical and serious)."""
    learner.goto(site.url("/no/such/page"))
    learner.locator("main").evaluate(
        """main => main.insertAdjacentHTML("beforeend",
          '<img id="bare" src="/static/favicon.svg"><p id="faint" style="color: #bbb">Faint</p>')"""
    )
    found = {(f.rule, f.impact, f.targets) for f in scan(learner)}
    assert found == {
        ("image-alt", "critical", ("#bare",)),
        ("color-contrast", "serious", ("#faint",)),
    }
