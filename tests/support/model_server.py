"""A stand-in model endpoint on loopback that answers every learnpath agent, with the quirks
of real OpenAI-compatible servers.

Unlike ``chat_server.py`` (a script of canned replies), this one writes a valid answer for
whatever it is asked — it reads the schema's title from ``response_format`` or from the JSON
schema in the system prompt, and the goal, budget and concept from the user prompt — so a
whole roadmap can run against it. Each :class:`Quirk` makes it behave like a kind of server
seen in the wild::

    with ModelServer(Quirk.think) as server:   # a reasoning model: <think>…</think> first
        env["LEARNPATH_LLM_BASE_URL"] = server.base_url

It also serves ``GET /v1/models`` and checks the API key and the model name like hosted APIs.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from email.utils import formatdate
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.model_answers import answer_for

API_KEY = "sk-test-model-server"
MODEL = "test-model"


def model_env(
    env_for: Callable[..., dict[str, str]], server: ModelServer, **extra: str
) -> dict[str, str]:
    """The environment of a ``learnpath`` process using ``server`` as its model, with quick
    retries."""
    settings = {
        "llm_base_url": server.base_url,
        "llm_api_key": API_KEY,
        "llm_model": MODEL,
        "llm_retry_base_s": "0.05",
        "llm_retry_max_s": "3",
        "link_check": "off",  # the URLs a fake model invents must not be fetched
        **extra,
    }
    env = env_for(**settings)
    env["NO_PROXY"] = "127.0.0.1,localhost"
    return env


class Quirk(StrEnum):
    strict = "strict"
    """Honours ``json_schema``: replies with the bare JSON object."""
    json_object_only = "json_object_only"
    """Refuses ``json_schema`` with a 400 naming ``response_format``; knows ``json_object``."""
    prose = "prose"
    """Ignores ``response_format``; answers in prose around a fenced JSON block."""
    think = "think"
    """A reasoning model: ``<think>…</think>`` (braces and all) before a fenced answer."""
    reasoning_split = "reasoning_split"
    """Every third reply has the thinking in ``reasoning_content`` and an empty ``content``."""
    no_usage = "no_usage"
    """Sends no ``usage`` object."""
    rate_limited = "rate_limited"
    """Every fourth request gets a 429 whose ``Retry-After`` is an HTTP date."""


class ModelServer:
    def __init__(self, quirk: Quirk = Quirk.strict, models: tuple[str, ...] = (MODEL,)) -> None:
        self.quirk = quirk
        self.models = models
        self.requests: list[dict[str, Any]] = []
        """Every chat request body, in arrival order."""
        self.statuses: list[int] = []
        """The status answered to each chat request, in the same order."""
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.model = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def __enter__(self) -> ModelServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def failed(self) -> int:
        with self._lock:
            return sum(1 for s in self.statuses if s >= 400)

    def chat(self, body: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        """The status, JSON body and headers answering one chat request."""
        with self._lock:
            self.requests.append(body)
            number = len(self.requests)
        status, payload, headers = self._decide(body, number)
        with self._lock:
            self.statuses.append(status)
        return status, payload, headers

    def _decide(
        self, body: dict[str, Any], number: int
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if body.get("model") not in self.models:
            return 404, _error(f"The model `{body.get('model')}` does not exist", "model"), {}
        wanted = (body.get("response_format") or {}).get("type")
        if self.quirk is Quirk.json_object_only and wanted == "json_schema":
            message = "Invalid value for 'response_format.type': must be 'json_object' or 'text'"
            return 400, _error(message, "response_format"), {}
        if self.quirk is Quirk.rate_limited and number % 4 == 0:
            retry = formatdate(time.time() + 1, usegmt=True)
            return 429, _error("Rate limit reached", None), {"Retry-After": retry}
        answer = answer_for(body)
        reasoning = None
        if self.quirk in (Quirk.prose, Quirk.think):
            answer = f"Here is the JSON you asked for:\n```json\n{answer}\n```\nAnything else?"
        if self.quirk is Quirk.think:
            answer = "<think>\nThe schema wants {an object}; let me plan it.\n</think>\n" + answer
        if self.quirk is Quirk.reasoning_split and number % 3 == 1:
            answer, reasoning = "", "I should list the topics first, then {the object}."
        return 200, self._completion(body, answer, reasoning), {}

    def _completion(self, body: dict[str, Any], answer: str, reasoning: str | None) -> Any:
        message: dict[str, Any] = {"role": "assistant", "content": answer}
        if reasoning is not None:
            message["reasoning_content"] = reasoning
        prompt = sum(len(str(m.get("content", ""))) for m in body.get("messages", []))
        completion: dict[str, Any] = {
            "id": f"chatcmpl-{uuid.uuid4().hex[:20]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        }
        if self.quirk is not Quirk.no_usage:
            tokens = {"prompt_tokens": prompt // 4, "completion_tokens": len(answer) // 4}
            completion["usage"] = {**tokens, "total_tokens": sum(tokens.values())}
        return completion


def _error(message: str, param: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": "invalid_request_error", "param": param}}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    model: ModelServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up are expected."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _authorised(self) -> bool:
        if self.headers.get("Authorization") == f"Bearer {API_KEY}":
            return True
        self._send(401, _error("Incorrect API key provided", None))
        return False

    def do_GET(self) -> None:
        if not self._authorised():
            return
        if self.path.rstrip("/") != "/v1/models":
            self._send(404, _error(f"no route for {self.path}", None))
            return
        data = [{"id": m, "object": "model", "owned_by": "test"} for m in self.server.model.models]
        self._send(200, {"object": "list", "data": data})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if not self._authorised():
            return
        if not re.fullmatch(r"/v1/chat/completions/?", self.path):
            self._send(404, _error(f"no route for {self.path}", None))
            return
        status, payload, headers = self.server.model.chat(json.loads(raw))
        self._send(status, payload, headers)

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
