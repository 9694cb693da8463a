"""Web sources of a document job (docs/contract.md §7, §8): search results with the text of
their pages, each page fetched (so checked) before it is called ``verified``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from learnpath.research.extract import extract
from learnpath.research.guard import FetchError
from learnpath.research.search import SearchError, SearchResult
from learnpath.research.service import Research

log = logging.getLogger(__name__)

MAX_WEB_SOURCES = 12
"""How many pages a job reads at most, whatever the number of queries."""


@dataclass(frozen=True)
class WebSource:
    url: str
    title: str
    text: str
    verified: bool
    """The page was fetched and answered 2xx (its text is the page's); else only the search
    snippet is known."""


async def web_sources(research: Research, queries: Sequence[str]) -> list[WebSource]:
    """The pages the search provider finds for ``queries`` (none when search is off), each
    URL once, dead pages dropped; an outage of the search provider yields what was found."""
    if research.searcher is None:
        return []
    found: dict[str, SearchResult] = {}
    for query in queries:
        try:
            results = await research.searcher.search(query)
        except SearchError as error:
            log.warning("document research: search for %r failed: %s", query, error)
            continue
        for result in results:
            found.setdefault(result.url, result)
    chosen = list(found.values())[:MAX_WEB_SOURCES]
    if not research.checks:
        return [WebSource(r.url, r.title, r.snippet, verified=False) for r in chosen]
    checks = await research.checker.check([r.url for r in chosen])
    alive = [r for r in chosen if checks[r.url].outcome != "dead"]
    return list(await asyncio.gather(*(_read(research, r, checks[r.url].outcome) for r in alive)))


async def _read(research: Research, result: SearchResult, outcome: str) -> WebSource:
    """The page's text when it answered 2xx; else (broken for now) the snippet."""
    if outcome == "ok":
        try:
            page = await extract(research.fetcher, result.url)
        except FetchError:
            pass
        else:
            text = page.text or result.snippet
            return WebSource(result.url, result.title or page.title, text, verified=True)
    return WebSource(result.url, result.title, result.snippet, verified=False)
