"""Roadmaps: read, edit the framework directly, regenerate items, check for stale work."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from learnpath.agents.validator import errors_only, validate_framework
from learnpath.domain.bundle import RoadmapBundle
from learnpath.domain.content import ContentType, Quiz, ResourceList, Tutorial
from learnpath.domain.events import EventType
from learnpath.domain.items import ItemStatus
from learnpath.domain.request import LearnerRequest
from learnpath.domain.roadmap import Framework, FrameworkDraft
from learnpath.domain.tasks import ReviewDecision, Step, TaskStatus, TaskType
from learnpath.domain.usage import Usage
from learnpath.engine.runtime import Runtime
from learnpath.errors import Conflict, Invalid, RoadmapNotFound
from learnpath.service.budget import check_budget
from learnpath.service.tasks import task_view
from learnpath.service.views import (
    ActiveTask,
    ItemRetryResult,
    RoadmapProgress,
    RoadmapSummary,
    StaleItem,
    StatusCheck,
    TaskView,
)
from learnpath.store import contents, records, roadmaps, usage
from learnpath.store.database import Session
from learnpath.store.events import append_event
from learnpath.store.tables import ItemRow, RoadmapRow
from learnpath.store.tasks import active_tasks_for_roadmap, create_task


async def visible_roadmap(
    s: Session, roadmap_id: str, user_id: str | None, *, include_deleted: bool = False
) -> RoadmapRow:
    row = await roadmaps.get_roadmap(s, roadmap_id, include_deleted=include_deleted)
    if user_id is not None and row.user_id != user_id:
        raise RoadmapNotFound(roadmap_id)
    return row


async def get_framework(rt: Runtime, roadmap_id: str, user_id: str | None = None) -> Framework:
    async with rt.db.read() as s:
        row = await visible_roadmap(s, roadmap_id, user_id)
        return roadmaps.framework_view(row, await roadmaps.items_of(s, roadmap_id))


def parse_framework(data: dict[str, Any]) -> FrameworkDraft:
    """A framework from a client (status and unknown fields ignored) or :class:`Invalid`."""
    try:
        draft = FrameworkDraft.model_validate(data)
    except ValidationError as error:
        raise Invalid(
            "the framework is malformed",
            [
                {"path": ".".join(str(p) for p in e["loc"]) or "(root)", "message": e["msg"]}
                for e in error.errors()
            ],
        ) from None
    problems = errors_only(validate_framework(draft))
    if problems:
        raise Invalid(
            "the framework breaks structure rules",
            [{"path": p.path, "message": p.message} for p in problems],
        )
    return draft


async def edit_framework(
    rt: Runtime, roadmap_id: str, data: dict[str, Any], user_id: str | None = None
) -> Framework:
    """Save a person's direct edit, during review or after generation.

    Only concepts whose definition changed lose their content (their items go to pending).
    """
    draft = parse_framework(data)
    async with rt.db.transaction() as s:
        row = await visible_roadmap(s, roadmap_id, user_id)
        active = await active_tasks_for_roadmap(s, roadmap_id)
        reviewing = [t for t in active if t.status == TaskStatus.human_review_pending.value]
        if len(reviewing) != len(active):
            raise Conflict(
                "the roadmap is being generated; edit it in review or after it finishes",
                active[0].task_id,
            )
        request = LearnerRequest.model_validate(row.request)
        framework = Framework.from_draft(draft, roadmap_id, request.hours_per_week)
        await roadmaps.save_framework(s, row, framework)
        for task in reviewing:
            task.validation_issues = [
                {"path": i.path, "message": i.message, "severity": i.severity}
                for i in validate_framework(framework)
            ]
            await records.add_review_round(
                s, task.task_id, roadmap_id, ReviewDecision.edit, framework.definition_json()
            )
        return roadmaps.framework_view(row, await roadmaps.items_of(s, roadmap_id))


async def _refuse_if_generating(s: Session, item: ItemRow, content_type: ContentType) -> None:
    """:class:`Conflict` naming the live task that generates this item already."""
    for active in await active_tasks_for_roadmap(s, item.subject_id):
        if active.task_id == item.task_id or (
            active.concept_id == item.concept_id and active.content_type == content_type.value
        ):
            raise Conflict(
                f"the {content_type.value} of {item.concept_id} is already being generated",
                active.task_id,
            )


async def retry_item(
    rt: Runtime,
    roadmap_id: str,
    concept_id: str,
    content_type: ContentType,
    user_id: str | None = None,
) -> ItemRetryResult:
    """Regenerate one item as a new version: it is ``generating`` before this returns."""
    async with rt.db.transaction() as s:
        row = await visible_roadmap(s, roadmap_id, user_id)
        items = {(i.concept_id, i.content_type): i for i in await roadmaps.items_of(s, roadmap_id)}
        item = items.get((concept_id, content_type.value))
        if item is None:
            raise RoadmapNotFound(f"{roadmap_id}/{concept_id}")
        await _refuse_if_generating(s, item, content_type)
        await check_budget(s, rt.settings, row.user_id)
        task = await create_task(
            s,
            TaskType(f"retry_{content_type.value}"),
            row.request,
            user_id=row.user_id,
            roadmap_id=roadmap_id,
            concept_id=concept_id,
            content_type=content_type.value,
            scope=[[concept_id, content_type.value]],
            step=Step.content_generation,
            status=TaskStatus.processing,
        )
        if item.status == ItemStatus.completed.value:
            item.generation += 1
        item.release(ItemStatus.generating.value)
        item.error = None
        item.task_id = task.task_id
        concept = Framework.model_validate(row.framework).concept(concept_id)
        await append_event(
            s,
            task.task_id,
            EventType.concept_start,
            f"Regenerating the {content_type.value}",
            step=Step.content_generation.value,
            status=task.status,
            roadmap_id=roadmap_id,
            concept_id=concept_id,
            concept_name=concept.name if concept else None,
            content_type=content_type.value,
        )
    await rt.dispatcher.submit_task(task.task_id)
    return ItemRetryResult(
        success=True,
        task_id=task.task_id,
        concept_id=concept_id,
        content_type=content_type.value,
        message=f"Regenerating the {content_type.value} of {concept_id}",
    )


async def status_check(rt: Runtime, roadmap_id: str, user_id: str | None = None) -> StatusCheck:
    async with rt.db.read() as s:
        await visible_roadmap(s, roadmap_id, user_id)
        active = await active_tasks_for_roadmap(s, roadmap_id)
        live = {t.task_id for t in active}
        # An open item no task has claimed yet is still behind a live task when one will claim
        # it: a creation task (in review, or before its content step) takes every open item, a
        # retry task the items of its scope.
        everything = any(t.scope is None for t in active)
        scoped = {(c, k) for t in active for c, k in (t.scope or [])}
        # An item whose lease ran out lost its worker (a worker leases every message it
        # receives): it is stale until it is queued again.
        at = records.now()
        stale = [
            StaleItem(
                concept_id=i.concept_id,
                content_type=i.content_type,
                status=i.status,
                task_id=i.task_id,
            )
            for i in await roadmaps.items_of(s, roadmap_id)
            if i.status in (ItemStatus.pending.value, ItemStatus.generating.value)
            and (
                (i.lease_expires_at is not None and i.lease_expires_at < at)
                if i.task_id in live
                else not everything and (i.concept_id, i.content_type) not in scoped
            )
        ]
        return StatusCheck(
            has_active_task=bool(active),
            active_tasks=[await task_view(s, t) for t in active],
            stale_items=stale,
        )


async def bundle(rt: Runtime, roadmap_id: str, user_id: str | None = None) -> RoadmapBundle:
    """The roadmap and every concept's latest content, for export."""
    async with rt.db.read() as s:
        row = await visible_roadmap(s, roadmap_id, user_id)
        framework = roadmaps.framework_view(row, await roadmaps.items_of(s, roadmap_id))
        latest = {t: await contents.latest_contents(s, t.value, roadmap_id) for t in ContentType}
        intent = await records.latest_intent(s, roadmap_id=roadmap_id)
    return RoadmapBundle(
        framework=framework,
        intent=intent,
        tutorials={
            cid: Tutorial.model_validate(r.body) for cid, r in latest[ContentType.tutorial].items()
        },
        resources={
            cid: ResourceList.model_validate(r.body)
            for cid, r in latest[ContentType.resources].items()
        },
        quizzes={cid: Quiz.model_validate(r.body) for cid, r in latest[ContentType.quiz].items()},
        offline=any(r.offline for rows in latest.values() for r in rows.values()),
    )


