"""What the offline provider answers: deterministic, plausible, schema-valid agent output.

Every answer is built from the agent's structured input (its JSON payload) and the knowledge
base in :mod:`learnpath.llm.offline_topics`, so a learner asking for Rust gets Rust. The same
payload always gives the same answer: randomness comes from a generator seeded with a hash of
the payload, never from global state. Everything produced says, somewhere a reader sees it,
that it was generated offline.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from learnpath.agents.inputs import ContentInput, CurriculumInput, EditorInput, IntentInput
from learnpath.domain.content import QuestionKind, Quiz, Resource, ResourceList, Tutorial
from learnpath.domain.intent import IntentAnalysis, TimeBudget
from learnpath.domain.request import LearnerRequest, LearningStyle, Level
from learnpath.domain.roadmap import (
    STATUS_FIELDS,
    Concept,
    Difficulty,
    FrameworkDraft,
    Module,
    Stage,
)
from learnpath.llm.offline_research import picked_resources
from learnpath.llm.offline_topics import (
    HUMAN_LANGUAGES,
    ResourceKind,
    ResourceSeed,
    Topic,
    find_topic,
    key_phrase,
    other_topic,
)

OFFLINE_TAG = "(generated offline)"
OFFLINE_NOTE = "Generated offline by learnpath's built-in provider"

LEVEL_SKIP = {Level.beginner: 0.0, Level.intermediate: 0.2, Level.advanced: 0.4}
WEIGHTS: dict[Difficulty, float] = {"easy": 1.0, "medium": 1.3, "hard": 1.6}
MAX_CONCEPTS = 150
MAX_HOURS = 200.0
MAX_PER_MODULE = 8
MAX_MODULES = 4
_REVIEW = ("Review and recall: {x}", "Spaced review of {b}: quick recall questions, one new task.")
_PRACTICE = (
    (
        "Practice routine: {x}",
        "A repeatable practice routine for {b}, with a goal for each session.",
    ),
    ("Deep dive: {x}", "A closer look at {b}: the details experienced people pay attention to."),
    ("Troubleshooting: {x}", "What goes wrong with {b}, how to notice it and how to fix it."),
    ("Case study: {x}", "How {b} plays out in a real situation, step by step."),
    _REVIEW,
)
VARIANTS: dict[str, tuple[tuple[str, str], ...]] = {
    "technical": (
        ("Hands-on practice: {x}", "Exercises that consolidate {b}, with feedback on each one."),
        ("Deep dive: {x}", "A closer look at {b}: edge cases, how it works and idiomatic use."),
        ("Pitfalls and debugging: {x}", "The mistakes people make with {b}, and how to fix them."),
        ("Case study: {x}", "How {b} is used in a real-world code base, read and explained."),
        _REVIEW,
    ),
    "language": (
        ("Conversation practice: {x}", "Short role-plays that use {b} in real conversations."),
        ("Listening and reading: {x}", "Graded audio and short texts full of {b}."),
        ("Writing: {x}", "Short writing tasks that practise {b}, with corrections."),
        ("Vocabulary builder: {x}", "The words and phrases that go with {b}, as flashcards."),
        _REVIEW,
    ),
    "skill": _PRACTICE,
    "generic": _PRACTICE,
}
"""Deeper variants (name, description) that fill roadmaps bigger than a topic's outline."""
DESCRIPTIONS = {
    "technical": (
        "{N} in {L}: what it is, when to use it and how it looks in working code.",
        "Understand {n} and practise it with small {L} examples until it feels natural.",
        "How {n} works in {L}, why it matters and the mistakes people make with it.",
    ),
    "language": (
        "Learn {n} and use it in short spoken and written {L} sentences.",
        "{N}: the patterns, the key vocabulary and plenty of listening and speaking practice.",
    ),
    "skill": (
        "Build up {n} step by step with short, focused {L} practice sessions.",
        "{N}: what to practise, how to practise it and how to tell you are improving.",
    ),
    "generic": (
        "{N}: the key ideas, a worked example and a short practice task.",
        "Explore {n} with concrete examples and a small exercise to check your understanding.",
    ),
}
STYLE_HINTS = {
    LearningStyle.hands_on: "Learn it by doing: every step ends with a small exercise.",
    LearningStyle.video: "A short video walkthrough pairs well with this concept.",
    LearningStyle.visual: "Sketch a diagram of how the pieces fit together.",
    LearningStyle.audio: "Review it aloud or with an audio recap.",
    LearningStyle.text: "Read the reference material closely and take notes.",
}
_STOPWORDS = (
    "a an and the of in on for to with from by your you how what why when is it its as at "
    "into vs or our their using use first basics part them this that"
)
_PROPER = (
    "Rust Python Go SQL HTML CSS React Docker Kubernetes Linux Bash Git Spanish JavaScript "
    "TypeScript Node.js Cargo Tokio Serde Vite Helm PostgreSQL SQLite NumPy JSON HTTP REST "
    "DOM ES Express Grafana Prometheus Terraform Kustomize RBAC ROC FFI Box Rc RefCell Deref "
    "Send Option Result Web Travis"
)
STOPWORDS = frozenset(_STOPWORDS.split())
PROPER_WORDS = frozenset(_PROPER.split()) | frozenset(HUMAN_LANGUAGES)


