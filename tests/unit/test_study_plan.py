"""The weekly plan (domain.study_plan): the concepts left, week by week against the learner's
hours per week, a concept longer than a week's room carried over into the next."""

from __future__ import annotations

import pytest
from tests.support.frameworks import one_module

from learnpath.domain.learning import ConceptLearning, LearningState, learning_progress
from learnpath.domain.roadmap import FrameworkDraft
from learnpath.domain.study_plan import weekly_plan

NOT, BUSY, DONE = LearningState.not_started, LearningState.in_progress, LearningState.done


def concept(n: int, hours: float, state: LearningState = NOT) -> ConceptLearning:
    return ConceptLearning(concept_id=f"c{n}", name=f"C{n}", state=state, hours=hours)


def draft(*hours: float) -> FrameworkDraft:
    concepts = [
        {"concept_id": f"c{i}", "name": f"C{i}", "estimated_hours": h} for i, h in enumerate(hours)
    ]
    return FrameworkDraft.model_validate(one_module(concepts))


def layout(concepts: list[ConceptLearning], per_week: float) -> list[list[tuple[str, float]]]:
    return [[(i.concept_id, i.hours) for i in w.items] for w in weekly_plan(concepts, per_week)]


def test_a_long_concept_carries_over_into_the_next_week() -> None:
    plan = weekly_plan([concept(0, 1.5), concept(1, 2), concept(2, 4)], 3)
    assert [(w.number, w.hours) for w in plan] == [(1, 3.0), (2, 3.0), (3, 1.5)]
    assert layout([concept(0, 1.5), concept(1, 2), concept(2, 4)], 3) == [
        [("c0", 1.5), ("c1", 1.5)],
        [("c1", 0.5), ("c2", 2.5)],
        [("c2", 1.5)],
    ]
    assert [(i.hours, i.concept_hours) for i in plan[1].items] == [(0.5, 2.0), (2.5, 4.0)]


def test_done_concepts_are_left_out_and_the_rest_keep_their_state_and_order() -> None:
    plan = weekly_plan([concept(0, 2, DONE), concept(1, 1, BUSY), concept(2, 1)], 8)
    assert [[(i.name, i.state) for i in w.items] for w in plan] == [[("C1", BUSY), ("C2", NOT)]]
    assert plan[0].hours == 2.0


def test_a_concept_spanning_several_weeks_and_float_noise_adds_no_week() -> None:
    assert layout([concept(0, 10)], 4) == [[("c0", 4)], [("c0", 4)], [("c0", 2)]]
    # 0.1 + 0.2 is 0.30000000000000004 in floats: still one week of 0.3 hours.
    assert layout([concept(0, 0.1), concept(1, 0.2)], 0.3) == [[("c0", 0.1), ("c1", 0.2)]]
    assert layout([concept(0, 1.4)] * 3, 1.4) == [[("c0", 1.4)]] * 3


def test_a_concept_of_no_hours_goes_into_the_week_it_is_reached_in() -> None:
    assert layout([concept(0, 2), concept(1, 0), concept(2, 1)], 2) == [
        [("c0", 2), ("c1", 0)],
        [("c2", 1)],
    ]
    assert layout([concept(0, 0)], 5) == [[("c0", 0)]]


def test_nothing_left_is_no_week_and_hours_per_week_must_be_positive() -> None:
    assert weekly_plan([concept(0, 3, DONE)], 5) == []
    assert weekly_plan([], 5) == []
    with pytest.raises(ValueError, match="hours_per_week must be positive"):
        weekly_plan([concept(0, 1)], 0)


def test_the_plan_has_as_many_weeks_as_the_progress_has_weeks_left() -> None:
    progress = learning_progress("rm", draft(1.5, 2, 4, 0.7), ["c1"], ["c2"], 1.4)
    plan = weekly_plan(progress.concepts, progress.hours_per_week)
    assert (len(plan), progress.weeks_left) == (5, 5)
    assert round(sum(w.hours for w in plan), 2) == progress.hours_left == 6.2
