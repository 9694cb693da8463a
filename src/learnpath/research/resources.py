"""A concept's resources from research: search candidates for the agent, then every link
checked, dead ones replaced from the remaining candidates, verified ones first."""

from __future__ import annotations

import logging

from learnpath.agents.candidates import Candidate, ResourcesInput, as_resource
from learnpath.agents.catalog import RESOURCES
from learnpath.agents.inputs import ContentInput
from learnpath.domain.content import Resource, ResourceList
from learnpath.llm.client import CancelCheck, Generation, LLMClient
from learnpath.research.check import LinkChecker
from learnpath.research.search import SearchError
from learnpath.research.service import Research

log = logging.getLogger(__name__)

MIN_RESOURCES, MAX_RESOURCES = 3, 8
REPLACEMENT_RELEVANCE = 0.5


def search_query(data: ContentInput) -> str:
    return f"{data.concept.name} {data.roadmap_title}"[:200]


async def find_candidates(research: Research, data: ContentInput) -> list[Candidate]:
    """Search results for the concept; none when no provider is set or search is down."""
    if research.searcher is None:
        return []
    try:
        results = await research.searcher.search(search_query(data))
    except SearchError as error:
        log.warning("search failed, resources fall back to the model's own: %s", error)
        return []
    return [Candidate(title=r.title, url=r.url, snippet=r.snippet) for r in results]


async def generate_resources(
    research: Research, llm: LLMClient, data: ContentInput, should_cancel: CancelCheck | None
) -> Generation[ResourceList]:
    """The resources agent's list, from candidates when search found some, links checked."""
    candidates = await find_candidates(research, data)
    agent_input = ResourcesInput(**dict(data), candidates=candidates) if candidates else data
    generation = await RESOURCES.run(llm, agent_input, should_cancel)
    if not research.checks:
        return generation
    checked = await checked_resources(research.checker, generation.value, candidates)
    return Generation(checked, generation.calls)


async def checked_resources(
    checker: LinkChecker, proposed: ResourceList, candidates: list[Candidate]
) -> ResourceList:
    """Every link checked: dead ones dropped and replaced from unused live candidates. The
    list never shrinks below three: dead entries come back, unverified, as a last resort."""
    checks = await checker.check([r.url for r in proposed.resources])
    kept: list[Resource] = []
    dropped: list[Resource] = []
    for resource in proposed.resources:
        outcome = checks[resource.url].outcome
        if outcome == "dead":
            dropped.append(resource)
        else:
            kept.append(resource.model_copy(update={"verified": outcome == "ok"}))
    wanted = max(len(dropped), MIN_RESOURCES - len(kept))
    used = {r.url for r in proposed.resources}
    spare = [c for c in candidates if c.url not in used]
    if wanted > 0 and spare:
        spare_checks = await checker.check([c.url for c in spare])
        live = [c for c in spare if spare_checks[c.url].outcome != "dead"]
        live.sort(key=lambda c: spare_checks[c.url].outcome != "ok")
        for candidate in live[:wanted]:
            verified = spare_checks[candidate.url].outcome == "ok"
            resource = as_resource(candidate, REPLACEMENT_RELEVANCE)
            kept.append(resource.model_copy(update={"verified": verified}))
    kept.extend(dropped[: max(0, MIN_RESOURCES - len(kept))])
    kept.sort(key=lambda r: (not r.verified, -r.relevance))
    return ResourceList(resources=kept[:MAX_RESOURCES])
