"""Counting the words of markdown prose, for the word budgets of document jobs (contract §7).

Word budgets count CJK text by characters: Chinese, Japanese and Korean are written without
spaces between words (Korean with spaces between phrases), so each Han, Hiragana, Katakana or
Hangul character counts as one word, the usual convention for CJK word counts. CJK
punctuation (``、。「」`` …) is not a word.

Everything else is counted by runs of letters and digits (``well-known`` and ``don't`` are one
word each). Markdown syntax (``#``, ``*``, ``-``, ``|``, fences), the URLs of links and
images, bare URLs, citation markers such as ``[3]`` or ``[1, 2]`` and footnote references
(``[^1]``) are not words. Code
(inline and fenced blocks) counts like prose: a chapter that explains code is as long as it
reads, and a budget that ignored code would reward pasting it.
"""

from __future__ import annotations

import re

__all__ = ["CJK_CHARS", "count_words", "within"]

# Han (unified, extension A, compatibility, extension B+), Hiragana, Katakana (with the
# prolonged sound mark, without the middle dot ・), halfwidth Katakana, Hangul syllables and
# jamo. CJK symbols and punctuation (U+3000–U+303F) and fullwidth forms are not listed.
CJK_CHARS = (
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
    "\u3041-\u309f\u30a0-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff9d"
    "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"
)

_CJK_CHAR = re.compile(f"[{CJK_CHARS}]")
# A word is a run of letters and digits, or several joined by one apostrophe or hyphen
# (``[^\W_]+(?:['’-][^\W_]+)*``): counted as the runs less the joints between two of them.
_RUN = re.compile(r"[^\W_]+")
_JOINT = re.compile(r"['’-](?<=[^\W_]['’-])(?=[^\W_])")  # the joint first: a fast scan
_ASCII_GAPS = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})
_LINK_TARGET = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*>")
_BARE_URL = re.compile(r"\bhttps?://[^\s<>()\[\]]+", re.IGNORECASE)
_CITATION = re.compile(r"\[[ \t]*[0-9]+(?:[ \t]*,[ \t]*[0-9]+)*[ \t]*\]|\[\^[^\]\s]+\]")


def count_words(text: str) -> int:
    """The number of words of ``text`` (markdown), by the rules of this module's docstring."""
    # Each pass runs only on text with the character it needs: the bare-URL pass alone
    # doubles the time of a chapter without URLs, and chapters are counted on the way out
    # of every model call.
    prose = _LINK_TARGET.sub("]", text) if "](" in text else text
    if "<" in prose:
        prose = _AUTOLINK.sub(" ", prose)
    if "://" in prose:
        prose = _BARE_URL.sub(" ", prose)
    if "[" in prose:
        prose = _CITATION.sub(" ", prose)
    if prose.isascii():  # the runs split by str methods: several times faster than a regex
        runs, cjk = len(prose.translate(_ASCII_GAPS).split()), 0
    else:
        prose, cjk = _CJK_CHAR.subn(" ", prose)
        runs = len(_RUN.findall(prose))
    return cjk + runs - len(_JOINT.findall(prose))


def within(actual: int, target: int, tolerance: float) -> bool:
    """Whether ``actual`` is within ``tolerance`` (a fraction: ``0.2`` is ± 20 %) of
    ``target``; the bounds are inclusive."""
    if tolerance < 0:
        raise ValueError("tolerance must not be negative")
    return abs(actual - target) <= tolerance * target
