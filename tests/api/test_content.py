"""Study material over HTTP (contract §3 content shapes, §4): tutorials, resources and quizzes by
version, quizzes without answers, and server-side grading of attempts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.conftest import Api, concepts, create_users
from tests.support.server import Server

pytestmark = pytest.mark.slow

ANSWER_KEYS = {"correct", "explanation", "correct_options", "answer", "answers"}
RESOURCE_TYPES = {"article", "video", "book", "course", "documentation", "tool", "exercise"}


@pytest.fixture(scope="module")
def learner(fast_server: Server) -> Api:
    (api,) = create_users(fast_server, "content")
    return api


@pytest.fixture(scope="module")
def roadmap(learner: Api) -> tuple[str, list[str]]:
    """A completed roadmap: its id and its concept ids."""
    _, roadmap_id = learner.completed_roadmap()
    return roadmap_id, [c["concept_id"] for c in concepts(learner.roadmap(roadmap_id))]


def keys_anywhere(value: Any) -> Iterator[str]:
    """Every mapping key anywhere in a JSON document."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from keys_anywhere(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from keys_anywhere(inner)


def test_tutorial(learner: Api, roadmap: tuple[str, list[str]]) -> None:
    roadmap_id, ids = roadmap
    names = {c["concept_id"]: c["name"] for c in concepts(learner.roadmap(roadmap_id))}
    for concept_id in ids:
        path = f"/roadmaps/{roadmap_id}/concepts/{concept_id}/tutorial"
        tutorial = learner.call("GET", path, 200)
        assert set(tutorial) == {
            "concept_id",
            "version",
            "markdown",
            "summary",
            "estimated_minutes",
            "created_at",
        }
        assert tutorial["concept_id"] == concept_id
        assert tutorial["version"] == 1
        assert tutorial["markdown"].startswith(f"# {names[concept_id]}")
        assert "offline" in tutorial["markdown"].lower(), "offline output says so"
        assert 0 < len(tutorial["summary"]) <= 300
        assert tutorial["estimated_minutes"] > 0
        assert learner.call("GET", path, 200, params={"version": 1}) == tutorial
        missing = learner.call("GET", path, 404, params={"version": 2})
        assert "version 2" in missing["detail"]
    bad = learner.call("GET", path, 422, params={"version": 0})
    assert bad["detail"][0]["loc"] == ["query", "version"]


def test_resources(learner: Api, roadmap: tuple[str, list[str]]) -> None:
    roadmap_id, ids = roadmap
    for concept_id in ids:
        path = f"/roadmaps/{roadmap_id}/concepts/{concept_id}/resources"
        listed = learner.call("GET", path, 200)
        assert set(listed) == {"concept_id", "version", "resources", "created_at"}
        assert (listed["concept_id"], listed["version"]) == (concept_id, 1)
        assert 3 <= len(listed["resources"]) <= 8
        for resource in listed["resources"]:
            assert set(resource) == {
                "title",
                "url",
                "type",
                "description",
                "relevance",
                "verified",
            }
            assert resource["url"].startswith("https://")
            assert resource["type"] in RESOURCE_TYPES
            assert 0 <= resource["relevance"] <= 1
            assert resource["verified"] is False, "no URL is fetched with search `none`"
        assert learner.call("GET", path, 200, params={"version": 1}) == listed
        assert learner.get(path, params={"version": 2}).status_code == 404


def test_quiz_never_reveals_answers(learner: Api, roadmap: tuple[str, list[str]]) -> None:
    roadmap_id, ids = roadmap
    for concept_id in ids:
        path = f"/roadmaps/{roadmap_id}/concepts/{concept_id}/quiz"
        answer = learner.get(path)
        assert answer.status_code == 200
        quiz = answer.json()
        assert set(quiz) == {"concept_id", "version", "questions", "created_at"}
        assert (quiz["concept_id"], quiz["version"]) == (concept_id, 1)
        assert 4 <= len(quiz["questions"]) <= 8
        for question in quiz["questions"]:
            assert set(question) == {"question_id", "type", "question", "options", "difficulty"}
            assert question["type"] in {"single_choice", "multiple_choice", "true_false"}
            assert len(question["options"]) >= 2
            if question["type"] == "true_false":
                assert question["options"] == ["True", "False"]
        assert not ANSWER_KEYS & set(keys_anywhere(quiz)), quiz
        assert '"correct' not in answer.text and '"explanation' not in answer.text
        versioned = learner.get(path, params={"version": 1})
        assert versioned.json() == quiz
        assert not ANSWER_KEYS & set(keys_anywhere(versioned.json()))
        assert learner.get(path, params={"version": 2}).status_code == 404


