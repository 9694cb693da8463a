"""Content generation: one item (concept × content type) at a time, then the task's outcome.

An item is written once per idempotency key (definition fingerprint + generation), so a worker
that dies after the content commit and is redelivered cannot add a second version.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnpath.agents.catalog import CONTENT_AGENTS
from learnpath.agents.inputs import ContentInput
from learnpath.dispatch.base import ItemKey
from learnpath.domain.content import ContentType
from learnpath.domain.events import EventProgress, EventType
from learnpath.domain.request import LearnerRequest
from learnpath.domain.roadmap import Concept, Framework, ItemStatus
from learnpath.domain.tasks import Step, TaskStatus
from learnpath.engine import records
from learnpath.engine.runtime import Runtime
from learnpath.engine.steps import cancel_check, locked, move_to
from learnpath.events.log import append_event, progress_of
from learnpath.llm.errors import CancelledByRequest, LLMError
from learnpath.store import contents, roadmaps
from learnpath.store.roadmaps import RoadmapNotFound
from learnpath.store.tables import ItemRow, RoadmapRow, TaskRow
from learnpath.store.tasks import get_task

OPEN_STATUSES = (ItemStatus.pending.value, ItemStatus.generating.value)


async def get_item(session: AsyncSession, roadmap_id: str, key: ItemKey) -> ItemRow | None:
    return (
        await session.execute(
            select(ItemRow)
            .where(
                ItemRow.roadmap_id == roadmap_id,
                ItemRow.concept_id == key.concept_id,
                ItemRow.content_type == key.content_type,
            )
            .with_for_update()
        )
    ).scalar_one_or_none()


async def owned_items(session: AsyncSession, task: TaskRow) -> list[ItemRow]:
    rows = await session.scalars(
        select(ItemRow).where(
            ItemRow.roadmap_id == task.roadmap_id, ItemRow.task_id == task.task_id
        )
    )
    return list(rows.all())


async def open_items(session: AsyncSession, task: TaskRow) -> list[ItemKey]:
    return [
        ItemKey(i.concept_id, i.content_type)
        for i in await owned_items(session, task)
        if i.status in OPEN_STATUSES
    ]


async def item_counts(session: AsyncSession, task: TaskRow) -> Counter[str]:
    """How many of the task's items are in each status."""
    rows = await session.execute(
        select(ItemRow.status, func.count())
        .where(ItemRow.roadmap_id == task.roadmap_id, ItemRow.task_id == task.task_id)
        .group_by(ItemRow.status)
    )
    return Counter({status: count for status, count in rows.all()})


def progress_from(counts: Counter[str]) -> EventProgress:
    finished = counts[ItemStatus.completed.value] + counts[ItemStatus.failed.value]
    return progress_of(finished, sum(counts.values()))


_parsed: OrderedDict[tuple[str, datetime], Framework] = OrderedDict()


async def current_framework(session: AsyncSession, roadmap_id: str) -> Framework:
    """The roadmap's framework, parsed once per saved version (items of one task share it).

    Callers must not modify the result.
    """
    updated_at = await session.scalar(
        select(RoadmapRow.updated_at).where(RoadmapRow.roadmap_id == roadmap_id)
    )
    if updated_at is None:
        raise RoadmapNotFound(roadmap_id)
    key = (roadmap_id, updated_at)
    framework = _parsed.get(key)
    if framework is None:
        row = await roadmaps.get_roadmap(session, roadmap_id, include_deleted=True)
        framework = _parsed[key] = Framework.model_validate(row.framework)
        while len(_parsed) > 32:
            _parsed.popitem(last=False)
    return framework


def _locate(framework: Framework, concept_id: str) -> tuple[str, str, Concept] | None:
    for stage in framework.stages:
        for module in stage.modules:
            for concept in module.concepts:
                if concept.concept_id == concept_id:
                    return stage.name, module.name, concept
    return None


