"""Roadmap routes over HTTP (contract §3, §4): read, direct framework edits, delete/restore,
active task, status check, item retries, progress, export.

The module's server has 0.3 s of LLM latency, so a task is observably in flight for a while
(an item retry stays ``generating`` for at least that long; content generation of a small
roadmap lasts at least that long) without making the suite slow.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.conftest import (
    CONTENT_TYPES,
    Api,
    Json,
    concepts,
    create_users,
    editable,
    items,
)
from tests.support.server import Server, running_server

pytestmark = pytest.mark.slow

ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
NO_ACTIVE_TASK = {
    "has_active_task": False,
    "task_id": None,
    "status": None,
    "current_step": None,
    "task_type": None,
    "concept_id": None,
    "content_type": None,
}
CONCEPT_FIELDS = {
    "concept_id",
    "name",
    "description",
    "estimated_hours",
    "difficulty",
    "prerequisites",
    "keywords",
    *(f"{t}_{s}" for t in CONTENT_TYPES for s in ("status", "version", "error")),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("api-roadmaps")
    with running_server(home, offline_latency_s="0.3", llm_concurrency="16") as srv:
        yield srv


@pytest.fixture(scope="module")
def users(server: Server) -> dict[str, Api]:
    names = ("reader", "editor", "deleter", "retrier", "learner", "scratch")
    return dict(zip(names, create_users(server, *names), strict=True))


@pytest.fixture(scope="module")
def finished(users: dict[str, Api]) -> tuple[str, str]:
    """The reader's completed roadmap: ``(task_id, roadmap_id)``; tests only read it."""
    return users["reader"].completed_roadmap()


# --------------------------------------------------------------------------- read


def test_get_roadmap_is_the_framework_with_status_and_progress(
    users: dict[str, Api], finished: tuple[str, str]
) -> None:
    api = users["reader"]
    _, roadmap_id = finished
    detail = api.roadmap(roadmap_id)
    assert set(detail) == {
        "roadmap_id",
        "title",
        "summary",
        "stages",
        "total_estimated_hours",
        "recommended_completion_weeks",
        "created_at",
        "updated_at",
        "progress",
        "usage",
    }
    assert detail["roadmap_id"] == roadmap_id
    assert detail["title"] and detail["summary"]
    all_concepts = concepts(detail)
    assert len(all_concepts) == 4
    # Two framework calls and one per content item; the offline provider costs nothing.
    assert detail["usage"]["llm_calls"] == 2 + 3 * len(all_concepts)
    assert detail["usage"]["prompt_tokens"] > 0 and detail["usage"]["cost_usd"] == 0
    hours = sum(c["estimated_hours"] for c in all_concepts)
    assert detail["total_estimated_hours"] == round(hours, 1)
    hours_per_week = 8
    assert detail["recommended_completion_weeks"] == max(1, math.ceil(hours / hours_per_week))
    ids = [c["concept_id"] for c in all_concepts]
    assert len(set(ids)) == len(ids)
    seen: set[str] = set()
    for concept in all_concepts:
        assert set(concept) == CONCEPT_FIELDS
        assert ID.match(concept["concept_id"])
        assert concept["estimated_hours"] >= 0.5
        assert concept["difficulty"] in {"easy", "medium", "hard"}
        assert set(concept["prerequisites"]) <= seen, "prerequisites come earlier"
        seen.add(concept["concept_id"])
        for kind in CONTENT_TYPES:
            assert concept[f"{kind}_status"] == "completed"
            assert concept[f"{kind}_version"] == 1
            assert concept[f"{kind}_error"] is None
    for stage in detail["stages"]:
        assert set(stage) == {"stage_id", "name", "description", "modules"}
        assert stage["modules"]
        for module in stage["modules"]:
            assert set(module) == {"module_id", "name", "description", "concepts"}
            assert module["concepts"]
    assert detail["progress"] == {
        "items_completed": 12,
        "items_failed": 0,
        "items_total": 12,
        "concepts_completed": 0,
        "concepts_total": 4,
        "percentage": 0.0,
    }
    assert detail["created_at"].endswith("Z") or detail["created_at"].endswith("+00:00")


