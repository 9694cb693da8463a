"""A task's items, for any workflow: start them, make them, settle their outcomes.

An item is written once per idempotency key (definition fingerprint + generation), so a worker
that dies after the content commit and is redelivered cannot add a second version.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from learnpath.domain.events import Event, EventType, new_event, progress_of
from learnpath.domain.items import ItemKey, ItemStatus
from learnpath.domain.tasks import Step
from learnpath.engine import finish
from learnpath.engine.leases import lease_until
from learnpath.engine.runtime import CONTEXTS_KEPT, Runtime
from learnpath.engine.workflow import FanOut, MadeHere, Outcome, StartedItem, Workflow
from learnpath.store import items, records, tasks
from learnpath.store.database import Session
from learnpath.store.events import store_events

GONE = "the concept is no longer in the roadmap"


class _TaskStopped(Exception):
    """The task stopped generating (a cancel) while a transaction prepared its items: the
    transaction rolls back."""


def _fan_out(rt: Runtime, task_type: str) -> FanOut:
    fan_out = rt.workflow(task_type).fan_out
    assert fan_out is not None, f"{task_type} tasks have no items"
    return fan_out


async def _context(
    rt: Runtime, s: Session, fan_out: FanOut, task_id: str, attempt: int, subject_id: str
) -> Any:
    """What the task's items are made from, read once per attempt: it cannot change while
    the task generates (edits are refused then) and every retry starts a new attempt."""
    key = (task_id, attempt)
    if key not in rt.contexts:
        keep_context(rt, task_id, attempt, await fan_out.context(s, task_id, subject_id))
    return rt.contexts[key]


def keep_context(rt: Runtime, task_id: str, attempt: int, context: Any) -> None:
    """What the items of this attempt of the task are made from, as its fan-out's
    ``context`` would read it: the step that made them, holding what it is made of, keeps
    it once its transaction committed, so that starting them reads nothing more."""
    rt.contexts[(task_id, attempt)] = context
    while len(rt.contexts) > CONTEXTS_KEPT:
        rt.contexts.popitem(last=False)


async def start_items(rt: Runtime, task_id: str, keys: list[ItemKey]) -> list[StartedItem]:
    """Mark open items ``generating`` in one transaction, with a ``concept_start`` event
    for each that was waiting (an item already ``generating`` was announced when it became
    so: by a regenerate request, or before its worker died).

    Once a cancel commits, no item of the task turns ``generating`` again; items already
    settled or owned by another task, or generating under another worker's live lease, are
    skipped. Items no longer wanted fail.
    """
    try:
        async with rt.db.transaction() as s:
            started, gone = await _start(rt, s, task_id, keys)
    except _TaskStopped:
        return []
    if started:
        rt.cancel_flags.saw_running(task_id)
    if gone:
        await finish.finish_if_done(rt, task_id)
    return started


class StartHere:
    """Items a step makes and starts itself, in its own transaction, on this process's
    slots: they need no transaction of their own to start, and their ``concept_start``
    events commit with the step (:func:`starting_here`)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.made: MadeHere | None = None

    async def start(self, s: Session, task_id: str, keys: list[ItemKey], context: Any) -> None:
        """Start those of ``keys`` (just made, waiting) this process has slots for, the
        task (locked in ``s``) at its fan-out step, its items made from ``context``."""
        reserved = self.rt.dispatcher.reserve(len(keys))
        self.made = MadeHere(keys, [], reserved)
        if reserved:
            started, _ = await _start(self.rt, s, task_id, keys[:reserved], context)
            self.made = MadeHere(keys, started, reserved)


@asynccontextmanager
async def starting_here(rt: Runtime, task_id: str) -> AsyncIterator[StartHere]:
    """A :class:`StartHere` for the step's transaction, run within the block. Once the
    block ends, the task's fan-out hands on what it made; if it raises, the slots are
    free again."""
    here = StartHere(rt)
    try:
        yield here
    except BaseException:
        if here.made is not None:
            rt.dispatcher.release(here.made.reserved)
        raise
    if here.made is not None:
        rt.made_here[task_id] = here.made


async def _start(
    rt: Runtime, s: Session, task_id: str, keys: list[ItemKey], context: Any = None
) -> tuple[list[StartedItem], list[ItemKey]]:
    running = await tasks.generating_attempt(s, task_id)
    if running is None:
        return [], []
    task_type, attempt, subject_id = running
    fan_out = _fan_out(rt, task_type)
    if context is None:
        context = await _context(rt, s, fan_out, task_id, attempt, subject_id)
    located = {k: fan_out.locate(context, k) for k in keys}
    gone = [k for k, where in located.items() if where is None]
    if gone:
        await items.fail_open(s, subject_id, task_id, gone, GONE, records.now())
    waiting, taken = await items.start(
        s,
        subject_id,
        task_id,
        [k for k, where in located.items() if where is not None],
        rt.worker_id,
        at=records.now(),
        until=lease_until(rt.settings.lease_s),
    )
    started = [
        StartedItem(task_id, task_type, subject_id, key, where[0], where[1])
        for key, where in located.items()
        if where is not None and (key in waiting or key in taken)
    ]
    announce = [item for item in started if item.key in waiting]
    if announce:
        await _started_events(s, rt.workflow(task_type).fan_out_step, announce)
    return started, gone


