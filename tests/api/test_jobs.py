"""Document jobs over HTTP (docs/contract.md §7): the routes' shapes, chosen and taken ids,
422s naming the field or the node, 413, downloads, events with resume, and 409s."""

from __future__ import annotations

import io
import json
from typing import Any

import docx
import pytest

from tests.api.conftest import Api, Json, create_users
from tests.support.server import Server

OUTLINE: Json = {
    "title": "Database indexes",
    "summary": "How indexes make queries fast.",
    "nodes": [
        {
            "id": "1",
            "title": "B-trees",
            "summary": "Sorted keys.",
            "children": [{"id": "1.1", "title": "Range scans", "summary": "", "children": []}],
        },
        {"id": "2", "title": "Hash indexes", "summary": "Equality.", "children": []},
    ],
}
NOTES = {"file_name": "notes.md", "content": "A B-tree keeps keys sorted.", "role": "content"}
JOB_VIEW_KEYS = {
    "job_id",
    "task_type",
    "title",
    "status",
    "current_step",
    "progress",
    "error_message",
    "failed_items",
    "last_event_seq",
    "created_at",
    "updated_at",
    "result",
}


@pytest.fixture(scope="module")
def writer(fast_server: Server) -> Api:
    (user,) = create_users(fast_server, "writer")
    return user


@pytest.fixture(scope="module")
def written(writer: Api) -> Json:
    """A finished document job with a context file."""
    accepted = writer.call(
        "POST",
        "/jobs/document",
        202,
        json={"outline": OUTLINE, "word_count": 600, "context_files": [NOTES]},
    )
    assert set(accepted) == {"job_id", "status"} and accepted["status"] == "pending"
    assert accepted["job_id"].startswith("job_")
    writer.wait(accepted["job_id"])
    view: Json = writer.call("GET", f"/jobs/{accepted['job_id']}", 200)
    return view


