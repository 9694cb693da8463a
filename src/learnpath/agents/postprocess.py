"""Pure post-processing of agent outputs: normalise what models commonly get slightly wrong."""

from __future__ import annotations

import re
import unicodedata

from learnpath.agents.inputs import ContentInput, CurriculumInput, EditorInput, IntentInput
from learnpath.domain.content import Quiz, ResourceList, Tutorial
from learnpath.domain.intent import IntentAnalysis
from learnpath.domain.roadmap import FrameworkDraft


def slugify(text: str, fallback: str = "item") -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    return slug or fallback


def normalise_framework(draft: FrameworkDraft) -> FrameworkDraft:
    """Make ids URL-safe and unique, rewriting prerequisites to match. Nothing else changes.

    Structural problems (cycles, empty modules…) are left for the validator to report, so the
    editor agent or a person fixes them knowingly.
    """
    draft = draft.model_copy(deep=True)
    used: set[str] = set()

    def unique(raw: str, fallback: str) -> str:
        base = slugify(raw, fallback)
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}-{n}", n + 1
        used.add(candidate)
        return candidate

    renamed: dict[str, str] = {}
    for stage in draft.stages:
        stage.stage_id = unique(stage.stage_id or stage.name, "stage")
        for module in stage.modules:
            module.module_id = unique(module.module_id or module.name, "module")
            for concept in module.concepts:
                new_id = unique(concept.concept_id or concept.name, "concept")
                renamed.setdefault(concept.concept_id, new_id)
                concept.concept_id = new_id
    for concept in draft.concepts():
        concept.prerequisites = list(
            dict.fromkeys(renamed.get(p, p) for p in concept.prerequisites)
        )
        concept.keywords = list(dict.fromkeys(k.strip() for k in concept.keywords if k.strip()))
    return draft


def curriculum(_: CurriculumInput, draft: FrameworkDraft) -> FrameworkDraft:
    return normalise_framework(draft)


def editor(_: EditorInput, draft: FrameworkDraft) -> FrameworkDraft:
    return normalise_framework(draft)


def intent(_: IntentInput, analysis: IntentAnalysis) -> IntentAnalysis:
    return analysis


def tutorial(_: ContentInput, value: Tutorial) -> Tutorial:
    return value.model_copy(update={"markdown": value.markdown.strip() + "\n"})


def resources(_: ContentInput, value: ResourceList) -> ResourceList:
    """Best first, one entry per URL, and nothing claims to be verified before it is checked."""
    unique = {r.url: r for r in reversed(value.resources)}
    ordered = sorted(unique.values(), key=lambda r: r.relevance, reverse=True)
    return ResourceList(resources=[r.model_copy(update={"verified": False}) for r in ordered])


def quiz(_: ContentInput, value: Quiz) -> Quiz:
    return value
