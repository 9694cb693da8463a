"""Content generation: one item (concept × content type) at a time, then the task's outcome.

An item is written once per idempotency key (definition fingerprint + generation), so a worker
that dies after the content commit and is redelivered cannot add a second version.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from pydantic import BaseModel
from sqlalchemy import (
    ColumnElement,
    Table,
    bindparam,
    exists,
    func,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from learnpath.agents.catalog import CONTENT_AGENTS
from learnpath.agents.inputs import content_input
from learnpath.dispatch.base import ItemKey
from learnpath.domain.content import ContentType
from learnpath.domain.events import Event, EventProgress, EventType
from learnpath.domain.request import LearnerRequest
from learnpath.domain.roadmap import Concept, Framework, ItemStatus
from learnpath.domain.tasks import Step, TaskStatus
from learnpath.engine import leases
from learnpath.engine.estimate import actual_content
from learnpath.engine.runtime import Runtime
from learnpath.engine.steps import cancel_check, locked, move_to
from learnpath.events.log import (
    append_task_event,
    new_event,
    next_seq,
    progress_of,
    store_events,
)
from learnpath.llm.errors import CancelledByRequest, LLMError
from learnpath.research.resources import generate_resources
from learnpath.store import contents, records, roadmaps
from learnpath.store.tables import ItemRow, TaskRow
from learnpath.store.tasks import get_task

OPEN_STATUSES = (ItemStatus.pending.value, ItemStatus.generating.value)


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


async def item_counts(session: AsyncSession, roadmap_id: str, task_id: str) -> Counter[str]:
    """How many of the task's items are in each status."""
    rows = await session.execute(
        select(ItemRow.status, func.count())
        .where(ItemRow.roadmap_id == roadmap_id, ItemRow.task_id == task_id)
        .group_by(ItemRow.status)
    )
    return Counter({status: count for status, count in rows.all()})


def progress_from(counts: Counter[str]) -> EventProgress:
    finished = counts[ItemStatus.completed.value] + counts[ItemStatus.failed.value]
    return progress_of(finished, sum(counts.values()))


@dataclass(frozen=True)
class _RunContext:
    request: LearnerRequest
    framework: Framework


_contexts: OrderedDict[tuple[str, int], _RunContext] = OrderedDict()


async def _run_context(s: AsyncSession, task_id: str, attempt: int, roadmap_id: str) -> _RunContext:
    """The request and framework a task's items are generated from, read once per attempt.

    The framework cannot change while its task generates (edits are refused then) and every
    retry starts a new attempt, so (task, attempt) identifies them.
    """
    key = (task_id, attempt)
    context = _contexts.get(key)
    if context is None:
        request = await s.scalar(select(TaskRow.request).where(TaskRow.task_id == task_id))
        roadmap = await roadmaps.get_roadmap(s, roadmap_id, include_deleted=True)
        context = _contexts[key] = _RunContext(
            LearnerRequest.model_validate(request), Framework.model_validate(roadmap.framework)
        )
        while len(_contexts) > 64:
            _contexts.popitem(last=False)
    return context


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
        item.release(ItemStatus.pending.value)
        claimed.append(ItemKey(item.concept_id, item.content_type))
    return claimed


async def queue_content(rt: Runtime, task: TaskRow) -> None:
    """Step ``content_generation_queued``: claim the items, then move to generation."""
    async with rt.db.transaction() as s:
        task = await locked(s, task, Step.content_generation_queued)
        task.status = TaskStatus.processing.value
        assert task.roadmap_id is not None, "content needs a framework"
        claimed = await claim_items(s, task)
        concepts = len({k.concept_id for k in claimed})
        await move_to(
            s,
            task,
            Step.content_generation,
            f"Generating {len(claimed)} items for {concepts} concepts",
            progress=progress_from(await item_counts(s, task.roadmap_id, task.task_id)),
            data={"total_items": len(claimed), "total_concepts": concepts},
        )


GENERATING = (
    TaskRow.status == TaskStatus.processing.value,
    TaskRow.current_step == Step.content_generation.value,
)


def _open_items(
    roadmap_id: str, task_id: str, keys: list[ItemKey]
) -> tuple[ColumnElement[bool], ...]:
    """These items, when the task owns them and they are still open."""
    return (
        ItemRow.roadmap_id == roadmap_id,
        ItemRow.task_id == task_id,
        ItemRow.status.in_(OPEN_STATUSES),
        tuple_(ItemRow.concept_id, ItemRow.content_type).in_(
            [(k.concept_id, k.content_type) for k in keys]
        ),
    )


