"""The offline resources answer when a search provider found candidates: it picks the first
of them, as a model would, so research works with no model at all."""

from __future__ import annotations

from typing import Any

from learnpath.agents.candidates import Candidate, as_resource
from learnpath.domain.content import Resource

PICKED = 6
"""How many candidates the offline answer takes; the rest replace dead links."""


def picked_resources(payload: dict[str, Any]) -> list[Resource]:
    """The resources picked from the payload's ``candidates`` (empty when it has none)."""
    candidates = [Candidate.model_validate(c) for c in payload.get("candidates") or ()]
    return [
        as_resource(candidate, 0.95 - 0.08 * rank)
        for rank, candidate in enumerate(candidates[:PICKED])
    ]
