"""Everything a worker or service call needs, built once per process (no globals)."""

from __future__ import annotations

import asyncio
import os
import socket
from collections import OrderedDict
from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from learnpath.config import Settings
from learnpath.engine.cancellation import CancelFlags
from learnpath.engine.ports import Dispatcher, ResultCache
from learnpath.events.bus import MemoryBus
from learnpath.events.poller import EventFeed
from learnpath.llm.client import LLMClient
from learnpath.research.service import Research
from learnpath.store.database import Database

if TYPE_CHECKING:
    from learnpath.engine.workflow import MadeHere, Workflow

CONTEXTS_KEPT = 64


def process_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Runtime:
    settings: Settings
    db: Database
    llm: LLMClient
    bus: MemoryBus
    workflows: Mapping[str, Workflow]
    """Task type → the workflow that runs tasks of that type."""
    dispatcher: Dispatcher = field(init=False)
    cancel_flags: CancelFlags = field(init=False)
    research: Research = field(init=False)
    feeds: list[EventFeed] = field(default_factory=list)
    """Sources of events committed by other processes, each publishing them on ``bus``."""
    worker_id: str = field(default_factory=process_identity)
    contexts: OrderedDict[tuple[str, int], Any] = field(default_factory=OrderedDict)
    """What a task's items are made from, per (task, attempt): read once, the last
    ``CONTEXTS_KEPT`` kept."""
    made_here: dict[str, MadeHere] = field(default_factory=dict)
    """Task id → the items its last step made and started (its runner's fan-out takes it)."""
    hashing: Executor | None = None
    """The threads passwords are hashed on (the wiring gives the service's pool)."""
    job_results: ResultCache | None = None
    """Where finished document jobs' results are also kept (distributed mode)."""
    detached: set[asyncio.Task[Any]] = field(default_factory=set)
    """Work left to finish after its caller went away (kept here so it is not collected)."""

    def __post_init__(self) -> None:
        self.cancel_flags = CancelFlags(self.db)
        self.research = Research(self.settings, self.db)

    def workflow(self, task_type: str) -> Workflow:
        return self.workflows[task_type]