async def claim_items(session: AsyncSession, task: TaskRow) -> list[ItemKey]:
    """Take ownership of the open items in the task's scope that no other live task owns."""
    assert task.roadmap_id is not None
    scope = {(c, t) for c, t in task.scope} if task.scope is not None else None
    items = await roadmaps.items_of(session, task.roadmap_id)
    owners = {i.task_id for i in items if i.task_id and i.task_id != task.task_id}
    live = set()
    if owners:
        live = set(
            (
                await session.scalars(
                    select(TaskRow.task_id).where(
                        TaskRow.task_id.in_(owners),
                        TaskRow.status.in_([TaskStatus.pending.value, TaskStatus.processing.value]),
                    )
                )
            ).all()
        )
    claimed = []
    for item in items:
        if scope is not None and (item.concept_id, item.content_type) not in scope:
            continue
        if item.status not in OPEN_STATUSES or (item.task_id in live):
            continue
        item.task_id = task.task_id
        item.status = ItemStatus.pending.value
        claimed.append(ItemKey(item.concept_id, item.content_type))
    return claimed


async def queue_content(rt: Runtime, task: TaskRow) -> None:
    """Step ``content_generation_queued``: claim the items, then move to generation."""
    async with rt.db.transaction() as s:
        task = await locked(s, task.task_id, Step.content_generation_queued)
        task.status = TaskStatus.processing.value
        claimed = await claim_items(s, task)
        concepts = len({k.concept_id for k in claimed})
        await move_to(
            s,
            task,
            Step.content_generation,
            f"Generating {len(claimed)} items for {concepts} concepts",
            progress=progress_from(await item_counts(s, task)),
            data={"total_items": len(claimed), "total_concepts": concepts},
        )


async def generate_item(rt: Runtime, task_id: str, key: ItemKey) -> None:
    """Generate one item for a task; safe to run twice or after a crash.

    The transaction that settles the item also moves the task to ``finalizing`` when it was
    the last open one, so exactly one worker finalises.
    """
    content_type = ContentType(key.content_type)
    async with rt.db.transaction() as s:
        # The row lock orders this against a concurrent cancel (PostgreSQL): once the cancel
        # commits, no item of the task can turn ``generating`` again.
        task = await get_task(s, task_id, lock=True)
        if not _generating(task) or task.roadmap_id is None:
            return
        item = await get_item(s, task.roadmap_id, key)
        if item is None or item.task_id != task_id or item.status not in OPEN_STATUSES:
            return
        framework = await current_framework(s, task.roadmap_id)
        located = _locate(framework, key.concept_id)
        if located is not None:
            stage_name, module_name, concept = located
            item.status = ItemStatus.generating.value
            item.error = None
            await append_event(
                s,
                task_id,
                EventType.concept_start,
                f"Writing the {content_type.value} for '{concept.name}'",
                step=Step.content_generation.value,
                roadmap_id=task.roadmap_id,
                concept_id=concept.concept_id,
                concept_name=concept.name,
                content_type=content_type.value,
            )
    if located is None:
        gone = Concept(concept_id=key.concept_id, name=key.concept_id, estimated_hours=0)
        await _record_failure(rt, task_id, key, gone, "the concept is no longer in the roadmap", [])
        return
    prerequisites = [p.name for p in framework.concepts() if p.concept_id in concept.prerequisites]
    data = ContentInput(
        request=LearnerRequest.model_validate(task.request),
        roadmap_title=framework.title,
        stage_name=stage_name,
        module_name=module_name,
        concept=Concept.model_validate(concept.model_dump(include=_DEFINITION)),
        prerequisite_names=prerequisites,
    )
    agent = CONTENT_AGENTS[content_type]
    try:
        generation = await agent.run(rt.llm, data, cancel_check(rt, task_id))
    except CancelledByRequest:
        return
    except LLMError as error:
        await _record_failure(rt, task_id, key, concept, str(error), error.calls)
        return
    async with rt.db.transaction() as s:
        task = await get_task(s, task_id, lock=True)
        item = await get_item(s, task.roadmap_id or "", key)
        if not _generating(task) or item is None or item.task_id != task_id:
            return
        if item.status != ItemStatus.generating.value:
            return
        row = await contents.save_content(
            s,
            content_type.value,
            item.roadmap_id,
            item.concept_id,
            f"{item.fingerprint}:{item.generation}",
            generation.value.model_dump(mode="json"),
            task_id,
            offline=rt.llm.provider.name == "offline",
        )
        item.status = ItemStatus.completed.value
        item.version = row.version
        records.record_calls(s, task_id, generation.calls)
        counts = await item_counts(s, task)
        await append_event(
            s,
            task_id,
            EventType.concept_complete,
            f"{content_type.value.capitalize()} ready for '{concept.name}' (version {row.version})",
            step=Step.content_generation.value,
            roadmap_id=task.roadmap_id,
            concept_id=concept.concept_id,
            concept_name=concept.name,
            content_type=content_type.value,
            progress=progress_from(counts),
            data={"version": row.version},
        )
        finished = await _finish_if_done(s, task, counts)
    if finished:
        await finalize(rt, task_id)


