"""The web app: server-rendered pages over the service layer, mounted at ``/``.

Pages call the same service functions as the HTTP API; the browser scripts in ``static/``
follow task events over SSE and call the JSON API for live actions (item retry, direct
framework edits), with the double-submit CSRF token of :mod:`learnpath.web.csrf`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from learnpath.web import pages, roadmap_pages, signin, task_pages
from learnpath.web.csrf import CSRFGuard
from learnpath.web.errors import install_handlers

STATIC = Path(__file__).with_name("static")


def install(app: FastAPI) -> None:
    """Mount the pages at ``/`` and the scripts and styles at ``/static``."""
    install_handlers(app)
    for module in (pages, signin, task_pages, roadmap_pages):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(CSRFGuard)
