"""A real, scripted OpenAI-compatible chat-completions server on loopback, for tests.

The server speaks HTTP on ``127.0.0.1`` (free port) and answers ``POST /v1/chat/completions``
in the OpenAI response format. Tests script it with a queue of behaviours, consumed one per
request, and inspect every request it received afterwards::

    with ChatServer() as server:
        server.enqueue(Status(429, headers={"Retry-After": "0.3"}), Reply('{"answer": 1}'))
        ...  # point the client at server.base_url
        assert len(server.requests) == 2

A request that arrives when the queue is empty gets a 418 naming the problem (a permanent
error for the client), so an unexpected extra request fails the test loudly.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

COMPLETIONS_PATH = "/v1/chat/completions"


@dataclass(frozen=True)
class Reply:
    """A 200 chat completion whose message content is ``content``."""

    content: str
    model: str | None = None
    """The model named in the reply; ``None`` echoes the requested model."""
    prompt_tokens: int = 21
    completion_tokens: int = 8
    finish_reason: str = "stop"


@dataclass(frozen=True)
class Status:
    """A non-2xx answer. ``body`` defaults to an OpenAI-style error object."""

    code: int
    body: Mapping[str, Any] | str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Disconnect:
    """Close the connection without answering (a connection error for the client)."""


@dataclass(frozen=True)
class Slow:
    """Wait ``seconds`` before acting as ``then`` (the client may time out meanwhile)."""

    seconds: float
    then: Reply | Status | Disconnect = field(default_factory=lambda: Reply("{}"))


Behaviour = Reply | Status | Slow | Disconnect


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it."""

    method: str
    path: str
    headers: Mapping[str, str]
    """Header names lower-cased."""
    body: Any
    """The parsed JSON body (``None`` if it was not JSON)."""
    received_at: float
    """``time.monotonic()`` when the full request had been read."""

    @property
    def json(self) -> dict[str, Any]:
        if not isinstance(self.body, dict):
            raise AssertionError(f"request body is not a JSON object: {self.body!r}")
        return cast(dict[str, Any], self.body)

    @property
    def model(self) -> str:
        return str(self.json["model"])

    @property
    def messages(self) -> list[dict[str, Any]]:
        return cast(list[dict[str, Any]], self.json["messages"])

    @property
    def response_format(self) -> dict[str, Any] | None:
        return cast(dict[str, Any] | None, self.json.get("response_format"))


class ChatServer:
    """A threaded HTTP server in the background; use as a context manager."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._host = host
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._script: deque[Behaviour] = deque()
        self._requests: list[RecordedRequest] = []
        self._in_flight = 0
        self._max_in_flight = 0
        self._unscripted = 0
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle -------------------------------------------------------------------------------

    def start(self) -> ChatServer:
        if self._httpd is not None:
            raise RuntimeError("chat server already started")
        httpd = _HTTPServer((self._host, 0), _Handler)
        httpd.chat = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="chat-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def close(self) -> None:
        self._stopping.set()  # wakes any Slow handler, which then leaves without answering
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> ChatServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # scripting and inspection ----------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("chat server not started")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL, e.g. ``http://127.0.0.1:PORT/v1``."""
        return f"http://{self._host}:{self.port}/v1"

    def enqueue(self, *behaviours: Behaviour) -> None:
        with self._lock:
            self._script.extend(behaviours)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def max_in_flight(self) -> int:
        """The most requests the server was working on at the same time."""
        with self._lock:
            return self._max_in_flight

    @property
    def unscripted(self) -> int:
        """Requests that arrived when no behaviour was left in the script."""
        with self._lock:
            return self._unscripted

    @property
    def pending(self) -> int:
        """Behaviours not consumed yet."""
        with self._lock:
            return len(self._script)

    # called from handler threads -------------------------------------------------------------

    def _begin(self, request: RecordedRequest) -> Behaviour | None:
        with self._lock:
            self._requests.append(request)
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
            if not self._script:
                self._unscripted += 1
                return None
            return self._script.popleft()

    def _end(self) -> None:
        with self._lock:
            self._in_flight -= 1


@contextmanager
def chat_server() -> Iterator[ChatServer]:
    """A started :class:`ChatServer`, closed on exit."""
    with ChatServer() as server:
        yield server


def completion_body(reply: Reply, requested_model: str) -> dict[str, Any]:
    """The OpenAI ``chat.completion`` object for ``reply``."""
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": reply.model or requested_model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.content},
                "logprobs": None,
                "finish_reason": reply.finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        },
    }


def error_body(code: int, message: str) -> dict[str, Any]:
    return {
        "error": {
            "message": message,
            "type": "rate_limit_error" if code == 429 else "invalid_request_error",
            "param": None,
            "code": str(code),
        }
    }


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    chat: ChatServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up (timeouts) are expected; do not print tracebacks."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        self._read_body()
        self._send(404, error_body(404, f"no route for GET {self.path}"))

    def do_POST(self) -> None:
        raw = self._read_body()
        if self.path.rstrip("/") != COMPLETIONS_PATH:
            self._send(404, error_body(404, f"no route for POST {self.path}"))
            return
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = None
        chat = self.server.chat
        recorded = RecordedRequest(
            method="POST",
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            received_at=time.monotonic(),
        )
        behaviour = chat._begin(recorded)
        ended = False
        try:
            if isinstance(behaviour, Slow):
                if chat._stopping.wait(behaviour.seconds):
                    self.close_connection = True
                    return
                behaviour = behaviour.then
            requested = body.get("model", "") if isinstance(body, dict) else ""
            # Leave the in-flight count *before* answering, so a client that reacts to the
            # answer by sending its next request can never be counted twice.
            chat._end()
            ended = True
            if behaviour is None:
                self._send(418, error_body(418, "chat_server: no scripted behaviour left"))
            elif isinstance(behaviour, Disconnect):
                self.close_connection = True
            elif isinstance(behaviour, Reply):
                self._send(200, completion_body(behaviour, str(requested)))
            else:
                payload = (
                    behaviour.body
                    if behaviour.body is not None
                    else error_body(behaviour.code, f"scripted status {behaviour.code}")
                )
                self._send(behaviour.code, payload, behaviour.headers)
        finally:
            if not ended:
                chat._end()

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(
        self,
        code: int,
        payload: Mapping[str, Any] | str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if isinstance(payload, str):
            data = payload.encode()
            content_type = "text/plain; charset=utf-8"
        else:
            data = json.dumps(payload).encode()
            content_type = "application/json"
        try:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. its timeout)
