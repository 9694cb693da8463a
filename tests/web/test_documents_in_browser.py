"""The Documents area in a real Chromium (docs/contract.md §7): a new document with uploaded
context files, its outline edited, the document written with live chapter progress, read
(contents and citation links) and downloaded; at 1280 and 375 px, and without scripts."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from learnpath.web.csrf import CSRF_COOKIE
from tests.support.server import Server, running_server
from tests.web.conftest import SLOW, TIMEOUT_MS, shot

pytestmark = pytest.mark.slow
PROMPT = "A practical guide to database indexes"
NOTES = (
    b"# Notes on database indexes\n\n"
    b"Database indexes speed up lookups: a B-tree keeps keys sorted.\n"
)
STYLE = b"Write plainly, in short sentences, for working engineers.\n"
SEEN_STATES = """
setInterval(() => {
  const seen = new Set(JSON.parse(sessionStorage.getItem("chapterStates") || "[]"));
  document.querySelectorAll("#chapters [data-state]").forEach((li) => seen.add(li.dataset.state));
  sessionStorage.setItem("chapterStates", JSON.stringify([...seen]));
}, 40);
"""
"""Every chapter state the page showed, kept across the reload that ends the job."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Local, offline with latency; chapter 9 always fails (no outline drafted here has as
    many chapters)."""
    home: Path = tmp_path_factory.mktemp("web-documents")
    with running_server(home, local=True, offline_fail_content="chapter:9", **SLOW) as started:
        yield started


def jobs_total(server: Server) -> int:
    answer = httpx.get(f"{server.base_url}/api/v1/jobs", timeout=30)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["total"])


def fits(page: Page, name: str, width: int) -> None:
    """No horizontal scroll, and a screenshot of the page at this width."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    shot(page, f"documents-{name}-{width}")


def start_outline(page: Page, width: int) -> None:
    page.get_by_role("link", name="New document").click()
    expect(page.get_by_role("heading", name="New document")).to_be_visible()
    fits(page, "new", width)
    page.get_by_label("What should the document be about?").fill(f"{PROMPT} ({width} px)")
    page.get_by_label("Files", exact=True).set_input_files(
        [
            {"name": "notes.md", "mimeType": "text/markdown", "buffer": NOTES},
            {"name": "style.md", "mimeType": "text/markdown", "buffer": STYLE},
        ]
    )
    expect(page.get_by_label("Role of notes.md")).to_have_value("content")
    page.get_by_label("Role of style.md").select_option("style")
    page.get_by_role("button", name="Draft the outline").click()
    expect(page.get_by_role("heading", name="Edit the outline")).to_be_visible()
    fits(page, "outline", width)


def edit_outline(page: Page, width: int) -> list[str]:
    """Rename the first chapter, add a chapter at the end, move the second one down: the
    chapter titles the document must then hold, in order."""
    renamed, added = f"Indexes from first principles {width}", f"Appendix on tooling {width}"
    page.get_by_label("Title of node 1", exact=True).fill(renamed)
    chapters = page.locator(".outline-row.depth-1").count()
    page.get_by_role("button", name="Add a chapter").click()
    new_title = page.get_by_label(f"Title of node {chapters + 1}", exact=True)
    expect(new_title).to_be_focused()
    new_title.fill(added)
    second = page.get_by_label("Title of node 2", exact=True).input_value()
    page.get_by_role("button", name="Move node 2 down", exact=True).click()
    expect(page.get_by_label("Title of node 3", exact=True)).to_have_value(second)
    expect(page.get_by_role("button", name="Move node 3 down", exact=True)).to_be_focused()
    expect(page.get_by_label("Title of node 1", exact=True)).to_have_value(renamed)
    page.get_by_label("Word count").fill("900")
    fits(page, "outline-edited", width)
    return [
        page.get_by_label(f"Title of node {n}", exact=True).input_value()
        for n in range(1, chapters + 2)
    ]


def read_document(page: Page, width: int) -> None:
    reading = page.locator("#reading")
    expect(page.locator("#word-count")).to_contain_text("words")
    contents = reading.get_by_role("navigation", name="Contents").get_by_role("link")
    last = contents.last
    anchor = str(last.get_attribute("href"))
    last.click()
    expect(page.locator(anchor)).to_be_in_viewport()
    citation = reading.locator("section.chapter a[href^='#ref-']").first
    target = str(citation.get_attribute("href"))
    citation.click()
    expect(page.locator(target)).to_be_in_viewport()
    assert page.url.endswith(target)
    fits(page, "reading", width)


