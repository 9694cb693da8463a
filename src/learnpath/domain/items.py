"""Work items: the units a task fans out into (a roadmap's concept × content type).

An item is named by its :class:`ItemKey` within its task; the engine claims, leases, runs,
settles and recovers items the same way whatever workflow they belong to.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class ItemKey:
    concept_id: str
    """What the item is about (a concept of the roadmap)."""
    content_type: str
    """What is made for it (a content type)."""


class ItemStatus(StrEnum):
    pending = "pending"  # waiting to be generated
    generating = "generating"  # a worker is producing it now
    completed = "completed"  # latest version matches the concept's current definition
    failed = "failed"  # the last attempt failed; error kept on the item


OPEN_ITEM_STATUSES = (ItemStatus.pending.value, ItemStatus.generating.value)
"""Items still to be settled: waiting, or being generated."""
