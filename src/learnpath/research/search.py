"""Web search behind one interface, chosen by ``LEARNPATH_SEARCH_PROVIDER``.

Results are normalised to :class:`SearchResult`, retried on timeouts and transient errors
like model calls, and kept per query in the database for ``LEARNPATH_SEARCH_CACHE_TTL_S``.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any, Protocol

import httpx
from pydantic import BaseModel, ValidationError
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from learnpath.config import Settings
from learnpath.research.fetch import origin_of
from learnpath.store import searches
from learnpath.store.database import Database
from learnpath.store.tables import utcnow


class SearchResult(BaseModel):
    title: str
    url: str
    snippet: str = ""
    provider: str


class SearchError(Exception):
    """The search failed for good (after retries): callers fall back to no candidates."""


class TransientSearchError(SearchError):
    """A timeout, a connection error, a 429 or a 5xx: worth another try."""


class SearchProvider(Protocol):
    name: str

    async def search(self, query: str, limit: int) -> list[SearchResult]: ...


def _raise_for(response: httpx.Response, name: str) -> None:
    if response.status_code == 429 or response.status_code >= 500:
        raise TransientSearchError(f"{name} answered HTTP {response.status_code}")
    if response.status_code >= 400:
        raise SearchError(f"{name} answered HTTP {response.status_code}")


async def _call(name: str, request: httpx.Request, limit_s: float) -> Any:
    try:
        async with httpx.AsyncClient(timeout=limit_s) as client:
            response = await client.send(request)
    except httpx.TimeoutException as error:
        raise TransientSearchError(f"{name} did not answer within {limit_s:g} s") from error
    except httpx.HTTPError as error:
        raise TransientSearchError(f"{name} unreachable: {type(error).__name__}") from error
    _raise_for(response, name)
    try:
        return response.json()
    except ValueError as error:
        raise SearchError(f"{name} did not answer JSON") from error


def _pick(items: Any, name: str, url: str, title: str, snippet: str) -> list[SearchResult]:
    """Results from a provider's list of dicts, skipping entries without a usable URL."""
    results = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get(url), str):
            continue
        raw_title, raw_snippet = item.get(title), item.get(snippet)
        results.append(
            SearchResult(
                title=str(raw_title or item[url]).strip()[:300],
                url=item[url].strip(),
                snippet=str(raw_snippet or "").strip()[:1000],
                provider=name,
            )
        )
    return results


class SearxNG:
    name = "searxng"

    def __init__(self, base_url: str, timeout: float) -> None:
        self.base_url, self.timeout = base_url.rstrip("/"), timeout

    async def search(self, query: str, limit: int) -> list[SearchResult]:
        request = httpx.Request(
            "GET", f"{self.base_url}/search", params={"q": query, "format": "json"}
        )
        data = await _call(self.name, request, self.timeout)
        items = data.get("results") if isinstance(data, dict) else None
        return _pick(items, self.name, "url", "title", "content")[:limit]


class Tavily:
    name = "tavily"

    def __init__(self, base_url: str, api_key: str, timeout: float) -> None:
        self.base_url, self.api_key, self.timeout = base_url.rstrip("/"), api_key, timeout

    async def search(self, query: str, limit: int) -> list[SearchResult]:
        request = httpx.Request(
            "POST",
            f"{self.base_url}/search",
            json={"query": query, "max_results": limit, "search_depth": "basic"},
            headers={"Authorization": f"Bearer {self.api_key}"},
        )
        data = await _call(self.name, request, self.timeout)
        items = data.get("results") if isinstance(data, dict) else None
        return _pick(items, self.name, "url", "title", "content")[:limit]


class DuckDuckGo:
    name = "duckduckgo"

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout

    async def search(self, query: str, limit: int) -> list[SearchResult]:
        from ddgs import DDGS
        from ddgs.exceptions import DDGSException, TimeoutException

        def run() -> list[dict[str, Any]]:
            return DDGS(timeout=int(max(1, self.timeout))).text(query, max_results=limit)

        try:
            items = await asyncio.wait_for(asyncio.to_thread(run), self.timeout * 2)
        except (TimeoutError, TimeoutException) as error:
            raise TransientSearchError("duckduckgo did not answer in time") from error
        except DDGSException as error:
            raise TransientSearchError(f"duckduckgo: {error}") from error
        except Exception as error:  # the library scrapes pages: anything may go wrong
            raise SearchError(f"duckduckgo failed: {type(error).__name__}") from error
        return _pick(items, self.name, "href", "title", "body")[:limit]


def build_provider(settings: Settings) -> SearchProvider | None:
    """The configured provider, None for ``none`` (settings validation ensured that the
    chosen provider's URL or key is set)."""
    timeout = settings.search_timeout_s
    if settings.search_provider == "searxng" and settings.searxng_url:
        return SearxNG(settings.searxng_url, timeout)
    if settings.search_provider == "tavily" and settings.tavily_api_key is not None:
        key = settings.tavily_api_key.get_secret_value()
        return Tavily(settings.tavily_base_url, key, timeout)
    if settings.search_provider == "duckduckgo":
        return DuckDuckGo(timeout)
    return None


def normalise(results: list[SearchResult]) -> list[SearchResult]:
    """http(s) results only, one per URL (fragment ignored), in the provider's order."""
    seen: set[str] = set()
    kept = []
    for result in results:
        key = result.url.split("#", 1)[0]
        if origin_of(result.url) is None or key in seen or len(result.url) > 2000:
            continue
        seen.add(key)
        kept.append(result)
    return kept


class Searcher:
    def __init__(self, settings: Settings, db: Database, provider: SearchProvider) -> None:
        self.settings, self.db, self.provider = settings, db, provider
        self._wait = wait_exponential_jitter(
            multiplier=settings.llm_retry_base_s,
            max=settings.llm_retry_max_s,
            jitter=settings.llm_retry_base_s,
        )

    async def search(self, query: str) -> list[SearchResult]:
        """Results for ``query``, from the cache when fresh; :class:`SearchError` on an outage."""
        name = self.provider.name
        since = utcnow() - timedelta(seconds=self.settings.search_cache_ttl_s)
        cached = await searches.cached_results(self.db, name, query, since)
        if cached is not None:
            try:
                return [SearchResult.model_validate(r) for r in cached]
            except ValidationError:
                pass  # written by another version: search again
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(TransientSearchError),
            stop=stop_after_attempt(self.settings.search_max_retries + 1),
            wait=self._wait,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                found = await self.provider.search(query, self.settings.search_results)
        results = normalise(found)
        await searches.save_results(self.db, name, query, [r.model_dump() for r in results])
        return results
