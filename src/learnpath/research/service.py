"""What a process uses to research: one fetcher (one set of limits), link checks, search."""

from __future__ import annotations

from learnpath.config import Settings
from learnpath.research.check import LinkChecker, checks_enabled
from learnpath.research.fetch import Fetcher, Origin, origin_of
from learnpath.research.search import Searcher, build_provider
from learnpath.store.database import Database


def trusted_origins(settings: Settings) -> frozenset[Origin]:
    """Endpoints the operator configured: they may be private."""
    urls = (settings.searxng_url, settings.llm_base_url, settings.tavily_base_url)
    return frozenset(o for o in (origin_of(u) for u in urls if u) if o is not None)


class Research:
    def __init__(self, settings: Settings, db: Database) -> None:
        provider = build_provider(settings)
        self.fetcher = Fetcher(settings, trusted_origins(settings))
        self.checker = LinkChecker(settings, db, self.fetcher)
        self.searcher = Searcher(settings, db, provider) if provider is not None else None
        self.checks = checks_enabled(settings)

    async def aclose(self) -> None:
        await self.fetcher.aclose()
