"""Live task events: SSE with resume by ``seq``, and a WebSocket (SPEC §5)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.sse import EventSourceResponse, ServerSentEvent

from learnpath.api.deps import PrincipalDep, RuntimeDep, websocket_principal
from learnpath.api.errors import ERROR_RESPONSES
from learnpath.domain.events import Event
from learnpath.engine.runtime import Runtime
from learnpath.events.follow import follow
from learnpath.service import tasks
from learnpath.service.users import BadCredentials
from learnpath.store.tasks import TaskNotFound

router = APIRouter(tags=["events"], responses=ERROR_RESPONSES)


async def _events(rt: Runtime, task_id: str, after: int) -> AsyncIterator[Event]:
    """Replay after ``after``, then live, until a terminal event; at once when the task has
    already ended and nothing is left to replay."""
    view = await tasks.get_task_view(rt, task_id)
    if view.status.is_terminal and view.last_event_seq <= after:
        return
    async for event in follow(rt, task_id, after):
        yield event
        if event.is_terminal:
            return


@router.get(
    "/tasks/{task_id}/events",
    response_class=EventSourceResponse,
    responses={200: {"description": "text/event-stream; `id:` is the event's seq"}},
)
async def stream_events(
    task_id: str,
    request: Request,
    rt: RuntimeDep,
    who: PrincipalDep,
    after: Annotated[int | None, Query(ge=0, description="resume after this seq")] = None,
    last_event_id: Annotated[str | None, Header()] = None,
) -> AsyncIterator[ServerSentEvent]:
    """Server-sent events: every event after ``Last-Event-ID`` (or ``?after=``), exactly once,
    in order; the stream ends after the terminal event."""
    await tasks.get_task_view(rt, task_id, who.user_id)
    start = after or 0
    if last_event_id and last_event_id.isdigit():
        start = max(start, int(last_event_id))
    metrics = request.app.state.metrics
    metrics.sse_subscribers.inc()
    try:
        async for event in _events(rt, task_id, start):
            yield ServerSentEvent(raw_data=event.wire(), event=event.type.value, id=str(event.seq))
    finally:
        metrics.sse_subscribers.dec()


@router.websocket("/ws/{task_id}")
async def websocket_events(
    websocket: WebSocket,
    task_id: str,
    include_history: bool = True,
    after: int | None = None,
) -> None:
    """Events as JSON messages (history first unless ``include_history=false``); answers
    ``ping`` with ``{"type": "pong"}`` and ``get_status`` with ``{"type": "status", "task"}``.
    Closes 4401 without a valid token, 4404 for an unknown task, 1000 after the terminal
    event."""
    rt: Runtime = websocket.app.state.runtime
    try:
        who = websocket_principal(websocket)
        view = await tasks.get_task_view(rt, task_id, who.user_id)
    except BadCredentials:
        await websocket.close(code=4401, reason="not authenticated")
        return
    except TaskNotFound:
        await websocket.close(code=4404, reason="task not found")
        return
    await websocket.accept()
    start = after if after is not None else (0 if include_history else view.last_event_seq)
    send_lock = asyncio.Lock()

    async def send_text(text: str) -> None:
        async with send_lock:
            await websocket.send_text(text)

    async def send(message: dict[str, object]) -> None:
        await send_text(json.dumps(message))

    async def answer() -> None:
        while True:
            raw = await websocket.receive_text()
            kind = raw.strip()
            with contextlib.suppress(ValueError, AttributeError):
                kind = str(json.loads(raw).get("type", kind))
            if kind == "ping":
                await send({"type": "pong"})
            elif kind == "get_status":
                status = await tasks.get_task_view(rt, task_id, who.user_id)
                await send({"type": "status", "task": status.model_dump(mode="json")})
            else:
                await send({"type": "error", "message": f"unknown message {kind[:40]!r}"})

    async def pump() -> None:
        async for event in _events(rt, task_id, start):
            await send_text(event.wire())
        await websocket.close(code=1000)

    jobs = {asyncio.create_task(pump()), asyncio.create_task(answer())}
    done, pending = await asyncio.wait(jobs, return_when=asyncio.FIRST_COMPLETED)
    for job in pending:
        job.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for job in done:
        error = job.exception()
        if error is not None and not isinstance(error, WebSocketDisconnect | RuntimeError):
            raise error
