"""``/docs`` in a real Chromium: the Swagger UI comes from this server and runs under the
page's Content-Security-Policy (no CDN, no inline script, no violation reported)."""

from __future__ import annotations

import pytest

from tests.support.server import Server
from tests.web.conftest import playwright_sync, shot

pytestmark = pytest.mark.slow


def test_docs_render_offline_under_the_csp(
    page: playwright_sync.Page, accounts_server: Server
) -> None:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    outside: list[str] = []
    base = accounts_server.base_url
    page.on("request", lambda r: None if r.url.startswith(base) else outside.append(r.url))
    page.goto(f"{base}/docs")
    page.wait_for_selector(".opblock-tag")
    assert page.locator(".opblock-tag", has_text="auth").count() == 1
    assert page.locator(".opblock-summary-path", has_text="/api/v1/auth/token").count() == 1
    shot(page, "docs")
    assert problems == [], problems
    assert outside == [], outside
