"""The curriculum agent's offline answer: a roadmap of stages, modules and concepts.

The concepts come from the topic's outline (:mod:`learnpath.offline.plan`); this module names
and describes them, gives them ids and prerequisites, and groups them into modules and stages.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

from learnpath.agents.inputs import CurriculumInput
from learnpath.domain.request import LearnerRequest, LearningStyle
from learnpath.domain.roadmap import Concept, FrameworkDraft, Module, Stage, definitions_only
from learnpath.offline.knowledge import Topic, knowledge
from learnpath.offline.plan import (
    MAX_CONCEPTS,
    MAX_MODULES,
    MAX_PER_MODULE,
    Item,
    Planned,
    chunks,
    hours,
    plan,
)
from learnpath.offline.text import (
    OFFLINE_TAG,
    article,
    cap,
    keywords,
    lower_first,
    truncate,
    unique,
)
from learnpath.offline.topics import find_topic

STYLE_HINTS = {
    LearningStyle.hands_on: "Learn it by doing: every step ends with a small exercise.",
    LearningStyle.video: "A short video walkthrough pairs well with this concept.",
    LearningStyle.visual: "Sketch a diagram of how the pieces fit together.",
    LearningStyle.audio: "Review it aloud or with an audio recap.",
    LearningStyle.text: "Read the reference material closely and take notes.",
}


def dump_framework(draft: FrameworkDraft) -> dict[str, Any]:
    """A framework as the curriculum/editor agents return it: definitions, no status fields."""
    return definitions_only(draft.model_dump(mode="json"))


def _describe(item: Item, topic: Topic, style: LearningStyle | None, rng: random.Random) -> str:
    phrasing = knowledge().kinds.of(topic.kind)
    if item.project:
        text = (
            "A hands-on project that combines the concepts before it: keep the scope small, "
            "finish it, then review what you would do differently."
        )
    elif item.base is not None:
        text = phrasing.variants[item.pattern].description.format(b=lower_first(item.base))
    else:
        template = rng.choice(phrasing.descriptions)
        text = template.format(N=item.name, n=lower_first(item.name), L=topic.label)
    return f"{text} {STYLE_HINTS[style]}" if style else text


def _concepts(
    items: list[Item],
    topic: Topic,
    request: LearnerRequest,
    total_hours: float,
    rng: random.Random,
    used: set[str],
) -> list[Concept]:
    """The planned items as concepts: ids, hours, descriptions, prerequisites, keywords."""
    spent = hours(items, max(total_hours, 0.5 * len(items)))
    styles = request.learning_styles
    ids = [unique(item.name, used, "concept") for item in items]
    first_id = {item.name: ids[i] for i, item in reversed(list(enumerate(items)))}
    concepts: list[Concept] = []
    for i, item in enumerate(items):
        prerequisites = [ids[i - 1]] if i else []
        if item.base and first_id[item.base] not in prerequisites:
            prerequisites.append(first_id[item.base])
        style = styles[i % len(styles)] if styles else None
        concepts.append(
            Concept(
                concept_id=ids[i],
                name=item.name,
                description=_describe(item, topic, style, rng),
                estimated_hours=spent[i],
                difficulty=item.difficulty,
                prerequisites=prerequisites,
                keywords=keywords(item.base or item.name, topic.label),
            )
        )
    return concepts


def _numbered(name: str, taken: dict[str, int]) -> str:
    """``name``, then "name, part 2", "name, part 3"… when it is used again."""
    taken[name] = taken.get(name, 0) + 1
    return name if taken[name] == 1 else f"{name}, part {taken[name]}"


def _stage_name(topic: Topic, chunk: list[Planned], taken: dict[str, int]) -> str:
    """The topic's stage name for where the chunk sits in the whole outline."""
    rank = sum(item.rank for item, _ in chunk) / len(chunk)
    names = knowledge().kinds.of(topic.kind).stage_names
    name = cap(names[min(len(names) - 1, int(rank * len(names)))].format(L=topic.label))
    return _numbered(name, taken)


def _module_name(chunk: list[Planned], taken: dict[str, int]) -> str:
    """The section most of the chunk comes from."""
    counts: dict[str, int] = {}
    for item, _ in chunk:
        counts[item.section] = counts.get(item.section, 0) + 1
    return _numbered(max(counts, key=lambda s: counts[s]), taken)


def _modules(pairs: list[Planned], used: set[str], taken: dict[str, int]) -> list[Module]:
    """A stage's concepts in 1–4 modules of at most 8, cut at section boundaries if possible."""
    sections = len(dict.fromkeys(item.section for item, _ in pairs))
    size = len(pairs)
    count = max(math.ceil(size / MAX_PER_MODULE), min(sections, math.ceil(size / 3)))
    modules = []
    for chunk in chunks(pairs, min(count, MAX_MODULES, size), MAX_PER_MODULE):
        names = [lower_first(c.name) for item, c in chunk if item.base is None]
        more = " and more" if len(names) > 3 else ""
        name = _module_name(chunk, taken)
        modules.append(
            Module(
                module_id=unique(name, used, "module"),
                name=name,
                description=cap(f"{', '.join(names[:3])}{more}."),
                concepts=[c for _, c in chunk],
            )
        )
    return modules


def _stages(topic: Topic, pairs: list[Planned], n: int, used: set[str]) -> list[Stage]:
    """2–5 stages (more for a bigger target ``n``), named for where they sit in the outline."""
    stage_count = 2 if n <= 5 else 3 if n <= 12 else 4 if n <= 30 else 5
    stage_taken: dict[str, int] = {}
    module_taken: dict[str, int] = {}
    stages: list[Stage] = []
    for stage_pairs in chunks(pairs, stage_count, MAX_PER_MODULE * MAX_MODULES):
        stage_name = _stage_name(topic, stage_pairs, stage_taken)
        stage_id = unique(stage_name, used, "stage")
        modules = _modules(stage_pairs, used, module_taken)
        listed = ", ".join(m.name for m in modules)
        stages.append(
            Stage(
                stage_id=stage_id,
                name=stage_name,
                description=f"{stage_name}: {listed}.",
                modules=modules,
            )
        )
    return stages


def _summary(request: LearnerRequest, items: Sequence[Item], total: float, stages: int) -> str:
    first, last = items[0].section, items[-1].section
    goal = truncate(" ".join(request.goal.split()), 300)
    summary = (
        f"A path of {request.effective_weeks} weeks and about {total:g} hours for "
        f"{article(request.current_level.value)} learner. Goal: “{goal}”. It goes from "
        f"{lower_first(first)} to {lower_first(last)} in {stages} stages and "
        f"{len(items)} concepts."
    )
    if request.language.lower().split("-")[0] != "en":
        summary += " Offline content is written in English."
    return f"{summary} {OFFLINE_TAG}"


def curriculum(payload: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    data = CurriculumInput.model_validate(payload)
    request = data.request
    topic = find_topic(request.goal)
    n = min(max(3, data.target_concepts), MAX_CONCEPTS)
    items = plan(topic, n, request.current_level, data.total_hours)
    used: set[str] = set()
    concepts = _concepts(items, topic, request, data.total_hours, rng, used)
    stages = _stages(topic, list(zip(items, concepts, strict=True)), n, used)
    total = sum(c.estimated_hours for c in concepts)
    draft = FrameworkDraft(
        title=f"{cap(topic.label)}: {request.effective_weeks}-week learning roadmap",
        summary=_summary(request, items, total, len(stages)),
        stages=stages,
    )
    return dump_framework(draft)
