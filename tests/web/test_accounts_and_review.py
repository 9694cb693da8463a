"""Server mode in the browser: sign in (a wrong password is refused, the right one gets in),
then edit the framework in review — a rename and a removal saved, an empty name refused
next to its field (the editor itself: tests/web/test_framework_editor.py). Also the narrow
(375 px) layout."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api.conftest import PASSWORD, email
from tests.support.server import Server
from tests.web.conftest import TIMEOUT_MS, shot

pytestmark = pytest.mark.slow


def sign_in(page: Page, server: Server, address: str) -> None:
    page.goto(f"{server.base_url}/tasks")
    expect(page).to_have_url(re.compile(r"/signin\?next=%2Ftasks"))
    page.get_by_label("Email").fill(address)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#signin-error")).to_have_text("Wrong email or password.")
    shot(page, "signin-error")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.base_url}/tasks")
    expect(page.get_by_role("heading", name="My tasks")).to_be_visible()


def concept_names(page: Page) -> list[str]:
    return page.locator("#framework-tree .concept-name").all_inner_texts()


def test_sign_in_and_edit_in_review(page: Page, accounts_server: Server) -> None:
    address = email("web-review")
    accounts_server.create_user(address, PASSWORD)
    sign_in(page, accounts_server, address)

    page.goto(f"{accounts_server.base_url}/new")
    page.get_by_label("What do you want to learn?").fill("Learn SQL")
    page.get_by_label("Target weeks (optional)").fill("1")
    page.get_by_role("button", name="Create roadmap").click()
    expect(page.locator("#review")).to_be_visible()
    before = concept_names(page)
    assert len(before) >= 3

    # The editor's form in server mode (the CSRF token of a signed-in session): a rename and
    # a removal, saved; then an empty name, refused beside the field.
    page.get_by_text("Edit the framework directly").click()
    first = page.get_by_role("group", name="Concept 1.1.1", exact=True)
    first.get_by_label("Concept name").fill("Tables, rows and columns")
    last = page.locator(".ed-concept").last
    removed = last.get_by_label("Concept name").input_value()
    last.get_by_role("button", name="Remove concept").click()
    page.get_by_role("button", name="Save changes").first.click()
    expect(page.get_by_text("Saved: the framework now holds your changes.")).to_be_visible()
    names = concept_names(page)
    assert names == ["Tables, rows and columns", *before[1:-1]], (names, removed)
    assert removed == before[-1]
    shot(page, "review-after-edit")

    page.get_by_role("group", name="Concept 1.1.2", exact=True).get_by_label("Concept name").fill(
        ""
    )
    page.get_by_role("button", name="Save changes").first.click()
    name = page.get_by_role("group", name="Concept 1.1.2", exact=True).get_by_label("Concept name")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#s0-m0-c1-name-error")).to_have_text(
        "Name of concept 1.1.2 must not be empty"
    )
    assert concept_names(page) == names, "nothing saved"
    shot(page, "review-edit-error")


def test_narrow_screen(browser: Browser, accounts_server: Server) -> None:
    address = email("web-narrow")
    accounts_server.create_user(address, PASSWORD)
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.goto(f"{accounts_server.base_url}/signin")
        shot(page, "signin-375px")
        page.get_by_label("Email").fill(address)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{accounts_server.base_url}/new")
        expect(page.get_by_role("button", name="Create roadmap")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the page scrolls sideways at 375 px ({width} px)"
        shot(page, "new-roadmap-375px")
        page.get_by_label("What do you want to learn?").fill("Learn SQL")
        page.get_by_label("Target weeks (optional)").fill("1")
        page.get_by_role("button", name="Create roadmap").click()
        expect(page.locator("#estimate")).to_contain_text("content calls")
        box = page.locator("#estimate").bounding_box()
        assert box is not None and box["x"] + box["width"] <= 375, box
        shot(page, "review-estimate-375px")
    finally:
        context.close()
