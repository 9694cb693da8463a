"""The resources agent's offline answer: search results when there are some, else the topic's
well-known resources and search links, every one marked as not yet checked."""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import quote

from learnpath.agents.candidates import Candidate, as_resource
from learnpath.domain.content import Resource, ResourceList
from learnpath.domain.request import LearningStyle
from learnpath.offline.content import Context, context
from learnpath.offline.knowledge import ResourceKind, ResourceSeed
from learnpath.offline.text import truncate

PICKED = 6
"""How many search candidates the offline answer takes; the rest replace dead links."""
_WEB: tuple[tuple[str, ResourceKind, str, float], ...] = (
    ("https://www.youtube.com/results?search_query={q}", "video", "Video lessons", 0.6),
    ("https://duckduckgo.com/?q={q}", "article", "Web search", 0.5),
)
"""Search links every concept gets: URL, type, title and priority."""
_GENERIC_WEB: tuple[tuple[str, ResourceKind, str, float], ...] = (
    ("https://en.wikipedia.org/w/index.php?search={q}", "article", "Wikipedia", 0.8),
    ("https://openlibrary.org/search?q={q}", "book", "Books on Open Library", 0.7),
    ("https://www.coursera.org/search?query={q}", "course", "Courses on Coursera", 0.65),
)
"""Search links for subjects the knowledge base does not know."""

Ranked = tuple[float, Resource, str]


def picked_resources(payload: dict[str, Any]) -> list[Resource]:
    """The resources picked from the payload's ``candidates`` (empty when it has none): the
    first of them, as a model would, so research works with no model at all."""
    candidates = [Candidate.model_validate(c) for c in payload.get("candidates") or ()]
    return [
        as_resource(candidate, 0.95 - 0.08 * rank)
        for rank, candidate in enumerate(candidates[:PICKED])
    ]


def _seeded(seed: ResourceSeed, query: str, title: str | None = None) -> Resource:
    return Resource(
        title=truncate(title or seed.title, 300),
        url=seed.url.replace("{q}", quote(query, safe="")),
        type=seed.type,
        description="",
        relevance=0,
    )


def _candidates(ctx: Context, rng: random.Random) -> list[Ranked]:
    """Every resource worth offering, with its priority and description."""
    styles = ctx.data.request.learning_styles
    query = ctx.query()
    ranked: list[Ranked] = []
    if ctx.topic.search is not None:
        seed = ctx.topic.search
        title = f"{seed.title}: {ctx.name}"
        ranked.append((1.0, _seeded(seed, ctx.name, title), seed.description))
    general = list(ctx.topic.resources)
    if general:
        start = rng.randrange(len(general))
        for k, seed in enumerate((general * 2)[start : start + 3]):
            boost = 0.1 if (seed.type == "exercise" and LearningStyle.hands_on in styles) else 0
            ranked.append((0.9 - 0.05 * k + boost, _seeded(seed, query), seed.description))
    web = _WEB + (_GENERIC_WEB if ctx.topic.kind == "generic" else ())
    for url, kind, title, priority in web:
        boost = 0.3 if kind == "video" and LearningStyle.video in styles else 0
        seed = ResourceSeed(
            title=f"{title}: {query}", url=url, type=kind, description=f"{title} for “{query}”."
        )
        ranked.append((priority + boost, _seeded(seed, query), seed.description))
    return ranked


def resources(payload: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    ctx = context(payload, rng)
    picked = picked_resources(payload)
    if len(picked) >= 3:
        return ResourceList(resources=picked).model_dump(mode="json")
    ranked = sorted(_candidates(ctx, rng), key=lambda r: -r[0])
    chosen: list[Resource] = []
    for _, resource, description in ranked:
        if any(r.url == resource.url for r in chosen) or len(chosen) == 8:
            continue
        relevance = round(max(0.3, 0.95 - 0.08 * len(chosen)), 2)
        text = f"{description} Offline suggestion; the link has not been checked yet."
        chosen.append(resource.model_copy(update={"description": text, "relevance": relevance}))
    return ResourceList(resources=chosen).model_dump(mode="json")
