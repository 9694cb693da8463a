"""The roadmap framework: stages → modules → concepts, with per-item content status (contract §3).

One model family serves the LLM output, the stored framework and the API view: status fields
default to ``pending`` and are stripped before the framework is stored (item status lives in
its own table, so concurrent content workers never rewrite the framework).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from learnpath.domain.content import ContentType
from learnpath.domain.items import ItemStatus

STATUS_FIELDS = frozenset(
    f"{t.value}_{suffix}" for t in ContentType for suffix in ("status", "version", "error")
)

Difficulty = Literal["easy", "medium", "hard"]

# Hard bounds of what a framework may hold at all, checked as it is parsed, before any of its
# rules run; well above the structure rules of ``agents/validator.py`` (8 stages, 10 modules a
# stage, 15 concepts a module, 150 concepts), which then say precisely what is too many.
MAX_STAGES = 32
MAX_MODULES = 40
MAX_CONCEPTS_PER_MODULE = 60
MAX_CONCEPTS = 600
MAX_PREREQUISITES = 200
MAX_KEYWORDS = 50
MIN_CONCEPT_HOURS = 0.5
MAX_CONCEPT_HOURS = 200
"""The hours a concept may take: a structure rule (``agents/validator.py``), not a parse bound,
so that a designer's out-of-range estimate is fixed by the editor agent rather than refused.
Here so that every front end states the same limits beside the field."""
ConceptRef = Annotated[str, Field(max_length=80)]
Keyword = Annotated[str, Field(max_length=100)]


class Concept(BaseModel):
    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)

    concept_id: str = Field(min_length=1, max_length=80)
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    estimated_hours: float = Field(ge=0)
    difficulty: Difficulty = "medium"
    prerequisites: list[ConceptRef] = Field(default_factory=list, max_length=MAX_PREREQUISITES)
    keywords: list[Keyword] = Field(default_factory=list, max_length=MAX_KEYWORDS)
    tutorial_status: ItemStatus = ItemStatus.pending
    tutorial_version: int | None = None
    tutorial_error: str | None = None
    resources_status: ItemStatus = ItemStatus.pending
    resources_version: int | None = None
    resources_error: str | None = None
    quiz_status: ItemStatus = ItemStatus.pending
    quiz_version: int | None = None
    quiz_error: str | None = None

    def fingerprint(self) -> str:
        """Hash of the definition: content generated for it stays valid while this holds."""
        definition = self.model_dump(
            include={"name", "description", "estimated_hours", "difficulty", "keywords"}
        )
        definition["prerequisites"] = sorted(self.prerequisites)
        raw = json.dumps(definition, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


class Module(BaseModel):
    model_config = ConfigDict(extra="ignore")

    module_id: str = Field(min_length=1, max_length=80)
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    concepts: list[Concept] = Field(max_length=MAX_CONCEPTS_PER_MODULE)


class Stage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    stage_id: str = Field(min_length=1, max_length=80)
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    modules: list[Module] = Field(max_length=MAX_MODULES)


class FrameworkDraft(BaseModel):
    """What the curriculum designer and editor agents produce."""

    model_config = ConfigDict(extra="ignore")

    title: str = Field(min_length=1, max_length=300)
    summary: str = Field(default="", max_length=4000)
    stages: list[Stage] = Field(max_length=MAX_STAGES)

    @model_validator(mode="after")
    def _bounded(self) -> FrameworkDraft:
        if sum(len(m.concepts) for s in self.stages for m in s.modules) > MAX_CONCEPTS:
            raise ValueError(f"more than {MAX_CONCEPTS} concepts")
        return self

    def concepts(self) -> Iterator[Concept]:
        for stage in self.stages:
            for module in stage.modules:
                yield from module.concepts

    def concept(self, concept_id: str) -> Concept | None:
        return next((c for c in self.concepts() if c.concept_id == concept_id), None)


class Framework(FrameworkDraft):
    """A stored roadmap framework."""

    roadmap_id: str
    total_estimated_hours: float = 0
    recommended_completion_weeks: int = 1

    @classmethod
    def from_draft(cls, draft: FrameworkDraft, roadmap_id: str, hours_per_week: float) -> Framework:
        """Attach the id and derive the totals, so they are consistent by construction."""
        total = round(sum(c.estimated_hours for c in draft.concepts()), 1)
        return cls(
            roadmap_id=roadmap_id,
            title=draft.title,
            summary=draft.summary,
            stages=draft.stages,
            total_estimated_hours=total,
            recommended_completion_weeks=max(1, math.ceil(total / hours_per_week)),
        )

    def definition_json(self) -> dict[str, object]:
        """The framework as stored: definitions only, no per-item status."""
        return definitions_only(self.model_dump(mode="json"))


def definitions_only(data: dict[str, Any]) -> dict[str, Any]:
    """A framework's JSON without the per-item status fields of its concepts (in place)."""
    for stage in data["stages"]:
        for module in stage["modules"]:
            for concept in module["concepts"]:
                for name in STATUS_FIELDS:
                    concept.pop(name, None)
    return data
