"""Assembling a document job's chapters into the finished document (contract §7,
docs/contract.md): title, summary, a table of contents, the chapters with their citations
renumbered 1…N by first citation, and the References list of the cited sources only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from learnpath.domain.citations import renumber
from learnpath.domain.words import count_words

__all__ = [
    "FAILED_CHAPTER_NOTE",
    "AssembledDocument",
    "ChapterText",
    "DocumentChapter",
    "DocumentReference",
    "DocumentSection",
    "SourceRef",
    "assemble",
]

FAILED_CHAPTER_NOTE = "*This chapter could not be written.*"

_LINKABLE_URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)
_LINK_TEXT_SPECIAL = re.compile(r"([\\\[\]])")


@dataclass(frozen=True)
class SourceRef:
    """A source the job's writers may cite as ``[n]``: a web page or a context file."""

    n: int
    kind: Literal["web", "file"]
    title: str
    url: str | None = None
    file_name: str | None = None
    verified: bool = False


@dataclass(frozen=True)
class ChapterText:
    """A chapter as written; ``markdown`` is None when it failed or was not written."""

    id: str
    title: str
    markdown: str | None


class DocumentChapter(BaseModel):
    id: str
    title: str
    word_count: int
    status: Literal["completed", "failed"]


class DocumentReference(BaseModel):
    n: int
    title: str
    url: str | None = None
    file_name: str | None = None
    kind: Literal["web", "file"]
    verified: bool


class DocumentSection(BaseModel):
    """A chapter as the HTML and docx renderers take it: ``anchor`` is ``chapter-<k>`` for
    the chapter's position k, ``heading`` its numbered title, ``markdown`` its body with the
    final citation numbers (the failed-chapter note for a failed one)."""

    id: str
    anchor: str
    heading: str
    markdown: str


class AssembledDocument(BaseModel):
    title: str
    summary: str
    markdown: str
    word_count: int
    chapters: list[DocumentChapter]
    references: list[DocumentReference]
    sections: list[DocumentSection]

    def result(self) -> dict[str, Any]:
        """The job's result, exactly contract §7's ``{"document": {title, markdown,
        word_count, chapters, references}}`` (references without null fields)."""
        return {
            "document": {
                "title": self.title,
                "markdown": self.markdown,
                "word_count": self.word_count,
                "chapters": [chapter.model_dump() for chapter in self.chapters],
                "references": [ref.model_dump(exclude_none=True) for ref in self.references],
            }
        }


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _escaped(special: re.Match[str]) -> str:
    return "\\" + special.group()


def _reference_line(ref: DocumentReference) -> str:
    line = f"{ref.n}. {_one_line(ref.title) or 'Untitled source'}"
    if ref.url and _LINKABLE_URL.match(ref.url):
        return f"{line} — <{ref.url}>"
    if ref.file_name:
        return f"{line} (file: {_one_line(ref.file_name)})"
    return line


def _references(order: list[int], sources: Mapping[int, SourceRef]) -> list[DocumentReference]:
    return [
        DocumentReference(
            n=final,
            title=sources[original].title,
            url=sources[original].url,
            file_name=sources[original].file_name,
            kind=sources[original].kind,
            verified=sources[original].verified,
        )
        for final, original in enumerate(order, start=1)
    ]


def _sections(chapters: Sequence[ChapterText], bodies: list[str | None]) -> list[DocumentSection]:
    return [
        DocumentSection(
            id=chapter.id,
            anchor=f"chapter-{position}",
            heading=f"{position}. {_one_line(chapter.title)}",
            markdown=body.strip() if body is not None else FAILED_CHAPTER_NOTE,
        )
        for position, (chapter, body) in enumerate(zip(chapters, bodies, strict=True), start=1)
    ]


def _markdown(
    title: str, summary: str, sections: list[DocumentSection], refs: list[DocumentReference]
) -> str:
    parts = [f"# {_one_line(title)}"]
    if summary.strip():
        parts.append(summary.strip())
    toc = [f"- [{_LINK_TEXT_SPECIAL.sub(_escaped, s.heading)}](#{s.anchor})" for s in sections]
    parts.append("## Contents\n\n" + "\n".join(toc))
    # Each chapter heading carries its anchor, so the contents' links resolve wherever the
    # markdown is read (renderers name headings by their own rules, not ours).
    parts.extend(
        f'## <a id="{section.anchor}"></a>{section.heading}\n\n{section.markdown}'
        for section in sections
    )
    if refs:
        parts.append("## References\n\n" + "\n".join(_reference_line(r) for r in refs))
    return "\n\n".join(parts) + "\n"


def assemble(
    title: str,
    summary: str,
    chapters: Sequence[ChapterText],
    sources: Mapping[int, SourceRef],
) -> AssembledDocument:
    """The finished document from its chapters in outline order and the job's sources by
    number. Citations are renumbered by first citation across the chapters; citations of
    numbers not in ``sources`` are dropped (the writer's repair re-ask comes before this).
    ``word_count`` counts the chapter bodies only (:func:`learnpath.domain.words.count_words`),
    not the title, contents or references."""
    written = [chapter.markdown for chapter in chapters if chapter.markdown is not None]
    renumbered, order = renumber(written, sources.keys())
    pending = iter(renumbered)
    bodies = [next(pending) if chapter.markdown is not None else None for chapter in chapters]
    sections = _sections(chapters, bodies)
    refs = _references(order, sources)
    summaries = [
        DocumentChapter(
            id=chapter.id,
            title=chapter.title,
            word_count=count_words(body) if body is not None else 0,
            status="completed" if body is not None else "failed",
        )
        for chapter, body in zip(chapters, bodies, strict=True)
    ]
    return AssembledDocument(
        title=title,
        summary=summary,
        markdown=_markdown(title, summary, sections, refs),
        word_count=sum(chapter.word_count for chapter in summaries),
        chapters=summaries,
        references=refs,
        sections=sections,
    )
