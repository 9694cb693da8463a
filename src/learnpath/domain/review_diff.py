"""What changed in a framework from one review round to the next (contract §3: every round is
recorded with its framework snapshot; ``GET /roadmaps/{id}/reviews`` shows the changes).

Concepts are matched by ``concept_id``, which is stable across edits: a concept whose id is
new was added, one whose id is gone was removed, one whose name differs was renamed, and one
whose definition differs in any of :data:`DIFFED_FIELDS` was changed. A renamed concept whose
definition also changed is listed in both. Stages and modules are not diffed: a concept moved
to another module keeps its content and is no change here.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from learnpath.domain.roadmap import Concept, FrameworkDraft

DIFFED_FIELDS = ("description", "estimated_hours", "difficulty", "prerequisites", "keywords")
"""The definition fields compared, in the order a change lists them. Prerequisites are a set
(their order means nothing); keywords are compared as written, as the content fingerprint does."""


class ConceptName(BaseModel):
    concept_id: str
    name: str


class Rename(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    concept_id: str
    from_: str = Field(alias="from")
    to: str


class ConceptChange(BaseModel):
    concept_id: str
    name: str
    """The concept's name after the change."""
    fields: list[str]
    """Which of ``description``, ``estimated_hours``, ``difficulty``, ``prerequisites`` and
    ``keywords`` differ."""


class FrameworkChanges(BaseModel):
    """Concept-level changes of a framework, each list in framework order (``removed`` in the
    order of the earlier framework, the others in that of the later one)."""

    added: list[ConceptName] = Field(default_factory=list)
    removed: list[ConceptName] = Field(default_factory=list)
    renamed: list[Rename] = Field(default_factory=list)
    changed: list[ConceptChange] = Field(default_factory=list)


def _differs(field: str, before: Concept, after: Concept) -> bool:
    old, new = getattr(before, field), getattr(after, field)
    if field == "prerequisites":
        return bool(set(old) != set(new))
    return bool(old != new)


def diff_frameworks(before: FrameworkDraft | None, after: FrameworkDraft) -> FrameworkChanges:
    """The changes from ``before`` to ``after``; none at all when there is no ``before`` (the
    first round of a roadmap has nothing to compare with)."""
    if before is None:
        return FrameworkChanges()
    old = {c.concept_id: c for c in before.concepts()}
    new_ids = {c.concept_id for c in after.concepts()}
    changes = FrameworkChanges(
        removed=[
            ConceptName(concept_id=c.concept_id, name=c.name)
            for c in before.concepts()
            if c.concept_id not in new_ids
        ]
    )
    for concept in after.concepts():
        previous = old.get(concept.concept_id)
        if previous is None:
            changes.added.append(ConceptName(concept_id=concept.concept_id, name=concept.name))
            continue
        if previous.name != concept.name:
            changes.renamed.append(
                Rename(concept_id=concept.concept_id, from_=previous.name, to=concept.name)
            )
        fields = [f for f in DIFFED_FIELDS if _differs(f, previous, concept)]
        if fields:
            changes.changed.append(
                ConceptChange(concept_id=concept.concept_id, name=concept.name, fields=fields)
            )
    return changes