def unattended(at: datetime) -> ColumnElement[bool]:
    """Items no worker is generating: waiting, queued (a lease without an owner), or held by
    a worker whose lease ran out. A redelivered message of an item another worker runs is
    dropped, not run twice."""
    return or_(
        ItemRow.status == ItemStatus.pending.value,
        ItemRow.lease_owner.is_(None),
        ItemRow.lease_expires_at.is_(None),
        ItemRow.lease_expires_at < at,
    )


@dataclass(frozen=True)
class StartedItem:
    """An item this worker marked ``generating``, with what its agent needs."""

    task_id: str
    roadmap_id: str
    key: ItemKey
    context: _RunContext
    stage_name: str
    module_name: str
    concept: Concept


class _TaskStopped(Exception):
    """The task stopped generating (a cancel) while a transaction prepared its items."""


def _still_generating(task_id: str) -> ColumnElement[bool]:
    return exists().where(TaskRow.task_id == task_id, *GENERATING)


async def _reserve_seqs(s: AsyncSession, task_id: str, count: int, **changes: Any) -> int:
    """Lock the task row, last in the transaction, and reserve ``count`` event seqs; returns
    the first. Raises :class:`_TaskStopped` (the caller's transaction rolls back) when the
    task no longer generates.

    Items are written before the task row is locked, so the lock every item of a task waits
    for is held for this statement, the event insert and the commit only: items of one task
    finishing together on many workers queue on it briefly. A cancel locks the task row alone
    and resets its items in a later transaction, so the two never wait on each other in
    opposite orders."""
    last = await s.scalar(
        update(TaskRow)
        .where(TaskRow.task_id == task_id, *GENERATING)
        .values(last_seq=TaskRow.last_seq + count, **changes)
        .returning(TaskRow.last_seq)
    )
    if last is None:
        raise _TaskStopped(task_id)
    return int(last) - count + 1


async def start_items(rt: Runtime, task_id: str, keys: list[ItemKey]) -> list[StartedItem]:
    """Mark open items ``generating`` (with their ``concept_start`` events) in one transaction.

    Items are the hot path of a roadmap, so this is a handful of Core statements whatever the
    batch size. Once a cancel commits, no item of the task turns ``generating`` again; items
    already settled or owned by another task, or generating under another worker's live
    lease, are skipped.
    """
    try:
        async with rt.db.transaction() as s:
            task = (
                await s.execute(
                    select(TaskRow.attempt, TaskRow.roadmap_id).where(
                        TaskRow.task_id == task_id, *GENERATING
                    )
                )
            ).first()
            if task is None or task.roadmap_id is None:
                return []
            roadmap_id: str = task.roadmap_id
            context = await _run_context(s, task_id, task.attempt, roadmap_id)
            located = {k: _locate(context.framework, k.concept_id) for k in keys}
            present = [k for k, where in located.items() if where is not None]
            gone = [k for k, where in located.items() if where is None]
            if gone:
                # Concepts removed from the framework: their items can only fail.
                await s.execute(
                    update(ItemRow)
                    .where(*_open_items(roadmap_id, task_id, gone), _still_generating(task_id))
                    .values(
                        status=ItemStatus.failed.value,
                        error=_GONE,
                        updated_at=records.now(),
                        lease_owner=None,
                        lease_expires_at=None,
                    )
                )
            rows = (
                await s.execute(
                    update(ItemRow)
                    .where(
                        *_open_items(roadmap_id, task_id, present),
                        unattended(records.now()),
                        _still_generating(task_id),
                    )
                    .values(
                        status=ItemStatus.generating.value,
                        error=None,
                        updated_at=records.now(),
                        lease_owner=rt.worker_id,
                        lease_expires_at=leases.lease_until(rt.settings.lease_s),
                    )
                    .returning(ItemRow.concept_id, ItemRow.content_type)
                )
                if present
                else None
            )
            claimed = {ItemKey(r.concept_id, r.content_type) for r in rows or ()}
            started = []
            for key in present:
                if key not in claimed:
                    continue
                stage_name, module_name, concept = located[key]  # type: ignore[misc]
                started.append(
                    StartedItem(task_id, roadmap_id, key, context, stage_name, module_name, concept)
                )
            if started:
                first = await _reserve_seqs(s, task_id, len(started))
                await store_events(
                    s,
                    [
                        new_event(
                            seq,
                            task_id,
                            EventType.concept_start,
                            f"Writing the {item.key.content_type} for '{item.concept.name}'",
                            step=Step.content_generation.value,
                            roadmap_id=roadmap_id,
                            concept_id=item.concept.concept_id,
                            concept_name=item.concept.name,
                            content_type=item.key.content_type,
                        )
                        for seq, item in enumerate(started, start=first)
                    ],
                )
    except _TaskStopped:
        return []
    if gone:
        await finish_if_done(rt, task_id)
    return started


