"""Downloads of a finished document job (contract §7: ``GET /jobs/{id}/document?format=
md|html|docx``): a standalone HTML page, the same body for the web reading view, and a .docx.

Chapter markdown is untrusted (model output): in HTML every piece of it goes through
:func:`learnpath.markdown.render_markdown` (escaped and sanitised), and the only markup added
afterwards is citation links and ids built from validated integers. Other text is escaped by
Jinja2's autoescape. The .docx is built from markdown-it tokens, never from HTML.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt
from docx.text.paragraph import Paragraph
from jinja2 import Environment, PackageLoader, StrictUndefined
from markdown_it import MarkdownIt
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


# -- docx ---------------------------------------------------------------------------------

_MD = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CODE_STYLE = "Code Block"
_MONOSPACE = "Courier New"


def _xml(text: str) -> str:
    """``text`` without the characters XML cannot hold (python-docx refuses them)."""
    return _NOT_XML.sub("", text)


@dataclass
class _Inline:
    """Character formatting while walking an inline token's children."""

    bold: bool = False
    italic: bool = False
    strike: bool = False
    href: str | None = None


_TOGGLES: dict[str, tuple[str, bool]] = {
    "strong_open": ("bold", True),
    "strong_close": ("bold", False),
    "em_open": ("italic", True),
    "em_close": ("italic", False),
    "s_open": ("strike", True),
    "s_close": ("strike", False),
}


def _add_run(paragraph: Paragraph, text: str, state: _Inline, *, code: bool = False) -> None:
    run = paragraph.add_run(_xml(text))
    run.bold = state.bold or None
    run.italic = state.italic or None
    run.font.strike = state.strike or None
    if code:
        run.font.name = _MONOSPACE


def _add_inline(paragraph: Paragraph, children: list[Any]) -> None:
    state = _Inline()
    for token in children:
        if token.type in _TOGGLES:
            name, value = _TOGGLES[token.type]
            setattr(state, name, value)
        elif token.type == "text":
            _add_run(paragraph, token.content, state)
        elif token.type == "code_inline":
            _add_run(paragraph, token.content, state, code=True)
        elif token.type == "softbreak":
            _add_run(paragraph, " ", state)
        elif token.type == "hardbreak":
            paragraph.add_run().add_break()
        elif token.type == "image":
            _add_run(paragraph, f"[image: {token.content}]", _Inline(italic=True))
        elif token.type == "link_open":
            state.href = safe_url(str(token.attrGet("href") or ""))
        elif token.type == "link_close":
            if state.href:
                _add_run(paragraph, f" ({state.href})", _Inline())
            state.href = None


@dataclass
class _List:
    ordered: bool
    number: int  # the number of the current item of an ordered list


@dataclass
class _Blocks:
    """Where the block walk is: the open lists, the blockquote depth, a table's rows."""

    document: DocxDocument
    lists: list[_List]
    quotes: int = 0
    table: list[list[str]] | None = None
    item_started: bool = False

    def paragraph_style(self) -> str | None:
        if self.quotes:
            return "Quote"
        if not self.lists:
            return None
        depth = "" if len(self.lists) == 1 else f" {min(3, len(self.lists))}"
        return f"List{depth}" if self.lists[-1].ordered else f"List Bullet{depth}"


def _paragraph(blocks: _Blocks, inline: Any) -> None:
    paragraph = blocks.document.add_paragraph(style=blocks.paragraph_style())
    if blocks.lists and blocks.item_started and blocks.lists[-1].ordered:
        _add_run(paragraph, f"{blocks.lists[-1].number}. ", _Inline())
    blocks.item_started = False
    _add_inline(paragraph, inline.children or [])


def _code(blocks: _Blocks, content: str) -> None:
    paragraph = blocks.document.add_paragraph(style=_CODE_STYLE)
    lines = content.rstrip("\n").split("\n")
    for i, line in enumerate(lines):
        run = paragraph.add_run(_xml(line))
        run.font.name = _MONOSPACE
        if i < len(lines) - 1:
            run.add_break()


