"""Downloads of a finished document job (contract §7: ``GET /jobs/{id}/document?format=
md|html|docx``): a standalone HTML page, the same body for the web reading view, and a .docx.

Chapter markdown is untrusted (model output): in HTML every piece of it goes through
:func:`learnpath.markdown.render_markdown` (escaped and sanitised), and the only markup added
afterwards is citation links and ids built from validated integers. Other text is escaped by
Jinja2's autoescape. The .docx is built from markdown-it tokens, never from HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from learnpath.domain.document import AssembledDocument, DocumentReference
from learnpath.export.entries import safe_url
from learnpath.markdown import render_markdown

__all__ = ["document_body_html", "document_docx", "document_html"]

_CITATION = re.compile(r"\[([0-9]{1,9}(?:, [0-9]{1,9})*)\]")
# A tag, with ">" allowed inside its (double-quoted, as the sanitiser writes them) values.
_HTML_PIECES = re.compile(r'(<(?:[^>"]|"[^"]*")*>)')
_NO_LINKS_INSIDE = frozenset({"a", "code", "pre"})
_TAG_NAME = re.compile(r"^</?([a-zA-Z0-9]+)")


@dataclass(frozen=True)
class _HtmlSection:
    anchor: str
    heading: str
    failed: bool
    html: Markup


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("learnpath.export", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _citation_links(text: str, count: int) -> str:
    """``[n]`` and ``[n, m]`` in an HTML text node become links to ``#ref-n`` when every
    number is a reference (1…count); the links are built from the parsed integers only."""

    def link(found: re.Match[str]) -> str:
        numbers = [int(n) for n in found.group(1).split(", ")]
        if not all(1 <= n <= count for n in numbers):
            return found.group()
        if len(numbers) == 1:
            return f'<a class="citation" href="#ref-{numbers[0]}">[{numbers[0]}]</a>'
        inner = ", ".join(f'<a class="citation" href="#ref-{n}">{n}</a>' for n in numbers)
        return f"[{inner}]"

    return _CITATION.sub(link, text)


def _linked(html: str, count: int) -> str:
    """Sanitised ``html`` with citations linked in its text, outside links and code."""
    pieces = _HTML_PIECES.split(html)
    open_tags: list[str] = []
    for i, piece in enumerate(pieces):
        if i % 2:  # a tag
            name = _TAG_NAME.match(piece)
            if name and name.group(1).lower() in _NO_LINKS_INSIDE:
                if not piece.startswith("</"):
                    open_tags.append(name.group(1).lower())
                elif open_tags:
                    open_tags.pop()
        elif not open_tags and "[" in piece:
            pieces[i] = _citation_links(piece, count)
    return "".join(pieces)


def _safe_reference(ref: DocumentReference) -> DocumentReference:
    return ref.model_copy(update={"url": safe_url(ref.url) if ref.url else None})


def document_body_html(doc: AssembledDocument) -> str:
    """The document as an ``<article>`` (title, contents, chapters ``id="chapter-<k>"``,
    references ``id="ref-<n>"``) for the web reading view: no page shell."""
    count = len(doc.references)
    sections = [
        _HtmlSection(
            anchor=section.anchor,
            heading=section.heading,
            failed=chapter.status == "failed",
            # The only Markup: sanitised by render_markdown, then links from integers.
            html=Markup(_linked(render_markdown(section.markdown), count)),
        )
        for section, chapter in zip(doc.sections, doc.chapters, strict=True)
    ]
    summary = Markup(render_markdown(doc.summary)) if doc.summary.strip() else None
    return (
        _environment()
        .get_template("document_body.html.j2")
        .render(
            title=doc.title,
            summary=summary,
            sections=sections,
            references=[_safe_reference(ref) for ref in doc.references],
        )
    )


def document_html(doc: AssembledDocument) -> str:
    """One standalone HTML page: inline CSS, no scripts, a strict Content-Security-Policy."""
    body = Markup(document_body_html(doc))  # autoescaped template output
    return _environment().get_template("document.html.j2").render(title=doc.title, body=body)


def document_docx(doc: AssembledDocument) -> bytes:
    """The document as a .docx (:mod:`learnpath.export.document_docx`). python-docx and lxml
    are imported on the first call, not with this module, so the CLI starts fast."""
    from learnpath.export.document_docx import to_docx

    return to_docx(doc)
