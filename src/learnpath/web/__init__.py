"""The web app: server-rendered pages over the service layer, mounted at ``/``.

Pages call the same service functions as the HTTP API; the browser scripts in ``static/``
follow task events over SSE, call the JSON API for live actions (item retry) with the
double-submit CSRF token of :mod:`learnpath.web.csrf`, and make the framework editor's form
act in place. Every form answers post/redirect/get: a success sends the browser (303) to a
page it can reload, and every form's address answers a GET with the page the form is on.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from learnpath.web import (
    document_pages,
    editor_pages,
    pages,
    quiz_pages,
    roadmap_pages,
    signin,
    task_pages,
)
from learnpath.web.csrf import CSRFGuard
from learnpath.web.errors import install_handlers

STATIC = Path(__file__).with_name("static")
BODY_LIMITS = {"/documents/new": document_pages.MAX_UPLOAD}
"""Pages whose forms may send more than ``LEARNPATH_MAX_BODY_BYTES``: the new-document form
with its context files (the server's input boundary)."""


def install(app: FastAPI) -> None:
    """Mount the pages at ``/`` and the scripts and styles at ``/static``."""
    install_handlers(app)
    for module in (
        pages,
        signin,
        task_pages,
        editor_pages,
        roadmap_pages,
        quiz_pages,
        document_pages,
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(CSRFGuard)
    # Signs quiz results when the server has no secret key (learnpath.web.quiz_pages).
    app.state.result_key = secrets.token_bytes(32)
