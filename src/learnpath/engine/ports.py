"""The one interface the engine uses to hand work to workers; dispatchers implement it."""

from __future__ import annotations

from typing import Any, Protocol

from learnpath.domain.items import ItemKey
from learnpath.engine.workflow import StartedItem
from learnpath.store.tables import TaskRow
from learnpath.store.tasks import Lease


class Dispatcher(Protocol):
    def lease_for_new(self) -> Lease:
        """The lease a task created now for this dispatcher is stored with: it is held from
        its first commit, and :meth:`submit_task` given the row needs no write of its own."""

    async def submit_task(self, task_id: str, created: TaskRow | None = None) -> None:
        """Run the task's workflow from its current step (framework steps, then fan-out);
        ``created``: the task's row as committed with :meth:`lease_for_new`'s lease."""

    async def submit_items(
        self,
        task_id: str,
        items: list[ItemKey],
        task: TaskRow | None = None,
        *,
        started: list[StartedItem] | None = None,
        reserved: int = 0,
    ) -> None:
        """Generate these content items for the task, each independently; ``task``: its row
        as the caller holds it (its type and subject are then not read again). ``started``:
        those of them a step started in its own transaction, under this process's lease,
        on ``reserved`` slots of :meth:`reserve` (the ones they do not use are free again)."""

    def reserve(self, count: int) -> int:
        """Of ``count`` items a step is about to start in its own transaction, how many
        this process has slots for: held from now on, until :meth:`submit_items` is given
        them or :meth:`release` frees them."""

    def release(self, reserved: int) -> None:
        """Free slots of :meth:`reserve` no item will use (the step's transaction failed)."""

    async def abandon(self, task_id: str) -> None:
        """Stop work for a cancelled task: drop queued work, stop running work promptly."""

    async def queue_depth(self) -> int:
        """Work submitted and not yet started (in this process, or on the broker's queues)."""

    async def reachable(self) -> bool:
        """Whether work can be handed over now (the broker answers)."""

    async def received_before(self, when: float) -> dict[str, str]:
        """Messages a worker received before ``when`` (Unix time) and has not acknowledged:
        message id → the broker's delivery tag. None in embedded mode."""

    async def redeliver(self, tags: list[str]) -> None:
        """Put these received, unacknowledged messages back at the head of their queues now
        (their worker died before it could vouch for them)."""

    async def close(self) -> None:
        """Stop accepting work and wait for nothing: durable state makes restart safe."""


class ResultCache(Protocol):
    """Where a finished document job's result is also kept for fast reads (distributed mode:
    Redis ``job_result:{job_id}``, docs/contract.md §7)."""

    async def keep(self, job_id: str, result: dict[str, Any]) -> None:
        """Keep ``result`` for the configured time; an outage is logged, never raised."""

    async def read(self, job_id: str) -> dict[str, Any] | None:
        """The kept result, or None (expired, never kept, or the cache is unreachable)."""
