"""contract §5 against a real ``learnpath serve``: "a client that disconnects at any moment and
reconnects with its last seq gets every later event exactly once" — over SSE and over the
WebSocket, while the task runs (live) and after it ended (replay).

Each chaos client below hangs up hundreds of times — after k bytes (mostly in the middle of an
event), after k whole events, right after connecting — and resumes from the last event it
fully received. Whatever it saw must be seq 1..N exactly once, in order, ending with the
terminal event, equal to an uncut replay of the persisted log. No assertion depends on timing:
the run is slow enough (LLM latency) for many cuts to land while the task is live, and the
replay cuts happen after it ended by construction.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, ConnectionClosedOK

from tests.support.server import Server, running_server

pytestmark = pytest.mark.slow

TERMINAL = frozenset({"completed", "failed", "cancelled", "task_completed", "task_failed"})
# 12 weeks → ~40 concepts → 120 items and ~250 events; 2 LLM slots at 0.1 s per call make the
# task emit them over ~6 s, so live clients get plenty of cut points.
BIG_ROADMAP = {
    "goal": "Learn Python for data analysis",
    "target_weeks": 12,
    "hours_per_week": 10,
    "auto_approve": True,
}
SMALL_ROADMAP = {"goal": "Learn SQL", "target_weeks": 1, "auto_approve": True}
HTTP_TIMEOUT = httpx.Timeout(60, connect=30)
WS_READ_TIMEOUT_S = 60
WS_OPTIONS: dict[str, Any] = {"open_timeout": 30, "max_queue": None}
"""No client-side backpressure: a client that stops reading would not see the server's answer
to its close frame behind the backlog the server already sent (a 10 s close timeout each)."""
CLIENT_TIMEOUT_S = 240
"""Upper bound for one chaos client: only reached when a stream never ends (a bug)."""

Event = dict[str, Any]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("event-streams")
    with running_server(home, local=True, offline_latency_s="0.1", llm_concurrency="2") as srv:
        yield srv


def start_roadmap(server: Server, body: dict[str, Any]) -> str:
    answer = httpx.post(f"{server.base_url}/api/v1/roadmaps/generate", json=body, timeout=30)
    assert answer.status_code == 202, answer.text
    return str(answer.json()["task_id"])


def task_view(server: Server, task_id: str) -> dict[str, Any]:
    answer = httpx.get(f"{server.base_url}/api/v1/tasks/{task_id}", timeout=30)
    assert answer.status_code == 200, answer.text
    view: dict[str, Any] = answer.json()
    return view


def wait_finished(server: Server, task_id: str, timeout_s: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        view = task_view(server, task_id)
        if view["status"] in {"completed", "partial_failure", "failed", "cancelled"}:
            return view
        assert time.monotonic() < deadline, f"task still {view['status']} after {timeout_s} s"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def finished_task(server: Server) -> str:
    task_id = start_roadmap(server, SMALL_ROADMAP)
    assert wait_finished(server, task_id)["status"] == "completed"
    return task_id


def events_url(server: Server, task_id: str) -> str:
    return f"{server.base_url}/api/v1/tasks/{task_id}/events"


def ws_url(server: Server, task_id: str, query: str = "") -> str:
    return f"ws://{server.base_url.removeprefix('http://')}/api/v1/ws/{task_id}{query}"


# --- what a client saw ----------------------------------------------------------------------


@dataclass(frozen=True)
class Cut:
    last_seq: int
    """The last event the client had fully received when it hung up."""
    partial: int
    """Bytes of the next event already received and thrown away (0: cut between events)."""
    at: datetime


@dataclass
class Chaos:
    name: str
    events: list[Event] = field(default_factory=list)
    cuts: list[Cut] = field(default_factory=list)
    connections: int = 0

    @property
    def last(self) -> int:
        return int(self.events[-1]["seq"]) if self.events else 0

    def take(self, event: Event) -> None:
        """Exactly once, in order: every event must be the successor of the previous one."""
        assert event["seq"] == self.last + 1, (
            f"{self.name}: after seq {self.last} got seq {event['seq']} "
            f"({'repeat' if event['seq'] <= self.last else 'gap'}) "
            f"on connection {self.connections}"
        )
        self.events.append(event)

    def cut(self, partial: int = 0) -> None:
        self.cuts.append(Cut(self.last, partial, datetime.now(UTC)))


def check_complete(chaos: Chaos, full: list[Event]) -> None:
    assert chaos.events == full, f"{chaos.name}: events differ from the persisted log"


def check_log(full: list[Event], view: dict[str, Any]) -> None:
    assert [e["seq"] for e in full] == list(range(1, len(full) + 1))
    assert len(full) == view["last_event_seq"]
    assert full[-1]["type"] in TERMINAL
    assert not any(e["type"] in TERMINAL for e in full[:-1])
    assert {e["task_id"] for e in full} == {view["task_id"]}


def split_live(cuts: list[Cut], full: list[Event]) -> tuple[int, int]:
    """(cuts made before the terminal event was stored, cuts made after)."""
    ended = datetime.fromisoformat(full[-1]["timestamp"])
    live = sum(1 for c in cuts if c.at < ended)
    return live, len(cuts) - live


# --- SSE ------------------------------------------------------------------------------------


def parse_sse(buffer: bytes) -> tuple[list[tuple[Event, int]], int]:
    """The complete events in ``buffer``, each with the offset just past it, and the offset
    where the unfinished remainder starts. Keep-alive comments are skipped."""
    events: list[tuple[Event, int]] = []
    end = 0
    while (stop := buffer.find(b"\n\n", end)) != -1:
        block = buffer[end:stop].decode()
        end = stop + 2
        fields: dict[str, list[str]] = {}
        for line in block.split("\n"):
            if not line or line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            fields.setdefault(name, []).append(value.removeprefix(" "))
        if "data" not in fields:
            continue
        event = json.loads("\n".join(fields["data"]))
        assert fields.get("id") == [str(event["seq"])], block
        assert fields.get("event") == [event["type"]], block
        events.append((event, end))
    return events, end


@dataclass(frozen=True)
class Budget:
    """Hang up after this many bytes, or after this many whole events (exactly between two)."""

    nbytes: int | None = None
    nevents: int | None = None


async def sse_connection(
    client: httpx.AsyncClient,
    url: str,
    *,
    budget: Budget | None = None,
    after: int | None = None,
    last_event_id: str | bytes | None = None,
) -> tuple[list[Event], int, bool]:
    """One connection: read until the budget is spent (everything when None), then hang up.
    Returns the complete events, the bytes of a cut-off event, and whether the server ended
    the stream itself."""
    params = {} if after is None else {"after": after}
    headers = {} if last_event_id is None else {"Last-Event-ID": last_event_id}
    buffer = b""
    ended = False
    async with client.stream("GET", url, params=params, headers=headers) as response:
        assert response.status_code == 200, (await response.aread()).decode()
        assert response.headers["content-type"].startswith("text/event-stream")
        if budget is not None and budget.nevents == 0:
            pass  # hang up right after the headers
        else:
            async for chunk in response.aiter_raw():
                buffer += chunk
                if budget is None:
                    continue
                if budget.nbytes is not None and len(buffer) >= budget.nbytes:
                    buffer = buffer[: budget.nbytes]
                    break
                if budget.nevents is not None:
                    complete, _ = parse_sse(buffer)
                    if len(complete) >= budget.nevents:
                        buffer = buffer[: complete[budget.nevents - 1][1]]
                        break
            else:
                ended = True
    complete, end = parse_sse(buffer)
    partial = len(buffer) - end
    assert not (ended and partial), "the server ended the stream in the middle of an event"
    return [event for event, _ in complete], partial, ended


async def sse_all(client: httpx.AsyncClient, url: str, **resume: Any) -> list[Event]:
    events, _, ended = await sse_connection(client, url, **resume)
    assert ended
    return events


def resume_args(rng: random.Random, last: int) -> dict[str, Any]:
    """Resume after ``last`` as real clients do: ``Last-Event-ID`` (an EventSource reconnecting,
    possibly to a URL still carrying an older ``?after=``) or ``?after=``."""
    if last == 0:
        return rng.choice([{}, {"after": 0}, {"last_event_id": "0"}])
    style = rng.choice(["header", "query", "both", "stale-query"])
    if style == "header":
        return {"last_event_id": str(last)}
    if style == "query":
        return {"after": last}
    if style == "both":
        return {"after": last, "last_event_id": str(last)}
    return {"after": rng.randint(0, last - 1), "last_event_id": str(last)}


def random_budget(rng: random.Random, max_bytes: int) -> Budget:
    if rng.random() < 0.3:
        return Budget(nevents=rng.choice([0, 1, 1, 1, 2, 3]))
    return Budget(nbytes=rng.randint(1, max_bytes))


async def sse_chaos(
    client: httpx.AsyncClient, url: str, name: str, seed: int, max_bytes: int
) -> Chaos:
    rng = random.Random(seed)
    chaos = Chaos(name)
    while True:
        events, partial, ended = await sse_connection(
            client, url, budget=random_budget(rng, max_bytes), **resume_args(rng, chaos.last)
        )
        chaos.connections += 1
        for event in events:
            chaos.take(event)
        if ended:
            return chaos
        chaos.cut(partial)


async def test_sse_reconnect_at_any_moment_gets_every_event_exactly_once(server: Server) -> None:
    task_id = start_roadmap(server, BIG_ROADMAP)
    url = events_url(server, task_id)
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as client:
        # Live: two clients follow the running task, hanging up every event or so.
        live = await asyncio.wait_for(
            asyncio.gather(
                sse_chaos(client, url, "sse-live-1", seed=1, max_bytes=600),
                sse_chaos(client, url, "sse-live-2", seed=2, max_bytes=1500),
            ),
            CLIENT_TIMEOUT_S,
        )
        view = task_view(server, task_id)
        assert view["status"] == "completed", view
        full = await sse_all(client, url)
        # Replay: the task has ended; cut points spread over the whole stored log.
        replay = [
            await asyncio.wait_for(
                sse_chaos(client, url, f"sse-replay-{seed}", seed=seed, max_bytes=max_bytes),
                CLIENT_TIMEOUT_S,
            )
            for seed, max_bytes in ((3, 900), (4, 2500))
        ]
    check_log(full, view)
    assert len(full) >= 150, f"only {len(full)} events: too few cut points to mean much"
    for chaos in (*live, *replay):
        check_complete(chaos, full)

    cuts = [c for chaos in (*live, *replay) for c in chaos.cuts]
    points = {(c.last_seq, c.partial) for c in cuts}
    assert len(points) >= 200, f"only {len(points)} distinct cut points"
    assert sum(1 for c in cuts if c.partial) >= 100, "too few cuts in the middle of an event"
    assert sum(1 for c in cuts if not c.partial) >= 20, "too few cuts between events"
    live_cuts, _ = split_live([c for chaos in live for c in chaos.cuts], full)
    assert live_cuts >= 10, f"only {live_cuts} cuts while the task was running"
    _, replay_cuts = split_live([c for chaos in replay for c in chaos.cuts], full)
    assert replay_cuts >= 100

    # Every hung-up stream was noticed and released by the server.
    for _ in range(150):
        if (open_streams := sse_subscribers(server)) == 0:
            break
        await asyncio.sleep(0.2)
    assert open_streams == 0, f"{open_streams} SSE streams still open after every client left"


def sse_subscribers(server: Server) -> float:
    text = server.metrics()
    for line in text.splitlines():
        if line.startswith("learnpath_sse_subscribers "):
            return float(line.split()[1])
    raise AssertionError("learnpath_sse_subscribers missing from /metrics")


async def test_sse_finished_task_replays_and_closes(server: Server, finished_task: str) -> None:
    view = task_view(server, finished_task)
    last = view["last_event_seq"]
    url = events_url(server, finished_task)
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as client:
        full = await sse_all(client, url)
        check_log(full, view)
        # Resuming from anywhere gives exactly the rest, then the stream closes.
        for k in sorted({1, 2, last // 2, last - 1}):
            assert await sse_all(client, url, after=k) == full[k:]
            assert await sse_all(client, url, last_event_id=str(k)) == full[k:]
        # Nothing after the last seq: an empty stream that closes at once.
        for resume in ({"after": last}, {"last_event_id": str(last)}, {"after": last + 5}):
            events, partial, ended = await sse_connection(client, url, **resume)
            assert (events, partial, ended) == ([], 0, True), resume
        # A Last-Event-ID that is not a seq is ignored (not a broken stream).
        for junk in ("abc", "²".encode("latin-1"), "-1", "1.5", "9" * 30):
            assert await sse_all(client, url, last_event_id=junk) == full, junk
        for bad in (-1, 2**31, 10**30, "x"):
            answer = await client.get(url, params={"after": bad})
            assert answer.status_code == 422, (bad, answer.text)


async def test_sse_unknown_task_is_404(server: Server) -> None:
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as client:
        answer = await client.get(events_url(server, "task_0123456789abcdef0123456789abcdef"))
    assert answer.status_code == 404, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    assert "not found" in answer.json()["detail"]


# --- WebSocket ------------------------------------------------------------------------------


async def ws_receive(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), WS_READ_TIMEOUT_S))
    return message


def is_event(message: dict[str, Any]) -> bool:
    return "seq" in message


async def ws_connected(ws: ClientConnection, task_id: str) -> dict[str, Any]:
    """The first message of every accepted socket (contract §5): ``connected`` with the task
    view, before any event. Returns the view."""
    message = await ws_receive(ws)
    assert set(message) == {"type", "task"}, message
    assert message["type"] == "connected", message
    task: dict[str, Any] = message["task"]
    assert task["task_id"] == task_id
    return task


async def ws_chaos(server: Server, task_id: str, name: str, seed: int, max_events: int) -> Chaos:
    """Connect, take 0..max_events events, then hang up (close handshake or a dropped TCP
    connection, with whatever the server already sent unread); resume with ``after=``."""
    rng = random.Random(seed)
    chaos = Chaos(name)
    while True:
        if chaos.last == 0:
            query = rng.choice(["", "?include_history=true", "?after=0"])
        else:
            history = rng.choice(["", "&include_history=true", "&include_history=false"])
            query = f"?after={chaos.last}{history}"
        take = rng.randint(0, max_events)
        async with connect(ws_url(server, task_id, query), **WS_OPTIONS) as ws:
            chaos.connections += 1
            connected = await ws_connected(ws, task_id)
            assert connected["last_event_seq"] >= chaos.last
            try:
                taken = 0
                while taken < take:
                    message = await ws_receive(ws)
                    assert is_event(message), message
                    chaos.take(message)
                    taken += 1
            except ConnectionClosedOK:
                assert ws.close_code == 1000
                assert chaos.events and chaos.events[-1]["type"] in TERMINAL
                return chaos
            if rng.random() < 0.5:
                ws.transport.abort()
        chaos.cut()


async def ws_chat(server: Server, task_id: str) -> tuple[list[Event], list[dict[str, Any]]]:
    """One connection from the first event to the last, asking ``ping`` and ``get_status``
    (as text, JSON and a binary frame) while events flow; returns the events and the
    status replies.

    The server may close right after the terminal event, before it answers the last
    question; once its close frame is in, ``send`` fails although messages sent before it
    are still unread, so whatever is left is read until the close."""
    events: list[Event] = []
    statuses: list[dict[str, Any]] = []
    asks: list[str | bytes] = [
        "ping",
        '{"type": "ping"}',
        b"ping",
        "get_status",
        '{"type": "get_status"}',
    ]

    def take(message: dict[str, Any]) -> None:
        assert is_event(message), message
        assert message["seq"] == len(events) + 1, "repeat or gap on one connection"
        events.append(message)

    async with connect(ws_url(server, task_id, "?include_history=true"), **WS_OPTIONS) as ws:
        await ws_connected(ws, task_id)
        try:
            for round_ in itertools.count():
                ask = asks[round_ % len(asks)]
                await ws.send(ask)
                want = "status" if "get_status" in str(ask) else "pong"
                while is_event(message := await ws_receive(ws)):
                    take(message)
                assert message["type"] == want, message
                if want == "pong":
                    assert message == {"type": "pong"}
                else:
                    assert message["task"]["task_id"] == task_id
                    statuses.append(message["task"])
                for _ in range(3):  # let a few events through between two questions
                    take(await ws_receive(ws))
        except ConnectionClosedOK:
            while True:
                try:
                    take(await ws_receive(ws))
                except ConnectionClosedOK:
                    break
    assert events and events[-1]["type"] in TERMINAL, "closed before the terminal event"
    assert ws.close_code == 1000
    return events, statuses


async def test_websocket_reconnect_at_any_moment_gets_every_event_exactly_once(
    server: Server,
) -> None:
    task_id = start_roadmap(server, BIG_ROADMAP)
    live = await asyncio.wait_for(
        asyncio.gather(
            ws_chaos(server, task_id, "ws-live-1", seed=11, max_events=2),
            ws_chaos(server, task_id, "ws-live-2", seed=12, max_events=5),
            ws_chat(server, task_id),
        ),
        CLIENT_TIMEOUT_S,
    )
    live_chaos = list(live[:2])
    chat_events, statuses = live[2]
    view = task_view(server, task_id)
    assert view["status"] == "completed", view
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as client:
        full = await sse_all(client, events_url(server, task_id))
    check_log(full, view)
    # Replay: one event per connection (a cut after every seq), then random cuts.
    replay = [
        await asyncio.wait_for(
            ws_chaos(server, task_id, f"ws-replay-{seed}", seed=seed, max_events=k),
            CLIENT_TIMEOUT_S,
        )
        for seed, k in ((13, 1), (14, 4))
    ]
    for chaos in (*live_chaos, *replay):
        check_complete(chaos, full)
    assert chat_events == full

    cuts = [c for chaos in (*live_chaos, *replay) for c in chaos.cuts]
    assert len(cuts) >= 200
    assert len({c.last_seq for c in cuts}) >= 200, "too few distinct cut points"
    live_cuts, _ = split_live([c for chaos in live_chaos for c in chaos.cuts], full)
    assert live_cuts >= 10, f"only {live_cuts} cuts while the task was running"

    # get_status was answered while the task ran, and reports what GET /tasks/{id} does.
    assert statuses
    assert any(s["status"] in {"pending", "processing"} for s in statuses)
    assert all(set(s) == set(view) for s in statuses)
    assert [s["last_event_seq"] for s in statuses] == sorted(s["last_event_seq"] for s in statuses)


async def test_websocket_finished_task(server: Server, finished_task: str) -> None:
    view = task_view(server, finished_task)
    last = view["last_event_seq"]

    async def receive_all(query: str) -> list[Event]:
        """The events after the ``connected`` message, which must show the task as it is."""
        got: list[Event] = []
        async with connect(ws_url(server, finished_task, query), **WS_OPTIONS) as ws:
            assert await ws_connected(ws, finished_task) == view
            with pytest.raises(ConnectionClosedOK):
                while True:
                    got.append(await ws_receive(ws))
        assert ws.close_code == 1000
        assert all(is_event(e) for e in got), got
        return got

    full = await receive_all("")
    check_log(full, view)
    assert await receive_all("?include_history=true") == full
    assert await receive_all(f"?after={last // 2}") == full[last // 2 :]
    assert await receive_all(f"?after={last // 2}&include_history=false") == full[last // 2 :]
    assert await receive_all("?include_history=false") == []
    assert await receive_all(f"?after={last}") == []
    assert await receive_all(f"?after={10**30}") == []


async def test_websocket_answers_before_the_stream_ends(server: Server) -> None:
    """On a task that waits for review (no events coming), the socket says ``connected`` with
    the task, stays open and answers; once the review is approved, it follows the task from
    the seq after the one ``connected`` showed, to the end."""
    task_id = start_roadmap(server, {"goal": "Learn Go", "target_weeks": 1})
    deadline = time.monotonic() + 60
    while task_view(server, task_id)["status"] != "human_review_pending":
        assert time.monotonic() < deadline
        await asyncio.sleep(0.1)
    parked = task_view(server, task_id)
    api = f"{server.base_url}/api/v1/tasks/{task_id}"
    followed: list[Event] = []
    async with connect(ws_url(server, task_id, "?include_history=false"), **WS_OPTIONS) as ws:
        assert await ws_connected(ws, task_id) == parked
        await ws.send("ping")
        assert await ws_receive(ws) == {"type": "pong"}
        await ws.send("get_status")
        status = await ws_receive(ws)
        assert status["type"] == "status"
        assert status["task"]["status"] == "human_review_pending"
        await ws.send("what")
        error = await ws_receive(ws)
        assert error["type"] == "error"
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as client:
            approve = await client.post(f"{api}/review", json={"approved": True})
        assert approve.status_code == 200, approve.text
        with pytest.raises(ConnectionClosedOK):
            while True:
                followed.append(await ws_receive(ws))
    view = task_view(server, task_id)
    assert view["status"] == "completed", view
    assert [e["seq"] for e in followed] == list(
        range(parked["last_event_seq"] + 1, view["last_event_seq"] + 1)
    )
    assert followed[0]["type"] == "progress" and followed[-1]["type"] == "completed"


async def test_streams_of_a_retried_task_go_on_to_its_last_terminal_event(
    server: Server,
) -> None:
    """A task cancelled in review and retried keeps its id and log: ``cancelled`` in the
    middle of the log does not end a stream, only the final ``completed`` does."""
    task_id = start_roadmap(server, {"goal": "Learn Rust", "target_weeks": 1})
    api = f"{server.base_url}/api/v1/tasks/{task_id}"
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as client:
        for _ in range(600):
            if (await client.get(api)).json()["status"] == "human_review_pending":
                break
            await asyncio.sleep(0.1)
        assert (await client.post(f"{api}/cancel")).status_code == 200
        cancelled_at = (await client.get(api)).json()["last_event_seq"]
        # Ended for now: a stream after the cancel closes at once, one from 0 stops there.
        assert await sse_all(client, api + "/events", after=cancelled_at) == []
        until_cancel = await sse_all(client, api + "/events")
        assert [e["seq"] for e in until_cancel] == list(range(1, cancelled_at + 1))
        assert until_cancel[-1]["type"] == "cancelled"

        retry = await client.post(f"{api}/retry")
        assert retry.status_code == 200 and retry.json()["recovery_type"] == "resume_review"
        for _ in range(600):
            if (await client.get(api)).json()["status"] == "human_review_pending":
                break
            await asyncio.sleep(0.1)
        approve = await client.post(f"{api}/review", json={"approved": True})
        assert approve.status_code == 200, approve.text
        # A client resuming after the cancel follows the new run to its end (live).
        rest = await sse_all(client, api + "/events", last_event_id=str(cancelled_at))
        view = (await client.get(api)).json()
        full = await sse_all(client, api + "/events")
    check_log_allowing_retries(full, view)
    assert full[: len(until_cancel)] == until_cancel
    assert rest == full[cancelled_at:]
    assert full[-1]["type"] == "completed" and view["status"] == "completed"

    async with connect(ws_url(server, task_id), **WS_OPTIONS) as ws:
        assert (await ws_connected(ws, task_id)) == view
        got: list[Event] = []
        with pytest.raises(ConnectionClosedOK):
            while True:
                got.append(await ws_receive(ws))
    assert got == full


def check_log_allowing_retries(full: list[Event], view: dict[str, Any]) -> None:
    assert [e["seq"] for e in full] == list(range(1, view["last_event_seq"] + 1))
    assert full[-1]["type"] in TERMINAL
    assert [e["type"] for e in full if e["type"] in TERMINAL] == ["cancelled", "completed"]


async def test_websocket_unknown_task_closes_4404(server: Server) -> None:
    url = ws_url(server, "task_0123456789abcdef0123456789abcdef")
    async with connect(url, **WS_OPTIONS) as ws:
        with pytest.raises(ConnectionClosed):
            await ws_receive(ws)
    assert ws.close_code == 4404


def test_server_log_has_no_tracebacks(server: Server) -> None:
    """Hung-up clients are normal: none of the above may have raised inside the server."""
    home = Path(server.env["LEARNPATH_HOME"])
    logs = "".join(p.read_text(errors="replace") for p in home.glob("serve-*.log"))
    assert "Traceback" not in logs, logs[-5000:]
