"""The one fetcher of URLs that come from a model, a search result or a user.

Only ``http``/``https``; every hop (redirects included, at most :data:`MAX_REDIRECTS`) is
resolved, checked by :mod:`learnpath.research.guard` and connected to by IP, with the
original ``Host`` header and TLS server name, so no DNS answer given after the check is ever
used. Bodies are read to a bounded size; a global and a per-host limit bound the fetches in
flight. No proxy from the environment is used: a proxy would connect on our behalf.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from learnpath import __version__
from learnpath.config import Settings
from learnpath.research.guard import FetchError, resolve_public

MAX_REDIRECTS = 5
USER_AGENT = f"learnpath/{__version__} (link checker; +https://github.com/learnpath/learnpath)"
HEAD_REFUSED = frozenset({400, 403, 405, 501})
"""Statuses after which a HEAD is retried as a one-byte ranged GET."""
PROBE_BYTES = 64 * 1024

Origin = tuple[str, str, int]


def origin_of(url: str) -> Origin | None:
    """(scheme, host, port) of a URL, None when it is not a usable http(s) URL."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return None
    host = parsed.raw_host.decode("ascii")  # IDNA-encoded, as resolved and sent
    if parsed.scheme not in ("http", "https") or not host:
        return None
    return parsed.scheme, host, parsed.port or (443 if parsed.scheme == "https" else 80)


@dataclass(frozen=True)
class FetchResult:
    status: int
    url: str
    """The final URL, after redirects."""
    headers: httpx.Headers
    body: bytes


class Fetcher:
    """``trusted``: origins the operator configured (a SearxNG URL, the LLM endpoint), which
    may be private."""

    def __init__(self, settings: Settings, trusted: frozenset[Origin] = frozenset()) -> None:
        self.settings = settings
        self.trusted = trusted
        self._slots = asyncio.Semaphore(settings.fetch_concurrency)
        self._per_host: dict[str, tuple[asyncio.Semaphore, int]] = {}
        """host → (its limit, fetches holding or awaiting it); dropped when none is left."""
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            limit = self.settings.fetch_concurrency
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.settings.fetch_timeout_s),
                follow_redirects=False,
                trust_env=False,
                headers={"User-Agent": USER_AGENT},
                limits=httpx.Limits(max_connections=limit, max_keepalive_connections=limit),
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def probe(self, url: str) -> FetchResult:
        """The status of ``url``: HEAD, or a one-byte ranged GET when HEAD is refused."""
        result = await self.fetch(url, "HEAD")
        if result.status in HEAD_REFUSED:
            result = await self.fetch(url, "GET", {"Range": "bytes=0-0"}, PROBE_BYTES)
        return result

    async def fetch(
        self,
        url: str,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        max_bytes: int | None = None,
    ) -> FetchResult:
        """Follow ``url`` to its final response; the body is cut at ``max_bytes``
        (``LEARNPATH_FETCH_MAX_BYTES`` by default). Raises :class:`FetchError`."""
        limit = max_bytes or self.settings.fetch_max_bytes
        try:
            async with asyncio.timeout(self.settings.fetch_timeout_s):
                return await self._follow(url, method, headers or {}, limit)
        except TimeoutError:
            timeout = self.settings.fetch_timeout_s
            raise FetchError("timeout", f"no answer within {timeout:g} s") from None

    async def _follow(
        self, url: str, method: str, headers: dict[str, str], limit: int
    ) -> FetchResult:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            status, response_headers, body = await self._hop(current, method, headers, limit)
            location = response_headers.get("location")
            if status in (301, 302, 303, 307, 308) and location:
                try:
                    current = str(httpx.URL(current).join(location))
                except httpx.InvalidURL as error:
                    raise FetchError("protocol", f"bad redirect: {location[:200]}") from error
                if status == 303:
                    method = "HEAD" if method == "HEAD" else "GET"
                continue
            return FetchResult(status, current, response_headers, body)
        raise FetchError("redirects", f"more than {MAX_REDIRECTS} redirects")

    async def _hop(
        self, url: str, method: str, headers: dict[str, str], limit: int
    ) -> tuple[int, httpx.Headers, bytes]:
        origin = origin_of(url)
        if origin is None:
            raise FetchError("scheme", f"only http and https URLs are fetched: {url[:200]}")
        scheme, host, port = origin
        allow = self.settings.fetch_allow_private or origin in self.trusted
        address = await resolve_public(host, port, allow)
        parsed = httpx.URL(url)
        request = self._http().build_request(
            method,
            parsed.copy_with(host=str(address)),
            headers={**headers, "Host": parsed.netloc.decode("ascii")},
            extensions={"sni_hostname": host} if scheme == "https" else {},
        )
        async with self._slot(host):
            try:
                response = await self._http().send(request, stream=True)
            except httpx.TimeoutException as error:
                raise FetchError("timeout", f"{host} did not answer in time") from error
            except httpx.HTTPError as error:
                raise FetchError("connect", f"{host}: {type(error).__name__}") from error
            try:
                body = b"" if method == "HEAD" else await _read(response, limit)
            except httpx.HTTPError as error:
                raise FetchError("protocol", f"{host}: {type(error).__name__}") from error
            finally:
                await response.aclose()
        return response.status_code, response.headers, body

    @asynccontextmanager
    async def _slot(self, host: str) -> AsyncIterator[None]:
        limit, users = self._per_host.get(host, (None, 0))
        if limit is None:
            limit = asyncio.Semaphore(self.settings.fetch_per_host)
        self._per_host[host] = (limit, users + 1)
        try:
            async with limit, self._slots:
                yield
        finally:
            limit, users = self._per_host[host]
            if users == 1:
                del self._per_host[host]
            else:
                self._per_host[host] = (limit, users - 1)


async def _read(response: httpx.Response, limit: int) -> bytes:
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk[: limit - size])
        size += len(chunks[-1])
        if size >= limit:
            break
    return b"".join(chunks)
