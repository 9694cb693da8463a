"""Live task events: SSE with resume by ``seq``, and a WebSocket (contract §5)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import StreamingResponse

from learnpath.api.deps import (
    MAX_INT,
    ForeignOrigin,
    RuntimeDep,
    StreamPrincipalDep,
    websocket_principal,
)
from learnpath.api.errors import ERROR_RESPONSES, json_errors
from learnpath.api.websocket_errors import refusal
from learnpath.domain.events import Event
from learnpath.errors import LearnpathError
from learnpath.service import jobs, tasks
from learnpath.service.follow import follow_batches, uncancelled
from learnpath.service.views import TaskView
from learnpath.wiring import Runtime

router = APIRouter(tags=["events"], responses=ERROR_RESPONSES)
KEEPALIVE_S = 15.0


SSE_ITEM_SCHEMA = {
    "type": "object",
    "description": "one event: `data` is the event as JSON, `id` its seq, `event` its type",
    "properties": {
        "data": {"type": "string", "contentMediaType": "application/json"},
        "event": {"type": "string"},
        "id": {"type": "string"},
    },
}


class EventStream(StreamingResponse):
    """A ``text/event-stream`` body written by this module (see :func:`stream_events`)."""

    media_type = "text/event-stream"


def _seq(value: str | None) -> int | None:
    """A ``Last-Event-ID`` as a seq, or None when it is not one (ASCII digits within range)."""
    if value is None or not value.isascii() or not value.isdigit():
        return None
    if len(value) > len(str(MAX_INT)):  # also keeps int() below Python's digit limit
        return None
    seq = int(value)
    return seq if seq <= MAX_INT else None


async def _ended(rt: Runtime, task_id: str, seq: int) -> bool:
    """Whether the task has ended with nothing logged after ``seq``."""
    view = await uncancelled(rt, tasks.get_task_view(rt, task_id))
    return view.status.is_terminal and view.last_event_seq <= seq


async def _event_batches(
    rt: Runtime, task_id: str, after: int
) -> AsyncGenerator[list[Event], None]:
    """Replay after ``after``, then live, until the task's last terminal event; at once when
    the task has already ended and nothing is left to replay. Events come in batches of what
    was available together, so a burst reaches a client in one write; an empty batch means
    the task was quiet for ``KEEPALIVE_S``.

    A terminal event ends the stream only when nothing follows it: a task retried after
    ``cancelled`` or ``failed`` keeps its id and log, so its stream goes on to the end of the
    new run. (The terminal status and its event are committed together.)

    ``follow_batches`` is closed explicitly (``aclosing``), whether this ends, fails or is
    closed itself: ``async for`` alone would leave it suspended, subscribed to the bus, until
    the garbage collector finalises it."""
    if await _ended(rt, task_id, after):
        return
    async with contextlib.aclosing(
        follow_batches(rt, task_id, after, quiet_s=KEEPALIVE_S)
    ) as stream:
        async for batch in stream:
            rest = batch
            while (cut := _first_terminal(rest)) is not None:
                # The client has the terminal event before the task is read to see whether
                # the stream ends there.
                yield rest[: cut + 1]
                if await _ended(rt, task_id, rest[cut].seq):
                    return
                rest = rest[cut + 1 :]
            if rest or not batch:
                yield rest


def _first_terminal(events: list[Event]) -> int | None:
    return next((n for n, event in enumerate(events) if event.is_terminal), None)


async def _events(rt: Runtime, task_id: str, after: int) -> AsyncGenerator[Event, None]:
    """:func:`_event_batches`, one event at a time (the WebSocket sends one per message)."""
    async with contextlib.aclosing(_event_batches(rt, task_id, after)) as batches:
        async for batch in batches:
            for event in batch:
                yield event


async def _frames(batches: AsyncGenerator[list[Event], None]) -> AsyncIterator[bytes]:
    """The SSE body: one write per batch of events, and a comment line whenever the task is
    quiet, so proxies keep the connection open."""
    async for batch in batches:
        yield b"".join(event.sse_frame for event in batch) if batch else b": keep-alive\n\n"
    # Ending a response costs more than writing an event. Every follower of a task wakes for
    # its terminal event at once: yield, so that all of them write it before any is torn down.
    await asyncio.sleep(0)


After = Annotated[int | None, Query(ge=0, le=MAX_INT, description="resume after this seq")]
LastEventId = Annotated[str | None, Header()]


async def _sse_stream(
    task_id: str,
    request: Request,
    rt: RuntimeDep,
    who: StreamPrincipalDep,
    after: After = None,
    last_event_id: LastEventId = None,
) -> AsyncIterator[AsyncGenerator[list[Event], None]]:
    """The event batches of one SSE response, opened before the response starts (so an
    unknown task is a 404, not an empty 200 stream) and closed when the request ends, however
    it ends: the request's exit stack outlives the streamed body, and a client hanging up
    must not leave the bus subscription behind waiting for the garbage collector."""
    async with _opened(task_id, request, rt, who.user_id, after, last_event_id) as stream:
        yield stream


async def _job_sse_stream(
    job_id: str,
    request: Request,
    rt: RuntimeDep,
    who: StreamPrincipalDep,
    after: After = None,
    last_event_id: LastEventId = None,
) -> AsyncIterator[AsyncGenerator[list[Event], None]]:
    """:func:`_sse_stream` of a document job (a task that is not a job is not found)."""
    await jobs.get_job(rt, job_id, who.user_id)
    async with _opened(job_id, request, rt, who.user_id, after, last_event_id) as stream:
        yield stream


@contextlib.asynccontextmanager
async def _opened(
    task_id: str,
    request: Request,
    rt: Runtime,
    user_id: str | None,
    after: int | None,
    last_event_id: str | None,
) -> AsyncIterator[AsyncGenerator[list[Event], None]]:
    await tasks.get_task_view(rt, task_id, user_id)
    start = max(after or 0, _seq(last_event_id) or 0)
    metrics = request.app.state.metrics
    metrics.sse_subscribers.inc()
    stream = _event_batches(rt, task_id, start)
    try:
        yield stream
    finally:
        await stream.aclose()
        metrics.sse_subscribers.dec()


SSE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "text/event-stream; `id:` is the event's seq",
        "content": {
            "text/event-stream": {
                "schema": {"type": "array", "items": SSE_ITEM_SCHEMA},
                "itemSchema": SSE_ITEM_SCHEMA,
            }
        },
    },
    **json_errors(ERROR_RESPONSES),
}


def _stream(batches: AsyncGenerator[list[Event], None]) -> EventStream:
    return EventStream(
        _frames(batches), headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )


@router.get(
    "/tasks/{task_id}/events",
    response_class=EventStream,
    responses=SSE_RESPONSES,
)
async def stream_events(
    batches: Annotated[AsyncGenerator[list[Event], None], Depends(_sse_stream)],
) -> EventStream:
    """Server-sent events: every event after ``Last-Event-ID`` (or ``?after=``), exactly once,
    in order; the stream ends after the terminal event. A ``Last-Event-ID`` that is not a seq
    is ignored.

    The body is written here rather than by FastAPI's per-event SSE encoder: an event that
    reaches hundreds of followers is encoded once, and a burst goes out in one write."""
    return _stream(batches)


@router.get(
    "/jobs/{job_id}/events",
    response_class=EventStream,
    responses=SSE_RESPONSES,
)
async def stream_job_events(
    batches: Annotated[AsyncGenerator[list[Event], None], Depends(_job_sse_stream)],
) -> EventStream:
    """A document job's events, as :func:`stream_events` serves a task's."""
    return _stream(batches)


@router.websocket("/ws/{task_id}")
async def websocket_events(
    websocket: WebSocket,
    task_id: str,
    include_history: bool = True,
    after: int | None = None,
) -> None:
    """First ``{"type": "connected", "task": <the task view>}``, then the events as JSON
    messages (history first unless ``include_history=false``, or after ``after``); answers
    ``ping`` with ``{"type": "pong"}`` and ``get_status`` with ``{"type": "status", "task"}``.
    Closes 4401 without a valid token, 4403 when the login cookie comes from a page of
    another origin, 4404 for an unknown task, 4422 for a bad query value, 1000 after the
    terminal event.

    The handshake is accepted before those checks: a close before ``accept`` is an HTTP 403
    to the client, which would never see the codes and reasons."""
    rt: Runtime = websocket.app.state.runtime
    await websocket.accept()
    try:
        who = await websocket_principal(websocket)
        view = await tasks.get_task_view(rt, task_id, who.user_id)
    except ForeignOrigin:
        await websocket.close(code=4403, reason="origin not allowed")
        return
    except LearnpathError as error:
        code, reason = refusal(error)
        await websocket.close(code=code, reason=reason)
        return
    if after is not None:
        start = min(max(after, 0), MAX_INT)
    else:
        start = 0 if include_history else view.last_event_seq
    await _EventSocket(websocket, rt, task_id, who.user_id).serve(view, start)


class _EventSocket:
    """One accepted WebSocket of a task: events out, answers to the client's messages, one
    message at a time on the wire."""

    def __init__(
        self, websocket: WebSocket, rt: Runtime, task_id: str, user_id: str | None
    ) -> None:
        self.websocket = websocket
        self.rt = rt
        self.task_id = task_id
        self.user_id = user_id
        self.send_lock = asyncio.Lock()

    async def send_text(self, text: str) -> None:
        async with self.send_lock:
            await self.websocket.send_text(text)

    async def send(self, message: dict[str, object]) -> None:
        await self.send_text(json.dumps(message))

    async def answer(self) -> None:
        """Answer the client's messages until it hangs up."""
        while True:
            message = await self.websocket.receive()
            if message["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(message.get("code", 1000))
            raw = message.get("text") or (message.get("bytes") or b"").decode("utf-8", "replace")
            kind = raw.strip()
            with contextlib.suppress(ValueError, AttributeError):
                kind = str(json.loads(raw).get("type", kind))
            if kind == "ping":
                await self.send({"type": "pong"})
            elif kind == "get_status":
                status = await tasks.get_task_view(self.rt, self.task_id, self.user_id)
                await self.send({"type": "status", "task": status.model_dump(mode="json")})
            else:
                await self.send({"type": "error", "message": f"unknown message {kind[:40]!r}"})

    async def pump(self, start: int) -> None:
        """Send every event after ``start``, then close normally after the terminal one."""
        async with contextlib.aclosing(_events(self.rt, self.task_id, start)) as events:
            async for event in events:
                await self.send_text(event.wire)
        async with self.send_lock:
            await self.websocket.close(code=1000)

    async def serve(self, view: TaskView, start: int) -> None:
        """Say ``connected`` with the task as it was when the socket opened (contract §5),
        then pump and answer until either ends: the task's end, or the client hanging up."""
        try:
            await self.send({"type": "connected", "task": view.model_dump(mode="json")})
        except (WebSocketDisconnect, RuntimeError):
            return  # gone already
        jobs = {asyncio.create_task(self.pump(start)), asyncio.create_task(self.answer())}
        done, pending = await asyncio.wait(jobs, return_when=asyncio.FIRST_COMPLETED)
        for job in pending:
            job.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for job in done:
            error = job.exception()
            if error is not None and not isinstance(error, WebSocketDisconnect | RuntimeError):
                raise error
