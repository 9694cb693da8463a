"""Live task events: SSE with resume by ``seq``, and a WebSocket (SPEC §5)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Header, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.sse import EventSourceResponse, ServerSentEvent

from learnpath.api.deps import MAX_INT, PrincipalDep, RuntimeDep, websocket_principal
from learnpath.api.errors import ERROR_RESPONSES, json_errors
from learnpath.domain.events import Event
from learnpath.engine.runtime import Runtime
from learnpath.events.follow import follow, uncancelled
from learnpath.service import tasks
from learnpath.service.users import BadCredentials
from learnpath.store.tasks import TaskNotFound

router = APIRouter(tags=["events"], responses=ERROR_RESPONSES)


def _seq(value: str | None) -> int | None:
    """A ``Last-Event-ID`` as a seq, or None when it is not one (ASCII digits within range)."""
    if value is None or not value.isascii() or not value.isdigit():
        return None
    seq = int(value)
    return seq if seq <= MAX_INT else None


async def _ended(rt: Runtime, task_id: str, seq: int) -> bool:
    """Whether the task has ended with nothing logged after ``seq``."""
    view = await uncancelled(tasks.get_task_view(rt, task_id))
    return view.status.is_terminal and view.last_event_seq <= seq


async def _events(rt: Runtime, task_id: str, after: int) -> AsyncGenerator[Event, None]:
    """Replay after ``after``, then live, until the task's last terminal event; at once when
    the task has already ended and nothing is left to replay.

    A terminal event ends the stream only when nothing follows it: a task retried after
    ``cancelled`` or ``failed`` keeps its id and log, so its stream goes on to the end of the
    new run. (The terminal status and its event are committed together.)

    ``follow`` is closed explicitly (``aclosing``), whether this ends, fails or is closed
    itself: ``async for`` alone would leave it suspended, subscribed to the bus, until the
    garbage collector finalises it."""
    if await _ended(rt, task_id, after):
        return
    async with contextlib.aclosing(follow(rt, task_id, after)) as stream:
        async for event in stream:
            yield event
            if event.is_terminal and await _ended(rt, task_id, event.seq):
                return


async def _sse_stream(
    task_id: str,
    request: Request,
    rt: RuntimeDep,
    who: PrincipalDep,
    after: Annotated[
        int | None, Query(ge=0, le=MAX_INT, description="resume after this seq")
    ] = None,
    last_event_id: Annotated[str | None, Header()] = None,
) -> AsyncIterator[AsyncGenerator[Event, None]]:
    """The events of one SSE response, opened before the response starts (so an unknown task
    is a 404, not an empty 200 stream: the endpoint generator only runs once the response
    has begun) and closed when the request ends, however it ends.

    The closing is not left to the endpoint generator: when the client hangs up, FastAPI
    stops iterating that generator but never closes it, so its ``finally`` — and the bus
    subscription behind it — would wait for the garbage collector."""
    await tasks.get_task_view(rt, task_id, who.user_id)
    start = max(after or 0, _seq(last_event_id) or 0)
    metrics = request.app.state.metrics
    metrics.sse_subscribers.inc()
    stream = _events(rt, task_id, start)
    try:
        yield stream
    except* (anyio.BrokenResourceError, anyio.ClosedResourceError):
        # FastAPI's SSE keep-alive task, caught writing to a client that hung up, fails the
        # request teardown (fastapi discussion #15725): the response is over and nothing is
        # lost, so no "Exception in ASGI application" traceback for every disconnect.
        pass
    finally:
        await stream.aclose()
        metrics.sse_subscribers.dec()


@router.get(
    "/tasks/{task_id}/events",
    response_class=EventSourceResponse,
    responses={
        200: {"description": "text/event-stream; `id:` is the event's seq"},
        **json_errors(ERROR_RESPONSES),
    },
)
async def stream_events(
    events: Annotated[AsyncGenerator[Event, None], Depends(_sse_stream)],
) -> AsyncIterator[ServerSentEvent]:
    """Server-sent events: every event after ``Last-Event-ID`` (or ``?after=``), exactly once,
    in order; the stream ends after the terminal event. A ``Last-Event-ID`` that is not a seq
    is ignored."""
    async for event in events:
        yield ServerSentEvent(raw_data=event.wire(), event=event.type.value, id=str(event.seq))


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
    event.

    The handshake is accepted before those checks: a close before ``accept`` is an HTTP 403
    to the client, which would never see the 4401/4404 codes."""
    rt: Runtime = websocket.app.state.runtime
    await websocket.accept()
    try:
        who = websocket_principal(websocket)
        view = await tasks.get_task_view(rt, task_id, who.user_id)
    except BadCredentials:
        await websocket.close(code=4401, reason="not authenticated")
        return
    except TaskNotFound:
        await websocket.close(code=4404, reason="task not found")
        return
    if after is not None:
        start = min(max(after, 0), MAX_INT)
    else:
        start = 0 if include_history else view.last_event_seq
    send_lock = asyncio.Lock()

    async def send_text(text: str) -> None:
        async with send_lock:
            await websocket.send_text(text)

    async def send(message: dict[str, object]) -> None:
        await send_text(json.dumps(message))

    async def answer() -> None:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(message.get("code", 1000))
            raw = message.get("text") or (message.get("bytes") or b"").decode("utf-8", "replace")
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
        async with contextlib.aclosing(_events(rt, task_id, start)) as events:
            async for event in events:
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