def test_unknown_concept_or_roadmap_is_404(learner: Api, roadmap: tuple[str, list[str]]) -> None:
    roadmap_id, ids = roadmap
    for kind in ("tutorial", "resources", "quiz"):
        unknown_concept = learner.get(f"/roadmaps/{roadmap_id}/concepts/no-such-concept/{kind}")
        assert unknown_concept.status_code == 404
        assert "no-such-concept" in unknown_concept.json()["detail"]
        unknown_roadmap = learner.get(f"/roadmaps/rm_{'0' * 32}/concepts/{ids[0]}/{kind}")
        assert unknown_roadmap.status_code == 404
    attempt = learner.post(
        f"/roadmaps/{roadmap_id}/concepts/no-such-concept/quiz/attempts", json={"answers": {}}
    )
    assert attempt.status_code == 404


def quiz_key(learner: Api, roadmap_id: str, concept_id: str) -> dict[str, list[int]]:
    """The answer key, from the learner's own JSON export (which carries the full quizzes)."""
    document = learner.call("GET", f"/roadmaps/{roadmap_id}/export", 200)
    concept = next(c for c in concepts(document) if c["concept_id"] == concept_id)
    return {q["question_id"]: sorted(q["correct"]) for q in concept["quiz"]["questions"]}


def test_quiz_attempts_are_graded_on_the_server(
    learner: Api, roadmap: tuple[str, list[str]]
) -> None:
    roadmap_id, ids = roadmap
    concept_id = ids[0]
    path = f"/roadmaps/{roadmap_id}/concepts/{concept_id}/quiz/attempts"
    quiz = learner.call("GET", f"/roadmaps/{roadmap_id}/concepts/{concept_id}/quiz", 200)
    questions = {q["question_id"]: q for q in quiz["questions"]}
    key = quiz_key(learner, roadmap_id, concept_id)
    assert set(key) == set(questions)

    # All right.
    perfect = learner.call("POST", path, 200, json={"answers": key})
    assert set(perfect) == {"concept_id", "version", "score", "total", "percentage", "results"}
    assert (perfect["concept_id"], perfect["version"]) == (concept_id, 1)
    assert perfect["score"] == perfect["total"] == len(questions)
    assert perfect["percentage"] == 100.0
    assert [r["question_id"] for r in perfect["results"]] == list(questions)
    for result in perfect["results"]:
        assert set(result) == {
            "question_id",
            "correct",
            "selected",
            "correct_options",
            "explanation",
        }
        assert result["correct"] is True
        assert result["selected"] == result["correct_options"] == key[result["question_id"]]
        assert result["explanation"]

    # Some wrong, one unanswered: graded per question.
    wrong_ids = list(questions)[:2]
    unanswered = list(questions)[2]
    answers = {}
    for qid, question in questions.items():
        if qid == unanswered:
            continue
        if qid in wrong_ids:
            answers[qid] = [next(i for i in range(len(question["options"])) if [i] != key[qid])]
        else:
            answers[qid] = list(reversed(key[qid]))  # order does not matter
    graded = learner.call("POST", path, 200, json={"answers": answers, "version": 1})
    expected_right = len(questions) - len(wrong_ids) - 1
    assert graded["score"] == expected_right
    assert graded["total"] == len(questions)
    assert graded["percentage"] == round(100 * expected_right / len(questions), 1)
    results = {r["question_id"]: r for r in graded["results"]}
    for qid in questions:
        result = results[qid]
        assert result["correct_options"] == key[qid]
        assert result["correct"] is (qid not in wrong_ids and qid != unanswered)
        assert result["selected"] == (sorted(answers[qid]) if qid in answers else [])

    # A quiz version that does not exist.
    assert learner.post(path, json={"answers": key, "version": 2}).status_code == 404


def test_quiz_attempt_errors_name_the_answer(learner: Api, roadmap: tuple[str, list[str]]) -> None:
    roadmap_id, ids = roadmap
    path = f"/roadmaps/{roadmap_id}/concepts/{ids[1]}"
    first = learner.call("GET", f"{path}/quiz", 200)["questions"][0]
    qid, options = first["question_id"], len(first["options"])
    cases: list[tuple[dict[str, list[int]], str, str]] = [
        ({"q999": [0]}, "q999", "no such question"),
        ({qid: [options]}, qid, "option index out of range"),
        ({qid: [0, -1]}, qid, "option index out of range"),
    ]
    for answers, where, message in cases:
        detail = learner.call("POST", f"{path}/quiz/attempts", 422, json={"answers": answers})
        assert detail["detail"] == [
            {"loc": ["body", "answers", where], "msg": message, "type": "value_error"}
        ], answers


def test_quiz_attempt_body_is_validated(learner: Api, roadmap: tuple[str, list[str]]) -> None:
    roadmap_id, ids = roadmap
    path = f"/roadmaps/{roadmap_id}/concepts/{ids[1]}/quiz/attempts"
    assert learner.call("POST", path, 422, json={})["detail"][0]["loc"] == ["body", "answers"]
    wrong_shape = learner.call("POST", path, 422, json={"answers": {"q1": "zero"}})["detail"]
    assert wrong_shape[0]["loc"][:3] == ["body", "answers", "q1"]
