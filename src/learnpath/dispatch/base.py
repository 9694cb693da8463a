"""The one interface the engine uses to hand work to workers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ItemKey:
    concept_id: str
    content_type: str


class Dispatcher(Protocol):
    async def submit_task(self, task_id: str) -> None:
        """Run the task's workflow from its current step (framework steps, then fan-out)."""

    async def submit_items(self, task_id: str, items: list[ItemKey]) -> None:
        """Generate these content items for the task, each independently."""

    async def abandon(self, task_id: str) -> None:
        """Stop work for a cancelled task: drop queued work, stop running work promptly."""

    @property
    def queue_depth(self) -> int:
        """Work items submitted to this process and not yet started."""

    async def close(self) -> None:
        """Stop accepting work and wait for nothing: durable state makes restart safe."""
