"""What the document agents answer (contract §7): a research plan, an outline draft, a chapter.

These are the output schemas the models are held to, so every field says what it wants; the
schema text goes into the prompts. Outline drafts carry no ids: code numbers the nodes by
position and validates the outline.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class ResearchPlan(BaseModel):
    queries: list[str] = Field(
        min_length=1,
        max_length=5,
        description="1 to 5 web search queries, each a few specific keywords, no duplicates",
    )


class DraftNode(BaseModel):
    title: str = Field(min_length=1, max_length=300, description="the section's title")
    summary: str = Field(
        default="", max_length=2000, description="one or two sentences on what it covers"
    )
    children: list[DraftNode] = Field(
        default_factory=list, description="its sub-sections, in reading order (depth ≤ 3)"
    )


class OutlineDraft(BaseModel):
    title: str = Field(min_length=1, max_length=300, description="the document's title")
    summary: str = Field(max_length=4000, description="what the document covers, in 1–3 sentences")
    nodes: list[DraftNode] = Field(
        min_length=1,
        max_length=30,
        description="the chapters in reading order; each may have sub-sections",
    )


class ChapterDraft(BaseModel):
    markdown: str = Field(
        min_length=1,
        description="the chapter body in markdown, without the chapter's own heading; "
        "### sub-headings for its sub-sections; cites the given sources only as [n]",
    )
    summary: str = Field(
        min_length=1,
        max_length=2000,
        description="1–3 sentences on what the chapter says, given to the later chapters",
    )