def test_list_roadmaps_with_progress(users: dict[str, Api], finished: tuple[str, str]) -> None:
    api = users["reader"]
    task_id, roadmap_id = finished
    detail = api.roadmap(roadmap_id)
    listed = api.call("GET", "/roadmaps", 200)
    assert listed == [
        {
            "roadmap_id": roadmap_id,
            "title": detail["title"],
            "created_at": detail["created_at"],
            "updated_at": detail["updated_at"],
            "deleted_at": None,
            "progress": detail["progress"],
        }
    ]
    assert api.task(task_id)["roadmap_id"] == roadmap_id


def test_unknown_roadmap_or_concept_is_404(
    users: dict[str, Api], finished: tuple[str, str]
) -> None:
    api = users["reader"]
    _, roadmap_id = finished
    concept_id = concepts(api.roadmap(roadmap_id))[0]["concept_id"]
    unknown = "rm_" + "0" * 32
    for method, path, body in [
        ("GET", f"/roadmaps/{unknown}", None),
        ("PUT", f"/roadmaps/{unknown}/framework", editable(api.roadmap(roadmap_id))),
        ("DELETE", f"/roadmaps/{unknown}", None),
        ("POST", f"/roadmaps/{unknown}/restore", None),
        ("GET", f"/roadmaps/{unknown}/active-task", None),
        ("GET", f"/roadmaps/{unknown}/status-check", None),
        ("POST", f"/roadmaps/{unknown}/retry-failed", None),
        ("GET", f"/roadmaps/{unknown}/export", None),
        ("POST", f"/roadmaps/{unknown}/concepts/{concept_id}/quiz/retry", None),
        ("POST", f"/roadmaps/{roadmap_id}/concepts/no-such-concept/quiz/retry", None),
        ("PUT", f"/roadmaps/{unknown}/progress/{concept_id}", {"completed": True}),
        ("PUT", f"/roadmaps/{roadmap_id}/progress/no-such-concept", {"completed": True}),
    ]:
        answer = api.client.request(method, path, json=body)
        assert answer.status_code == 404, f"{method} {path}: {answer.text}"
        assert answer.json()["detail"]
    bad_type = api.post(f"/roadmaps/{roadmap_id}/concepts/{concept_id}/lecture/retry")
    assert bad_type.status_code == 422
    assert bad_type.json()["detail"][0]["loc"] == ["path", "content_type"]
    assert api.roadmap(roadmap_id)["progress"]["concepts_completed"] == 0


# --------------------------------------------------------------------------- framework edits


def prerequisite_loc(stage: int, module: int, concept: int) -> list[Any]:
    return ["body", "stages", stage, "modules", module, "concepts", concept, "prerequisites"]


