"""A document job's sources: its context files and what web research found, numbered once
per job (docs/contract.md §7); and the passages of them a writer is given."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from learnpath.agents.document_inputs import SourceBrief
from learnpath.domain.document import SourceRef
from learnpath.research.passages import Passage, PassageIndex, split_passages
from learnpath.research.web_sources import WebSource

EXCERPT_CHARS = 1800
"""How much of its ranked passages a writer sees per source."""


def file_sources(files: Sequence[dict[str, str]], first: int) -> list[dict[str, Any]]:
    """The ``content`` files as sources numbered from ``first``."""
    contents = [f for f in files if f["role"] == "content"]
    return [
        {
            "n": n,
            "kind": "file",
            "title": f["file_name"],
            "file_name": f["file_name"],
            "text": f["content"],
            "verified": True,
        }
        for n, f in enumerate(contents, start=first)
    ]


def web_source_rows(found: Sequence[WebSource], first: int) -> list[dict[str, Any]]:
    return [
        {
            "n": n,
            "kind": "web",
            "title": w.title or w.url,
            "url": w.url,
            "text": w.text,
            "verified": w.verified,
        }
        for n, w in enumerate(found, start=first)
    ]


def guidance(files: Sequence[dict[str, str]], role: str) -> str:
    """The text of the job's ``style`` or ``requirements`` files, each under its name."""
    return "\n\n".join(f"# {f['file_name']}\n{f['content']}" for f in files if f["role"] == role)


def references(sources: Sequence[dict[str, Any]]) -> dict[int, SourceRef]:
    return {
        s["n"]: SourceRef(
            n=s["n"],
            kind=s["kind"],
            title=s["title"],
            url=s.get("url"),
            file_name=s.get("file_name"),
            verified=bool(s.get("verified")),
        )
        for s in sources
    }


def public(sources: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The sources as a job's result shows them: without their text."""
    return [{k: v for k, v in s.items() if k != "text" and v is not None} for s in sources]


def index_of(sources: Sequence[dict[str, Any]]) -> PassageIndex:
    passages: list[Passage] = []
    for s in sources:
        passages.extend(split_passages(s["n"], s["title"], s["text"]))
    return PassageIndex(passages)


def briefs(
    index: PassageIndex, sources: Sequence[dict[str, Any]], query: str, k: int
) -> list[SourceBrief]:
    """The sources whose passages rank best for ``query``, each with its best passages; when
    fewer than ``k`` match (a short file, another language), the opening passage of each
    source not yet given fills the rest, so a writer is never left without its sources."""
    by_n = {s["n"]: s for s in sources}
    chosen = index.rank(query, k)
    given = {p.source_n for p in chosen}
    for passage in index.passages:
        if len(chosen) >= k:
            break
        if passage.source_n not in given:
            chosen.append(passage)
            given.add(passage.source_n)
    excerpts: dict[int, list[str]] = {}
    for passage in chosen:
        excerpts.setdefault(passage.source_n, []).append(passage.text)
    return [
        SourceBrief(
            n=n,
            title=by_n[n]["title"],
            kind=by_n[n]["kind"],
            excerpt="\n\n".join(texts)[:EXCERPT_CHARS],
        )
        for n, texts in sorted(excerpts.items())
    ]
