"""A learner's progress through a roadmap, concept by concept (``GET /roadmaps/{id}/progress``).

A concept is ``done`` when the learner marked it complete, ``in_progress`` when they have not
but have engaged with it (at least one quiz attempt), else ``not_started``. Hours are each
concept's ``estimated_hours``: those of done concepts are done, every other concept's are left.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from enum import StrEnum

from pydantic import BaseModel

from learnpath.domain.roadmap import FrameworkDraft


class LearningState(StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    done = "done"


class ConceptLearning(BaseModel):
    concept_id: str
    name: str
    state: LearningState
    hours: float
    """The concept's estimated hours."""


class LearningProgress(BaseModel):
    roadmap_id: str
    concepts: list[ConceptLearning]
    """Every concept of the roadmap, in framework order."""
    hours_done: float
    hours_left: float
    hours_per_week: float
    """From the learner's request."""
    weeks_left: int
    """``hours_left / hours_per_week``, rounded up (0 when nothing is left)."""


def _state(concept_id: str, done: set[str], engaged: set[str]) -> LearningState:
    if concept_id in done:
        return LearningState.done
    if concept_id in engaged:
        return LearningState.in_progress
    return LearningState.not_started


def learning_progress(
    roadmap_id: str,
    framework: FrameworkDraft,
    completed: Collection[str],
    attempted: Collection[str],
    hours_per_week: float,
) -> LearningProgress:
    """Each concept's state and the hours done and left. ``completed``: the concept ids the
    learner marked complete; ``attempted``: those with a quiz attempt. Ids no longer in the
    framework are ignored."""
    done, engaged = set(completed), set(attempted)
    concepts = [
        ConceptLearning(
            concept_id=c.concept_id,
            name=c.name,
            state=_state(c.concept_id, done, engaged),
            hours=c.estimated_hours,
        )
        for c in framework.concepts()
    ]
    hours_done = round(sum(c.hours for c in concepts if c.state == LearningState.done), 1)
    hours_left = round(sum(c.hours for c in concepts if c.state != LearningState.done), 1)
    # Rounded before ceil, so float noise (4.2 / 1.4 = 3.0000000000000004) adds no week.
    weeks_left = math.ceil(round(hours_left / hours_per_week, 6))
    return LearningProgress(
        roadmap_id=roadmap_id,
        concepts=concepts,
        hours_done=hours_done,
        hours_left=hours_left,
        hours_per_week=hours_per_week,
        weeks_left=weeks_left,
    )
