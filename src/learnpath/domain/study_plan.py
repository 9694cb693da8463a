"""A learner's weekly plan: the concepts not done yet, in roadmap order, laid out week by week
against their hours per week (docs/contract.md §4, the progress of a roadmap).

Each week holds ``hours_per_week`` of study. A concept longer than what is left of a week
carries over into the next one, so a week lists the share of each concept it holds. The plan
has as many weeks as :class:`~learnpath.domain.learning.LearningProgress` has ``weeks_left``.
Week 1 is the current week: the plan starts from what is left now.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel

from learnpath.domain.learning import ConceptLearning, LearningState

_EPSILON = 1e-6
"""Hours closer than this are equal: estimates are floats (0.1 + 0.2 is not 0.3)."""


class PlannedStudy(BaseModel):
    """One concept's share of one week."""

    concept_id: str
    name: str
    state: LearningState
    hours: float
    """The hours of the concept planned in this week."""
    concept_hours: float
    """The concept's whole estimate: more than ``hours`` when it spans weeks."""


class PlanWeek(BaseModel):
    number: int
    """1 for the current week."""
    hours: float
    items: list[PlannedStudy]


def _close(items: list[PlannedStudy], number: int) -> PlanWeek:
    return PlanWeek(number=number, hours=round(sum(i.hours for i in items), 2), items=items)


def weekly_plan(concepts: Iterable[ConceptLearning], hours_per_week: float) -> list[PlanWeek]:
    """The concepts not done, in the order given (the roadmap's), packed into weeks of
    ``hours_per_week`` hours each; a concept of no hours goes into the week it is reached in.
    No concept left: no week."""
    if hours_per_week <= 0:
        raise ValueError("hours_per_week must be positive")
    weeks: list[PlanWeek] = []
    current: list[PlannedStudy] = []
    room = hours_per_week
    for concept in concepts:
        if concept.state == LearningState.done:
            continue
        left = concept.hours
        while True:
            if room <= _EPSILON and (left > _EPSILON or not current):
                weeks.append(_close(current, len(weeks) + 1))
                current, room = [], hours_per_week
            share = min(left, room)
            current.append(
                PlannedStudy(
                    concept_id=concept.concept_id,
                    name=concept.name,
                    state=concept.state,
                    hours=round(share, 2),
                    concept_hours=concept.hours,
                )
            )
            left, room = left - share, room - share
            if left <= _EPSILON:
                break
    if current:
        weeks.append(_close(current, len(weeks) + 1))
    return weeks