# --------------------------------------------------------------------------- entry point


def offline_output(agent: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The offline answer of ``agent`` to ``payload`` (the agent's input as JSON)."""
    handler = _HANDLERS.get(agent)
    if handler is None:
        raise ValueError(f"the offline provider has no agent named {agent!r}")
    raw = json.dumps([agent, payload], sort_keys=True, ensure_ascii=False, default=str)
    rng = random.Random(int(hashlib.sha256(raw.encode()).hexdigest()[:16], 16))
    return handler(payload, rng)


# --------------------------------------------------------------------------- small helpers


def slugify(text: str, fallback: str = "item") -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > 50:
        cut = slug[:51]
        slug = cut[: cut.rindex("-")] if "-" in cut[20:] else slug[:50]
    return slug.strip("-") or fallback


def _unique(text: str, used: set[str], fallback: str) -> str:
    base = slugify(text, fallback)
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    used.add(candidate)
    return candidate


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(name: str) -> str:
    """Lower-case a title's first letter for use mid-sentence, unless it is a proper name."""
    first = name.split(" ", 1)[0].rstrip(":,")
    if first in PROPER_WORDS or any(ch.isupper() for ch in first[1:]) or first == "I":
        return name
    return name[:1].lower() + name[1:]


def _keywords(name: str, label: str) -> list[str]:
    words = re.findall(r"[A-Za-z][A-Za-z0-9+#./'-]*", name)
    picked = [w.lower().strip(".'-/") for w in words]
    picked = [w for w in picked if len(w) > 2 and w not in STOPWORDS]
    return list(dict.fromkeys([*picked[:4], label.lower()]))


def _article(word: str) -> str:
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _dump(draft: FrameworkDraft) -> dict[str, Any]:
    """A framework as the curriculum/editor agents return it: definitions, no status fields."""
    data = draft.model_dump(mode="json")
    for stage in data["stages"]:
        for module in stage["modules"]:
            for concept in module["concepts"]:
                for name in STATUS_FIELDS:
                    concept.pop(name, None)
    return data


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


Planned = tuple["_Item", Concept]


def _chunks(pairs: list[Planned], k: int, max_size: int) -> list[list[Planned]]:
    sections = [item.section for item, _ in pairs]
    breaks = [i == 0 or sections[i] != sections[i - 1] for i in range(len(pairs))]
    starts = _split_points(len(pairs), k, max_size, breaks)
    return [pairs[a:b] for a, b in zip(starts, [*starts[1:], len(pairs)], strict=True)]


# --------------------------------------------------------------------------- intent


def _remaining_sections(topic: Topic, level: Level) -> list[tuple[str, list[str]]]:
    """The outline a learner at ``level`` still needs: advanced learners skip the basics."""
    flat = topic.flat()
    skip = min(int(len(flat) * LEVEL_SKIP[level]), len(flat) - 3)
    sections: dict[str, list[str]] = {}
    for section, concept in flat[skip:]:
        sections.setdefault(section, []).append(concept)
    return list(sections.items())


def _assessment(topic: Topic, request: LearnerRequest, total: float) -> str:
    needed = topic.typical_hours * (1 - LEVEL_SKIP[request.current_level])
    ratio = total / needed
    fit = (
        "enough to work through the whole path at a comfortable pace"
        if ratio >= 1
        else "enough for the essentials; the roadmap concentrates on the most important concepts"
        if ratio >= 0.5
        else "tight: expect a condensed roadmap and consider more weeks or hours to go deeper"
    )
    return (
        f"{request.hours_per_week:g} h/week for {request.effective_weeks} weeks gives about "
        f"{total:g} hours against roughly {needed:.0f} hours for a thorough path: {fit}. "
        "(offline estimate)"
    )


def _intent(payload: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    request = IntentInput.model_validate(payload).request
    topic = find_topic(request.goal)
    weeks = request.effective_weeks
    total = round(request.hours_per_week * weeks, 1)
    sections = _remaining_sections(topic, request.current_level)
    path = [f"{name}: {', '.join(_lower_first(c) for c in cs[:3])}" for name, cs in sections]
    if topic.projects:
        path.append(topic.projects[0])
    goal = _cap(" ".join(request.goal.split()).rstrip(" .!"))
    analysis = {
        "normalized_goal": _truncate(
            f"{goal} ({request.current_level.value}, {request.hours_per_week:g} h/week "
            f"for {weeks} weeks)",
            500,
        ),
        "key_topics": [name for name, _ in sections][:8] or [topic.label],
        "technologies": list(topic.technologies)[:20],
        "difficulty": request.current_level.value,
        "time_budget": TimeBudget(
            hours_per_week=request.hours_per_week,
            weeks=weeks,
            total_hours=total,
            assessment=_assessment(topic, request, total),
        ),
        "skill_gaps": [cs[0] for _, cs in sections][:6],
        "suggested_path": path[:12],
    }
    return IntentAnalysis.model_validate(analysis).model_dump(mode="json")


# --------------------------------------------------------------------------- curriculum


@dataclass
class _Item:
    """One planned concept before it gets an id, hours and prerequisites."""

    name: str
    section: str
    rank: float
    """Position in the whole topic outline, 0 (first concept) to 1 (last)."""
    difficulty: Difficulty = "easy"
    base: str | None = None
    pattern: int = -1
    """Index into the topic kind's VARIANTS for a variant; -1 otherwise."""
    project: bool = False


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


def _plan(topic: Topic, n: int, level: Level, total_hours: float) -> list[_Item]:
    """The ordered concepts of a roadmap of ``n``: as far through the outline as the time
    budget reaches, condensed to fit, or deepened with variants when the outline is short."""
    flat = topic.flat()
    skip = min(int(len(flat) * LEVEL_SKIP[level]), len(flat) - 3)
    pool = [
        _Item(name, section, i / max(1, len(flat) - 1))
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
        items = _deepen(VARIANTS[topic.kind], pool, core - len(pool))
    items = _with_projects(items, topic.projects[:n_projects])
    for i, item in enumerate(items):
        item.difficulty = _difficulty(i / max(1, len(items) - 1), level)
    return items


def _condense(pool: list[_Item], n: int) -> list[_Item]:
    """``n`` items: each section keeps its share, and its first (most essential) concepts."""
    sections: dict[str, list[_Item]] = {}
    for item in pool:
        sections.setdefault(item.section, []).append(item)
    shares = {name: n * len(items) / len(pool) for name, items in sections.items()}
    quota = {name: int(share) for name, share in shares.items()}
    by_remainder = sorted(shares, key=lambda name: quota[name] - shares[name])
    for name in by_remainder[: n - sum(quota.values())]:
        quota[name] += 1
    return [item for name, items in sections.items() for item in items[: quota[name]]]


def _deepen(patterns: tuple[tuple[str, str], ...], pool: list[_Item], extra: int) -> list[_Item]:
    """The whole pool plus ``extra`` deeper variants, each right after the concept it deepens."""
    variants: dict[int, list[_Item]] = {}
    for round_ in range(math.ceil(extra / len(pool))):
        p = round_ % len(patterns)
        part = f", part {round_ // len(patterns) + 1}" if round_ >= len(patterns) else ""
        for i in _spread(len(pool), min(extra - round_ * len(pool), len(pool))):
            base = pool[i]
            name = patterns[p][0].format(x=base.name) + part
            variants.setdefault(i, []).append(
                _Item(name, base.section, base.rank, base=base.name, pattern=p)
            )
    return [x for i, item in enumerate(pool) for x in (item, *variants.get(i, []))]


def _with_projects(items: list[_Item], projects: Sequence[str]) -> list[_Item]:
    """Projects spread through the roadmap, the last one at the very end."""
    after = {len(items) * (k + 1) // len(projects) - 1: k for k in range(len(projects))}
    result: list[_Item] = []
    for i, item in enumerate(items):
        result.append(item)
        if i in after:
            result.append(_Item(projects[after[i]], item.section, item.rank, project=True))
    return result


def _hours(items: list[_Item], total: float) -> list[float]:
    """Hours per item in half-hour steps, weighted by difficulty, adding up to ``total``."""
    weights = [WEIGHTS[i.difficulty] * (1.5 if i.project else 1.0) for i in items]
    scale = total / sum(weights)
    hours = [min(MAX_HOURS, max(0.5, round(w * scale * 2) / 2)) for w in weights]
    target = min(max(round(total * 2) / 2, 0.5 * len(items)), MAX_HOURS * len(items))
    order = sorted(range(len(items)), key=lambda i: -weights[i])
    for turn in range(4 * len(items)):
        diff = target - sum(hours)
        i = order[turn % len(order)]
        if abs(diff) < 0.5:
            break
        if (diff > 0 and hours[i] < MAX_HOURS) or (diff < 0 and hours[i] > 0.5):
            hours[i] += 0.5 if diff > 0 else -0.5
    return hours


def _describe(item: _Item, topic: Topic, style: LearningStyle | None, rng: random.Random) -> str:
    if item.project:
        text = (
            "A hands-on project that combines the concepts before it: keep the scope small, "
            "finish it, then review what you would do differently."
        )
    elif item.base is not None:
        text = VARIANTS[topic.kind][item.pattern][1].format(b=_lower_first(item.base))
    else:
        template = rng.choice(DESCRIPTIONS[topic.kind])
        text = template.format(N=item.name, n=_lower_first(item.name), L=topic.label)
    return f"{text} {STYLE_HINTS[style]}" if style else text


def _numbered(name: str, taken: dict[str, int]) -> str:
    """``name``, then "name, part 2", "name, part 3"… when it is used again."""
    taken[name] = taken.get(name, 0) + 1
    return name if taken[name] == 1 else f"{name}, part {taken[name]}"


def _stage_name(topic: Topic, chunk: list[Planned], taken: dict[str, int]) -> str:
    """The topic's stage name for where the chunk sits in the whole outline."""
    rank = sum(item.rank for item, _ in chunk) / len(chunk)
    names = topic.stage_names
    name = _cap(names[min(len(names) - 1, int(rank * len(names)))].format(L=topic.label))
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
    for chunk in _chunks(pairs, min(count, MAX_MODULES, size), MAX_PER_MODULE):
        names = [_lower_first(c.name) for item, c in chunk if item.base is None]
        more = " and more" if len(names) > 3 else ""
        name = _module_name(chunk, taken)
        modules.append(
            Module(
                module_id=_unique(name, used, "module"),
                name=name,
                description=_cap(f"{', '.join(names[:3])}{more}."),
                concepts=[c for _, c in chunk],
            )
        )
    return modules


def _curriculum(payload: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    data = CurriculumInput.model_validate(payload)
    request = data.request
    topic = find_topic(request.goal)
    n = min(max(3, data.target_concepts), MAX_CONCEPTS)
    items = _plan(topic, n, request.current_level, data.total_hours)
    hours = _hours(items, max(data.total_hours, 0.5 * len(items)))
    styles = request.learning_styles

    used: set[str] = set()
    ids = [_unique(item.name, used, "concept") for item in items]
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
                estimated_hours=hours[i],
                difficulty=item.difficulty,
                prerequisites=prerequisites,
                keywords=_keywords(item.base or item.name, topic.label),
            )
        )
    pairs = list(zip(items, concepts, strict=True))

    stage_count = 2 if n <= 5 else 3 if n <= 12 else 4 if n <= 30 else 5
    stage_taken: dict[str, int] = {}
    module_taken: dict[str, int] = {}
    stages: list[Stage] = []
    for stage_pairs in _chunks(pairs, stage_count, MAX_PER_MODULE * MAX_MODULES):
        stage_name = _stage_name(topic, stage_pairs, stage_taken)
        stage_id = _unique(stage_name, used, "stage")
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
    weeks = request.effective_weeks
    total = sum(hours)
    first, last = items[0].section, items[-1].section
    title = f"{_cap(topic.label)}: {weeks}-week learning roadmap"
    goal = _truncate(" ".join(request.goal.split()), 300)
    summary = (
        f"A path of {weeks} weeks and about {total:g} hours for "
        f"{_article(request.current_level.value)} learner. Goal: “{goal}”. It goes from "
        f"{_lower_first(first)} to {_lower_first(last)} in {len(stages)} stages and "
        f"{len(items)} concepts."
    )
    if request.language.lower().split("-")[0] != "en":
        summary += " Offline content is written in English."
    draft = FrameworkDraft(title=title, summary=f"{summary} {OFFLINE_TAG}", stages=stages)
    return _dump(draft)


# --------------------------------------------------------------------------- editor

_CLAUSES = re.compile(
    r"[\n;]+|(?<=[.!?])\s+|,?\s+(?:and|then|also)\s+(?=(?:please\s+)?(?:add|include|remove|"
    r"drop|delete|rename)\b)",
    re.IGNORECASE,
)
_RENAME = re.compile(r"\brename\s+(?P<old>.+?)\s+(?:to|as|into)\s+(?P<new>.+)", re.IGNORECASE)
_REMOVE = re.compile(r"\b(?:remove|drop|delete)\s+(?P<rest>.+)", re.IGNORECASE)
_ADD = re.compile(r"\b(?:add|include)\s+(?P<rest>.+)", re.IGNORECASE)
_LEAD = re.compile(
    r"^(?:(?:a|an|one|another|some|more|the|all|any)\s+)?(?:(?:new|separate|short|extra)\s+)?"
    r"(?:(?:concept|module|section|topic|lesson|chapter|part|unit)s?\s+)?"
    r"(?:(?:about|on|for|covering|explaining|regarding|called|named|with)\s+)?",
    re.IGNORECASE,
)
_TAIL = re.compile(
    r"\s+(?:concepts?|modules?|sections?|topics?|lessons?|parts?|please)$", re.IGNORECASE
)


def _clean(text: str) -> str:
    return text.strip().strip(" .!?\"'“”‘’`").strip()


def _subject(text: str) -> str:
    """What a request is about: "a concept about lifetimes." → "lifetimes"."""
    return _clean(_TAIL.sub("", _clean(_LEAD.sub("", text.strip(), count=1))))


def _normalise_ids(draft: FrameworkDraft) -> set[str]:
    """URL-safe ids, unique across the roadmap; prerequisites follow renamed concepts."""
    used: set[str] = set()
    renamed: dict[str, str] = {}
    for stage in draft.stages:
        stage.stage_id = _unique(stage.stage_id or stage.name, used, "stage")
        for module in stage.modules:
            module.module_id = _unique(module.module_id or module.name, used, "module")
            for concept in module.concepts:
                new_id = _unique(concept.concept_id or concept.name, used, "concept")
                renamed.setdefault(concept.concept_id, new_id)
                concept.concept_id = new_id
    for concept in draft.concepts():
        concept.prerequisites = [renamed.get(p, p) for p in concept.prerequisites]
    return used


def _rename(draft: FrameworkDraft, old: str, new: str) -> int:
    pattern = re.compile(re.escape(old), re.IGNORECASE)
    count = 0
    items: list[Stage | Module | Concept] = [*draft.stages]
    items += [m for s in draft.stages for m in s.modules]
    items += list(draft.concepts())
    for item in items:
        if pattern.search(item.name):
            item.name = _truncate(pattern.sub(new, item.name), 200)
            count += 1
    return count


def _remove(draft: FrameworkDraft, target: str) -> str | None:
    needle = target.lower()
    all_concepts = list(draft.concepts())
    doomed = {c.concept_id for c in all_concepts if needle in c.name.lower()}
    if not doomed:
        doomed = {
            c.concept_id
            for s in draft.stages
            for m in s.modules
            if needle in m.name.lower()
            for c in m.concepts
        }
    if not doomed:
        return None
    if len(doomed) == len(all_concepts):
        return f"kept “{target}” (removing it would leave the roadmap empty)"
    for stage in draft.stages:
        for module in stage.modules:
            module.concepts = [c for c in module.concepts if c.concept_id not in doomed]
    plural = "s" if len(doomed) > 1 else ""
    return f"removed {len(doomed)} concept{plural} matching “{target}”"


def _add(draft: FrameworkDraft, name: str, used: set[str], label: str) -> str | None:
    concepts = list(draft.concepts())
    if len(concepts) >= MAX_CONCEPTS:
        return None
    hours = sorted(c.estimated_hours for c in concepts) or [1.0]
    concept = Concept(
        concept_id=_unique(name, used, "concept"),
        name=_truncate(_cap(name), 200),
        description=f"{_cap(name)}, added at a reviewer's request. {OFFLINE_TAG}",
        estimated_hours=max(0.5, round(hours[len(hours) // 2] * 2) / 2),
        difficulty=concepts[-1].difficulty if concepts else "medium",
        keywords=_keywords(name, label),
    )
    if not draft.stages:
        draft.stages.append(
            Stage(stage_id=_unique("review", used, "stage"), name="Review", modules=[])
        )
    stage = draft.stages[-1]
    if not stage.modules or len(stage.modules[-1].concepts) >= MAX_PER_MODULE:
        module_id = _unique("additional-topics", used, "module")
        stage.modules.append(Module(module_id=module_id, name="Additional topics", concepts=[]))
    stage.modules[-1].concepts.append(concept)
    return f"added “{concept.name}”"


def _apply_feedback(draft: FrameworkDraft, feedback: str, used: set[str], label: str) -> list[str]:
    """Apply the recognisable requests; the notes say what changed and what was not understood."""
    notes: list[str] = []
    unrecognised: list[str] = []
    for clause in filter(None, (c.strip() for c in _CLAUSES.split(feedback))):
        note: str | None = None
        if match := _RENAME.search(clause):
            old, new = _clean(match["old"]), _clean(match["new"])
            if old and new and (count := _rename(draft, old, new)):
                note = f"renamed “{old}” to “{new}” in {count} place{'s' * (count > 1)}"
        elif match := _REMOVE.search(clause):
            target = _subject(match["rest"])
            note = _remove(draft, target) if target else None
        elif (match := _ADD.search(clause)) and (subject := _subject(match["rest"])):
            note = _add(draft, subject, used, label)
        if note:
            notes.append(note)
        else:
            unrecognised.append(clause)
    if not notes:
        return [" ".join(feedback.split())]
    return notes + unrecognised


def _repair(draft: FrameworkDraft, request: LearnerRequest, used: set[str]) -> None:
    """Valid by construction: hours ≥ 0.5, no empty module or stage, prerequisites backwards."""
    for stage in draft.stages:
        for module in stage.modules:
            for concept in module.concepts:
                concept.estimated_hours = min(MAX_HOURS, max(0.5, concept.estimated_hours))
        stage.modules = [m for m in stage.modules if m.concepts]
    draft.stages = [s for s in draft.stages if s.modules]
    if not draft.stages:
        phrase = key_phrase(request.goal)
        concept = Concept(
            concept_id=_unique(f"foundations of {phrase}", used, "concept"),
            name=_truncate(f"Foundations of {phrase}", 200),
            estimated_hours=1.0,
            difficulty="easy",
        )
        module = Module(
            module_id=_unique("basics", used, "module"), name="Basics", concepts=[concept]
        )
        stage_name = _truncate(f"Getting started with {phrase}", 200)
        draft.stages = [
            Stage(stage_id=_unique(stage_name, used, "stage"), name=stage_name, modules=[module])
        ]
    position = {c.concept_id: i for i, c in enumerate(draft.concepts())}
    for concept in draft.concepts():
        here = position[concept.concept_id]
        concept.prerequisites = list(
            dict.fromkeys(p for p in concept.prerequisites if position.get(p, here) < here)
        )
        concept.keywords = list(dict.fromkeys(k.strip() for k in concept.keywords if k.strip()))


def _editor(payload: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    data = EditorInput.model_validate(payload)
    draft = data.framework.model_copy(deep=True)
    used = _normalise_ids(draft)
    feedback = (data.feedback or "").strip()
    label = find_topic(data.request.goal).label
    notes = _apply_feedback(draft, feedback, used, label) if feedback else []
    _repair(draft, data.request, used)
    if notes:
        revision = "; ".join(notes).rstrip(" .")
        summary = f"{draft.summary.strip()} Revised after review: {revision}.".strip()
        if "offline" not in summary.lower():
            summary += " (edited offline)"
        draft.summary = _truncate(summary, 4000)
    return _dump(draft)


# --------------------------------------------------------------------------- content


@dataclass(frozen=True)
class _Context:
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
        return ideas[:4] or _keywords(self.name, label)[:3]

    def kb_index(self) -> int | None:
        """Where the concept (or the concept a variant deepens) sits in the topic outline."""
        flat = [c.lower() for _, c in self.topic.flat()]
        name = self.name.lower()
        if name in flat:
            return flat.index(name)
        inside = [i for i, c in enumerate(flat) if c in name]
        return max(inside, key=lambda i: len(flat[i])) if inside else None


def _content(payload: dict[str, Any], rng: random.Random) -> _Context:
    data = ContentInput.model_validate(payload)
    return _Context(data, find_topic(data.request.goal), rng)


def _snippet(ctx: _Context) -> tuple[str, str] | None:
    """The code for a technical concept: one matching its name, the goal, or the default."""
    name, goal = ctx.name.lower(), ctx.data.request.goal.lower()
    snippets = ctx.topic.snippets
    chosen = (
        next((s for s in snippets if any(w in name for w in s.match)), None)
        or next((s for s in snippets if s.in_goal and any(w in goal for w in s.match)), None)
        or next((s for s in snippets if not s.match), None)
    )
    return None if chosen is None else (chosen.lang, chosen.code.replace("{name}", ctx.name))


def _worked_example(ctx: _Context) -> list[str]:
    if (snippet := _snippet(ctx)) is not None:
        lang, code = snippet
        ideas = ", ".join(ctx.key_ideas())
        return [
            f"A small, complete example to run and modify while you study "
            f"{_lower_first(ctx.name)}:",
            "",
            f"```{lang}",
            code,
            "```",
            "",
            f"What to notice: how the example touches {ideas}. Change one thing at a time and "
            "predict the result before you run it again.",
        ]
    if ctx.topic.examples:
        rows = [f"| {a} | {b} |" for a, b in ctx.topic.examples]
        return [
            f"Read these sentences aloud, then write three of your own that use "
            f"{_lower_first(ctx.name)}:",
            "",
            f"| {ctx.topic.label} | English |",
            "|---|---|",
            *rows,
        ]
    focus = _lower_first(ctx.name)
    return [
        "A 30-minute session you can repeat:",
        "",
        "| Minutes | Activity |",
        "|---|---|",
        "| 5 | Warm up with something you already know well |",
        f"| 10 | {_cap(focus)}: slow, careful repetitions |",
        "| 10 | Apply it in a real piece of work or a short scenario |",
        "| 5 | Note one thing that went well and one thing to improve |",
    ]


def _practice(ctx: _Context) -> list[str]:
    focus = _lower_first(ctx.name)
    styles = ctx.data.request.learning_styles or [LearningStyle.hands_on, LearningStyle.text]
    steps = {
        LearningStyle.hands_on: f"Build a tiny exercise around {focus} and finish it in one go.",
        LearningStyle.video: f"Watch a short walkthrough of {focus} and pause to try each step.",
        LearningStyle.visual: f"Draw a diagram or mind map that connects {focus} to what you "
        "already know.",
        LearningStyle.audio: f"Explain {focus} aloud in two minutes, as if teaching a friend.",
        LearningStyle.text: f"Write a half-page summary of {focus} in your own words.",
    }
    lines = [f"{i}. {steps[s]}" for i, s in enumerate(styles, start=1)]
    lines.append(f"{len(lines) + 1}. Take the quiz for this concept and revisit what you missed.")
    return lines


def _tutorial(payload: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    ctx = _content(payload, rng)
    data, concept = ctx.data, ctx.concept
    ideas = ctx.key_ideas()
    idea_lines = (
        "be able to explain it in one sentence and point to it in an example",
        "know when to reach for it, and when something simpler will do",
        "try it yourself, then change it on purpose and see what happens",
        "connect it to what you learnt before and to what comes next",
    )
    prereqs = data.prerequisite_names
    before = (
        [f"- {p}" for p in prereqs]
        if prereqs
        else ["- Nothing specific: this is a good place to start."]
    )
    description = concept.description or f"{ctx.name} in {ctx.topic.label}."
    lines = [
        f"# {ctx.name}",
        "",
        f"> *{OFFLINE_NOTE}: a structured study guide built from your roadmap, not written by "
        "a language model. Use the recommended resources for depth.*",
        "",
        f"**Roadmap:** {data.roadmap_title} · **Stage:** {data.stage_name} · "
        f"**Module:** {data.module_name} · **Difficulty:** {concept.difficulty} · "
        f"**Time:** about {concept.estimated_hours:g} h",
        "",
        "## Why it matters",
        "",
        description,
        "",
        "## Before you start",
        "",
        *before,
        "",
        "## Key ideas",
        "",
        *[f"- **{k}**: {idea_lines[i % len(idea_lines)]}." for i, k in enumerate(ideas)],
        "",
        "## Worked example",
        "",
        *_worked_example(ctx),
        "",
        "## Practice",
        "",
        *_practice(ctx),
        "",
        "## Recap",
        "",
        f"- {_truncate(description.split('. ')[0].rstrip('.'), 200)}.",
        f"- Key ideas: {', '.join(ideas)}.",
        "- Practise it until you can use it without looking it up, then move on.",
    ]
    lead = "" if description.lower().startswith(ctx.name.lower()) else f"{ctx.name}: "
    summary = _truncate(f"{lead}{description}", 300 - len(OFFLINE_TAG) - 1)
    tutorial = Tutorial(
        markdown="\n".join(lines) + "\n",
        summary=f"{summary} {OFFLINE_TAG}",
        estimated_minutes=min(600, max(10, round(concept.estimated_hours * 60))),
    )
    return tutorial.model_dump(mode="json")


def _seeded(seed: ResourceSeed, query: str, title: str | None = None) -> Resource:
    return Resource(
        title=_truncate(title or seed.title, 300),
        url=seed.url.replace("{q}", quote(query, safe="")),
        type=seed.type,
        description="",
        relevance=0,
    )


def _resources(payload: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    ctx = _content(payload, rng)
    picked = picked_resources(payload)
    if len(picked) >= 3:
        return ResourceList(resources=picked).model_dump(mode="json")
    styles = ctx.data.request.learning_styles
    query = ctx.query()
    ranked: list[tuple[float, Resource, str]] = []
    if ctx.topic.search is not None:
        seed = ctx.topic.search
        title = f"{seed.title}: {ctx.name}"
        ranked.append((1.0, _seeded(seed, ctx.name, title), seed.description))
    general = list(ctx.topic.resources)
    if general:
        start = rng.randrange(len(general))
        for k, seed in enumerate((general * 2)[start : start + 3]):
            boost = 0.1 if (seed.type == "exercise" and LearningStyle.hands_on in styles) else 0
            ranked.append((0.9 - 0.05 * k + boost, _seeded(seed, query), seed.description))
    web: list[tuple[str, ResourceKind, str, float]] = [
        ("https://www.youtube.com/results?search_query={q}", "video", "Video lessons", 0.6),
        ("https://duckduckgo.com/?q={q}", "article", "Web search", 0.5),
    ]
    if ctx.topic.kind == "generic":
        web += [
            ("https://en.wikipedia.org/w/index.php?search={q}", "article", "Wikipedia", 0.8),
            ("https://openlibrary.org/search?q={q}", "book", "Books on Open Library", 0.7),
            ("https://www.coursera.org/search?query={q}", "course", "Courses on Coursera", 0.65),
        ]
    for url, kind, title, priority in web:
        boost = 0.3 if kind == "video" and LearningStyle.video in styles else 0
        seed = ResourceSeed(f"{title}: {query}", url, kind, f"{title} for “{query}”.")
        ranked.append((priority + boost, _seeded(seed, query), seed.description))
    ranked.sort(key=lambda r: -r[0])
    resources: list[Resource] = []
    for _, resource, description in ranked:
        if any(r.url == resource.url for r in resources) or len(resources) == 8:
            continue
        relevance = round(max(0.3, 0.95 - 0.08 * len(resources)), 2)
        text = f"{description} Offline suggestion; the link has not been checked yet."
        resources.append(resource.model_copy(update={"description": text, "relevance": relevance}))
    return ResourceList(resources=resources).model_dump(mode="json")


# --------------------------------------------------------------------------- quiz


@dataclass
class _Question:
    kind: QuestionKind
    question: str
    correct: list[str]
    wrong: list[str]
    explanation: str
    difficulty: Difficulty


def _pick(rng: random.Random, pool: Sequence[str], k: int, avoid: Sequence[str]) -> list[str]:
    seen = {a.lower() for a in avoid}
    unique = [p for p in dict.fromkeys(pool) if p.lower() not in seen]
    return rng.sample(unique, min(k, len(unique)))


def _true_false(statement: str, truth: bool, explanation: str, level: Difficulty) -> _Question:
    return _Question(
        "true_false",
        f"True or false: {statement}",
        ["True" if truth else "False"],
        ["False" if truth else "True"],
        explanation,
        level,
    )


def _questions(ctx: _Context) -> list[_Question]:
    rng, topic, name, concept = ctx.rng, ctx.topic, ctx.name, ctx.concept
    data = ctx.data
    other = other_topic(topic, rng.randrange(100))
    other_names = [c for _, c in other.flat()]
    flat = topic.flat()
    index = ctx.kb_index()
    module = re.sub(r", part \d+$", "", data.module_name)
    ideas = ctx.key_ideas()
    questions: list[_Question] = []

    if data.prerequisite_names:
        prereq = data.prerequisite_names[-1]
        statement = f"“{name}” builds on “{prereq}”, which comes earlier in this roadmap."
        why = f"True: the roadmap lists “{prereq}” as a prerequisite of “{name}”."
    else:
        statement = f"“{name}” is taught in the module “{data.module_name}”."
        why = f"True: “{name}” is part of “{data.module_name}” in the stage “{data.stage_name}”."
    questions.append(_true_false(statement, True, why, "easy"))

    section = flat[index][0] if index is not None else module
    sections = [s.name for s in topic.sections] + [s.name for s in other.sections]
    wrong = _pick(rng, sections[: len(topic.sections)], 3, [section, module])
    wrong += _pick(rng, sections, 3 - len(wrong), [section, module, *wrong])
    questions.append(
        _Question(
            "single_choice",
            f"Which area of {topic.label} does “{name}” belong to?",
            [section],
            wrong,
            f"“{name}” is covered under “{section}”; the other options are different areas.",
            "easy",
        )
    )

    if data.prerequisite_names:
        prereq = data.prerequisite_names[-1]
        later = [c for _, c in flat[index + 1 :]] if index is not None else []
        wrong = _pick(rng, later, 3, [prereq, name, *data.prerequisite_names])
        wrong += _pick(rng, other_names, 3 - len(wrong), [prereq, name, *wrong])
        questions.append(
            _Question(
                "single_choice",
                f"Which of these should you be comfortable with before starting “{name}”?",
                [prereq],
                wrong,
                f"“{prereq}” comes before “{name}” in this roadmap and prepares for it; the "
                "other options come later or belong to another subject.",
                "medium",
            )
        )
    else:
        idea = ideas[0]
        questions.append(
            _Question(
                "single_choice",
                f"Which of these is a key idea of “{name}”?",
                [idea],
                _pick(rng, other_names, 3, [idea, name]),
                f"“{idea}” is one of the key ideas of “{name}”; the others belong to "
                f"{other.label}.",
                "easy",
            )
        )

    siblings = [c for _, c in flat if c.lower() != name.lower()]
    neighbour = _pick(rng, siblings, 1, [name])
    questions.append(
        _Question(
            "multiple_choice",
            f"Which of the following are part of learning {topic.label}? Select all that apply.",
            [name, *neighbour],
            _pick(rng, other_names, 2, [name, *neighbour]),
            f"“{name}”{' and “' + neighbour[0] + '”' if neighbour else ''} belong to "
            f"{topic.label}; the other options are {other.label} topics.",
            concept.difficulty,
        )
    )

    idea = ideas[-1]
    questions.append(
        _true_false(
            f"“{name}” has nothing to do with {idea}.",
            False,
            f"False: {idea} is one of the key ideas of “{name}”.",
            "easy",
        )
    )

    if concept.description:
        described = _truncate(concept.description.split(". ")[0].rstrip(".") + ".", 250)
        wrong = [
            f"An introduction to {_lower_first(n)} in {other.label}."
            for n in _pick(rng, other_names, 3, [])
        ]
        questions.append(
            _Question(
                "single_choice",
                f"Which statement best describes “{name}” in this roadmap?",
                [described],
                wrong,
                f"The roadmap describes it as: {described}",
                "medium",
            )
        )

    questions.append(
        _Question(
            "single_choice",
            f"What is the most effective way to make “{name}” stick?",
            ["Use it in a small exercise of your own and review what went wrong"],
            [
                "Re-read the definition until you can recite it",
                "Skip it and come back only if something breaks",
                "Watch someone else use it without trying it yourself",
            ],
            "Active practice with feedback (retrieval and application) beats passive "
            "re-reading for long-term learning.",
            "easy",
        )
    )

    words = {w for w in re.findall(r"[a-z]{4,}", " ".join([name, *ideas]).lower())}
    words -= {topic.label.lower()}
    scored = [(len(words & set(re.findall(r"[a-z]{4,}", f.lower()))), f, t) for f, t in topic.facts]
    best = max(scored, default=(0, "", True), key=lambda s: s[0])
    if best[0] > 0:
        truth = "True" if best[2] else "False"
        why = f"{truth}: this is a basic fact of {topic.label} that “{name}” relies on."
        questions.append(_true_false(best[1], best[2], why, concept.difficulty))
    return questions[:8]


def _quiz(payload: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    ctx = _content(payload, rng)
    questions = []
    for n, q in enumerate(_questions(ctx), start=1):
        if q.kind == "true_false":
            options = ["True", "False"]
        else:
            options = list(dict.fromkeys([*q.correct, *q.wrong]))
            rng.shuffle(options)
        explanation = q.explanation
        if n == 1:
            explanation += " (This quiz was generated offline from the roadmap's own data.)"
        questions.append(
            {
                "question_id": f"q{n}",
                "type": q.kind,
                "question": q.question,
                "options": options,
                "correct": sorted(options.index(c) for c in q.correct),
                "explanation": explanation,
                "difficulty": q.difficulty,
            }
        )
    return Quiz.model_validate({"questions": questions}).model_dump(mode="json")


_HANDLERS: dict[str, Callable[[dict[str, Any], random.Random], dict[str, Any]]] = {
    "intent": _intent,
    "curriculum": _curriculum,
    "editor": _editor,
    "tutorial": _tutorial,
    "resources": _resources,
    "quiz": _quiz,
}
