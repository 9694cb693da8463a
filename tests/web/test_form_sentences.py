"""Form errors as sentences built from the models' own limits, and the signed address of a
graded quiz (no browser, no server)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from learnpath.api.schemas import ReviewRequest
from learnpath.domain.request import LearnerRequest
from learnpath.service.content import QuestionResult, QuizGrade
from learnpath.web.messages import field_errors, limits
from learnpath.web.pages import FIELDS
from learnpath.web.quiz_pages import seal, unseal
from learnpath.web.task_pages import REVIEW_FIELDS


def sentences(**values: object) -> dict[str, str]:
    with pytest.raises(ValidationError) as refused:
        LearnerRequest.model_validate({"goal": "Learn SQL", **values})
    return field_errors(LearnerRequest, refused.value, FIELDS)


def test_each_kind_of_error_is_a_sentence_with_the_fields_limits() -> None:
    assert sentences(hours_per_week="0") == {
        "hours_per_week": "Hours per week must be between 1 and 80"
    }
    assert sentences(hours_per_week="lots", target_weeks="2.5") == {
        "hours_per_week": "Hours per week must be a number between 1 and 80",
        "target_weeks": "Target weeks must be a whole number between 1 and 104",
    }
    assert sentences(hours_per_week="nan")["hours_per_week"].startswith("Hours per week must be")
    assert sentences(goal="x") == {"goal": "Goal must be at least 3 characters long"}
    assert sentences(motivation="m" * 2001) == {
        "motivation": "Motivation must be at most 2000 characters long"
    }
    assert sentences(current_level="guru") == {
        "current_level": "Current level must be one of: beginner, intermediate, advanced"
    }
    assert sentences(learning_styles=["smell"]) == {
        "learning_styles": "Learning styles must be among: text, video, hands_on, audio, visual"
    }
    assert sentences(learning_styles=["text"] * 21) == {
        "learning_styles": "Learning styles: choose at most 20"
    }
    assert sentences(language="english!") == {
        "language": "Language must be a language tag such as en, de or pt-BR"
    }
    with pytest.raises(ValidationError) as refused:
        LearnerRequest.model_validate({})
    assert field_errors(LearnerRequest, refused.value, FIELDS) == {"goal": "Goal is required"}
    with pytest.raises(ValidationError) as long_feedback:
        ReviewRequest(approved=False, feedback="f" * 5001)
    assert field_errors(ReviewRequest, long_feedback.value, REVIEW_FIELDS) == {
        "feedback": "Feedback must be at most 5000 characters long"
    }


def test_limits_stated_beside_the_fields() -> None:
    shown = {name: limits(LearnerRequest, name) for name in FIELDS}
    assert shown == {
        "goal": "3–2000 characters",
        "current_level": "",
        "hours_per_week": "1–80",
        "target_weeks": "1–104",
        "motivation": "up to 2000 characters",
        "background": "up to 2000 characters",
        "learning_styles": "",
        "language": "",
    }


def test_a_quiz_result_opens_only_where_it_was_made() -> None:
    results = [
        QuestionResult(
            question_id=f"q{n}",
            correct=n % 2 == 0,
            selected=[0],
            correct_options=[0, 1][: n % 2 + 1],
            explanation="long " * 200,
        )
        for n in range(8)
    ]
    grade = QuizGrade(
        concept_id="c1", version=3, score=4, total=8, percentage=50.0, results=results
    )
    key, scope = b"k" * 32, ("rm_1", "c1", "user_1")
    token = seal(key, scope, grade)
    assert len(token) < 1000, "the explanations stay out of the address"
    shown = unseal(key, scope, token)
    assert shown is not None
    assert shown["version"] == 3 and shown["score"] == 4
    assert [r["question_id"] for r in shown["results"]] == [f"q{n}" for n in range(8)]
    assert "explanation" not in shown["results"][0]
    assert unseal(b"x" * 32, scope, token) is None, "another server's secret"
    assert unseal(key, ("rm_1", "c1", "user_2"), token) is None, "another user"
    assert unseal(key, ("rm_1", "c2", "user_1"), token) is None, "another concept"
    body, _, mac = token.partition(".")
    assert unseal(key, scope, f"{body}A.{mac}") is None, "a changed grade"
    assert unseal(key, scope, f"{body}.{mac}é") is None
    assert unseal(key, scope, "") is None
    assert unseal(key, scope, "x" * 5000) is None