def _open_list(blocks: _Blocks, token: Any) -> None:
    ordered = token.type == "ordered_list_open"
    start = int(token.attrGet("start") or 1) if ordered else 1
    blocks.lists.append(_List(ordered, start - 1))


def _close_list(blocks: _Blocks, token: Any) -> None:
    blocks.lists.pop()


def _open_item(blocks: _Blocks, token: Any) -> None:
    blocks.lists[-1].number += 1
    blocks.item_started = True


def _open_quote(blocks: _Blocks, token: Any) -> None:
    blocks.quotes += 1


def _close_quote(blocks: _Blocks, token: Any) -> None:
    blocks.quotes -= 1


def _open_table(blocks: _Blocks, token: Any) -> None:
    blocks.table = []


def _open_row(blocks: _Blocks, token: Any) -> None:
    if blocks.table is not None:
        blocks.table.append([])


def _code_token(blocks: _Blocks, token: Any) -> None:
    _code(blocks, token.content)


def _end_table(blocks: _Blocks, token: Any) -> None:
    rows = blocks.table or []
    blocks.table = None
    width = max((len(row) for row in rows), default=0)
    if not width:
        return
    table = blocks.document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            cell = table.cell(r, c)
            cell.text = _xml(text)
            if r == 0:
                for run in cell.paragraphs[0].runs:
                    run.bold = True


_BLOCK_ACTIONS: dict[str, Callable[[_Blocks, Any], None]] = {
    "bullet_list_open": _open_list,
    "ordered_list_open": _open_list,
    "bullet_list_close": _close_list,
    "ordered_list_close": _close_list,
    "list_item_open": _open_item,
    "blockquote_open": _open_quote,
    "blockquote_close": _close_quote,
    "table_open": _open_table,
    "tr_open": _open_row,
    "table_close": _end_table,
    "fence": _code_token,
    "code_block": _code_token,
}


def _add_markdown(document: DocxDocument, markdown: str) -> None:
    """The blocks of ``markdown``: headings under the chapter's (``#``–``###`` become
    Heading 2, deeper levels one less than in markdown), paragraphs, lists, quotes, code
    and tables."""
    blocks = _Blocks(document, [])
    tokens = _MD.parse(markdown)
    for i, token in enumerate(tokens):
        if token.type in _BLOCK_ACTIONS:
            _BLOCK_ACTIONS[token.type](blocks, token)
        elif token.type == "inline" and blocks.table is not None and blocks.table:
            blocks.table[-1].append(token.content)
        elif token.type == "inline" and tokens[i - 1].type == "heading_open":
            level = min(9, max(2, int(tokens[i - 1].tag[1:]) - 1))
            heading = document.add_heading(level=level)
            _add_inline(heading, token.children or [])
        elif token.type == "inline" and tokens[i - 1].type == "paragraph_open":
            _paragraph(blocks, token)


def _code_style(document: DocxDocument) -> None:
    style = document.styles.add_style(_CODE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.font.name = _MONOSPACE
    style.font.size = Pt(9)


def _reference_text(ref: DocumentReference) -> str:
    text = f"{ref.n}. {ref.title}"
    if ref.url and safe_url(ref.url):
        text += f" — {ref.url}"
    if ref.file_name:
        text += f" (file: {ref.file_name})"
    return text


def document_docx(doc: AssembledDocument) -> bytes:
    """The document as a .docx: title, summary, contents, chapters (Heading 1) with their
    headings, paragraphs, lists (ordered ones numbered as written), quotes, tables and code
    in a monospace "Code Block" style, and the references."""
    document = Document()
    _code_style(document)
    document.add_heading(_xml(doc.title), level=0)
    if doc.summary.strip():
        _add_markdown(document, doc.summary)
    document.add_heading("Contents", level=1)
    for section in doc.sections:
        document.add_paragraph(_xml(section.heading), style="List Bullet")
    for section in doc.sections:
        document.add_heading(_xml(section.heading), level=1)
        _add_markdown(document, section.markdown)
    if doc.references:
        document.add_heading("References", level=1)
        for ref in doc.references:
            document.add_paragraph(_xml(_reference_text(ref)))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
