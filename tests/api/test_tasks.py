"""Task routes over HTTP (contract §2, §4): generate, read, list with filters, cancel, retry,
review — success and error paths, bodies checked field by field."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

from tests.api.conftest import (
    SMALL,
    TASK_STATUSES,
    Api,
    Json,
    concepts,
    create_users,
)
from tests.support.server import Server

pytestmark = pytest.mark.slow

STEPS = {
    "queued",
    "intent_analysis",
    "curriculum_design",
    "structure_validation",
    "validation_edit",
    "human_review",
    "review_edit",
    "content_generation_queued",
    "content_generation",
    "finalizing",
    "completed",
    "partial_failure",
    "failed",
    "cancelled",
}
TASK_FIELDS = {
    "task_id",
    "user_id",
    "task_type",
    "goal",
    "status",
    "current_step",
    "roadmap_id",
    "concept_id",
    "content_type",
    "progress",
    "error_message",
    "failed_items",
    "validation_issues",
    "summary",
    "usage",
    "estimate",
    "actual",
    "recovery_type",
    "last_event_seq",
    "created_at",
    "updated_at",
}
NO_PROGRESS = {"completed": 0, "failed": 0, "total": 0, "percentage": 0.0}


def utc(stamp: str) -> datetime:
    """A timestamp that must be timezone-aware UTC."""
    when = datetime.fromisoformat(stamp)
    offset = when.utcoffset()
    assert offset is not None and offset.total_seconds() == 0, stamp
    return when


@pytest.fixture(scope="module")
def users(fast_server: Server) -> dict[str, Api]:
    names = ("generator", "invalid", "lister", "canceller", "reviewer")
    return dict(zip(names, create_users(fast_server, *names), strict=True))


# --------------------------------------------------------------------------- generate


def test_generate_answers_202_and_the_task_can_be_read(users: dict[str, Api]) -> None:
    api = users["generator"]
    answer = api.post("/roadmaps/generate", json={**SMALL, "auto_approve": True})
    assert answer.status_code == 202
    accepted = answer.json()
    assert set(accepted) == {"task_id", "status"}
    assert accepted["status"] == "pending"
    task_id = accepted["task_id"]
    assert re.fullmatch(r"task_[0-9a-f]{32}", task_id), "at least 122 random bits"

    done = api.wait(task_id)
    assert set(done) == TASK_FIELDS
    assert done["task_id"] == task_id
    assert done["user_id"] == api.user_id
    assert done["task_type"] == "creation"
    assert done["status"] == "completed"
    assert done["current_step"] == "completed"
    assert done["roadmap_id"].startswith("rm_")
    assert done["concept_id"] is None and done["content_type"] is None
    total = 3 * len(concepts(api.roadmap(done["roadmap_id"])))
    assert done["progress"] == {
        "completed": total,
        "failed": 0,
        "total": total,
        "percentage": 100.0,
    }
    assert done["error_message"] is None
    assert done["failed_items"] == []
    assert done["recovery_type"] is None
    assert done["summary"]["items_total"] == total
    assert done["summary"]["items_done"] == total
    assert done["summary"]["items_failed"] == 0
    assert done["summary"]["llm_calls"] >= total
    assert done["summary"]["prompt_tokens"] > 0
    assert done["last_event_seq"] > total
    assert utc(done["created_at"]) <= utc(done["updated_at"])


def test_boundary_values_are_accepted(users: dict[str, Api]) -> None:
    api = users["generator"]
    body = {
        "goal": "  SQL  ",
        "current_level": "advanced",
        "hours_per_week": 80,
        "target_weeks": 1,
        "motivation": "a new job",
        "background": "Python developer",
        "learning_styles": ["text", "video", "hands_on", "audio", "visual"],
        "language": "pt-BR",
    }
    task_id = api.generate(body)
    view = api.wait_review(task_id)
    assert view["task_type"] == "creation"
    assert api.call("POST", f"/tasks/{task_id}/cancel", 200)["status"] == "cancelled"
    for extra in ({"hours_per_week": 1, "target_weeks": 104}, {"goal": "x" * 2000}):
        task_id = api.generate({**SMALL, **extra})
        api.call("POST", f"/tasks/{task_id}/cancel", 200)


INVALID: dict[str, tuple[Any, list[Any]]] = {
    "goal missing": ({"target_weeks": 1}, ["body", "goal"]),
    "goal too short after trimming": ({"goal": "  ab  "}, ["body", "goal"]),
    "goal blank": ({"goal": "     "}, ["body", "goal"]),
    "goal too long": ({"goal": "x" * 2001}, ["body", "goal"]),
    "goal not a string": ({"goal": 12345}, ["body", "goal"]),
    "unknown level": ({"goal": "Learn SQL", "current_level": "expert"}, ["body", "current_level"]),
    "hours below 1": ({"goal": "Learn SQL", "hours_per_week": 0.5}, ["body", "hours_per_week"]),
    "hours above 80": ({"goal": "Learn SQL", "hours_per_week": 81}, ["body", "hours_per_week"]),
    "weeks below 1": ({"goal": "Learn SQL", "target_weeks": 0}, ["body", "target_weeks"]),
    "weeks above 104": ({"goal": "Learn SQL", "target_weeks": 105}, ["body", "target_weeks"]),
    "weeks fractional": ({"goal": "Learn SQL", "target_weeks": 2.5}, ["body", "target_weeks"]),
    "unknown style": (
        {"goal": "Learn SQL", "learning_styles": ["text", "smell"]},
        ["body", "learning_styles", 1],
    ),
    "styles not a list": (
        {"goal": "Learn SQL", "learning_styles": "text"},
        ["body", "learning_styles"],
    ),
    "language not BCP-47": ({"goal": "Learn SQL", "language": "English!"}, ["body", "language"]),
    "motivation too long": (
        {"goal": "Learn SQL", "motivation": "m" * 2001},
        ["body", "motivation"],
    ),
    "background too long": (
        {"goal": "Learn SQL", "background": "b" * 2001},
        ["body", "background"],
    ),
    "unknown field": ({"goal": "Learn SQL", "colour": "blue"}, ["body", "colour"]),
    "auto_approve not a bool": (
        {"goal": "Learn SQL", "auto_approve": "maybe"},
        ["body", "auto_approve"],
    ),
    "not an object": (["Learn SQL"], ["body"]),
}


@pytest.mark.parametrize("case", list(INVALID))
def test_invalid_requests_are_422_naming_the_field(users: dict[str, Api], case: str) -> None:
    api = users["invalid"]
    body, loc = INVALID[case]
    answer = api.post("/roadmaps/generate", json=body)
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert [e["loc"] for e in detail] == [loc], detail
    assert detail[0]["msg"]
    assert detail[0]["type"]
    # Nothing was persisted for this (or any earlier) invalid request.
    listed = api.call("GET", "/tasks", 200)
    assert listed["total"] == 0
    assert api.call("GET", "/roadmaps", 200) == []


def test_malformed_json_is_422(users: dict[str, Api]) -> None:
    api = users["invalid"]
    answer = api.post(
        "/roadmaps/generate", content=b"{goal: nope", headers={"content-type": "application/json"}
    )
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["type"] == "json_invalid"


# --------------------------------------------------------------------------- list


@pytest.fixture(scope="module")
def listed(users: dict[str, Api]) -> dict[str, str]:
    """The lister's tasks: one completed, one waiting for review, one cancelled (oldest
    first)."""
    api = users["lister"]
    completed, _ = api.completed_roadmap()
    review = api.generate()
    api.wait_review(review)
    cancelled = api.generate()
    api.wait_review(cancelled)
    api.call("POST", f"/tasks/{cancelled}/cancel", 200)
    return {"completed": completed, "review": review, "cancelled": cancelled}


def test_list_tasks_with_counts_for_every_status(
    users: dict[str, Api], listed: dict[str, str]
) -> None:
    api = users["lister"]
    everything = api.call("GET", "/tasks", 200)
    assert set(everything) == {"tasks", "total", "status_counts"}
    assert everything["total"] == 3
    newest_first = [listed["cancelled"], listed["review"], listed["completed"]]
    assert [t["task_id"] for t in everything["tasks"]] == newest_first
    assert everything["status_counts"] == {
        "pending": 0,
        "processing": 0,
        "human_review_pending": 1,
        "completed": 1,
        "partial_failure": 0,
        "failed": 0,
        "cancelled": 1,
    }
    assert list(everything["status_counts"]) == list(TASK_STATUSES)
    for task in everything["tasks"]:
        assert set(task) == TASK_FIELDS
        assert task == api.task(task["task_id"]) | {"updated_at": task["updated_at"]}
        assert task["current_step"] in STEPS


def test_list_filters_and_paging(users: dict[str, Api], listed: dict[str, str]) -> None:
    api = users["lister"]

    def ids(**params: Any) -> tuple[list[str], int, dict[str, int]]:
        page = api.call("GET", "/tasks", 200, params=params)
        return [t["task_id"] for t in page["tasks"]], page["total"], page["status_counts"]

    tasks, total, counts = ids(status="completed")
    assert (tasks, total) == ([listed["completed"]], 1)
    assert counts["cancelled"] == 1, "status_counts are not narrowed by the status filter"
    assert ids(status="cancelled")[:2] == ([listed["cancelled"]], 1)
    assert ids(status="failed")[:2] == ([], 0)

    tasks, total, _ = ids(task_type="creation")
    assert (len(tasks), total) == (3, 3)
    tasks, total, counts = ids(task_type="retry_quiz")
    assert (tasks, total) == ([], 0)
    assert counts == {s: 0 for s in TASK_STATUSES}
    assert ids(task_type="creation", status="human_review_pending")[:2] == ([listed["review"]], 1)

    assert ids(limit=1)[:2] == ([listed["cancelled"]], 3)
    assert ids(limit=1, offset=1)[:2] == ([listed["review"]], 3)
    assert ids(limit=2, offset=2)[:2] == ([listed["completed"]], 3)
    assert ids(offset=3)[:2] == ([], 3)
    assert len(ids(limit=200)[0]) == 3


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"limit": 201}, ["query", "limit"]),
        ({"limit": 0}, ["query", "limit"]),
        ({"limit": "many"}, ["query", "limit"]),
        ({"offset": -1}, ["query", "offset"]),
        ({"status": "done"}, ["query", "status"]),
        ({"task_type": "creating"}, ["query", "task_type"]),
    ],
)
def test_list_rejects_bad_filters(users: dict[str, Api], params: Json, loc: list[str]) -> None:
    detail = users["lister"].call("GET", "/tasks", 422, params=params)["detail"]
    assert [e["loc"] for e in detail] == [loc]


# --------------------------------------------------------------------------- cancel / retry


def test_cancel_and_retry_in_review(users: dict[str, Api]) -> None:
    api = users["canceller"]
    task_id = api.generate()
    review = api.wait_review(task_id)

    cancelled = api.call("POST", f"/tasks/{task_id}/cancel", 200)
    assert set(cancelled) == {*review}
    assert cancelled["task_id"] == task_id
    assert cancelled["status"] == "cancelled"
    assert cancelled["current_step"] == "cancelled"
    assert cancelled["roadmap_id"] == review["roadmap_id"]
    assert cancelled["summary"]["stopped_at_step"] == "human_review"
    assert api.task(task_id)["status"] == "cancelled"
    assert (
        api.call("GET", f"/roadmaps/{review['roadmap_id']}/active-task", 200)["has_active_task"]
        is False
    )

    again = api.call("POST", f"/tasks/{task_id}/cancel", 409)
    assert again["task_id"] == task_id
    assert "cancelled" in again["detail"]
    conflict = api.call("POST", f"/tasks/{task_id}/review", 409, json={"approved": True})
    assert conflict["task_id"] == task_id

    retried = api.call("POST", f"/tasks/{task_id}/retry", 200)
    assert set(retried) == {"recovery_type", "task_id", "roadmap_id", "message"}
    assert retried["recovery_type"] == "resume_review"
    assert retried["task_id"] == task_id
    assert retried["roadmap_id"] == review["roadmap_id"]
    assert retried["message"]
    back = api.task(task_id)
    assert back["status"] == "human_review_pending"
    assert back["current_step"] == "human_review"
    assert back["recovery_type"] == "resume_review"

    active = api.call("POST", f"/tasks/{task_id}/retry", 409)
    assert active["task_id"] == task_id
    assert "human_review_pending" in active["detail"]
    # Only one roadmap ever: the retry resumed the same one.
    assert [r["roadmap_id"] for r in api.call("GET", "/roadmaps", 200)] == [review["roadmap_id"]]

    api.call("POST", f"/tasks/{task_id}/review", 200, json={"approved": True})
    done = api.wait(task_id)
    assert done["status"] == "completed"
    for action in ("cancel", "retry"):
        finished = api.call("POST", f"/tasks/{task_id}/{action}", 409)
        assert finished["task_id"] == task_id
        assert "completed" in finished["detail"]
    assert api.task(task_id)["status"] == "completed"


def test_unknown_task_is_404_everywhere(users: dict[str, Api]) -> None:
    api = users["canceller"]
    unknown = "task_" + "0" * 32
    for method, path, body in [
        ("GET", f"/tasks/{unknown}", None),
        ("POST", f"/tasks/{unknown}/cancel", None),
        ("POST", f"/tasks/{unknown}/retry", None),
        ("POST", f"/tasks/{unknown}/review", {"approved": True}),
        ("GET", f"/tasks/{unknown}/events", None),
    ]:
        answer = api.client.request(method, path, json=body)
        assert answer.status_code == 404, f"{method} {path}: {answer.text}"
        assert unknown in answer.json()["detail"]


# --------------------------------------------------------------------------- review


def test_review_rules(users: dict[str, Api]) -> None:
    api = users["reviewer"]
    task_id = api.generate()
    api.wait_review(task_id)

    for feedback in (None, "", "   \n "):
        body: Json = {"approved": False}
        if feedback is not None:
            body["feedback"] = feedback
        detail = api.call("POST", f"/tasks/{task_id}/review", 422, json=body)["detail"]
        assert [e["loc"] for e in detail] == [["body", "feedback"]], detail
        assert "required" in detail[0]["msg"]
    for body in ({}, {"approved": "perhaps"}, {"approved": False, "feedback": "x" * 5001}):
        assert api.call("POST", f"/tasks/{task_id}/review", 422, json=body)["detail"]
    # None of those changed anything.
    still = api.task(task_id)
    assert (still["status"], still["current_step"]) == ("human_review_pending", "human_review")

    approved = api.call(
        "POST", f"/tasks/{task_id}/review", 200, json={"approved": True, "feedback": "fine"}
    )
    assert approved["task_id"] == task_id
    assert approved["status"] == "processing"
    assert approved["current_step"] == "content_generation_queued"
    late = api.call("POST", f"/tasks/{task_id}/review", 409, json={"approved": True})
    assert late["task_id"] == task_id
    assert "not waiting for review" in late["detail"]
    assert api.wait(task_id)["status"] == "completed"
    rejected = {"approved": False, "feedback": "more"}
    assert api.call("POST", f"/tasks/{task_id}/review", 409, json=rejected)["task_id"] == task_id
