"""The editor agent's offline answer: the framework repaired, and a reviewer's plain requests
("add …", "remove …", "rename … to …") applied; the summary says what changed."""

from __future__ import annotations

import random
import re
from typing import Any

from learnpath.agents.inputs import EditorInput
from learnpath.domain.request import LearnerRequest
from learnpath.domain.roadmap import Concept, FrameworkDraft, Module, Stage
from learnpath.offline.curriculum import dump_framework
from learnpath.offline.plan import MAX_CONCEPTS, MAX_HOURS, MAX_PER_MODULE
from learnpath.offline.text import OFFLINE_TAG, cap, keywords, truncate, unique
from learnpath.offline.topics import find_topic, key_phrase

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
        stage.stage_id = unique(stage.stage_id or stage.name, used, "stage")
        for module in stage.modules:
            module.module_id = unique(module.module_id or module.name, used, "module")
            for concept in module.concepts:
                new_id = unique(concept.concept_id or concept.name, used, "concept")
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
            item.name = truncate(pattern.sub(new, item.name), 200)
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
    spent = sorted(c.estimated_hours for c in concepts) or [1.0]
    concept = Concept(
        concept_id=unique(name, used, "concept"),
        name=truncate(cap(name), 200),
        description=f"{cap(name)}, added at a reviewer's request. {OFFLINE_TAG}",
        estimated_hours=max(0.5, round(spent[len(spent) // 2] * 2) / 2),
        difficulty=concepts[-1].difficulty if concepts else "medium",
        keywords=keywords(name, label),
    )
    if not draft.stages:
        draft.stages.append(
            Stage(stage_id=unique("review", used, "stage"), name="Review", modules=[])
        )
    stage = draft.stages[-1]
    if not stage.modules or len(stage.modules[-1].concepts) >= MAX_PER_MODULE:
        module_id = unique("additional-topics", used, "module")
        stage.modules.append(Module(module_id=module_id, name="Additional topics", concepts=[]))
    stage.modules[-1].concepts.append(concept)
    return f"added “{concept.name}”"


def _apply(draft: FrameworkDraft, clause: str, used: set[str], label: str) -> str | None:
    """One request applied; what changed, or None when it was not understood."""
    if match := _RENAME.search(clause):
        old, new = _clean(match["old"]), _clean(match["new"])
        if old and new and (count := _rename(draft, old, new)):
            return f"renamed “{old}” to “{new}” in {count} place{'s' * (count > 1)}"
        return None
    if match := _REMOVE.search(clause):
        target = _subject(match["rest"])
        return _remove(draft, target) if target else None
    if (match := _ADD.search(clause)) and (subject := _subject(match["rest"])):
        return _add(draft, subject, used, label)
    return None


def _apply_feedback(draft: FrameworkDraft, feedback: str, used: set[str], label: str) -> list[str]:
    """Apply the recognisable requests; the notes say what changed and what was not understood."""
    notes: list[str] = []
    unrecognised: list[str] = []
    for clause in filter(None, (c.strip() for c in _CLAUSES.split(feedback))):
        if note := _apply(draft, clause, used, label):
            notes.append(note)
        else:
            unrecognised.append(clause)
    if not notes:
        return [" ".join(feedback.split())]
    return notes + unrecognised


def _starter(request: LearnerRequest, used: set[str]) -> Stage:
    """A one-concept stage for a framework left with none."""
    phrase = key_phrase(request.goal)
    concept = Concept(
        concept_id=unique(f"foundations of {phrase}", used, "concept"),
        name=truncate(f"Foundations of {phrase}", 200),
        estimated_hours=1.0,
        difficulty="easy",
    )
    module = Module(module_id=unique("basics", used, "module"), name="Basics", concepts=[concept])
    stage_name = truncate(f"Getting started with {phrase}", 200)
    return Stage(stage_id=unique(stage_name, used, "stage"), name=stage_name, modules=[module])


def _repair(draft: FrameworkDraft, request: LearnerRequest, used: set[str]) -> None:
    """Valid by construction: hours ≥ 0.5, no empty module or stage, prerequisites backwards."""
    for stage in draft.stages:
        for module in stage.modules:
            for concept in module.concepts:
                concept.estimated_hours = min(MAX_HOURS, max(0.5, concept.estimated_hours))
        stage.modules = [m for m in stage.modules if m.concepts]
    draft.stages = [s for s in draft.stages if s.modules] or [_starter(request, used)]
    position = {c.concept_id: i for i, c in enumerate(draft.concepts())}
    for concept in draft.concepts():
        here = position[concept.concept_id]
        concept.prerequisites = list(
            dict.fromkeys(p for p in concept.prerequisites if position.get(p, here) < here)
        )
        concept.keywords = list(dict.fromkeys(k.strip() for k in concept.keywords if k.strip()))


def editor(payload: dict[str, Any], rng: random.Random) -> dict[str, Any]:
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
        draft.summary = truncate(summary, 4000)
    return dump_framework(draft)
