"""Server-side code highlighting (Pygments) of markdown that :mod:`learnpath.markdown`
already sanitised."""

from __future__ import annotations

import html
import re

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from learnpath.markdown import render_markdown

_CODE_BLOCK = re.compile(
    r'<pre><code class="language-(?P<lang>[A-Za-z0-9_+#.-]+)">(?P<code>.*?)</code></pre>', re.S
)
_FORMATTER = HtmlFormatter(nowrap=True, classprefix="hl-")


def _colours(style: str) -> str:
    defs: str = HtmlFormatter(style=style, classprefix="hl-").get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    return defs


STYLESHEET = "\n".join(
    (_colours("default"), "@media (prefers-color-scheme: dark) {", _colours("github-dark"), "}")
)
"""The colours of the highlighting classes, served as ``/static-generated/highlight.css``:
Pygments' default style, and its GitHub dark style when the reader's system is dark."""


def _highlight(match: re.Match[str]) -> str:
    try:
        lexer = get_lexer_by_name(match["lang"])
    except ClassNotFound:
        return match[0]
    # The block is sanitised HTML text: unescape it back to the code, which Pygments escapes
    # again as it wraps tokens in spans carrying only its own class names.
    code = highlight(html.unescape(match["code"]), lexer, _FORMATTER)
    return f'<pre class="highlight"><code class="language-{match["lang"]}">{code}</code></pre>'


def render_tutorial(markdown: str) -> str:
    """Untrusted markdown as safe HTML with highlighted code blocks."""
    return _CODE_BLOCK.sub(_highlight, render_markdown(markdown, heading_offset=1))
