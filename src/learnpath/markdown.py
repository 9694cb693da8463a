"""Markdown → safe HTML: the one place LLM markdown becomes HTML (contract §9).

Two layers, so that a mistake in either alone does not open a hole:

1. markdown-it-py (CommonMark + tables + strikethrough) with ``html`` disabled: raw HTML
   in the source is escaped as text, never passed through, and unsafe link schemes
   (``javascript:``, ``vbscript:``, ``data:`` …) are refused by its link validator.
2. nh3 (ammonia) sanitises the result against an allow-list: formatting tags only,
   no ``on*``/``style`` attributes (except ``text-align`` on table cells), ``class`` only
   as ``language-xxx`` on ``pre``/``code``, URLs only http/https/mailto, and every link
   gets ``rel="noopener noreferrer"``.

The exporter and the web app both call :func:`render_markdown`; nothing else should turn
untrusted markdown into HTML.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

__all__ = ["render_markdown"]

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_MD.enable(["table", "strikethrough"])

_ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "code",
        "dd",
        "del",
        "div",
        "dl",
        "dt",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "samp",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    }
)

_ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "code": {"class"},
    "pre": {"class"},
    "ol": {"start"},
    "th": {"style", "align"},
    "td": {"style", "align"},
    "abbr": {"title"},
}

# Tags removed together with their content (they must not be in _ALLOWED_TAGS).
_CLEAN_CONTENT_TAGS = frozenset(
    {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math"}
)

_URL_SCHEMES = frozenset({"http", "https", "mailto"})

_LANGUAGE_CLASS = re.compile(r"^language-[A-Za-z0-9_+#.-]{1,40}$")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Keep ``class`` only when it is a single ``language-xxx`` token (code highlighting)."""
    if attribute == "class":
        return value if _LANGUAGE_CLASS.match(value) else None
    return value


def _sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=set(_ALLOWED_TAGS),
        clean_content_tags=set(_CLEAN_CONTENT_TAGS),
        attributes=_ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        strip_comments=True,
        link_rel="noopener noreferrer",
        url_schemes=set(_URL_SCHEMES),
        filter_style_properties={"text-align"},
        url_relative="deny",
    )


def render_markdown(text: str, *, heading_offset: int = 0) -> str:
    """Render untrusted markdown to sanitised HTML, safe to put into a page as is.

    ``heading_offset`` shifts heading levels down (``1`` turns ``#`` into ``<h2>``, capped at
    ``<h6>``), for embedding a document under the page's own headings.
    """
    env: dict[str, object] = {}
    tokens = _MD.parse(text, env)
    if heading_offset:
        for token in tokens:
            if token.type in ("heading_open", "heading_close"):
                level = int(token.tag[1:])
                token.tag = f"h{max(1, min(6, level + heading_offset))}"
    html = _MD.renderer.render(tokens, _MD.options, env)
    return _sanitise(html)