def progress_of_roadmap(row: RoadmapRow, items: list[ItemRow]) -> RoadmapProgress:
    framework = Framework.model_validate(row.framework)
    concept_ids = {c.concept_id for c in framework.concepts()}
    marked = len(concept_ids & set(row.completed_concepts))
    return RoadmapProgress(
        items_completed=sum(i.status == ItemStatus.completed.value for i in items),
        items_failed=sum(i.status == ItemStatus.failed.value for i in items),
        items_total=len(items),
        concepts_completed=marked,
        concepts_total=len(concept_ids),
        percentage=round(100 * marked / len(concept_ids), 1) if concept_ids else 0.0,
    )


async def list_roadmaps(
    rt: Runtime, user_id: str | None = None, include_deleted: bool = False
) -> list[RoadmapSummary]:
    async with rt.db.read() as s:
        rows = await roadmaps.roadmaps_of(s, user_id, include_deleted=include_deleted)
        items = await roadmaps.items_by_roadmap(s, [r.roadmap_id for r in rows])
    return [
        RoadmapSummary(
            roadmap_id=r.roadmap_id,
            title=r.title,
            created_at=r.created_at,
            updated_at=r.updated_at,
            deleted_at=r.deleted_at,
            progress=progress_of_roadmap(r, items[r.roadmap_id]),
        )
        for r in rows
    ]


