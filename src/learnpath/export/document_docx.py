"""A finished document as a .docx (contract §7, docs/contract.md), built with python-docx
from markdown-it tokens of each chapter, never from HTML: title, summary, contents,
chapters with their headings, paragraphs, lists, quotes, tables and code, and references.

Imported by :func:`learnpath.export.document.document_docx` on first use.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt
from docx.text.paragraph import Paragraph
from markdown_it import MarkdownIt

from learnpath.domain.document import AssembledDocument, DocumentReference
from learnpath.export.entries import safe_url

__all__ = ["to_docx"]

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


def to_docx(doc: AssembledDocument) -> bytes:
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
