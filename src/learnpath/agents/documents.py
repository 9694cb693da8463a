"""The agents of document jobs (contract §7): research planner, outliner, chapter writer and
the chapter's one revision (resize and/or citation repair)."""

from __future__ import annotations

from learnpath.agents import document_postprocess
from learnpath.agents.base import Agent
from learnpath.agents.document_inputs import ChapterInput, OutlineInput, PlannerInput, RevisionInput
from learnpath.domain.drafts import ChapterDraft, OutlineDraft, ResearchPlan

PLANNER = Agent(
    "research_planner",
    "a research librarian who plans the web searches for a document",
    PlannerInput,
    ResearchPlan,
    document_postprocess.plan,
)
OUTLINER = Agent(
    "outline",
    "an editor who designs the structure of long, well-sourced documents",
    OutlineInput,
    OutlineDraft,
    document_postprocess.outline,
)
CHAPTER = Agent(
    "chapter",
    "a writer of long, well-sourced documents who cites every claim's source",
    ChapterInput,
    ChapterDraft,
    document_postprocess.chapter,
)
REVISER = Agent(
    "chapter_revision",
    "an editor who resizes chapters and repairs their citations",
    RevisionInput,
    ChapterDraft,
    document_postprocess.revision,
)


def warm_up() -> None:
    """Prepare the document agents (templates, schemas) at start-up."""
    for agent in (PLANNER, OUTLINER, CHAPTER, REVISER):
        agent.warm()