def test_framework_edit_rules_in_review(users: dict[str, Api]) -> None:
    api = users["editor"]
    task_id = api.generate()
    roadmap_id = api.wait_review(task_id)["roadmap_id"]
    original = api.roadmap(roadmap_id)
    first_stage = original["stages"][0]["modules"][0]["concepts"]
    assert len(first_stage) >= 2, "the test edits the first module's first two concepts"
    a, b = first_stage[0]["concept_id"], first_stage[1]["concept_id"]

    def put(framework: Json, status: int) -> Any:
        return api.call("PUT", f"/roadmaps/{roadmap_id}/framework", status, json=framework)

    # A cycle: a ↔ b.
    cyclic = editable(original)
    module = cyclic["stages"][0]["modules"][0]["concepts"]
    module[0]["prerequisites"], module[1]["prerequisites"] = [b], [a]
    detail = put(cyclic, 422)["detail"]
    by_loc = {tuple(e["loc"]): e["msg"] for e in detail}
    assert set(by_loc) == {("body", "stages"), tuple(prerequisite_loc(0, 0, 0))}, detail
    assert by_loc[("body", "stages")] == f"prerequisite cycle: {a} → {b} → {a}"
    assert by_loc[tuple(prerequisite_loc(0, 0, 0))] == f"prerequisite '{b}' comes after '{a}'"
    assert {e["type"] for e in detail} == {"value_error"}

    # An unknown prerequisite.
    unknown = editable(original)
    unknown["stages"][0]["modules"][0]["concepts"][1]["prerequisites"] = [a, "no-such-concept"]
    assert put(unknown, 422)["detail"] == [
        {
            "loc": prerequisite_loc(0, 0, 1),
            "msg": "unknown prerequisite 'no-such-concept'",
            "type": "value_error",
        }
    ]

    # An empty module (nothing else refers to the concepts it loses).
    empty = editable(original)
    dropped = {c["concept_id"] for c in empty["stages"][0]["modules"][0]["concepts"]}
    empty["stages"][0]["modules"][0]["concepts"] = []
    for concept in concepts(empty):
        concept["prerequisites"] = [p for p in concept["prerequisites"] if p not in dropped]
    name = empty["stages"][0]["modules"][0]["name"]
    assert put(empty, 422)["detail"] == [
        {
            "loc": ["body", "stages", 0, "modules", 0],
            "msg": f"module '{name}' has no concept",
            "type": "value_error",
        }
    ]

    # Malformed concepts: a missing name, too few hours, an id that is not URL-safe.
    malformed = editable(original)
    del malformed["stages"][0]["modules"][0]["concepts"][1]["name"]
    missing = put(malformed, 422)["detail"]
    assert [(e["loc"], e["type"]) for e in missing] == [
        (["body", "stages", 0, "modules", 0, "concepts", 1, "name"], "missing")
    ]
    short = editable(original)
    short["stages"][0]["modules"][0]["concepts"][0]["estimated_hours"] = 0.25
    assert [e["loc"] for e in put(short, 422)["detail"]] == [
        ["body", "stages", 0, "modules", 0, "concepts", 0, "estimated_hours"]
    ]
    unsafe = editable(original)
    unsafe["stages"][0]["modules"][0]["concepts"][0]["concept_id"] = "Not Safe/Id"
    locs = [e["loc"] for e in put(unsafe, 422)["detail"]]
    assert ["body", "stages", 0, "modules", 0, "concepts", 0, "concept_id"] in locs

    # Nothing of that was saved.
    assert api.roadmap(roadmap_id) == original

    # A valid edit: status and unknown fields are ignored, totals are derived.
    edited = editable(original)
    edited["title"] = "My own SQL plan"
    edited["colour"] = "blue"
    target = edited["stages"][0]["modules"][0]["concepts"][0]
    target["estimated_hours"] = 5
    target["tutorial_status"] = "completed"
    target["tutorial_version"] = 7
    saved = put(edited, 200)
    assert saved["title"] == "My own SQL plan"
    assert "colour" not in saved
    assert saved["roadmap_id"] == roadmap_id
    first = concepts(saved)[0]
    assert (first["estimated_hours"], first["tutorial_status"], first["tutorial_version"]) == (
        5,
        "pending",
        None,
    )
    expected_total = round(sum(c["estimated_hours"] for c in concepts(saved)), 1)
    assert saved["total_estimated_hours"] == expected_total
    assert saved["recommended_completion_weeks"] == math.ceil(expected_total / 8)
    after = api.roadmap(roadmap_id)
    assert {k: after[k] for k in saved} == saved
    assert [r["title"] for r in api.call("GET", "/roadmaps", 200)] == ["My own SQL plan"]
    api.call("POST", f"/tasks/{task_id}/cancel", 200)


def test_framework_edit_is_refused_while_generating_and_allowed_after(
    users: dict[str, Api],
) -> None:
    api = users["editor"]
    task_id = api.generate()
    roadmap_id = api.wait_review(task_id)["roadmap_id"]
    framework = api.roadmap(roadmap_id)
    api.call("POST", f"/tasks/{task_id}/review", 200, json={"approved": True})
    busy = api.call("PUT", f"/roadmaps/{roadmap_id}/framework", 409, json=editable(framework))
    assert busy["task_id"] == task_id
    assert "being generated" in busy["detail"]
    deleting = api.call("DELETE", f"/roadmaps/{roadmap_id}", 409)
    assert "active task" in deleting["detail"]
    assert api.wait(task_id)["status"] == "completed"

    # After generation only the concept whose definition changed loses its content.
    edited = editable(framework)
    changed = concepts(edited)[2]
    changed["description"] = "Rewritten by the learner."
    saved = api.call("PUT", f"/roadmaps/{roadmap_id}/framework", 200, json=edited)
    expected = {
        key: ("pending", None) if key[0] == changed["concept_id"] else ("completed", 1)
        for key in items(framework)
    }
    assert items(saved) == expected
    assert items(api.roadmap(roadmap_id)) == expected
    check = api.call("GET", f"/roadmaps/{roadmap_id}/status-check", 200)
    assert check["has_active_task"] is False
    assert {(s["concept_id"], s["content_type"], s["status"]) for s in check["stale_items"]} == {
        (changed["concept_id"], kind, "pending") for kind in CONTENT_TYPES
    }
    tutorial = api.get(f"/roadmaps/{roadmap_id}/concepts/{changed['concept_id']}/tutorial")
    assert tutorial.status_code == 404

    batch = api.call("POST", f"/roadmaps/{roadmap_id}/retry-failed", 202)
    assert batch["task_type"] == "retry_batch"
    assert api.call("GET", f"/roadmaps/{roadmap_id}/status-check", 200)["stale_items"] == []
    done = api.wait(batch["task_id"])
    assert done["status"] == "completed"
    assert done["progress"] == {"completed": 3, "failed": 0, "total": 3, "percentage": 100.0}
    final = items(api.roadmap(roadmap_id))
    for key, (status, version) in final.items():
        assert status == "completed"
        assert version == (2 if key[0] == changed["concept_id"] else 1), key