@pytest.mark.parametrize("width", [1280, 375])
def test_a_document_from_prompt_to_download(page: Page, server: Server, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.add_init_script(SEEN_STATES)
    page.goto(f"{server.base_url}/documents")
    fits(page, "list-before", width)
    start_outline(page, width)
    titles = edit_outline(page, width)
    renamed = titles[0]
    outline_url = page.url
    page.get_by_role("button", name="Write the document").click()
    expect(page).not_to_have_url(outline_url)
    expect(page.locator("#chapters")).to_contain_text(renamed)
    fits(page, "writing", width)
    expect(page.get_by_role("heading", name="The document")).to_be_visible(timeout=2 * TIMEOUT_MS)
    seen = page.evaluate("JSON.parse(sessionStorage.getItem('chapterStates'))")
    assert {"writing", "done"} <= set(seen), seen
    expect(page.locator("#chapters [data-state='done']")).to_have_count(len(titles))
    read_document(page, width)
    with page.expect_download() as download:
        page.get_by_role("link", name="Markdown (.md)").click()
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    headings = re.findall(r'^## <a id="chapter-\d+"></a>\d+\. (.+)$', markdown, re.MULTILINE)
    assert headings == titles
    assert titles[0].startswith("Indexes from first principles")
    assert titles[-1] == f"Appendix on tooling {width}"
    page.goto(f"{server.base_url}/documents")
    rows = page.locator("#documents tbody tr", has_text=f"{PROMPT} ({width} px)")
    expect(rows).to_have_count(2)  # newest first: the document, then its outline
    expect(rows.nth(0).locator("td[data-label=Kind]")).to_have_text("Document")
    expect(rows.nth(1).locator("td[data-label=Kind]")).to_have_text("Outline")
    fits(page, "list", width)


def test_a_refused_upload_names_the_file_and_creates_nothing(page: Page, server: Server) -> None:
    before = jobs_total(server)
    page.goto(f"{server.base_url}/documents/new")
    page.get_by_label("What should the document be about?").fill(PROMPT)
    scan = {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n\xe2\x28\xa1"}
    page.get_by_label("Files", exact=True).set_input_files([scan])
    page.get_by_role("button", name="Draft the outline").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("scan.pdf is not UTF-8 text")
    expect(page.get_by_label("What should the document be about?")).to_have_value(PROMPT)
    assert jobs_total(server) == before
    fits(page, "refused-upload", 1280)
    page.set_viewport_size({"width": 375, "height": 900})
    fits(page, "refused-upload", 375)


def wait_for_editor(page: Page) -> None:
    """A page without scripts does not follow the job: reload it until the outline is in."""
    for _ in range(100):
        if page.get_by_role("heading", name="Edit the outline").count():
            return
        page.wait_for_timeout(200)
        page.reload()
    raise AssertionError("the outline job did not finish")


def test_the_form_and_the_editor_without_javascript(browser: Browser, server: Server) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 900})
    try:
        plain = context.new_page()
        plain.goto(f"{server.base_url}/documents/new")
        plain.get_by_label("What should the document be about?").fill("Indexes without scripts")
        plain.get_by_label("File 1", exact=True).set_input_files(
            [{"name": "style.txt", "mimeType": "text/plain", "buffer": STYLE}]
        )
        plain.get_by_label("Role of file 1").select_option("style")
        plain.get_by_label("Files", exact=True).set_input_files(
            [{"name": "notes.md", "mimeType": "text/markdown", "buffer": NOTES}]
        )
        shot(plain, "documents-new-nojs-375")
        plain.get_by_role("button", name="Draft the outline").click()
        expect(plain).to_have_url(re.compile(r"/documents/[A-Za-z0-9_-]+$"))
        wait_for_editor(plain)
        plain.get_by_label("Title of node 1", exact=True).fill("Renamed without scripts")
        plain.get_by_role("button", name="Move node 1 down", exact=True).click()
        expect(plain.get_by_label("Title of node 2", exact=True)).to_have_value(
            "Renamed without scripts"
        )
        plain.get_by_role("button", name="Remove node 1", exact=True).click()
        expect(plain.get_by_label("Title of node 1", exact=True)).to_have_value(
            "Renamed without scripts"
        )
        nested = plain.get_by_label("Title of node 2", exact=True).input_value()
        plain.get_by_role("button", name="Indent node 2", exact=True).click()
        row = plain.locator(".outline-row", has=plain.locator(f"input[value='{nested}']"))
        expect(row).to_have_class(re.compile(r"\bdepth-2\b"))
        expect(row).to_have_attribute("data-node", re.compile(r"^1\.\d+$"))
        plain.get_by_role("button", name="Add a chapter").click()
        plain.get_by_label("Word count").fill("100")
        plain.get_by_role("button", name="Write the document").click()
        summary = plain.locator("#error-summary")
        expect(summary).to_contain_text("title is empty")
        expect(summary).to_contain_text("Word count must be between 300 and 50000")
        assert plain.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shot(plain, "documents-outline-nojs-375")
        empty = plain.locator(".outline-row input[type=text][aria-invalid=true]")
        empty.fill("Closing notes")
        plain.get_by_label("Word count").fill("600")
        plain.get_by_role("button", name="Write the document").click()
        expect(plain.locator("#chapters")).to_contain_text("Closing notes")
    finally:
        context.close()


def test_a_partly_written_document_names_its_failed_chapter(server: Server) -> None:
    """Over plain HTTP: the reading view of what was written, the failed chapter named, and
    its retry button (a form that goes back to the job's page)."""
    outline = {
        "title": "Nine short chapters",
        "nodes": [{"id": str(n), "title": f"Chapter {n} of nine"} for n in range(1, 10)],
    }
    api = httpx.Client(base_url=f"{server.base_url}/api/v1", timeout=30)
    body = {"outline": outline, "word_count": 900, "online": False}
    job_id = api.post("/jobs/document", json=body).json()["job_id"]
    for _ in range(300):
        status = api.get(f"/jobs/{job_id}").json()["status"]
        if status not in ("pending", "processing"):
            break
        time.sleep(0.1)
    assert status == "partial_failure"
    client = httpx.Client(base_url=server.base_url, timeout=30)
    page = client.get(f"/documents/{job_id}")
    assert page.status_code == 200
    assert "Not written: 9 Chapter 9 of nine." in page.text
    assert page.text.count('data-state="done"') == 8
    assert 'href="#chapter-1"' in page.text and 'id="chapter-1"' in page.text
    retry = client.post(
        f"/documents/{job_id}/retry", data={"csrf_token": client.cookies[CSRF_COOKIE]}
    )
    assert (retry.status_code, retry.headers["location"]) == (303, f"/documents/{job_id}")
    assert api.get(f"/jobs/{job_id}").json()["status"] in ("pending", "processing")
