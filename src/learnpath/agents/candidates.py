"""Search results offered to the resources agent, and the resource a candidate becomes."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel

from learnpath.agents.inputs import ContentInput
from learnpath.domain.content import Resource, ResourceKind

_HOST_KINDS: tuple[tuple[tuple[str, ...], ResourceKind], ...] = (
    (("youtube.com", "youtu.be", "vimeo.com"), "video"),
    (("coursera.org", "udemy.com", "edx.org", "khanacademy.org"), "course"),
    (("github.com", "gitlab.com", "pypi.org", "npmjs.com"), "tool"),
    (("openlibrary.org", "oreilly.com", "books.google"), "book"),
    (("exercism.org", "leetcode.com", "hackerrank.com", "codewars.com"), "exercise"),
)


class Candidate(BaseModel):
    title: str
    url: str
    snippet: str = ""


class ResourcesInput(ContentInput):
    """The resources agent's input when a search provider found candidates."""

    candidates: list[Candidate]


def kind_of(url: str) -> ResourceKind:
    """A resource type guessed from a URL's host and path."""
    parts = urlsplit(url)
    host, path = parts.netloc.lower(), parts.path.lower()
    for hosts, kind in _HOST_KINDS:
        if any(host == h or host.endswith("." + h) or host.startswith(h) for h in hosts):
            return kind
    if host.startswith(("docs.", "developer.")) or "/docs" in path or "/reference" in path:
        return "documentation"
    return "article"


def as_resource(candidate: Candidate, relevance: float) -> Resource:
    """A candidate as a resource entry, unverified, described by its snippet."""
    snippet = " ".join(candidate.snippet.split())
    description = snippet[:997] + "…" if len(snippet) > 1000 else snippet
    return Resource(
        title=(candidate.title.strip() or candidate.url)[:300],
        url=candidate.url,
        type=kind_of(candidate.url),
        description=description or f"Found by web search: {candidate.title[:200]}",
        relevance=round(min(1.0, max(0.0, relevance)), 2),
    )