def sse(api: Api, job_id: str, **headers: str) -> list[Json]:
    answer = api.get(f"/jobs/{job_id}/events", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/event-stream")
    found = []
    for block in answer.text.split("\n\n"):
        data = [line[5:].strip() for line in block.splitlines() if line.startswith("data:")]
        if data:
            found.append(json.loads("\n".join(data)))
    return found


def test_a_document_job_view_and_its_result(written: Json) -> None:
    assert set(written) == JOB_VIEW_KEYS
    assert (written["task_type"], written["status"], written["current_step"]) == (
        "document_generation",
        "completed",
        "completed",
    )
    assert written["progress"] == {"completed": 2, "failed": 0, "total": 2, "percentage": 100.0}
    document = written["result"]["document"]
    assert set(written["result"]) == {"document"}
    assert set(document) == {"title", "markdown", "word_count", "chapters", "references"}
    assert [(c["id"], c["title"], c["status"]) for c in document["chapters"]] == [
        ("1", "B-trees", "completed"),
        ("2", "Hash indexes", "completed"),
    ]
    assert document["references"] == [
        {"n": 1, "title": "notes.md", "file_name": "notes.md", "kind": "file", "verified": True}
    ]
    assert document["markdown"].startswith("# Database indexes\n")


def test_job_events_replay_and_resume_exactly_once(writer: Api, written: Json) -> None:
    events = sse(writer, written["job_id"])
    assert [e["seq"] for e in events] == list(range(1, written["last_event_seq"] + 1))
    types = [e["type"] for e in events]
    assert types[0] == "task_started" and types[-2:] == ["document_generated", "task_completed"]
    assert set(types) <= {"task_started", "task_progress", "document_generated", "task_completed"}
    chapters = [
        e["data"]
        for e in events
        if e["type"] == "task_progress" and "chapter_id" in e.get("data", {})
    ]
    assert sorted((c["chapter_id"], c["status"]) for c in chapters) == [
        ("1", "completed"),
        ("1", "generating"),
        ("2", "completed"),
        ("2", "generating"),
    ]
    generated = next(e for e in events if e["type"] == "document_generated")
    assert generated["data"]["word_count"] == written["result"]["document"]["word_count"]
    resumed = sse(writer, written["job_id"], **{"Last-Event-ID": "3"})
    assert resumed == events[3:]


def test_downloads(writer: Api, written: Json) -> None:
    job_id, document = written["job_id"], written["result"]["document"]
    md = writer.get(f"/jobs/{job_id}/document", params={"format": "md"})
    assert md.status_code == 200
    assert md.headers["content-type"] == "text/markdown; charset=utf-8"
    assert md.headers["content-disposition"] == f'attachment; filename="{job_id}.md"'
    assert md.text == document["markdown"]
    html = writer.get(f"/jobs/{job_id}/document", params={"format": "html"})
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    assert 'id="ref-1"' in html.text and 'href="#ref-1"' in html.text
    assert 'href="#chapter-1"' in html.text and "<script" not in html.text
    word = writer.get(f"/jobs/{job_id}/document", params={"format": "docx"})
    opened = docx.Document(io.BytesIO(word.content))
    text = [p.text for p in opened.paragraphs]
    assert "Database indexes" in text and any("B-trees" in t for t in text)
    bad = writer.get(f"/jobs/{job_id}/document", params={"format": "pdf"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "format"]


def test_an_outline_job_with_a_chosen_id_and_the_409s(writer: Api, written: Json) -> None:
    job_id = f"my-outline_{written['job_id'][-8:]}"
    body = {"job_id": job_id, "task_prompt": "Indexes in PostgreSQL", "context_files": [NOTES]}
    assert writer.call("POST", "/jobs/outline", 202, json=body)["job_id"] == job_id
    taken = writer.call("POST", "/jobs/outline", 409, json=body)
    assert job_id in taken["detail"]
    view = writer.wait(job_id)
    assert view["status"] == "completed"
    outline = writer.call("GET", f"/jobs/{job_id}", 200)
    assert set(outline["result"]) == {"outline", "sources"}
    assert outline["result"]["sources"] == [
        {"n": 1, "kind": "file", "title": "notes.md", "file_name": "notes.md", "verified": True}
    ]
    assert outline["progress"]["percentage"] == 100.0
    assert writer.call("GET", f"/jobs/{job_id}/document", 409)["detail"]
    assert writer.call("POST", f"/jobs/{job_id}/cancel", 409)["detail"]
    assert writer.call("POST", f"/jobs/{job_id}/retry", 409)["detail"]
    reused = writer.call(
        "POST",
        "/jobs/document",
        202,
        json={"outline": outline["result"]["outline"], "source_job_id": job_id, "word_count": 300},
    )
    done = writer.call("GET", f"/jobs/{writer.wait(reused['job_id'])['task_id']}", 200)
    assert [r["file_name"] for r in done["result"]["document"]["references"]] == ["notes.md"]
    listed = writer.call("GET", "/jobs", 200, params={"limit": 2})
    assert listed["total"] >= 3 and [j["job_id"] for j in listed["jobs"]] == [
        reused["job_id"],
        job_id,
    ]
    assert all(j["result"] is None for j in listed["jobs"])


def _detail(answer: Any) -> list[Json]:
    assert answer.status_code == 422, answer.text
    found: list[Json] = answer.json()["detail"]
    return found


@pytest.mark.parametrize(
    ("body", "loc", "says"),
    [
        ({"task_prompt": "ab"}, ["body", "task_prompt"], "at least 3"),
        ({"task_prompt": "Indexes", "job_id": "has space"}, ["body", "job_id"], "pattern"),
        ({"task_prompt": "Indexes", "job_id": "x" * 65}, ["body", "job_id"], "pattern"),
        (
            {"task_prompt": "Indexes", "context_files": [NOTES] * 11},
            ["body", "context_files"],
            "at most 10",
        ),
        (
            {"task_prompt": "Indexes", "context_files": [NOTES, NOTES]},
            ["body", "context_files"],
            "notes.md",
        ),
        (
            {"task_prompt": "Indexes", "context_files": [{**NOTES, "role": "boss"}]},
            ["body", "context_files", 0, "role"],
            "content",
        ),
        (
            {
                "task_prompt": "Indexes",
                "context_files": [{**NOTES, "content": "é" * (1 << 20) + "x"}],
            },
            ["body", "context_files", 0],
            "'notes.md' has 2097153 bytes",
        ),
    ],
)
def test_bad_outline_requests_name_the_field(
    writer: Api, body: Json, loc: list[Any], says: str
) -> None:
    (problem, *_) = _detail(writer.post("/jobs/outline", json=body))
    assert problem["loc"] == loc and says in problem["msg"], problem


def test_an_invalid_outline_is_a_422_naming_the_node(writer: Api) -> None:
    bad = json.loads(json.dumps(OUTLINE))
    bad["nodes"][0]["children"][0]["id"] = "1.7"
    bad["nodes"][1]["title"] = "  "
    problems = _detail(writer.post("/jobs/document", json={"outline": bad}))
    assert [p["loc"] for p in problems] == [["body", "outline"], ["body", "outline"]]
    assert 'node 1.1: id should be "1.1" (found "1.7")' in problems[0]["msg"]
    assert "node 2" in problems[1]["msg"] and "title" in problems[1]["msg"]
    (few,) = _detail(writer.post("/jobs/document", json={"outline": OUTLINE, "word_count": 299}))
    assert few["loc"] == ["body", "word_count"]
    (gone,) = _detail(
        writer.post("/jobs/document", json={"outline": OUTLINE, "source_job_id": "nope"})
    )
    assert gone["loc"] == ["body", "source_job_id"]
    assert writer.call("GET", "/jobs", 200, params={"status": "pending"})["total"] == 0


def test_a_body_beyond_ten_files_of_2_mb_is_a_413(writer: Api) -> None:
    answer = writer.post(
        "/jobs/outline",
        content=b'{"task_prompt": "Indexes", "context_files": [], "x": "'
        + b"a" * (49 << 20)
        + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 413, answer.text


def test_a_roadmap_task_is_not_a_job(writer: Api) -> None:
    task_id = writer.generate()
    assert writer.call("GET", f"/jobs/{task_id}", 404)["detail"]
    assert writer.call("GET", f"/jobs/{task_id}/events", 404)["detail"]
    writer.call("POST", f"/tasks/{task_id}/cancel", 200)
