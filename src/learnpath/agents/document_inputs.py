"""The structured inputs of the document agents (contract §7). Their JSON form is also what
the offline provider reads. ``language`` is a code of :func:`learnpath.domain.language.
language_of` ("en", "zh"…), the prompt's language, which the document is written in."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SourceBrief(BaseModel):
    """A source a writer may cite as ``[n]``: its number, title, kind and ranked passages."""

    n: int = Field(ge=1)
    title: str
    kind: str
    """``web`` or ``file``."""
    excerpt: str
    """The source's passages ranked most relevant to the chapter (or the job) first."""


class PlannerInput(BaseModel):
    task_prompt: str
    language: str
    requirements: str = ""
    max_queries: int = Field(default=4, ge=1, le=5)


class OutlineInput(BaseModel):
    task_prompt: str
    language: str
    requirements: str = ""
    sources: list[SourceBrief] = Field(default_factory=list)
    max_chapters: int = Field(default=8, ge=1, le=30)


class ChapterInput(BaseModel):
    task_prompt: str
    language: str
    document_title: str
    outline: str
    """The whole outline as an indented text tree."""
    chapter_id: str
    chapter_title: str
    chapter_summary: str
    sub_sections: list[str]
    """The titles of the chapter's sub-nodes, in order."""
    word_target: int = Field(ge=1)
    """Words for the chapter; a CJK character counts as one word (contract §7)."""
    previous: list[str]
    """Summaries of the chapters before it, each as "1 Intro: …"."""
    sources: list[SourceBrief]
    style_guide: str = ""
    requirements: str = ""


class RevisionInput(ChapterInput):
    """One re-ask of a chapter: resize it to ``word_target`` and/or drop or fix citations of
    sources it was not given."""

    draft: str
    current_words: int = Field(ge=0)
    problems: list[str]
    unknown_citations: list[int] = Field(default_factory=list)
