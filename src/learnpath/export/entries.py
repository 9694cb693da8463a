"""What every export format shares: the concepts in roadmap order with their numbers and
slugs, and how answers, hours, dates, links and missing content are written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from learnpath.domain.bundle import RoadmapBundle
from learnpath.domain.roadmap import Concept, Module, Stage

QUESTION_KINDS = {
    "single_choice": "single choice",
    "multiple_choice": "multiple choice: select all that apply",
    "true_false": "true or false",
}

OFFLINE_NOTE = (
    "Some content of this roadmap was generated offline, without a language model: "
    "it is placeholder material, not a real course."
)


@dataclass(frozen=True)
class Entry:
    """One concept with its place in the roadmap."""

    number: int
    stage_number: int
    stage: Stage
    module: Module
    concept: Concept

    @property
    def slug(self) -> str:
        """``NN-<concept_id>``, safe as a file name and an HTML id."""
        safe = re.sub(r"[^A-Za-z0-9_-]+", "-", self.concept.concept_id).strip("-") or "concept"
        return f"{self.number:02d}-{safe}"

    @property
    def filename(self) -> str:
        return f"{self.slug}.md"

    @property
    def anchor(self) -> str:
        return f"c-{self.slug}"


def entries_of(bundle: RoadmapBundle) -> list[Entry]:
    entries: list[Entry] = []
    for stage_number, stage in enumerate(bundle.framework.stages, start=1):
        for module in stage.modules:
            for concept in module.concepts:
                entries.append(Entry(len(entries) + 1, stage_number, stage, module, concept))
    return entries


def letter(index: int) -> str:
    return chr(ord("A") + index)


def letters(indices: list[int]) -> str:
    return ", ".join(letter(i) for i in sorted(indices))


def hours(value: float) -> str:
    return f"{value:g} h"


def iso_utc(moment: datetime | None) -> str:
    moment = datetime.now(UTC) if moment is None else moment
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def safe_url(url: str) -> str | None:
    """Only http(s) URLs become links (the model validates this too; be sure anyway)."""
    return url if re.match(r"^https?://[^\s<>\"']+$", url, re.IGNORECASE) else None


def not_generated(what: str, status: str) -> str:
    return f"{what} not generated yet (status: {status})."