@dataclass(frozen=True)
class Outcome:
    """What an item's agent produced: content, or the reason it failed."""

    item: StartedItem
    calls: Sequence[object]
    body: dict[str, Any] | None = None
    error: str | None = None


async def run_item(rt: Runtime, item: StartedItem) -> Outcome | None:
    """Call the item's agent; None when the task was cancelled meanwhile."""
    concept, framework = item.concept, item.context.framework
    data = content_input(
        item.context.request, framework, item.stage_name, item.module_name, concept
    )
    kind = ContentType(item.key.content_type)
    should_cancel = cancel_check(rt, item.task_id)
    try:
        value: BaseModel
        if kind == ContentType.resources:
            found = await generate_resources(rt.research, rt.llm, data, should_cancel)
            value, calls = found.value, found.calls
        else:
            made = await CONTENT_AGENTS[kind].run(rt.llm, data, should_cancel)
            value, calls = made.value, made.calls
    except CancelledByRequest:
        return None
    except LLMError as error:
        return Outcome(item, error.calls, error=str(error))
    return Outcome(item, calls, body=value.model_dump(mode="json"))


_GONE = "the concept is no longer in the roadmap"


async def settle_items(rt: Runtime, outcomes: list[Outcome]) -> None:
    """Store the outcomes of one task's items (content or failure, each with its event) in one
    transaction, and finalise the task when no item of it is left open.

    Items that finish together (a wave of model calls) settle together: a handful of
    statements for the batch, where one item at a time held the writer for each.
    Outcomes of items no longer open for the task (settled meanwhile, or taken over by a
    cancel) are dropped; their usage is still recorded.
    """
    task_id = outcomes[0].item.task_id
    calls = [c for o in outcomes for c in o.calls]
    try:
        async with rt.db.transaction() as s:
            await records.record_calls(s, task_id, calls)
            done = await _store_outcomes(rt, s, outcomes)
    except _TaskStopped:
        # A cancel came first: of these outcomes only what their calls cost stands.
        async with rt.db.transaction() as s:
            await records.record_calls(s, task_id, calls)
        return
    if done:
        await finalize(rt, task_id)