# --------------------------------------------------------------------------- lifecycle


def test_delete_and_restore(users: dict[str, Api]) -> None:
    api = users["deleter"]
    task_id, roadmap_id = api.completed_roadmap()
    before = api.call("GET", "/roadmaps", 200)
    assert [r["roadmap_id"] for r in before] == [roadmap_id]

    deleted = api.call("DELETE", f"/roadmaps/{roadmap_id}", 200)
    assert deleted["roadmap_id"] == roadmap_id
    assert deleted["deleted_at"] is not None
    assert deleted["progress"] == before[0]["progress"]
    assert api.call("GET", "/roadmaps", 200) == []
    hidden = api.call("GET", "/roadmaps", 200, params={"include_deleted": True})
    assert [(r["roadmap_id"], r["deleted_at"]) for r in hidden] == [
        (roadmap_id, deleted["deleted_at"])
    ]
    assert api.get(f"/roadmaps/{roadmap_id}").status_code == 404
    # The task that made it is still there.
    assert api.task(task_id)["roadmap_id"] == roadmap_id

    restored = api.call("POST", f"/roadmaps/{roadmap_id}/restore", 200)
    assert restored["deleted_at"] is None
    assert restored["progress"] == before[0]["progress"]
    again = api.call("GET", "/roadmaps", 200)
    assert [(r["roadmap_id"], r["deleted_at"]) for r in again] == [(roadmap_id, None)]
    assert items(api.roadmap(roadmap_id)) == {
        key: ("completed", 1) for key in items(api.roadmap(roadmap_id))
    }
    assert api.call("GET", "/roadmaps", 200, params={"include_deleted": True}) == again


def test_active_task_and_status_check_follow_the_task(users: dict[str, Api]) -> None:
    api = users["deleter"]
    task_id = api.generate()
    roadmap_id = api.wait_review(task_id)["roadmap_id"]
    assert api.call("GET", f"/roadmaps/{roadmap_id}/active-task", 200) == {
        "has_active_task": True,
        "task_id": task_id,
        "status": "human_review_pending",
        "current_step": "human_review",
        "task_type": "creation",
        "concept_id": None,
        "content_type": None,
    }
    check = api.call("GET", f"/roadmaps/{roadmap_id}/status-check", 200)
    assert check["has_active_task"] is True
    assert [t["task_id"] for t in check["active_tasks"]] == [task_id]
    assert check["active_tasks"][0]["status"] == "human_review_pending"
    assert check["stale_items"] == [], "the creation task will generate every item"

    api.call("POST", f"/tasks/{task_id}/review", 200, json={"approved": True})
    running = api.call("GET", f"/roadmaps/{roadmap_id}/active-task", 200)
    assert running["task_id"] == task_id
    assert running["status"] == "processing"
    assert running["current_step"] in {"content_generation_queued", "content_generation"}
    assert api.call("GET", f"/roadmaps/{roadmap_id}/status-check", 200)["stale_items"] == []

    assert api.wait(task_id)["status"] == "completed"
    assert api.call("GET", f"/roadmaps/{roadmap_id}/active-task", 200) == NO_ACTIVE_TASK
    assert api.call("GET", f"/roadmaps/{roadmap_id}/status-check", 200) == {
        "has_active_task": False,
        "active_tasks": [],
        "stale_items": [],
    }


