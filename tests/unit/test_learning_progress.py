"""A learner's progress through a roadmap (domain.learning): each concept's state, the hours
done and left, the weeks left."""

from __future__ import annotations

from typing import Any

import pytest
from tests.support.frameworks import one_module

from learnpath.domain.learning import LearningState, learning_progress
from learnpath.domain.roadmap import FrameworkDraft


def draft(*hours: float) -> FrameworkDraft:
    concepts = [
        {"concept_id": f"c{i}", "name": f"C{i}", "estimated_hours": h} for i, h in enumerate(hours)
    ]
    return FrameworkDraft.model_validate(one_module(concepts))


def summary(**kw: Any) -> tuple[list[str], float, float, int]:
    progress = learning_progress("rm", **kw)
    return (
        [c.state.value for c in progress.concepts],
        progress.hours_done,
        progress.hours_left,
        progress.weeks_left,
    )


def test_nothing_started() -> None:
    progress = learning_progress("rm", draft(1.5, 2, 4), [], [], 3)
    assert progress.model_dump(mode="json") == {
        "roadmap_id": "rm",
        "concepts": [
            {"concept_id": "c0", "name": "C0", "state": "not_started", "hours": 1.5},
            {"concept_id": "c1", "name": "C1", "state": "not_started", "hours": 2.0},
            {"concept_id": "c2", "name": "C2", "state": "not_started", "hours": 4.0},
        ],
        "hours_done": 0.0,
        "hours_left": 7.5,
        "hours_per_week": 3.0,
        "weeks_left": 3,
    }


def test_done_wins_over_an_attempt_and_an_attempt_is_in_progress() -> None:
    assert summary(
        framework=draft(1.5, 2, 4),
        completed=["c0", "c1"],
        attempted=["c1", "c2"],
        hours_per_week=3,
    ) == (["done", "done", "in_progress"], 3.5, 4.0, 2)


def test_ids_no_longer_in_the_framework_are_ignored() -> None:
    assert summary(
        framework=draft(1, 1),
        completed=["gone", "c1"],
        attempted=["also-gone"],
        hours_per_week=8,
    ) == (["not_started", "done"], 1.0, 1.0, 1)


def test_all_done_leaves_no_week() -> None:
    progress = learning_progress("rm", draft(2, 2), ["c0", "c1"], [], 5)
    assert (progress.hours_done, progress.hours_left, progress.weeks_left) == (4.0, 0.0, 0)
    assert {c.state for c in progress.concepts} == {LearningState.done}


@pytest.mark.parametrize(
    ("hours", "per_week", "weeks"),
    [
        ((4, 4), 8, 1),  # exactly one week
        ((4, 4.5), 8, 2),  # a little more: rounded up
        ((2.1, 2.1), 1.4, 3),  # 4.2 / 1.4 is 3.0000000000000004 in floats: still 3 weeks
        ((0.1, 0.2), 0.3, 1),  # 0.30000000000000004 hours: rounded to 0.3, one week
    ],
)
def test_weeks_left_round_up_without_float_noise(
    hours: tuple[float, ...], per_week: float, weeks: int
) -> None:
    assert learning_progress("rm", draft(*hours), [], [], per_week).weeks_left == weeks