async def roadmap_detail(
    rt: Runtime, roadmap_id: str, user_id: str | None = None
) -> tuple[Framework, RoadmapRow, RoadmapProgress]:
    async with rt.db.read() as s:
        row = await visible_roadmap(s, roadmap_id, user_id)
        items = await roadmaps.items_of(s, roadmap_id)
    return roadmaps.framework_view(row, items), row, progress_of_roadmap(row, items)


async def roadmap_usage(rt: Runtime, roadmap_id: str, user_id: str | None = None) -> Usage:
    """Every model call made for the roadmap, over all its tasks."""
    async with rt.db.read() as s:
        await visible_roadmap(s, roadmap_id, user_id)
        return await usage.usage_of(s, roadmap_id=roadmap_id)


async def set_deleted(
    rt: Runtime, roadmap_id: str, deleted: bool, user_id: str | None = None
) -> RoadmapSummary:
    """Soft delete (or restore): the roadmap leaves the listings but nothing is destroyed."""
    async with rt.db.transaction() as s:
        row = await visible_roadmap(s, roadmap_id, user_id, include_deleted=True)
        if deleted and await active_tasks_for_roadmap(s, roadmap_id):
            raise Conflict("the roadmap has an active task; cancel it first")
        await roadmaps.set_deleted_at(s, row, records.now() if deleted else None)
        items = await roadmaps.items_of(s, roadmap_id)
        return RoadmapSummary(
            roadmap_id=row.roadmap_id,
            title=row.title,
            created_at=row.created_at,
            updated_at=row.updated_at,
            deleted_at=row.deleted_at,
            progress=progress_of_roadmap(row, items),
        )


async def active_task(rt: Runtime, roadmap_id: str, user_id: str | None = None) -> ActiveTask:
    async with rt.db.read() as s:
        await visible_roadmap(s, roadmap_id, user_id)
        active = await active_tasks_for_roadmap(s, roadmap_id)
    if not active:
        return ActiveTask(has_active_task=False)
    newest = active[0]
    return ActiveTask(
        has_active_task=True,
        task_id=newest.task_id,
        status=TaskStatus(newest.status),
        current_step=Step(newest.current_step),
        task_type=TaskType(newest.task_type),
        concept_id=newest.concept_id,
        content_type=newest.content_type,
    )


async def retry_failed(
    rt: Runtime,
    roadmap_id: str,
    content_types: list[ContentType] | None = None,
    user_id: str | None = None,
) -> TaskView:
    """One ``retry_batch`` task over every failed or never-finished item (of these types)."""
    wanted = {t.value for t in content_types} if content_types else {t.value for t in ContentType}
    async with rt.db.transaction() as s:
        row = await visible_roadmap(s, roadmap_id, user_id)
        active = await active_tasks_for_roadmap(s, roadmap_id)
        if active:
            raise Conflict("the roadmap already has an active task", active[0].task_id)
        items = [
            i
            for i in await roadmaps.items_of(s, roadmap_id)
            if i.content_type in wanted and i.status != ItemStatus.completed.value
        ]
        if not items:
            raise Conflict("no failed or unfinished items to retry")
        await check_budget(s, rt.settings, row.user_id)
        task = await create_task(
            s,
            TaskType.retry_batch,
            row.request,
            user_id=row.user_id,
            roadmap_id=roadmap_id,
            scope=[[i.concept_id, i.content_type] for i in items],
            step=Step.content_generation_queued,
            status=TaskStatus.processing,
        )
        for item in items:
            item.release(ItemStatus.pending.value)
            item.error = None
        await append_event(
            s,
            task.task_id,
            EventType.task_started,
            f"Retrying {len(items)} item(s)",
            step=task.current_step,
            status=task.status,
            roadmap_id=roadmap_id,
            data={"total_items": len(items)},
        )
        view = await task_view(s, task)
    await rt.dispatcher.submit_task(task.task_id)
    return view


async def mark_progress(
    rt: Runtime, roadmap_id: str, concept_id: str, completed: bool, user_id: str | None = None
) -> RoadmapProgress:
    async with rt.db.transaction() as s:
        row = await visible_roadmap(s, roadmap_id, user_id)
        if Framework.model_validate(row.framework).concept(concept_id) is None:
            raise RoadmapNotFound(f"{roadmap_id}/{concept_id}")
        marked = [c for c in row.completed_concepts if c != concept_id]
        row.completed_concepts = [*marked, concept_id] if completed else marked
        items = await roadmaps.items_of(s, roadmap_id)
        return progress_of_roadmap(row, items)
