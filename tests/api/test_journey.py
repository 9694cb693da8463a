"""Whole journeys over HTTP against a real ``learnpath serve``, checked field by field:
review with a direct edit and a rejection, cancel during content generation and retry, and a
partial failure recovered by a restarted server (contract §3, §4)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import (
    CONTENT_TYPES,
    SMALL,
    Api,
    Json,
    concepts,
    create_users,
    editable,
    items,
)
from tests.support.server import Server, running_server

pytestmark = pytest.mark.slow


def sse_stream(api: Api, task_id: str, after: int = 0) -> list[Json]:
    """One SSE request: the events after ``after`` up to the first terminal one."""
    answer = api.get(f"/tasks/{task_id}/events", params={"after": after})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/event-stream")
    events = []
    for block in answer.text.split("\n\n"):
        data = [line[5:].strip() for line in block.splitlines() if line.startswith("data:")]
        ids = [line[3:].strip() for line in block.splitlines() if line.startswith("id:")]
        if data:
            event = json.loads("\n".join(data))
            assert ids == [str(event["seq"])]
            events.append(event)
    return events


def sse_events(api: Api, task_id: str) -> list[Json]:
    """A finished task's whole log over SSE, resuming after each terminal event (a retried
    task has more than one)."""
    last = api.task(task_id)["last_event_seq"]
    events: list[Json] = []
    while not events or events[-1]["seq"] < last:
        more = sse_stream(api, task_id, events[-1]["seq"] if events else 0)
        assert more, f"the log stops at seq {events[-1]['seq'] if events else 0} of {last}"
        events += more
    return events


def rename(framework: Json, index: int, name: str) -> Json:
    """The framework with concept ``index`` renamed, as a client sends it back."""
    edited = editable(framework)
    concepts(edited)[index]["name"] = name
    return edited


@pytest.fixture(scope="module")
def travellers(fast_server: Server) -> tuple[Api, Api]:
    journey, replay = create_users(fast_server, "journey", "replay")
    return journey, replay


def test_review_edit_reject_approve_journey(travellers: tuple[Api, Api]) -> None:
    api = travellers[0]
    task_id = api.generate()

    review = api.wait_review(task_id)
    assert review["task_type"] == "creation"
    assert review["user_id"] == api.user_id
    assert review["roadmap_id"].startswith("rm_")
    assert review["error_message"] is None
    assert review["failed_items"] == []
    roadmap_id = review["roadmap_id"]

    first = api.roadmap(roadmap_id)
    assert first["roadmap_id"] == roadmap_id
    before = concepts(first)
    assert len(before) >= 3
    assert {v for v in items(first).values()} == {("pending", None)}

    # A direct edit during review: rename the second concept (its id stays).
    target = before[1]
    new_name = "Joining tables the hard way"
    saved = api.call(
        "PUT", f"/roadmaps/{roadmap_id}/framework", 200, json=rename(first, 1, new_name)
    )
    assert saved["roadmap_id"] == roadmap_id
    assert concepts(saved)[1]["concept_id"] == target["concept_id"]
    assert concepts(saved)[1]["name"] == new_name
    assert [c["concept_id"] for c in concepts(saved)] == [c["concept_id"] for c in before]
    assert concepts(api.roadmap(roadmap_id))[1]["name"] == new_name
    assert api.task(task_id)["status"] == "human_review_pending"

    # Reject with feedback: the offline editor adds the concept asked for.
    rejected = api.call(
        "POST",
        f"/tasks/{task_id}/review",
        200,
        json={"approved": False, "feedback": "add a concept about window functions"},
    )
    assert rejected["task_id"] == task_id
    assert rejected["status"] == "processing"
    assert rejected["current_step"] == "review_edit"

    again = api.wait_review(task_id)
    assert again["roadmap_id"] == roadmap_id
    revised = api.roadmap(roadmap_id)
    after = concepts(revised)
    by_id = {c["concept_id"]: c for c in after}
    assert by_id[target["concept_id"]]["name"] == new_name, "the direct edit was lost"
    added = [c for c in after if c["concept_id"] not in {b["concept_id"] for b in before}]
    assert [c["name"] for c in added] == ["Window functions"]
    assert len(after) == len(before) + 1
    assert {v for v in items(revised).values()} == {("pending", None)}

    approved = api.call("POST", f"/tasks/{task_id}/review", 200, json={"approved": True})
    assert approved["status"] == "processing"
    assert approved["current_step"] == "content_generation_queued"

    done = api.wait(task_id)
    total = 3 * len(after)
    assert done["status"] == "completed"
    assert done["current_step"] == "completed"
    assert done["roadmap_id"] == roadmap_id
    assert done["progress"] == {
        "completed": total,
        "failed": 0,
        "total": total,
        "percentage": 100.0,
    }
    assert done["failed_items"] == []
    assert done["error_message"] is None

    final = api.roadmap(roadmap_id)
    assert [c["concept_id"] for c in concepts(final)] == [c["concept_id"] for c in after]
    assert {c["concept_id"]: c["name"] for c in concepts(final)}[target["concept_id"]] == new_name
    assert items(final) == {key: ("completed", 1) for key in items(final)}
    assert len(items(final)) == total
    for concept in concepts(final):
        for kind in CONTENT_TYPES:
            assert concept[f"{kind}_error"] is None
    assert final["progress"]["items_completed"] == total
    assert final["progress"]["items_failed"] == 0
    assert final["progress"]["items_total"] == total

    tutorial = api.call(
        "GET", f"/roadmaps/{roadmap_id}/concepts/{target['concept_id']}/tutorial", 200
    )
    assert tutorial["concept_id"] == target["concept_id"]
    assert tutorial["version"] == 1
    assert new_name in tutorial["markdown"], "the tutorial was written for the old name"
    assert tutorial["summary"]
    assert tutorial["estimated_minutes"] > 0
    window = api.call(
        "GET", f"/roadmaps/{roadmap_id}/concepts/{added[0]['concept_id']}/tutorial", 200
    )
    assert "Window functions" in window["markdown"]

    events = sse_events(api, task_id)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert all(e["task_id"] == task_id for e in events)
    kinds = [e["type"] for e in events]
    assert kinds[0] == "task_started"
    assert kinds.count("human_review_required") == 2
    assert kinds[-1] == "completed"
    assert kinds.count("concept_complete") == total
    assert events[-1]["data"]["failed_count"] == 0


def wait_for_progress(api: Api, task_id: str, at_least: int, timeout_s: float = 30) -> Json:
    """Poll until the task generates content and has finished at least ``at_least`` items."""
    deadline = time.monotonic() + timeout_s
    while True:
        view = api.task(task_id)
        assert view["status"] == "processing", view
        if view["current_step"] == "content_generation" and (
            view["progress"]["completed"] >= at_least
        ):
            return view
        assert time.monotonic() < deadline, view
        time.sleep(0.01)


def test_cancel_during_content_generation_then_retry(tmp_path: Path) -> None:
    with running_server(tmp_path, offline_latency_s="0.1", llm_concurrency="2") as server:
        (api,) = create_users(server, "canceller")
        body = {**SMALL, "target_weeks": 2}
        task_id = api.generate(body)
        roadmap_id = api.wait_review(task_id)["roadmap_id"]
        framework = api.roadmap(roadmap_id)
        edited_id = concepts(framework)[-1]["concept_id"]
        new_name = "Edited during review"
        api.call(
            "PUT", f"/roadmaps/{roadmap_id}/framework", 200, json=rename(framework, -1, new_name)
        )
        api.call("POST", f"/tasks/{task_id}/review", 200, json={"approved": True})
        n_concepts = len(concepts(framework))
        total = 3 * n_concepts

        running = wait_for_progress(api, task_id, at_least=2)
        assert running["progress"]["total"] == total
        cancelled = api.call("POST", f"/tasks/{task_id}/cancel", 200)
        assert cancelled["task_id"] == task_id
        assert cancelled["status"] == "cancelled"
        assert cancelled["current_step"] == "cancelled"
        assert cancelled["roadmap_id"] == roadmap_id
        assert api.call("POST", f"/tasks/{task_id}/cancel", 409)["task_id"] == task_id

        # Nothing moves any more: no item is left generating, no new item completes.
        time.sleep(0.4)
        settled = items(api.roadmap(roadmap_id))
        assert "generating" not in {status for status, _ in settled.values()}
        done_before = {k for k, (status, _) in settled.items() if status == "completed"}
        assert 2 <= len(done_before) < total, settled
        time.sleep(0.4)
        assert items(api.roadmap(roadmap_id)) == settled
        assert api.task(task_id)["status"] == "cancelled"
        # The unfinished items are stale now: nothing will generate them until a retry.
        check = api.call("GET", f"/roadmaps/{roadmap_id}/status-check", 200)
        assert check["has_active_task"] is False
        assert {(i["concept_id"], i["content_type"]) for i in check["stale_items"]} == (
            set(settled) - done_before
        )
        assert {(i["status"], i["task_id"]) for i in check["stale_items"]} == {("pending", task_id)}
        created = {
            key: api.call("GET", f"/roadmaps/{roadmap_id}/concepts/{key[0]}/{key[1]}", 200)[
                "created_at"
            ]
            for key in done_before
        }

        retried = api.call("POST", f"/tasks/{task_id}/retry", 200)
        assert retried["recovery_type"] == "restart_content_generation"
        assert retried["task_id"] == task_id
        assert retried["roadmap_id"] == roadmap_id
        assert f"{n_concepts} concepts" in retried["message"]
        assert api.call("POST", f"/tasks/{task_id}/retry", 409)["task_id"] == task_id

        done = api.wait(task_id)
        assert done["status"] == "completed", done
        assert done["recovery_type"] == "restart_content_generation"
        assert done["progress"] == {
            "completed": total,
            "failed": 0,
            "total": total,
            "percentage": 100.0,
        }
        listed = api.call("GET", "/roadmaps", 200)
        assert [r["roadmap_id"] for r in listed] == [roadmap_id], "a retry made a new roadmap"
        assert api.call("GET", f"/roadmaps/{roadmap_id}/status-check", 200) == {
            "has_active_task": False,
            "active_tasks": [],
            "stale_items": [],
        }

        final = api.roadmap(roadmap_id)
        assert {c["concept_id"]: c["name"] for c in concepts(final)}[edited_id] == new_name
        assert items(final) == {key: ("completed", 1) for key in settled}
        for concept_id, kind in settled:
            path = f"/roadmaps/{roadmap_id}/concepts/{concept_id}/{kind}"
            assert api.get(path, params={"version": 2}).status_code == 404
        for key, when in created.items():
            latest = api.call("GET", f"/roadmaps/{roadmap_id}/concepts/{key[0]}/{key[1]}", 200)
            assert latest["version"] == 1
            assert latest["created_at"] == when, f"{key} was generated again"

        events = sse_events(api, task_id)
        recovering = [e for e in events if e["type"] == "task_recovering"]
        assert len(recovering) == 1
        assert recovering[0]["data"]["recovery_type"] == "restart_content_generation"
        progress = [
            e
            for e in events
            if e["type"] == "progress" and (e.get("data") or {}).get("recovery_type")
        ]
        assert progress[0]["data"] == {
            "roadmap_id": roadmap_id,
            "total_concepts": n_concepts,
            "recovery_type": "restart_content_generation",
        }
        assert [e["type"] for e in events].count("cancelled") == 1
        assert events[-1]["type"] == "completed"


def failed_keys(view: Json) -> set[tuple[str, str]]:
    return {(i["concept_id"], i["content_type"]) for i in view["failed_items"]}


def test_partial_failure_then_retry_failed_after_restart(tmp_path: Path) -> None:
    with running_server(tmp_path, offline_fail_content="quiz") as faulty:
        (api,) = create_users(faulty, "partial")
        token = api.token
        task_id, roadmap_id = _partial_failure(api)
        framework = api.roadmap(roadmap_id)
        created = {
            (c["concept_id"], kind): api.call(
                "GET", f"/roadmaps/{roadmap_id}/concepts/{c['concept_id']}/{kind}", 200
            )["created_at"]
            for c in concepts(framework)
            for kind in ("tutorial", "resources")
        }

    with running_server(tmp_path) as healthy:
        api = Api(healthy, token)
        assert api.roadmap(roadmap_id) == framework, "the restart changed the roadmap"
        nothing = api.call(
            "POST",
            f"/roadmaps/{roadmap_id}/retry-failed",
            409,
            json={"content_types": ["tutorial", "resources"]},
        )
        assert "no failed" in nothing["detail"]

        batch = api.call("POST", f"/roadmaps/{roadmap_id}/retry-failed", 202)
        n = len(concepts(framework))
        assert batch["task_type"] == "retry_batch"
        assert batch["roadmap_id"] == roadmap_id
        assert batch["status"] == "processing"
        assert batch["task_id"] != task_id
        done = api.wait(batch["task_id"])
        assert done["status"] == "completed", done
        assert done["progress"] == {"completed": n, "failed": 0, "total": n, "percentage": 100.0}
        assert done["failed_items"] == []

        final = api.roadmap(roadmap_id)
        assert items(final) == {key: ("completed", 1) for key in items(framework)}
        assert final["progress"]["items_completed"] == 3 * n
        assert final["progress"]["items_failed"] == 0
        for concept in concepts(final):
            cid = concept["concept_id"]
            assert concept["quiz_error"] is None
            for kind in CONTENT_TYPES:
                path = f"/roadmaps/{roadmap_id}/concepts/{cid}/{kind}"
                assert api.get(path, params={"version": 2}).status_code == 404
                latest = api.call("GET", path, 200)
                assert latest["version"] == 1
                if kind != "quiz":
                    assert latest["created_at"] == created[(cid, kind)], "regenerated"
            quiz = api.call("GET", f"/roadmaps/{roadmap_id}/concepts/{cid}/quiz", 200)
            assert 4 <= len(quiz["questions"]) <= 8
        check = api.call("GET", f"/roadmaps/{roadmap_id}/status-check", 200)
        assert check == {"has_active_task": False, "active_tasks": [], "stale_items": []}
        # The creation task still tells what happened to it.
        assert api.task(task_id)["status"] == "partial_failure"


def _partial_failure(api: Api) -> tuple[str, str]:
    task_id = api.generate(auto_approve=True)
    view = api.wait(task_id)
    assert view["status"] == "partial_failure", view
    assert view["current_step"] == "partial_failure"
    roadmap_id = str(view["roadmap_id"])
    framework = api.roadmap(roadmap_id)
    n = len(concepts(framework))
    assert failed_keys(view) == {(c["concept_id"], "quiz") for c in concepts(framework)}
    assert len(view["failed_items"]) == n
    for failed in view["failed_items"]:
        assert "set to fail" in failed["error"]
        assert "Traceback" not in failed["error"]
    assert view["progress"] == {
        "completed": 2 * n,
        "failed": n,
        "total": 3 * n,
        "percentage": 100.0,
    }
    expected: dict[tuple[str, str], tuple[str, Any]] = {}
    for concept in concepts(framework):
        cid = concept["concept_id"]
        expected |= {(cid, "tutorial"): ("completed", 1), (cid, "resources"): ("completed", 1)}
        expected[(cid, "quiz")] = ("failed", None)
        assert concept["quiz_error"]
        quiz = api.get(f"/roadmaps/{roadmap_id}/concepts/{cid}/quiz")
        assert quiz.status_code == 404, quiz.text
    assert items(framework) == expected
    # The task itself cannot be retried for completed items only: it is a partial failure.
    check = api.call("GET", f"/roadmaps/{roadmap_id}/status-check", 200)
    assert check["stale_items"] == []
    return task_id, roadmap_id


def test_sse_replay_of_a_retried_task_reaches_its_end(travellers: tuple[Api, Api]) -> None:
    api = travellers[1]
    task_id = api.generate()
    api.wait_review(task_id)
    api.call("POST", f"/tasks/{task_id}/cancel", 200)
    assert api.call("POST", f"/tasks/{task_id}/retry", 200)["recovery_type"] == "resume_review"
    api.wait_review(task_id)
    api.call("POST", f"/tasks/{task_id}/review", 200, json={"approved": True})
    done = api.wait(task_id)
    assert done["status"] == "completed"
    events = sse_stream(api, task_id)
    assert [e["seq"] for e in events] == list(range(1, done["last_event_seq"] + 1))
    assert events[-1]["type"] == "completed"
