"""Loopback stand-ins for the outside web: pages, a SearxNG and a Tavily, each a real HTTP
server that logs every request it receives (tests assert on that log).

``PageServer`` paths: ``/ok/…`` 200, ``/gone/404…``, ``/gone/410…``, ``/no-head/…`` (405 to
HEAD, 200 to GET), ``/redirect/N`` (N hops, then ``/ok/end``), ``/to?url=…`` (a redirect
there), ``/slow`` (answers after 3 s), ``/huge`` (20 MB), ``/article`` (an HTML page).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

ARTICLE = """<!doctype html><html><head><title>Closures explained</title></head><body>
<nav>Home | Blog | About</nav><article><h1>Closures explained</h1>
<p>A closure is a function that remembers the variables of the scope it was defined in,
even after that scope has finished running. This paragraph is long enough to count as the
main text of the page for an extraction library.</p>
<p>Closures let you build counters, memoised functions and callbacks that carry state
without globals. They are everywhere in JavaScript and Python.</p></article>
<footer>Copyright 2026</footer></body></html>"""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    fake: LoopbackFake


class LoopbackFake:
    """A threaded HTTP server on 127.0.0.1 with an access log; use as a context manager."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str]] = []
        """(method, path) of every request, in arrival order."""
        self.user_agents: set[str] = set()
        self.lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self.port = self._httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LoopbackFake:
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def hits(self, prefix: str = "") -> list[tuple[str, str]]:
        with self.lock:
            return [h for h in self.log if h[1].startswith(prefix)]

    def answer(self, handler: _Handler, method: str) -> None:
        raise NotImplementedError


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self, method: str) -> None:
        fake = self.server.fake
        with fake.lock:
            fake.log.append((method, self.path))
            fake.user_agents.add(self.headers.get("User-Agent", ""))
        # A client that read what it wanted may hang up mid-body.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            fake.answer(self, method)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def do_POST(self) -> None:
        self._serve("POST")

    def reply(
        self, status: int, body: bytes = b"", kind: str = "text/html", **headers: str
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def body_json(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"null")


class PageServer(LoopbackFake):
    def __init__(self, delay_s: float = 0.0) -> None:
        super().__init__()
        self.delay_s = delay_s
        self.removed: set[str] = set()
        """Paths that answer 404 from now on (link rot)."""

    def answer(self, h: _Handler, method: str) -> None:
        parts = urlsplit(h.path)
        path = parts.path
        if self.delay_s:
            time.sleep(self.delay_s)
        if path in self.removed:
            h.reply(404, b"removed")
        elif path.startswith("/ok"):
            h.reply(200, b"<html><title>ok</title><p>fine</p></html>")
        elif path.startswith("/gone/404"):
            h.reply(404, b"not found")
        elif path.startswith("/gone/410"):
            h.reply(410, b"gone")
        elif path.startswith("/no-head"):
            h.reply(405, b"") if method == "HEAD" else h.reply(206, b"x")
        elif path.startswith("/redirect/"):
            left = int(path.rsplit("/", 1)[1])
            h.reply(302, Location=f"/redirect/{left - 1}" if left > 1 else "/ok/end")
        elif path == "/to":
            h.reply(302, Location=parse_qs(parts.query)["url"][0])
        elif path == "/slow":
            time.sleep(3)
            h.reply(200, b"late")
        elif path == "/huge":
            h.reply(200, b"x" * 20_000_000, kind="text/plain")
        elif path == "/article":
            h.reply(200, ARTICLE.encode(), kind="text/html; charset=utf-8")
        else:
            h.reply(404, b"no such page")


def result_urls(pages: PageServer, concept: str) -> list[str]:
    """The URLs a fake search answers: live pages, two dead ones and one repeated."""
    slug = "".join(c if c.isalnum() else "-" for c in concept.lower())[:40]
    base = pages.base_url
    return [
        f"{base}/gone/404/{slug}",
        f"{base}/ok/{slug}/guide",
        f"{base}/ok/{slug}/guide",
        f"{base}/no-head/{slug}/docs",
        f"{base}/gone/410/{slug}",
        f"{base}/ok/{slug}/video",
        f"{base}/redirect/2?{slug}",
        f"{base}/ok/{slug}/book",
        f"{base}/ok/{slug}/course",
    ]


class SearxNGFake(LoopbackFake):
    """``GET /search?q=…&format=json`` like SearxNG: extra fields, some results without
    ``content``, duplicate URLs; every ``fail_every``-th request answers 502."""

    def __init__(self, pages: PageServer, fail_every: int = 3) -> None:
        super().__init__()
        self.pages, self.fail_every, self.count = pages, fail_every, 0

    def answer(self, h: _Handler, method: str) -> None:
        parts = urlsplit(h.path)
        query = parse_qs(parts.query)
        with self.lock:
            self.count += 1
            fail = self.fail_every and self.count % self.fail_every == 1
        if parts.path != "/search" or query.get("format") != ["json"]:
            h.reply(403, b"format not allowed")
            return
        if fail:
            h.reply(502, b"<html>Bad Gateway</html>")
            return
        q = query["q"][0]
        results = [
            {
                "url": url,
                "title": f"{q} — result {i}",
                **({"content": f"All about {q}, part {i}."} if i % 3 else {}),
                "engine": "duckduckgo",
                "engines": ["duckduckgo", "bing"],
                "score": 1.0 / (i + 1),
                "category": "general",
                "positions": [i + 1],
            }
            for i, url in enumerate(result_urls(self.pages, q))
        ]
        body = {
            "query": q,
            "number_of_results": 0,
            "results": results,
            "answers": [],
            "corrections": [],
            "infoboxes": [],
            "suggestions": [f"{q} tutorial"],
            "unresponsive_engines": [["google", "timeout"]],
        }
        h.reply(200, json.dumps(body).encode(), kind="application/json")


class TavilyFake(LoopbackFake):
    """``POST /search`` like Tavily's API: a Bearer key, ``max_results``; the first request
    takes longer than the client's timeout, later ones answer."""

    def __init__(self, pages: PageServer, api_key: str, stall_s: float = 2.0) -> None:
        super().__init__()
        self.pages, self.api_key, self.stall_s, self.count = pages, api_key, stall_s, 0

    def answer(self, h: _Handler, method: str) -> None:
        with self.lock:
            self.count += 1
            first = self.count == 1
        if h.headers.get("Authorization") != f"Bearer {self.api_key}":
            h.reply(401, b'{"detail": {"error": "Unauthorized"}}', kind="application/json")
            return
        request = h.body_json()
        if first:
            time.sleep(self.stall_s)
        q = request["query"]
        urls = result_urls(self.pages, q)[: int(request.get("max_results", 5))]
        body = {
            "query": q,
            "follow_up_questions": None,
            "answer": None,
            "images": [],
            "results": [
                {
                    "title": f"{q} ({i})",
                    "url": url,
                    "content": f"Tavily snippet {i} on {q}." if i != 2 else "",
                    "score": 0.9 - i / 20,
                    "raw_content": None,
                }
                for i, url in enumerate(urls)
            ],
            "response_time": 0.42,
        }
        h.reply(200, json.dumps(body).encode(), kind="application/json")
