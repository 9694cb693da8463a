"""Every rule of the learner request (contract §2) rejects bad input and names the field."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from learnpath.domain.request import LearnerRequest, Level

GOOD: dict[str, Any] = {"goal": "Learn Rust"}


def test_defaults() -> None:
    request = LearnerRequest(**GOOD)
    assert request.current_level == Level.beginner
    assert request.hours_per_week == 8
    assert request.target_weeks is None
    assert request.language == "en"
    assert request.learning_styles == []


def test_goal_is_trimmed() -> None:
    assert LearnerRequest(goal="   Learn Go   ").goal == "Learn Go"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("goal", "  ab  "),
        ("goal", "x" * 2001),
        ("goal", None),
        ("current_level", "expert"),
        ("hours_per_week", 0),
        ("hours_per_week", 81),
        ("target_weeks", 0),
        ("target_weeks", 105),
        ("learning_styles", ["text", "telepathy"]),
        ("language", "english please"),
        ("language", "e"),
        ("motivation", "m" * 2001),
        ("background", "b" * 2001),
        ("unknown_field", 1),
    ],
)
def test_invalid_values_name_their_field(field: str, value: Any) -> None:
    with pytest.raises(ValidationError) as error:
        LearnerRequest(**{**GOOD, field: value})
    assert field in {str(e["loc"][0]) for e in error.value.errors()}


def test_missing_goal() -> None:
    with pytest.raises(ValidationError) as error:
        LearnerRequest()  # type: ignore[call-arg]
    assert error.value.errors()[0]["loc"] == ("goal",)


def test_valid_edges_and_styles_deduplicated() -> None:
    request = LearnerRequest(
        goal="abc",
        hours_per_week=80,
        target_weeks=104,
        learning_styles=["video", "hands_on", "video"],
        language="pt-BR",
    )
    assert [s.value for s in request.learning_styles] == ["video", "hands_on"]
    assert request.effective_weeks == 104
    assert LearnerRequest(goal="abc", hours_per_week=1, target_weeks=1).effective_weeks == 1
