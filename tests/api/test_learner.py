"""What a learner reads besides the framework, over HTTP (contract §3, §4): the review history
with what changed from round to round, the stored intent analysis, the learning progress;
and deleting a finished task.

All on the session's fast server (offline provider, no latency): each test has users of its
own.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import pytest

from tests.api.conftest import SMALL, Api, Json, concepts, create_users, editable, items
from tests.support.server import Server

pytestmark = pytest.mark.slow

NO_CHANGES = {"added": [], "removed": [], "renamed": [], "changed": []}
ROUND_FIELDS = {"round", "task_id", "decision", "feedback", "created_at", "changes"}
INTENT_FIELDS = {
    "normalized_goal",
    "key_topics",
    "technologies",
    "difficulty",
    "time_budget",
    "skill_gaps",
    "suggested_path",
}
# Words the offline editor reads as the start or the end of a request in a reviewer's feedback
# (learnpath/offline/editor.py): a concept named with one of them cannot be renamed by name.
EDITOR_WORDS = {"to", "as", "into", "and", "then", "also", "add", "include", "remove", "drop"}
EDITOR_WORDS |= {"delete", "rename"}


def reviews(api: Api, roadmap_id: str) -> list[Json]:
    rounds: list[Json] = api.call("GET", f"/roadmaps/{roadmap_id}/reviews", 200)
    for entry in rounds:
        assert set(entry) == ROUND_FIELDS, entry
        assert datetime.fromisoformat(entry["created_at"]).utcoffset() is not None
    created = [datetime.fromisoformat(r["created_at"]) for r in rounds]
    assert created == sorted(created), "rounds come oldest first"
    return rounds


def without_times(rounds: list[Json]) -> list[Json]:
    return [{k: v for k, v in r.items() if k != "created_at"} for r in rounds]


# --------------------------------------------------------------------------- reviews


def test_reviews_after_an_approve_without_edits(fast_server: Server) -> None:
    (api,) = create_users(fast_server, "approver")
    task_id = api.generate()
    roadmap_id = api.wait_review(task_id)["roadmap_id"]
    assert reviews(api, roadmap_id) == [], "no round before the first decision"
    api.call("POST", f"/tasks/{task_id}/review", 200, json={"approved": True})
    assert without_times(reviews(api, roadmap_id)) == [
        {
            "round": 1,
            "task_id": task_id,
            "decision": "approve",
            "feedback": None,
            "changes": NO_CHANGES,
        }
    ]
    assert api.wait(task_id)["status"] == "completed"

    # An auto-approved roadmap has its one round too.
    auto_task, auto_roadmap = api.completed_roadmap()
    assert without_times(reviews(api, auto_roadmap)) == [
        {
            "round": 1,
            "task_id": auto_task,
            "decision": "approve",
            "feedback": "auto-approved",
            "changes": NO_CHANGES,
        }
    ]


def renameable(concept: Json, framework: Json) -> bool:
    """Whether the offline editor renames exactly this concept when asked by its name."""
    name = concept["name"]
    if set(name.lower().replace(",", " ").split()) & EDITOR_WORDS or any(c in name for c in ";.!?"):
        return False
    others = [c["name"] for c in concepts(framework) if c["concept_id"] != concept["concept_id"]]
    return not any(name.lower() in other.lower() for other in others)


def test_reviews_after_a_reject_and_a_direct_edit(fast_server: Server) -> None:
    """Round 1 rejects with feedback the offline editor applies (it adds a concept and renames
    one); in the framework that comes back the reviewer removes a concept and changes two by
    hand (round 2, an ``edit``), then approves (round 3). Round 2's changes are everything
    between the two snapshots, by concept id; round 3 changed nothing."""
    (api,) = create_users(fast_server, "rejecter")
    task_id = api.generate()
    roadmap_id = api.wait_review(task_id)["roadmap_id"]
    original = api.roadmap(roadmap_id)
    target = next((c for c in concepts(original) if renameable(c, original)), None)
    assert target is not None, [c["name"] for c in concepts(original)]
    feedback = f"add a concept about window functions; rename {target['name']} to Set thinking"
    api.call(
        "POST", f"/tasks/{task_id}/review", 200, json={"approved": False, "feedback": feedback}
    )
    api.wait_review(task_id)
    revised = api.roadmap(roadmap_id)
    added = [c for c in concepts(revised) if c["name"] == "Window functions"]
    assert [c["concept_id"] for c in added] == ["window-functions"], concepts(revised)
    assert "window-functions" not in {c["concept_id"] for c in concepts(original)}

    # The direct edit: remove a concept (from a module that keeps another), give the renamed
    # one an hour more and another one a new description.
    edited = editable(revised)
    kept = {target["concept_id"], "window-functions"}
    removed = next(
        c
        for s in edited["stages"]
        for m in s["modules"]
        if len(m["concepts"]) > 1
        for c in m["concepts"]
        if c["concept_id"] not in kept
    )
    for stage in edited["stages"]:
        for module in stage["modules"]:
            module["concepts"] = [c for c in module["concepts"] if c is not removed]
    fields: dict[str, list[str]] = {}
    for concept in concepts(edited):
        if removed["concept_id"] in concept["prerequisites"]:
            concept["prerequisites"].remove(removed["concept_id"])
            fields[concept["concept_id"]] = ["prerequisites"]
    renamed = next(c for c in concepts(edited) if c["concept_id"] == target["concept_id"])
    renamed["estimated_hours"] += 1
    fields[renamed["concept_id"]] = ["estimated_hours", *fields.get(renamed["concept_id"], [])]
    described = next(c for c in concepts(edited) if c["concept_id"] not in kept)
    described["description"] = "Rewritten by the reviewer."
    fields[described["concept_id"]] = ["description", *fields.get(described["concept_id"], [])]
    api.call("PUT", f"/roadmaps/{roadmap_id}/framework", 200, json=edited)
    api.call("POST", f"/tasks/{task_id}/review", 200, json={"approved": True})

    final = concepts(api.roadmap(roadmap_id))
    assert without_times(reviews(api, roadmap_id)) == [
        {
            "round": 1,
            "task_id": task_id,
            "decision": "reject",
            "feedback": feedback,
            "changes": NO_CHANGES,
        },
        {
            "round": 2,
            "task_id": task_id,
            "decision": "edit",
            "feedback": None,
            "changes": {
                "added": [{"concept_id": "window-functions", "name": "Window functions"}],
                "removed": [{"concept_id": removed["concept_id"], "name": removed["name"]}],
                "renamed": [
                    {
                        "concept_id": target["concept_id"],
                        "from": target["name"],
                        "to": "Set thinking",
                    }
                ],
                "changed": [
                    {
                        "concept_id": c["concept_id"],
                        "name": c["name"],
                        "fields": fields[c["concept_id"]],
                    }
                    for c in final
                    if c["concept_id"] in fields
                ],
            },
        },
        {
            "round": 3,
            "task_id": task_id,
            "decision": "approve",
            "feedback": None,
            "changes": NO_CHANGES,
        },
    ]
    assert api.wait(task_id)["status"] == "completed"


def test_learner_routes_of_another_user_or_an_unknown_roadmap_are_404(
    fast_server: Server,
) -> None:
    owner, other = create_users(fast_server, "owner", "other")
    _, roadmap_id = owner.completed_roadmap()
    unknown = "rm_" + "0" * 32
    for path in ("reviews", "intent", "progress"):
        for caller, roadmap in ((other, roadmap_id), (owner, unknown)):
            answer = caller.call("GET", f"/roadmaps/{roadmap}/{path}", 404)
            assert answer == {"detail": f"roadmap {roadmap} not found"}, path
        owner.call("GET", f"/roadmaps/{roadmap_id}/{path}", 200)
    # A soft-deleted roadmap is not found either, until it is restored.
    owner.call("DELETE", f"/roadmaps/{roadmap_id}", 200)
    assert owner.get(f"/roadmaps/{roadmap_id}/intent").status_code == 404
    owner.call("POST", f"/roadmaps/{roadmap_id}/restore", 200)
    assert owner.get(f"/roadmaps/{roadmap_id}/intent").status_code == 200


# --------------------------------------------------------------------------- intent


def test_intent_is_the_stored_analysis(fast_server: Server) -> None:
    (api,) = create_users(fast_server, "intent")
    _, roadmap_id = api.completed_roadmap({**SMALL, "hours_per_week": 6, "target_weeks": 2})
    intent = api.call("GET", f"/roadmaps/{roadmap_id}/intent", 200)
    assert set(intent) == INTENT_FIELDS
    assert intent["normalized_goal"] == "Learn SQL (beginner, 6 h/week for 2 weeks)"
    assert intent["difficulty"] == "beginner"
    assert {k: v for k, v in intent["time_budget"].items() if k != "assessment"} == {
        "hours_per_week": 6,
        "weeks": 2,
        "total_hours": 12,
    }
    assert intent["time_budget"]["assessment"].startswith("6 h/week for 2 weeks gives about 12")
    assert intent["technologies"] == ["SQL", "PostgreSQL", "SQLite", "psql"]
    assert intent["key_topics"] and intent["suggested_path"]
    # The same analysis the export carries.
    document = api.call("GET", f"/roadmaps/{roadmap_id}/export", 200)
    assert document["intent"] == intent


# --------------------------------------------------------------------------- progress


def test_progress_follows_marks_and_quiz_attempts(fast_server: Server) -> None:
    (api,) = create_users(fast_server, "progress")
    _, roadmap_id = api.completed_roadmap({**SMALL, "hours_per_week": 3})
    all_concepts = concepts(api.roadmap(roadmap_id))
    hours = {c["concept_id"]: c["estimated_hours"] for c in all_concepts}
    first, second = (c["concept_id"] for c in all_concepts[:2])

    def expected(states: dict[str, str]) -> Json:
        done = round(sum(h for cid, h in hours.items() if states.get(cid) == "done"), 1)
        left = round(sum(h for cid, h in hours.items() if states.get(cid) != "done"), 1)
        return {
            "roadmap_id": roadmap_id,
            "concepts": [
                {
                    "concept_id": c["concept_id"],
                    "name": c["name"],
                    "state": states.get(c["concept_id"], "not_started"),
                    "hours": c["estimated_hours"],
                }
                for c in all_concepts
            ],
            "hours_done": done,
            "hours_left": left,
            "hours_per_week": 3,
            "weeks_left": math.ceil(left / 3),
        }

    def progress() -> Any:
        return api.call("GET", f"/roadmaps/{roadmap_id}/progress", 200)

    def mark(concept_id: str, completed: bool) -> None:
        path = f"/roadmaps/{roadmap_id}/progress/{concept_id}"
        api.call("PUT", path, 200, json={"completed": completed})

    def attempt(concept_id: str) -> None:
        path = f"/roadmaps/{roadmap_id}/concepts/{concept_id}/quiz/attempts"
        api.call("POST", path, 200, json={"answers": {}})

    total = round(sum(hours.values()), 1)
    start = progress()
    assert start == expected({})
    assert (start["hours_done"], start["hours_left"]) == (0, total)
    assert start["weeks_left"] == math.ceil(total / 3) >= 1

    mark(first, True)
    assert progress() == expected({first: "done"})
    assert progress()["hours_done"] == hours[first]

    attempt(second)
    assert progress() == expected({first: "done", second: "in_progress"})
    attempt(second)
    assert progress() == expected({first: "done", second: "in_progress"}), "twice is the same"

    mark(second, True)
    assert progress() == expected({first: "done", second: "done"})

    mark(first, False)
    assert progress() == expected({second: "done"})
    attempt(first)
    assert progress() == expected({first: "in_progress", second: "done"})

    for concept in all_concepts:
        mark(concept["concept_id"], True)
    finished = progress()
    assert finished == expected({c["concept_id"]: "done" for c in all_concepts})
    assert (finished["hours_done"], finished["hours_left"], finished["weeks_left"]) == (
        total,
        0,
        0,
    )


# --------------------------------------------------------------------------- delete a task


def test_delete_a_finished_task_keeps_its_roadmap(fast_server: Server) -> None:
    owner, other = create_users(fast_server, "task-owner", "task-other")
    task_id, roadmap_id = owner.completed_roadmap()
    before = owner.roadmap(roadmap_id)
    rounds = reviews(owner, roadmap_id)

    # Not the caller's: as if it did not exist, and nothing is deleted.
    refused = other.call("DELETE", f"/tasks/{task_id}", 404)
    assert refused == {"detail": f"task {task_id} not found"}
    assert owner.task(task_id)["status"] == "completed"

    answer = owner.delete(f"/tasks/{task_id}")
    assert (answer.status_code, answer.content) == (204, b"")
    assert owner.call("GET", f"/tasks/{task_id}", 404) == {"detail": f"task {task_id} not found"}
    assert owner.get(f"/tasks/{task_id}/events").status_code == 404
    assert owner.call("GET", "/tasks", 200)["total"] == 0
    assert owner.call("DELETE", f"/tasks/{task_id}", 404)["detail"] == f"task {task_id} not found"

    # The roadmap and everything of it stay.
    after = owner.roadmap(roadmap_id)
    assert editable(after) == editable(before)
    assert items(after) == items(before)
    assert {k: after[k] for k in ("progress", "created_at")} == {
        k: before[k] for k in ("progress", "created_at")
    }
    assert [r["roadmap_id"] for r in owner.call("GET", "/roadmaps", 200)] == [roadmap_id]
    assert reviews(owner, roadmap_id) == rounds
    concept_id = concepts(after)[0]["concept_id"]
    tutorial = owner.call("GET", f"/roadmaps/{roadmap_id}/concepts/{concept_id}/tutorial", 200)
    assert tutorial["version"] == 1
    assert owner.call("GET", f"/roadmaps/{roadmap_id}/active-task", 200)["has_active_task"] is False
    assert owner.call("GET", f"/roadmaps/{roadmap_id}/status-check", 200)["stale_items"] == []


def test_delete_an_active_task_is_409(fast_server: Server) -> None:
    (api,) = create_users(fast_server, "active-deleter")
    task_id = api.generate()
    roadmap_id = api.wait_review(task_id)["roadmap_id"]
    conflict = api.call("DELETE", f"/tasks/{task_id}", 409)
    assert conflict == {
        "detail": f"task {task_id} is human_review_pending; cancel it before deleting it",
        "task_id": task_id,
    }
    assert api.task(task_id)["status"] == "human_review_pending"

    # Cancelled, it is finished: then it can go, and its roadmap stays.
    api.call("POST", f"/tasks/{task_id}/cancel", 200)
    assert api.delete(f"/tasks/{task_id}").status_code == 204
    assert api.get(f"/tasks/{task_id}").status_code == 404
    assert api.roadmap(roadmap_id)["roadmap_id"] == roadmap_id
    assert api.call("GET", f"/roadmaps/{roadmap_id}/status-check", 200)["has_active_task"] is False