async def _store_outcomes(rt: Runtime, s: AsyncSession, outcomes: list[Outcome]) -> bool:
    """The content, item statuses and events of :func:`settle_items`; True when no item of
    the task is left open (the task moved to ``finalizing``)."""
    task_id, roadmap_id = outcomes[0].item.task_id, outcomes[0].item.roadmap_id
    open_items = {
        (r.concept_id, r.content_type): r
        for r in (
            await s.execute(
                select(
                    ItemRow.concept_id,
                    ItemRow.content_type,
                    ItemRow.fingerprint,
                    ItemRow.generation,
                )
                .where(
                    *_open_items(roadmap_id, task_id, [o.item.key for o in outcomes]),
                    _still_generating(task_id),
                )
                .with_for_update()
            )
        ).all()
    }
    settled = [
        o for o in outcomes if (o.item.key.concept_id, o.item.key.content_type) in open_items
    ]
    if not settled:
        return False
    versions = await contents.save_contents(
        s,
        roadmap_id,
        task_id,
        rt.llm.provider.name == "offline",
        [
            (
                o.item.key.content_type,
                o.item.key.concept_id,
                "{0.fingerprint}:{0.generation}".format(
                    open_items[(o.item.key.concept_id, o.item.key.content_type)]
                ),
                o.body,
            )
            for o in settled
            if o.body is not None
        ],
    )
    now = records.now()
    await s.execute(
        update(cast(Table, ItemRow.__table__))
        .where(
            ItemRow.roadmap_id == roadmap_id,
            ItemRow.concept_id == bindparam("b_concept"),
            ItemRow.content_type == bindparam("b_type"),
        )
        .values(
            status=bindparam("b_status"),
            version=func.coalesce(bindparam("b_version"), ItemRow.version),
            error=bindparam("b_error"),
            updated_at=now,
            lease_owner=None,
            lease_expires_at=None,
        ),
        [
            {
                "b_concept": o.item.key.concept_id,
                "b_type": o.item.key.content_type,
                "b_status": (
                    ItemStatus.completed.value if o.body is not None else ItemStatus.failed.value
                ),
                "b_version": versions.get((o.item.key.content_type, o.item.key.concept_id)),
                "b_error": o.error,
            }
            for o in settled
        ],
    )
    first = await _reserve_seqs(s, task_id, len(settled))
    counts = await item_counts(s, roadmap_id, task_id)
    total = sum(counts.values())
    finished = counts[ItemStatus.completed.value] + counts[ItemStatus.failed.value] - len(settled)
    events = []
    seq = first - 1
    for o in settled:
        seq, finished = seq + 1, finished + 1
        kind, name = o.item.key.content_type, o.item.concept.name
        common: dict[str, Any] = {
            "step": Step.content_generation.value,
            "roadmap_id": roadmap_id,
            "concept_id": o.item.key.concept_id,
            "concept_name": name,
            "content_type": kind,
            "progress": progress_of(finished, total),
        }
        if o.body is not None:
            version = versions[(kind, o.item.key.concept_id)]
            message = f"{kind.capitalize()} ready for '{name}' (version {version})"
            events.append(
                new_event(
                    seq,
                    task_id,
                    EventType.concept_complete,
                    message,
                    data={"version": version},
                    **common,
                )
            )
        else:
            message = f"The {kind} for '{name}' failed: {o.error}"
            events.append(
                new_event(seq, task_id, EventType.concept_failed, message, error=o.error, **common)
            )
    done = not any(counts[status] for status in OPEN_STATUSES)
    if done:
        seq = await _reserve_seqs(s, task_id, 1, current_step=Step.finalizing.value)
        events.append(_finalising(seq, task_id, roadmap_id))
    await store_events(s, events)
    return done


def _generating(task: TaskRow) -> bool:
    return (
        task.status == TaskStatus.processing.value
        and task.current_step == Step.content_generation.value
    )


async def finish_if_done(rt: Runtime, task_id: str) -> None:
    """Finalise the task if none of its items is open (a resume after the last item)."""
    async with rt.db.transaction() as s:
        task = await get_task(s, task_id, lock=True)
        if not _generating(task) or task.roadmap_id is None:
            return
        counts = await item_counts(s, task.roadmap_id, task_id)
        finished = await _finish_if_done(s, task_id, task.roadmap_id, counts)
    if finished:
        await finalize(rt, task_id)


async def _finish_if_done(
    s: AsyncSession, task_id: str, roadmap_id: str, counts: Counter[str]
) -> bool:
    """Move a task with no open item to ``finalizing``; True when this call did it."""
    if any(counts[status] for status in OPEN_STATUSES):
        return False
    seq = await next_seq(s, task_id, *GENERATING, current_step=Step.finalizing.value)
    if seq is None:
        return False
    await store_events(s, [_finalising(seq, task_id, roadmap_id)])
    return True


def _finalising(seq: int, task_id: str, roadmap_id: str) -> Event:
    """The event of a task whose items are all stored moving to ``finalizing``."""
    return new_event(
        seq,
        task_id,
        EventType.progress,
        "Finalising",
        step=Step.finalizing.value,
        status=TaskStatus.processing.value,
        roadmap_id=roadmap_id,
    )


async def finalize(rt: Runtime, task_id: str) -> None:
    async with rt.db.transaction() as s:
        task = await get_task(s, task_id, lock=True)
        if task.status != TaskStatus.processing.value or task.current_step != Step.finalizing.value:
            return
        items = await owned_items(s, task)
        failed = [i for i in items if i.status == ItemStatus.failed.value]
        done = [i for i in items if i.status == ItemStatus.completed.value]
        usage = await records.usage_summary(s, task_id)
        actual = await actual_content(s, task_id)
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
            "actual": actual.model_dump(mode="json"),
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
        await append_task_event(
            s,
            task,
            event_type,
            message,
            progress=progress_of(len(items), len(items)),
            data={"failed_count": len(failed), "failed_items": task.failed_items},
            error=task.error_message,
        )
