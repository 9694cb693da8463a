"""The HTTP server: the API (routes under ``/api/v1``) and the web pages in one FastAPI
application, one runtime per process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from learnpath import __version__
from learnpath.api import errors, security, throttle, validation, websocket_errors
from learnpath.api.limits import InputBoundary
from learnpath.api.logging import RequestLog
from learnpath.api.metrics import Metrics
from learnpath.api.routes import admin, auth, content, events, health, jobs, roadmaps, tasks
from learnpath.config import Settings
from learnpath.domain.events import Event
from learnpath.service.resume import resume_orphans
from learnpath.service.sweeper import Sweeper
from learnpath.web import BODY_LIMITS as WEB_BODY_LIMITS
from learnpath.web import install as install_web
from learnpath.wiring import open_runtime

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, local: bool = False) -> FastAPI:
    """``local``: the loopback single-user mode, no login. Otherwise a real secret key is
    required (checked by ``learnpath serve`` before the app is built)."""
    settings = settings or Settings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_runtime(settings) as runtime:

            async def count(events: list[Event]) -> None:
                metrics.events_published.inc(len(events))

            runtime.db.add_event_sink(count)
            app.state.runtime = runtime
            if settings.distributed:
                sweeping = asyncio.create_task(Sweeper(runtime).run())
            else:
                resumed = await resume_orphans(runtime)
                if resumed:
                    log.info("resumed %d task(s) left running by a previous process", len(resumed))
            try:
                yield
            finally:
                if settings.distributed:
                    sweeping.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await sweeping

    app = FastAPI(
        title="learnpath",
        version=__version__,
        summary="Personalised learning roadmaps generated as durable, observable tasks.",
        lifespan=lifespan,
        # FastAPI's own /docs and /redoc load their scripts from a CDN: ours are served here.
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.local = local
    app.state.metrics = metrics
    _assemble(app, settings, metrics, local=local)
    return app


def _assemble(app: FastAPI, settings: Settings, metrics: Metrics, *, local: bool) -> None:
    """The app's error handlers, routes (API, health, docs, web) and middleware."""
    errors.install(app)
    validation.install(app)
    throttle.install(app, settings)
    websocket_errors.install(app)
    api = APIRouter(prefix="/api/v1")
    for module in (tasks, roadmaps, content, events, jobs, auth, admin):
        api.include_router(module.router)
    app.include_router(api)
    app.include_router(health.router)
    security.install_docs(app, settings)
    install_web(app)
    app.add_middleware(
        InputBoundary,
        max_body_bytes=settings.max_body_bytes,
        own_limits={**jobs.BODY_LIMITS, **WEB_BODY_LIMITS},
    )
    app.add_middleware(RequestLog, metrics=metrics)
    security.install(app, settings, local=local)
