"""Task events of contract §5."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from functools import cached_property
from typing import Any

from pydantic import BaseModel

from learnpath.domain.tasks import DOCUMENT_TYPES


class EventType(StrEnum):
    task_started = "task_started"
    progress = "progress"
    human_review_required = "human_review_required"
    concept_start = "concept_start"
    concept_complete = "concept_complete"
    concept_failed = "concept_failed"
    completed = "completed"
    failed = "failed"
    cancelled = "cancelled"
    task_recovering = "task_recovering"
    task_progress = "task_progress"
    outline_generated = "outline_generated"
    document_generated = "document_generated"
    task_completed = "task_completed"
    task_failed = "task_failed"


TERMINAL_EVENTS = frozenset(
    {
        EventType.completed,
        EventType.failed,
        EventType.cancelled,
        EventType.task_completed,
        EventType.task_failed,
    }
)


class EventProgress(BaseModel):
    current: int
    total: int
    percentage: float


class Event(BaseModel):
    seq: int
    type: EventType
    task_id: str
    timestamp: datetime
    message: str
    step: str | None = None
    status: str | None = None
    roadmap_id: str | None = None
    concept_id: str | None = None
    concept_name: str | None = None
    content_type: str | None = None
    progress: EventProgress | None = None
    data: dict[str, Any] | None = None
    error: str | None = None

    @cached_property
    def wire(self) -> str:
        """The event as compact JSON, serialised once however many clients receive it."""
        return self.model_dump_json(exclude_none=True)

    @cached_property
    def sse_frame(self) -> bytes:
        """The event as one server-sent-events frame (``id:`` is the seq), encoded once.

        A cached property, not a private attribute: reading one of those goes through
        pydantic's ``__getattr__``, and a burst of events is framed for every follower."""
        return f"id: {self.seq}\nevent: {self.type.value}\ndata: {self.wire}\n\n".encode()

    @property
    def is_terminal(self) -> bool:
        return self.type in TERMINAL_EVENTS


def progress_of(current: int, total: int) -> EventProgress:
    percentage = round(100 * current / total, 1) if total else 100.0
    return EventProgress(current=current, total=total, percentage=percentage)


_DOCUMENT_TYPES = {
    EventType.progress: EventType.task_progress,
    EventType.concept_start: EventType.task_progress,
    EventType.concept_complete: EventType.task_progress,
    EventType.concept_failed: EventType.task_progress,
    EventType.completed: EventType.task_completed,
    EventType.failed: EventType.task_failed,
}
"""How a document job names the engine's events (docs/contract.md §7)."""
_CHAPTER_STATUS = {
    EventType.concept_start: "generating",
    EventType.concept_complete: "completed",
    EventType.concept_failed: "failed",
}
_ITEM_FIELDS = ("roadmap_id", "concept_id", "concept_name", "content_type")


def new_event(
    seq: int,
    task_id: str,
    type: EventType,
    message: str,
    *,
    task_type: str | None = None,
    **fields: Any,
) -> Event:
    """An event of the task, worded for its kind: a document job (``task_type`` one of
    :data:`~learnpath.domain.tasks.DOCUMENT_TYPES`) says ``task_progress`` where a roadmap
    says ``progress``/``concept_*``, and names its chapter in ``data``."""
    if task_type in DOCUMENT_TYPES:
        type, fields = _for_document(type, fields)
    return Event(
        seq=seq,
        type=type,
        task_id=task_id,
        timestamp=datetime.now(UTC),
        message=message,
        **fields,
    )


def _for_document(type: EventType, fields: dict[str, Any]) -> tuple[EventType, dict[str, Any]]:
    item = {name: fields.pop(name, None) for name in _ITEM_FIELDS}
    if type in _CHAPTER_STATUS:
        chapter = {
            "chapter_id": item["concept_id"],
            "title": item["concept_name"],
            "status": _CHAPTER_STATUS[type],
        }
        fields["data"] = {**(fields.get("data") or {}), **chapter}
    return _DOCUMENT_TYPES.get(type, type), fields
