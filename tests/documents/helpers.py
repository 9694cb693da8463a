"""Driving document jobs through the service layer in tests."""

from __future__ import annotations

import re
from typing import Any

from learnpath.domain.jobs import DocumentJobRequest, OutlineJobRequest
from learnpath.engine.runtime import Runtime
from learnpath.service import jobs
from learnpath.service.views import JobView
from learnpath.store import documents
from learnpath.store.events import events_after
from tests.support.workflow import settle

NOTES = (
    "# Indexes\n\nA B-tree index keeps keys sorted, so range scans read few pages.\n\n"
    "A hash index answers equality lookups in constant time but cannot serve ranges.\n\n"
    "# Query planning\n\nThe planner estimates each plan's cost from table statistics.\n"
)
STYLE = "Write in a friendly tone, with short paragraphs and concrete examples.\n"
REQUIREMENTS = "Cover: B-tree indexes, hash indexes, query planning.\n"
CONTEXT = [
    {"file_name": "notes.md", "content": NOTES, "role": "content"},
    {"file_name": "style.md", "content": STYLE, "role": "style"},
    {"file_name": "requirements.md", "content": REQUIREMENTS, "role": "requirements"},
]
MARKER = re.compile(r"\[(\d+(?:, ?\d+)*)\](?!\()")
"""A citation as a reader sees one: not a link's text."""
CODE = re.compile(r"`[^`]*`")


def outline(chapters: int, children: int = 2, title: str = "Database indexes") -> dict[str, Any]:
    return {
        "title": title,
        "summary": "How indexes make queries fast.",
        "nodes": [
            {
                "id": str(i),
                "title": f"Chapter {i} on indexes",
                "summary": f"What part {i} covers.",
                "children": [
                    {"id": f"{i}.{j}", "title": f"Section {i}.{j}", "summary": "", "children": []}
                    for j in range(1, children + 1)
                ],
            }
            for i in range(1, chapters + 1)
        ],
    }


async def outline_job(rt: Runtime, prompt: str, **fields: Any) -> JobView:
    view = await jobs.submit_outline(
        rt, OutlineJobRequest.model_validate({"task_prompt": prompt, **fields})
    )
    await settle(rt, view.job_id)
    return await jobs.get_job(rt, view.job_id)


async def document_job(rt: Runtime, **fields: Any) -> JobView:
    view = await jobs.submit_document(rt, DocumentJobRequest.model_validate(fields))
    await settle(rt, view.job_id)
    return await jobs.get_job(rt, view.job_id)


async def event_types(rt: Runtime, job_id: str) -> list[str]:
    async with rt.db.read() as s:
        return [e.type.value for e in await events_after(s, job_id)]


async def chapter_events(rt: Runtime, job_id: str, after: int = 0) -> list[tuple[str, str]]:
    """(chapter id, status) of every chapter event after ``after``."""
    async with rt.db.read() as s:
        found = await events_after(s, job_id, after)
    return [
        (e.data["chapter_id"], e.data["status"]) for e in found if e.data and "chapter_id" in e.data
    ]


async def writes(rt: Runtime, job_id: str) -> dict[str, int]:
    async with rt.db.read() as s:
        return await documents.chapter_writes(s, job_id)


def citation_numbers(markdown: str) -> list[int]:
    """Every cited number of the document's body (References excluded), in order."""
    body = CODE.sub("", markdown.split("\n## References", 1)[0])
    return [int(n) for group in MARKER.findall(body) for n in re.split(r", ?", group)]


def first_appearances(numbers: list[int]) -> list[int]:
    return list(dict.fromkeys(numbers))
