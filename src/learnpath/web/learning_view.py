"""The learner's side of the roadmap viewer (issue 16): each concept's learning state in words,
the previous and next concept in roadmap order, the hours done and left and the weekly plan
(:mod:`learnpath.domain.study_plan`), from the service's progress (docs/contract.md §4)."""

from __future__ import annotations

from typing import Any

from learnpath.api.deps import RuntimeDep
from learnpath.domain.roadmap import Concept
from learnpath.domain.study_plan import weekly_plan
from learnpath.service import learner
from learnpath.web.session import Viewer

STATE_WORDS = {"not_started": "Not started", "in_progress": "In progress", "done": "Done"}
"""A concept's learning state as the learner reads it."""
STATE_MARKS = {"not_started": "○", "in_progress": "◐", "done": "✓"}
"""The same marks as the roadmap graph's (export.graph)."""
CONCEPT_ANCHOR = "concept-panel"
"""The concept panel's id: a form on it sends the reader back there."""


def neighbours(concepts: list[Concept], concept_id: str) -> tuple[Concept | None, Concept | None]:
    """The concepts before and after ``concept_id`` in roadmap order (None at either end)."""
    at = next(n for n, c in enumerate(concepts) if c.concept_id == concept_id)
    before = concepts[at - 1] if at > 0 else None
    after = concepts[at + 1] if at + 1 < len(concepts) else None
    return before, after


async def learning_context(
    rt: RuntimeDep, roadmap_id: str, who: Viewer, concepts: list[Concept], concept_id: str
) -> dict[str, Any]:
    """What the viewer shows of the learner's progress, around the concept ``concept_id``."""
    progress = await learner.progress(rt, roadmap_id, who.user_id)
    states = {c.concept_id: c.state.value for c in progress.concepts}
    before, after = neighbours(concepts, concept_id)
    return {
        "learning": progress,
        "states": states,
        "state": states.get(concept_id, "not_started"),
        "state_words": STATE_WORDS,
        "state_marks": STATE_MARKS,
        "plan": weekly_plan(progress.concepts, progress.hours_per_week),
        "previous": before,
        "next": after,
        "anchor": CONCEPT_ANCHOR,
    }
