"""Server mode in the browser: sign in (a wrong password is refused, the right one gets in),
then edit the framework directly in review — rename, add, remove, reorder — with a
validation error shown next to the concept it concerns. Also the narrow (375 px) layout."""

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

    page.get_by_role("button", name="Edit directly").click()
    editor = page.locator("#editor")
    first = editor.get_by_label("Concept 1.1.1 name")
    first.fill("Tables, rows and columns")
    add = editor.get_by_role("button", name=re.compile("Add a concept to module")).first
    add.click()
    added = editor.locator(".edit-concept[data-concept^='new-concept']")
    added.get_by_role("textbox").fill("Reading query plans")
    added.get_by_role("button", name=re.compile("Move concept .* up")).click()
    last = editor.locator(".edit-concept").last
    last.get_by_role("button", name=re.compile("Remove concept")).click()
    removed = before[-1]
    editor.get_by_role("button", name="Save changes").click()
    expect(page.locator("#framework-tree")).to_contain_text("Tables, rows and columns")
    names = concept_names(page)
    assert "Reading query plans" in names
    assert removed not in names
    assert len(names) == len(before)
    module = page.locator("#framework-tree .module").first.locator(".concept-name")
    texts = module.all_inner_texts()
    assert texts.index("Reading query plans") == len(texts) - 2, "moved up one place"
    shot(page, "review-after-edit")

    page.get_by_role("button", name="Edit directly").click()
    second = editor.locator(".edit-concept").nth(1)
    second.get_by_role("textbox").fill("")
    editor.get_by_role("button", name="Save changes").click()
    error = second.locator(".field-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("name")
    expect(second).to_have_class(re.compile("invalid"))
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
