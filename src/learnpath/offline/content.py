"""What the content agents (tutorial, resources, quiz) share: the concept in its topic."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from learnpath.agents.inputs import ContentInput
from learnpath.domain.roadmap import Concept
from learnpath.offline.knowledge import Topic
from learnpath.offline.text import keywords
from learnpath.offline.topics import find_topic


@dataclass(frozen=True)
class Context:
    data: ContentInput
    topic: Topic
    rng: random.Random

    @property
    def concept(self) -> Concept:
        return self.data.concept

    @property
    def name(self) -> str:
        return self.data.concept.name

    def query(self) -> str:
        label = self.topic.label
        return self.name if label.lower() in self.name.lower() else f"{label} {self.name}"

    def key_ideas(self) -> list[str]:
        label = self.topic.label.lower()
        ideas = [k for k in self.concept.keywords if k.lower() != label]
        return ideas[:4] or keywords(self.name, label)[:3]

    def kb_index(self) -> int | None:
        """Where the concept (or the concept a variant deepens) sits in the topic outline."""
        flat = [c.lower() for _, c in self.topic.flat()]
        name = self.name.lower()
        if name in flat:
            return flat.index(name)
        inside = [i for i, c in enumerate(flat) if c in name]
        return max(inside, key=lambda i: len(flat[i])) if inside else None


def context(payload: dict[str, Any], rng: random.Random) -> Context:
    data = ContentInput.model_validate(payload)
    return Context(data, find_topic(data.request.goal), rng)
