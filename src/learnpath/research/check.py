"""Link checks: is a URL alive now? Results are kept per URL for ``LEARNPATH_LINK_CHECK_TTL_S``."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

from learnpath.config import Settings
from learnpath.research.fetch import Fetcher
from learnpath.research.guard import FetchError
from learnpath.store import links
from learnpath.store.database import Database
from learnpath.store.links import LinkCheck
from learnpath.store.tables import utcnow

DEAD_STATUSES = frozenset({404, 410})
DEAD_ERRORS = frozenset({"no_such_host", "blocked", "scheme"})
"""A URL no learner could open: gone, a host that does not exist, an address never fetched."""


def checks_enabled(settings: Settings) -> bool:
    """Whether links are fetched: ``on``, or ``auto`` with a search provider or a real model."""
    if settings.link_check != "auto":
        return settings.link_check == "on"
    return settings.search_provider != "none" or settings.provider != "offline"


class LinkChecker:
    def __init__(self, settings: Settings, db: Database, fetcher: Fetcher) -> None:
        self.settings = settings
        self.db = db
        self.fetcher = fetcher

    async def check(self, urls: Sequence[str], *, fresh: bool = False) -> dict[str, LinkCheck]:
        """The state of every URL: from the cache when checked within the TTL (unless
        ``fresh``), else fetched now and stored."""
        unique = list(dict.fromkeys(urls))
        since = utcnow() - timedelta(seconds=self.settings.link_check_ttl_s)
        cached = {} if fresh else await links.recent_checks(self.db, unique, since)
        checked = await asyncio.gather(*(self._check_one(u) for u in unique if u not in cached))
        await links.save_checks(self.db, checked)
        return {**cached, **{c.url: c for c in checked}}

    async def _check_one(self, url: str) -> LinkCheck:
        try:
            result = await self.fetcher.probe(url)
        except FetchError as error:
            outcome = "dead" if error.kind in DEAD_ERRORS else "broken"
            return LinkCheck(url, outcome, None, None, str(error)[:500], utcnow())
        if 200 <= result.status < 300:
            outcome = "ok"
        elif result.status in DEAD_STATUSES:
            outcome = "dead"
        else:
            outcome = "broken"
        problem = None if outcome == "ok" else f"HTTP {result.status}"
        return LinkCheck(url, outcome, result.status, result.url, problem, utcnow())