async def _reserve(s: Session, task_id: str, count: int, *, finishing: Step | None = None) -> int:
    first = await tasks.reserve_seqs(s, task_id, count, finishing=finishing)
    if first is None:
        raise _TaskStopped(task_id)
    return first


async def _started_events(s: Session, step: Step, started: list[StartedItem]) -> None:
    """The ``concept_start`` events of ``started``."""
    first = await _reserve(s, started[0].task_id, len(started))
    await store_events(
        s,
        [
            new_event(
                seq,
                item.task_id,
                EventType.concept_start,
                f"Writing the {item.key.content_type} for '{item.name}'",
                **_fields(step, item),
            )
            for seq, item in enumerate(started, start=first)
        ],
    )


def _fields(step: Step, item: StartedItem) -> dict[str, Any]:
    return {
        "task_type": item.task_type,
        "step": step.value,
        "roadmap_id": item.subject_id,
        "concept_id": item.key.concept_id,
        "concept_name": item.name,
        "content_type": item.key.content_type,
    }


async def run_item(rt: Runtime, item: StartedItem) -> Outcome | None:
    """Make the item; None when the task was cancelled meanwhile."""
    return await _fan_out(rt, item.task_type).make(rt, item)


async def settle_items(rt: Runtime, outcomes: list[Outcome]) -> None:
    """Store the outcomes of one task's items (content or failure, each with its event) in one
    transaction, which also finalises the task when no item of it is left open.

    Items that finish together (a wave of model calls) settle together. Outcomes of items no
    longer open for the task (settled meanwhile, or taken over by a cancel) are dropped;
    their usage is still recorded.
    """
    task_id, task_type = outcomes[0].item.task_id, outcomes[0].item.task_type
    calls = [c for o in outcomes for c in o.calls]
    try:
        async with rt.db.transaction() as s:
            await records.record_calls(s, task_id, calls)
            done = await _store_outcomes(s, rt.workflow(task_type), outcomes)
            # The last items stored: the task ends in the same transaction.
            ended = done and await finish.conclude(rt, s, task_id) is not None
    except _TaskStopped:
        # A cancel came first: of these outcomes only what their calls cost stands.
        async with rt.db.transaction() as s:
            await records.record_calls(s, task_id, calls)
        return
    if ended:
        await finish.finished(rt, task_type, task_id)


async def _store_outcomes(s: Session, workflow: Workflow, outcomes: list[Outcome]) -> bool:
    """The content, item statuses and events of :func:`settle_items`; True when no item of
    the task is left open (the task moved to its finishing step)."""
    task_id, subject_id = outcomes[0].item.task_id, outcomes[0].item.subject_id
    fan_out = workflow.fan_out
    assert fan_out is not None
    keys = await items.lock_open(s, subject_id, task_id, [o.item.key for o in outcomes])
    settled = [o for o in outcomes if o.item.key in keys]
    if not settled:
        return False
    made = [(o, keys[o.item.key]) for o in settled if o.body is not None]
    versions = await fan_out.store(s, (subject_id, task_id), made)
    await items.settle(
        s,
        subject_id,
        [
            items.Settled(o.item.key, o.body is not None, versions.get(o.item.key), o.error)
            for o in settled
        ],
        records.now(),
    )
    # The reservation locks the task row (PostgreSQL) before the items are counted: settles
    # of one task on several workers count one after another, so the last one sees every
    # item settled (counted first, two could each miss the other's and neither finish).
    first = await _reserve(s, task_id, len(settled))
    counts = await items.counts(s, subject_id, task_id)
    events = _settled_events(first, workflow.fan_out_step, settled, versions, counts)
    done = not (counts[ItemStatus.pending.value] or counts[ItemStatus.generating.value])
    if done:
        step = workflow.finish_step
        seq = await _reserve(s, task_id, 1, finishing=step)
        task_type = outcomes[0].item.task_type
        events.append(finish.finishing_event(seq, task_id, task_type, step, subject_id))
    await store_events(s, events)
    return done


def _settled_events(
    first: int,
    step: Step,
    settled: list[Outcome],
    versions: dict[ItemKey, int],
    counts: Counter[str],
) -> list[Event]:
    total = sum(counts.values())
    finished = counts[ItemStatus.completed.value] + counts[ItemStatus.failed.value]
    finished -= len(settled)
    events = []
    for seq, o in enumerate(settled, start=first):
        finished += 1
        kind, name = o.item.key.content_type, o.item.name
        common = {**_fields(step, o.item), "progress": progress_of(finished, total)}
        if o.body is not None:
            version = versions[o.item.key]
            message = f"{kind.capitalize()} ready for '{name}' (version {version})"
            events.append(
                new_event(
                    seq,
                    o.item.task_id,
                    EventType.concept_complete,
                    message,
                    data={"version": version},
                    **common,
                )
            )
        else:
            message = f"The {kind} for '{name}' failed: {o.error}"
            events.append(
                new_event(
                    seq,
                    o.item.task_id,
                    EventType.concept_failed,
                    message,
                    error=o.error,
                    **common,
                )
            )
    return events
