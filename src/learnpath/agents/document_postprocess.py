"""Pure post-processing of the document agents' outputs (contract §7): tidy what models
commonly get slightly wrong, and leave validation (outline ids, citations) to the engine."""

from __future__ import annotations

import re

from learnpath.agents.document_inputs import ChapterInput, OutlineInput, PlannerInput, RevisionInput
from learnpath.domain.drafts import ChapterDraft, DraftNode, OutlineDraft, ResearchPlan

FALLBACK_QUERY_CHARS = 200
_FENCE = re.compile(r"\A```[\w-]*[ \t]*\n(?P<body>.*?)\n?```\s*\Z", re.DOTALL)
_HEADING = re.compile(r"\A#{1,6}[ \t]+(?P<text>[^\n]*)(?:\n|\Z)")
_NUMBERING = re.compile(
    r"^(?:chapter\s+\d+[.:]?|第\s*[\d一二三四五六七八九十百]+\s*章[:：]?|\d+(?:\.\d+)*[.:)]?)\s*",
    re.IGNORECASE,
)
_PUNCTUATION = re.compile(r"[\W_]+")


def _spaced(text: str) -> str:
    return " ".join(text.split())


def plan(data: PlannerInput, value: ResearchPlan) -> ResearchPlan:
    """Queries trimmed, duplicates (ignoring case) dropped, at most ``max_queries``; the
    prompt itself (its first words) when none is left."""
    unique: dict[str, str] = {}
    for query in value.queries:
        if text := _spaced(query):
            unique.setdefault(text.casefold(), text)
    queries = list(unique.values())[: data.max_queries]
    if not queries:
        prompt = _spaced(data.task_prompt)
        cut = prompt[:FALLBACK_QUERY_CHARS]
        if len(prompt) > FALLBACK_QUERY_CHARS and " " in cut:
            cut = cut[: cut.rindex(" ")]
        queries = [cut]
    return ResearchPlan(queries=queries)


def _node(node: DraftNode) -> DraftNode | None:
    title = _spaced(node.title)
    if not title:
        return None
    children = [c for c in map(_node, node.children) if c is not None]
    return DraftNode(title=title, summary=node.summary.strip(), children=children)


def outline(_: OutlineInput, value: OutlineDraft) -> OutlineDraft:
    """Titles and summaries trimmed; nodes without a title dropped, with their children (an
    outline left with no node is for the engine's validation to report)."""
    nodes = [n for n in map(_node, value.nodes) if n is not None]
    return value.model_copy(
        update={"title": _spaced(value.title), "summary": value.summary.strip(), "nodes": nodes}
    )


def _bare(title: str) -> str:
    """A heading's words without numbering, punctuation or case, to compare with the title."""
    return _PUNCTUATION.sub(" ", _NUMBERING.sub("", title.strip())).strip().casefold()


def clean_chapter(title: str, markdown: str) -> str:
    """The body alone: no wrapping code fence, no leading heading repeating ``title``."""
    text = markdown.strip()
    if fenced := _FENCE.match(text):
        text = fenced.group("body").strip()
    heading = _HEADING.match(text)
    if heading and _bare(heading.group("text")) == _bare(title):
        text = text[heading.end() :].strip()
    return text


def chapter(data: ChapterInput, value: ChapterDraft) -> ChapterDraft:
    markdown = clean_chapter(data.chapter_title, value.markdown) or value.markdown.strip()
    return value.model_copy(update={"markdown": markdown, "summary": _spaced(value.summary)})


def revision(data: RevisionInput, value: ChapterDraft) -> ChapterDraft:
    return chapter(data, value)