_DEFINITION = {
    "concept_id",
    "name",
    "description",
    "estimated_hours",
    "difficulty",
    "prerequisites",
    "keywords",
}


def _generating(task: TaskRow) -> bool:
    return (
        task.status == TaskStatus.processing.value
        and task.current_step == Step.content_generation.value
    )


async def _record_failure(
    rt: Runtime, task_id: str, key: ItemKey, concept: Concept, reason: str, calls: list[object]
) -> None:
    async with rt.db.transaction() as s:
        task = await get_task(s, task_id, lock=True)
        item = await get_item(s, task.roadmap_id or "", key)
        records.record_calls(s, task_id, calls)
        if not _generating(task) or item is None or item.task_id != task_id:
            return
        item.status = ItemStatus.failed.value
        item.error = reason
        counts = await item_counts(s, task)
        await append_event(
            s,
            task_id,
            EventType.concept_failed,
            f"The {key.content_type} for '{concept.name}' failed: {reason}",
            step=Step.content_generation.value,
            roadmap_id=task.roadmap_id,
            concept_id=concept.concept_id,
            concept_name=concept.name,
            content_type=key.content_type,
            progress=progress_from(counts),
            error=reason,
        )
        finished = await _finish_if_done(s, task, counts)
    if finished:
        await finalize(rt, task_id)


async def finish_if_done(rt: Runtime, task_id: str) -> None:
    """Finalise the task if none of its items is open (a resume after the last item)."""
    async with rt.db.transaction() as s:
        task = await get_task(s, task_id, lock=True)
        finished = _generating(task) and await _finish_if_done(s, task, await item_counts(s, task))
    if finished:
        await finalize(rt, task_id)


async def _finish_if_done(s: AsyncSession, task: TaskRow, counts: Counter[str]) -> bool:
    """Move a task with no open item to ``finalizing``; True when this call did it."""
    if any(counts[status] for status in OPEN_STATUSES):
        return False
    await move_to(s, task, Step.finalizing, "Finalising")
    return True


async def finalize(rt: Runtime, task_id: str) -> None:
    async with rt.db.transaction() as s:
        task = await get_task(s, task_id, lock=True)
        if task.status != TaskStatus.processing.value or task.current_step != Step.finalizing.value:
            return
        items = await owned_items(s, task)
        failed = [i for i in items if i.status == ItemStatus.failed.value]
        done = [i for i in items if i.status == ItemStatus.completed.value]
        usage = await records.usage_summary(s, task_id)
        task.failed_items = [
            {"concept_id": i.concept_id, "content_type": i.content_type, "error": i.error}
            for i in failed
        ]
        task.summary = {
            **task.summary,
            "items_total": len(items),
            "items_done": len(done),
            "items_failed": len(failed),
            **usage,
            "duration_s": round((records.now() - task.created_at).total_seconds(), 3),
        }
        if failed and not done:
            status, event_type = TaskStatus.failed, EventType.failed
            task.error_message = f"every content item failed; first error: {failed[0].error}"
            message = task.error_message
        elif failed:
            status, event_type = TaskStatus.partial_failure, EventType.completed
            message = f"Finished with {len(failed)} failed item(s) of {len(items)}"
        else:
            status, event_type = TaskStatus.completed, EventType.completed
            message = f"Roadmap complete: {len(done)} items generated"
        task.status = status.value
        task.current_step = Step(status.value).value
        await append_event(
            s,
            task_id,
            event_type,
            message,
            step=task.current_step,
            status=task.status,
            roadmap_id=task.roadmap_id,
            progress=progress_of(len(items), len(items)),
            data={"failed_count": len(failed), "failed_items": task.failed_items},
            error=task.error_message,
        )