def test_retry_before_a_framework_restarts_from_scratch(users: dict[str, Api]) -> None:
    api = users["scratch"]
    task_id = api.generate()
    cancelled = api.call("POST", f"/tasks/{task_id}/cancel", 200)
    assert cancelled["status"] == "cancelled"
    assert cancelled["roadmap_id"] is None
    retried = api.call("POST", f"/tasks/{task_id}/retry", 200)
    assert retried == {
        "recovery_type": "restart_from_scratch",
        "task_id": task_id,
        "roadmap_id": None,
        "message": retried["message"],
    }
    assert "intent analysis" in retried["message"]
    review = api.wait_review(task_id)
    assert review["roadmap_id"] is not None
    assert review["recovery_type"] == "restart_from_scratch"
    assert len(api.call("GET", "/roadmaps", 200)) == 1
    api.call("POST", f"/tasks/{task_id}/cancel", 200)


# --------------------------------------------------------------------------- item retries


def test_item_retry(users: dict[str, Api]) -> None:
    api = users["retrier"]
    _, roadmap_id = api.completed_roadmap()
    before = api.roadmap(roadmap_id)
    concept_id = concepts(before)[1]["concept_id"]
    path = f"/roadmaps/{roadmap_id}/concepts/{concept_id}/quiz/retry"

    accepted = api.call("POST", path, 202)
    assert set(accepted) == {"success", "task_id", "concept_id", "content_type", "message"}
    assert accepted["success"] is True
    assert accepted["concept_id"] == concept_id
    assert accepted["content_type"] == "quiz"
    assert accepted["message"]
    retry_task = accepted["task_id"]
    # Already generating when the 202 arrives (LLM latency keeps it there for 0.3 s).
    now = items(api.roadmap(roadmap_id))
    assert now[(concept_id, "quiz")] == ("generating", 1)
    assert {k: v for k, v in now.items() if k != (concept_id, "quiz")} == {
        k: ("completed", 1) for k in now if k != (concept_id, "quiz")
    }
    conflict = api.call("POST", path, 409)
    assert conflict["task_id"] == retry_task
    assert "already being generated" in conflict["detail"]
    assert api.call("GET", f"/roadmaps/{roadmap_id}/active-task", 200) == {
        "has_active_task": True,
        "task_id": retry_task,
        "status": "processing",
        "current_step": "content_generation",
        "task_type": "retry_quiz",
        "concept_id": concept_id,
        "content_type": "quiz",
    }
    assert api.call("GET", f"/roadmaps/{roadmap_id}/status-check", 200)["stale_items"] == []

    done = api.wait(retry_task)
    assert done["status"] == "completed"
    assert done["task_type"] == "retry_quiz"
    assert (done["concept_id"], done["content_type"]) == (concept_id, "quiz")
    assert done["progress"] == {"completed": 1, "failed": 0, "total": 1, "percentage": 100.0}
    after = items(api.roadmap(roadmap_id))
    assert after == {
        key: ("completed", 2 if key == (concept_id, "quiz") else 1) for key in items(before)
    }
    content = f"/roadmaps/{roadmap_id}/concepts/{concept_id}"
    assert api.call("GET", f"{content}/quiz", 200)["version"] == 2
    assert api.call("GET", f"{content}/quiz", 200, params={"version": 1})["version"] == 1
    assert api.get(f"{content}/tutorial", params={"version": 2}).status_code == 404
    # Another item can be retried independently, and the same one again once finished.
    second = api.call("POST", f"{content}/tutorial/retry", 202)["task_id"]
    assert second != retry_task
    assert api.wait(second)["status"] == "completed"
    assert items(api.roadmap(roadmap_id))[(concept_id, "tutorial")] == ("completed", 2)


def test_retry_failed_with_nothing_failed_is_409(
    users: dict[str, Api], finished: tuple[str, str]
) -> None:
    api = users["reader"]
    _, roadmap_id = finished
    conflict = api.call("POST", f"/roadmaps/{roadmap_id}/retry-failed", 409)
    assert conflict == {"detail": "no failed or unfinished items to retry", "task_id": None}
    typed = api.call(
        "POST", f"/roadmaps/{roadmap_id}/retry-failed", 409, json={"content_types": ["quiz"]}
    )
    assert typed["task_id"] is None
    wrong = api.call(
        "POST", f"/roadmaps/{roadmap_id}/retry-failed", 422, json={"content_types": ["lecture"]}
    )
    assert wrong["detail"][0]["loc"] == ["body", "content_types", 0]
    assert api.call("GET", "/tasks", 200, params={"task_type": "retry_batch"})["total"] == 0


