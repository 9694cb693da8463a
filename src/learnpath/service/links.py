"""Link rot: a task re-checking every resource link of a roadmap."""

from __future__ import annotations

from learnpath.domain.content import ContentType
from learnpath.domain.events import EventType
from learnpath.domain.tasks import Step, TaskStatus, TaskType
from learnpath.engine.runtime import Runtime
from learnpath.errors import Conflict
from learnpath.service.roadmaps import visible_roadmap
from learnpath.service.tasks import task_view
from learnpath.service.views import TaskView
from learnpath.store import contents, links
from learnpath.store.events import append_event
from learnpath.store.links import LinkCheck
from learnpath.store.tasks import active_tasks_for_roadmap, create_task


async def check_roadmap_links(rt: Runtime, roadmap_id: str, user_id: str | None = None) -> TaskView:
    """Create and queue a ``link_check`` task over the roadmap's latest resource lists."""
    async with rt.db.transaction() as s:
        row = await visible_roadmap(s, roadmap_id, user_id)
        if not rt.research.checks:
            raise Conflict(
                "link checks are off here: set LEARNPATH_LINK_CHECK=on (or a search provider)"
            )
        active = await active_tasks_for_roadmap(s, roadmap_id)
        if active:
            raise Conflict("the roadmap already has an active task", active[0].task_id)
        lists = await contents.latest_contents(s, ContentType.resources.value, roadmap_id)
        total = sum(len(r.body.get("resources", [])) for r in lists.values())
        if not total:
            raise Conflict("the roadmap has no resources to check yet")
        task = await create_task(
            s,
            TaskType.link_check,
            row.request,
            user_id=row.user_id,
            roadmap_id=roadmap_id,
            step=Step.link_check,
            status=TaskStatus.processing,
        )
        await append_event(
            s,
            task.task_id,
            EventType.task_started,
            f"Checking {total} resource links",
            step=task.current_step,
            status=task.status,
            roadmap_id=roadmap_id,
            data={"total_links": total},
        )
        view = await task_view(s, task)
    await rt.dispatcher.submit_task(task.task_id)
    return view


async def link_states(rt: Runtime, urls: list[str]) -> dict[str, LinkCheck]:
    """The last check of each URL, for showing when a link was checked and how it fared."""
    return await links.recent_checks(rt.db, urls)
