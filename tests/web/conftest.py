"""The web app under a real ``learnpath serve`` and a real Chromium (Debian's, driven by
Playwright; never a downloaded browser). Screenshots go to ``test-artifacts/web/``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import Api
from tests.support.server import Server, running_server

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
TIMEOUT_MS = 30_000
SLOW = {"offline_latency_s": "0.3", "llm_concurrency": "2"}
"""Slow enough to watch content being generated (and cancel it), fast enough for a suite."""

playwright_sync.expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def browser() -> Iterator[playwright_sync.Browser]:
    """Chromium for one test module. Not for the session: Playwright's sync API runs an
    event loop in this thread while it is open, and the suite's files run in parallel
    (pytest-xdist), so a module after a browser module on the same worker would find a
    loop running where it calls ``asyncio.run``."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: `apt-get install -y chromium` (scripts/browser)")
    with playwright_sync.sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: playwright_sync.Browser) -> Iterator[playwright_sync.Page]:
    """A fresh browser context; any script error on a page fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert errors == [], f"script errors on the page: {errors}"


def shot(page: playwright_sync.Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="session")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``--local`` (no login), offline provider with latency."""
    with running_server(tmp_path_factory.mktemp("web-local"), local=True, **SLOW) as server:
        yield server


@pytest.fixture(scope="session")
def accounts_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Server mode: sign-in required."""
    with running_server(tmp_path_factory.mktemp("web-accounts"), **SLOW) as server:
        yield server


@pytest.fixture
def local_api(local_server: Server) -> Api:
    return Api(local_server)
