"""Step ``link_check``: re-check every resource link of a roadmap (link rot), in batches,
with a progress event after each, then finish the task with what was found."""

from __future__ import annotations

from typing import Any

from learnpath.domain.content import ContentType
from learnpath.domain.events import EventType, progress_of
from learnpath.domain.tasks import Step, TaskStatus
from learnpath.engine.runtime import Runtime
from learnpath.engine.steps import locked
from learnpath.store import contents, records, tasks
from learnpath.store.events import append_task_event
from learnpath.store.links import LinkCheck
from learnpath.store.tables import TaskRow

BATCH = 25
"""Links checked between two progress events (and two looks at a cancel)."""


async def roadmap_links(rt: Runtime, roadmap_id: str) -> list[tuple[str, str]]:
    """(concept id, URL) of every resource of the roadmap's latest resource lists."""
    async with rt.db.read() as s:
        lists = await contents.latest_contents(s, ContentType.resources.value, roadmap_id)
    return [
        (concept_id, str(entry["url"]))
        for concept_id, row in sorted(lists.items())
        for entry in row.body.get("resources", [])
    ]


async def check_links(rt: Runtime, task: TaskRow) -> None:
    assert task.roadmap_id is not None, "a link check belongs to a roadmap"
    links = await roadmap_links(rt, task.roadmap_id)
    urls = list(dict.fromkeys(url for _, url in links))
    found: dict[str, LinkCheck] = {}
    for start in range(0, len(urls), BATCH):
        batch = urls[start : start + BATCH]
        found.update(await rt.research.checker.check(batch, fresh=True))
        async with rt.db.transaction() as s:
            current = await locked(s, task, Step.link_check)
            await append_task_event(
                s,
                current,
                EventType.progress,
                f"Checked {len(found)} of {len(urls)} links",
                progress=progress_of(len(found), len(urls)),
            )
    await _finish(rt, task, links, found)


async def _finish(
    rt: Runtime, task: TaskRow, links: list[tuple[str, str]], found: dict[str, LinkCheck]
) -> None:
    outcomes = [found[url].outcome for url in dict.fromkeys(url for _, url in links)]
    dead: list[dict[str, Any]] = [
        {"concept_id": concept_id, "url": url, "status": found[url].status}
        for concept_id, url in links
        if found[url].outcome == "dead"
    ]
    async with rt.db.transaction() as s:
        current = await locked(s, task, Step.link_check)
        current.summary = {
            **current.summary,
            "links_total": len(outcomes),
            "links_ok": outcomes.count("ok"),
            "links_dead": outcomes.count("dead"),
            "links_broken": outcomes.count("broken"),
            "dead_links": dead,
            "duration_s": round((records.now() - current.created_at).total_seconds(), 3),
        }
        message = (
            f"Checked {len(outcomes)} links: {outcomes.count('ok')} live, "
            f"{outcomes.count('dead')} dead, {outcomes.count('broken')} unreachable"
        )
        await tasks.transition(
            s,
            current,
            TaskStatus.completed,
            Step.completed,
            EventType.completed,
            message,
            progress=progress_of(len(outcomes), len(outcomes)),
            data={"dead_links": dead},
        )
