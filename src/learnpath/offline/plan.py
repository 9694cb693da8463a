"""Which concepts a roadmap of a given size has, in what order, how hard and how long each is."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from learnpath.domain.request import Level
from learnpath.domain.roadmap import Concept, Difficulty
from learnpath.offline.knowledge import Topic, Variant, knowledge

LEVEL_SKIP = {Level.beginner: 0.0, Level.intermediate: 0.2, Level.advanced: 0.4}
"""The share of a topic's outline a learner at each level already knows."""
WEIGHTS: dict[Difficulty, float] = {"easy": 1.0, "medium": 1.3, "hard": 1.6}
MAX_CONCEPTS = 150
MAX_HOURS = 200.0
MAX_PER_MODULE = 8
MAX_MODULES = 4


@dataclass
class Item:
    """One planned concept before it gets an id, hours and prerequisites."""

    name: str
    section: str
    rank: float
    """Position in the whole topic outline, 0 (first concept) to 1 (last)."""
    difficulty: Difficulty = "easy"
    base: str | None = None
    pattern: int = -1
    """Index into the topic kind's variants for a variant; -1 otherwise."""
    project: bool = False


Planned = tuple[Item, Concept]


def skipped(topic: Topic, level: Level) -> int:
    """How many concepts at the start of the outline a learner at ``level`` skips."""
    flat = topic.flat()
    return min(int(len(flat) * LEVEL_SKIP[level]), len(flat) - 3)


def remaining_sections(topic: Topic, level: Level) -> list[tuple[str, list[str]]]:
    """The outline a learner at ``level`` still needs: advanced learners skip the basics."""
    sections: dict[str, list[str]] = {}
    for section, concept in topic.flat()[skipped(topic, level) :]:
        sections.setdefault(section, []).append(concept)
    return list(sections.items())


def _difficulty(fraction: float, level: Level) -> Difficulty:
    """Rises through the roadmap; advanced learners start at medium."""
    if level == Level.advanced:
        fraction = 0.34 + 0.66 * fraction
    return "easy" if fraction < 0.34 else "medium" if fraction < 0.67 else "hard"


def _spread(total: int, n: int) -> list[int]:
    """``n`` distinct indices in ``range(total)``, evenly spaced, first and last included."""
    if n <= 1:
        return [0][:n]
    step = (total - 1) / (n - 1)
    return [int(i * step + 0.5) for i in range(n)]


def plan(topic: Topic, n: int, level: Level, total_hours: float) -> list[Item]:
    """The ordered concepts of a roadmap of ``n``: as far through the outline as the time
    budget reaches, condensed to fit, or deepened with variants when the outline is short."""
    flat = topic.flat()
    skip = skipped(topic, level)
    pool = [
        Item(name, section, i / max(1, len(flat) - 1))
        for i, (section, name) in enumerate(flat)
        if i >= skip
    ]
    n_projects = min(len(topic.projects), n // 12 if n <= len(pool) else n - len(pool))
    core = n - n_projects
    if core <= len(pool):
        needed = topic.typical_hours * (1 - LEVEL_SKIP[level])
        reach = min(1.0, max(0.35, 1.5 * total_hours / needed))
        items = _condense(pool[: max(core, math.ceil(reach * len(pool)))], core)
    else:
        items = _deepen(knowledge().kinds.of(topic.kind).variants, pool, core - len(pool))
    items = _with_projects(items, topic.projects[:n_projects])
    for i, item in enumerate(items):
        item.difficulty = _difficulty(i / max(1, len(items) - 1), level)
    return items


def _condense(pool: list[Item], n: int) -> list[Item]:
    """``n`` items: each section keeps its share, and its first (most essential) concepts."""
    sections: dict[str, list[Item]] = {}
    for item in pool:
        sections.setdefault(item.section, []).append(item)
    shares = {name: n * len(items) / len(pool) for name, items in sections.items()}
    quota = {name: int(share) for name, share in shares.items()}
    by_remainder = sorted(shares, key=lambda name: quota[name] - shares[name])
    for name in by_remainder[: n - sum(quota.values())]:
        quota[name] += 1
    return [item for name, items in sections.items() for item in items[: quota[name]]]


def _deepen(patterns: Sequence[Variant], pool: list[Item], extra: int) -> list[Item]:
    """The whole pool plus ``extra`` deeper variants, each right after the concept it deepens."""
    variants: dict[int, list[Item]] = {}
    for round_ in range(math.ceil(extra / len(pool))):
        p = round_ % len(patterns)
        part = f", part {round_ // len(patterns) + 1}" if round_ >= len(patterns) else ""
        for i in _spread(len(pool), min(extra - round_ * len(pool), len(pool))):
            base = pool[i]
            name = patterns[p].name.format(x=base.name) + part
            variants.setdefault(i, []).append(
                Item(name, base.section, base.rank, base=base.name, pattern=p)
            )
    return [x for i, item in enumerate(pool) for x in (item, *variants.get(i, []))]


def _with_projects(items: list[Item], projects: Sequence[str]) -> list[Item]:
    """Projects spread through the roadmap, the last one at the very end."""
    after = {len(items) * (k + 1) // len(projects) - 1: k for k in range(len(projects))}
    result: list[Item] = []
    for i, item in enumerate(items):
        result.append(item)
        if i in after:
            result.append(Item(projects[after[i]], item.section, item.rank, project=True))
    return result


def hours(items: list[Item], total: float) -> list[float]:
    """Hours per item in half-hour steps, weighted by difficulty, adding up to ``total``."""
    weights = [WEIGHTS[i.difficulty] * (1.5 if i.project else 1.0) for i in items]
    scale = total / sum(weights)
    result = [min(MAX_HOURS, max(0.5, round(w * scale * 2) / 2)) for w in weights]
    target = min(max(round(total * 2) / 2, 0.5 * len(items)), MAX_HOURS * len(items))
    order = sorted(range(len(items)), key=lambda i: -weights[i])
    for turn in range(4 * len(items)):
        diff = target - sum(result)
        i = order[turn % len(order)]
        if abs(diff) < 0.5:
            break
        if (diff > 0 and result[i] < MAX_HOURS) or (diff < 0 and result[i] > 0.5):
            result[i] += 0.5 if diff > 0 else -0.5
    return result


def _split_points(n: int, k: int, max_size: int, breaks: Sequence[bool]) -> list[int]:
    """Cut ``n`` items into ``k`` chunks of at most ``max_size``, near-even, preferring cuts
    where ``breaks[i]`` (item ``i`` starts a new section). Returns the chunk starts."""
    starts = [0]
    for j in range(1, k):
        prev, left = starts[-1], k - j
        lo, hi = max(prev + 1, n - left * max_size), min(prev + max_size, n - left)
        ideal = min(max(round(j * n / k), lo), hi)
        reach = min(2, n // (3 * k))
        near = [ideal + d for d in (0, -1, 1, -2, 2) if abs(d) <= reach and lo <= ideal + d <= hi]
        starts.append(next((c for c in near if breaks[c]), ideal))
    return starts


def chunks(pairs: list[Planned], k: int, max_size: int) -> list[list[Planned]]:
    """``pairs`` in ``k`` runs of at most ``max_size``, cut at section boundaries if possible."""
    sections = [item.section for item, _ in pairs]
    breaks = [i == 0 or sections[i] != sections[i - 1] for i in range(len(pairs))]
    starts = _split_points(len(pairs), k, max_size, breaks)
    return [pairs[a:b] for a, b in zip(starts, [*starts[1:], len(pairs)], strict=True)]
