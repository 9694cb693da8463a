"""Everything a worker or service call needs, built once per process (no globals)."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field

from learnpath.config import Settings
from learnpath.dispatch.base import Dispatcher
from learnpath.engine.cancellation import CancelFlags
from learnpath.events.bus import MemoryBus
from learnpath.events.poller import EventFeed
from learnpath.llm.client import LLMClient
from learnpath.research.service import Research
from learnpath.store.database import Database


def process_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Runtime:
    settings: Settings
    db: Database
    llm: LLMClient
    bus: MemoryBus
    dispatcher: Dispatcher = field(init=False)
    cancel_flags: CancelFlags = field(init=False)
    research: Research = field(init=False)
    feeds: list[EventFeed] = field(default_factory=list)
    """Sources of events committed by other processes, each publishing them on ``bus``."""
    worker_id: str = field(default_factory=process_identity)

    def __post_init__(self) -> None:
        self.cancel_flags = CancelFlags(self.db)
        self.research = Research(self.settings, self.db)
