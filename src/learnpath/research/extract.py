"""Page text for document research: the main text of a page, bounded in size and time."""

from __future__ import annotations

import asyncio
import codecs
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from learnpath.research.fetch import Fetcher
from learnpath.research.guard import FetchError

MAX_TEXT_CHARS = 50_000


@dataclass(frozen=True)
class PageText:
    title: str
    text: str


def _extractor() -> Callable[..., Any]:
    """trafilatura's extraction, imported on first use: the import takes 0.2 s (seconds on a
    busy machine), which only a process that reads pages pays, and not within a page's time
    bound."""
    import trafilatura

    extraction: Callable[..., Any] = trafilatura.bare_extraction
    return extraction


def _parse(extraction: Callable[..., Any], html: str, url: str) -> PageText:
    document = extraction(html, url=url, with_metadata=True, include_comments=False)
    if document is None:
        return PageText(title="", text="")
    fields = document if isinstance(document, dict) else document.as_dict()
    title = str(fields.get("title") or "")[:300]
    text = str(fields.get("text") or "")[:MAX_TEXT_CHARS]
    return PageText(title=title, text=text)


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            try:
                return codecs.lookup(value.strip('"')).name
            except LookupError:
                break
    return "utf-8"


async def extract(fetcher: Fetcher, url: str) -> PageText:
    """The title and main text of the page at ``url``; :class:`FetchError` when it cannot be
    fetched, did not end 2xx, or is not HTML or text."""
    result = await fetcher.fetch(url)
    if not 200 <= result.status < 300:
        raise FetchError("status", f"HTTP {result.status}")
    kind = result.headers.get("content-type", "text/html").split(";", 1)[0].strip().lower()
    if kind not in ("text/html", "application/xhtml+xml", "text/plain"):
        raise FetchError("type", f"not a page of text: {kind}")
    html = result.body.decode(_charset(result.headers.get("content-type", "")), errors="replace")
    if kind == "text/plain":
        return PageText(title="", text=html[:MAX_TEXT_CHARS])
    extraction = await asyncio.to_thread(_extractor)
    timeout = fetcher.settings.fetch_timeout_s
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(_parse, extraction, html, result.url), timeout
        )
    except TimeoutError:
        raise FetchError("timeout", f"text extraction took longer than {timeout:g} s") from None
