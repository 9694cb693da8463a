"""What the offline provider answers: deterministic, plausible, schema-valid agent output.

Every answer is built from the agent's structured input (its JSON payload) and the knowledge
base (:mod:`learnpath.offline.knowledge`), so a learner asking for Rust gets Rust. The same
payload always gives the same answer: randomness comes from a generator seeded with a hash of
the payload, never from global state. Everything produced says, somewhere a reader sees it,
that it was generated offline.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from typing import Any

from learnpath.offline.chapter import chapter, chapter_revision
from learnpath.offline.curriculum import curriculum
from learnpath.offline.documents import outline, research_planner
from learnpath.offline.editor import editor
from learnpath.offline.intent import intent
from learnpath.offline.quiz import quiz
from learnpath.offline.resources import resources
from learnpath.offline.tutorial import tutorial

Handler = Callable[[dict[str, Any], random.Random], dict[str, Any]]
_HANDLERS: dict[str, Handler] = {
    "intent": intent,
    "curriculum": curriculum,
    "editor": editor,
    "tutorial": tutorial,
    "resources": resources,
    "quiz": quiz,
    "research_planner": research_planner,
    "outline": outline,
    "chapter": chapter,
    "chapter_revision": chapter_revision,
}


def offline_output(agent: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The offline answer of ``agent`` to ``payload`` (the agent's input as JSON)."""
    handler = _HANDLERS.get(agent)
    if handler is None:
        raise ValueError(f"the offline provider has no agent named {agent!r}")
    raw = json.dumps([agent, payload], sort_keys=True, ensure_ascii=False, default=str)
    rng = random.Random(int(hashlib.sha256(raw.encode()).hexdigest()[:16], 16))
    return handler(payload, rng)