# --------------------------------------------------------------------------- progress, export


def test_progress_marks_are_reflected_in_the_roadmap(users: dict[str, Api]) -> None:
    api = users["learner"]
    _, roadmap_id = api.completed_roadmap()
    ids = [c["concept_id"] for c in concepts(api.roadmap(roadmap_id))]

    def mark(concept_id: str, completed: bool) -> Json:
        answer: Json = api.call(
            "PUT",
            f"/roadmaps/{roadmap_id}/progress/{concept_id}",
            200,
            json={"completed": completed},
        )
        assert answer["concept_id"] == concept_id
        assert answer["completed"] is completed
        return answer

    first = mark(ids[0], True)
    assert first["progress"] == {
        "items_completed": 12,
        "items_failed": 0,
        "items_total": 12,
        "concepts_completed": 1,
        "concepts_total": 4,
        "percentage": 25.0,
    }
    assert mark(ids[0], True)["progress"]["concepts_completed"] == 1, "marking is idempotent"
    assert mark(ids[2], True)["progress"]["percentage"] == 50.0
    third = mark(ids[3], True)["progress"]
    assert (third["concepts_completed"], third["percentage"]) == (3, 75.0)
    unmarked = mark(ids[0], False)["progress"]
    assert (unmarked["concepts_completed"], unmarked["percentage"]) == (2, 50.0)

    listed = api.call("GET", "/roadmaps", 200)
    assert listed[0]["progress"] == unmarked
    assert api.roadmap(roadmap_id)["progress"] == unmarked
    bad = api.call("PUT", f"/roadmaps/{roadmap_id}/progress/{ids[1]}", 422, json={})
    assert bad["detail"][0]["loc"] == ["body", "completed"]


def test_export_formats(users: dict[str, Api], finished: tuple[str, str]) -> None:
    api = users["reader"]
    _, roadmap_id = finished
    detail = api.roadmap(roadmap_id)
    name = f"learnpath-{roadmap_id}"

    md = api.get(f"/roadmaps/{roadmap_id}/export", params={"format": "md"})
    assert md.status_code == 200
    assert md.headers["content-type"] == "application/zip"
    assert md.headers["content-disposition"] == f'attachment; filename="{name}.zip"'
    archive = zipfile.ZipFile(io.BytesIO(md.content))
    files = archive.namelist()
    expected = [f"{name}/README.md"] + [
        f"{name}/concepts/{i:02d}-{c['concept_id']}.md"
        for i, c in enumerate(concepts(detail), start=1)
    ]
    assert sorted(files) == sorted(expected)
    readme = archive.read(f"{name}/README.md").decode()
    assert readme.startswith(f"# {detail['title']}")
    for i, concept in enumerate(concepts(detail), start=1):
        page = archive.read(f"{name}/concepts/{i:02d}-{concept['concept_id']}.md").decode()
        assert page.startswith(f"# {i}. {concept['name']}")
        assert f"concepts/{i:02d}-{concept['concept_id']}.md" in readme

    js = api.get(f"/roadmaps/{roadmap_id}/export", params={"format": "json"})
    assert js.status_code == 200
    assert js.headers["content-type"] == "application/json"
    assert js.headers["content-disposition"] == f'attachment; filename="{name}.json"'
    document = js.json()
    assert document["roadmap_id"] == roadmap_id
    assert document["title"] == detail["title"]
    assert document["intent"]["normalized_goal"]
    exported = concepts(document)
    assert [c["concept_id"] for c in exported] == [c["concept_id"] for c in concepts(detail)]
    for concept in exported:
        assert concept["tutorial"]["markdown"].startswith("# ")
        assert 3 <= len(concept["resources"]) <= 8
        assert 4 <= len(concept["quiz"]["questions"]) <= 8

    html = api.get(f"/roadmaps/{roadmap_id}/export", params={"format": "html"})
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert html.headers["content-disposition"] == f'attachment; filename="{name}.html"'
    assert html.text.startswith("<!DOCTYPE html>")
    assert f"<title>{detail['title']}</title>" in html.text
    for concept in concepts(detail):
        assert concept["name"] in html.text
    assert "<script" not in html.text.lower()

    default = api.get(f"/roadmaps/{roadmap_id}/export")
    assert default.headers["content-type"] == "application/json"
    assert api.get(f"/roadmaps/{roadmap_id}/export", params={"format": "pdf"}).status_code == 422
