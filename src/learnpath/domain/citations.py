"""Citation markers in chapter markdown: finding them, dropping unknown ones, and renumbering
them across a document (contract §7, docs/contract.md).

A chapter cites the job's source number ``n`` as ``[n]``; ``[1, 3]``, ``[1,3]`` and
``[1][2]`` (two markers) are accepted too. Not citations: links (``[1](https://…)``),
footnote references (``[^1]``), escaped brackets (``\\[1]``), checkboxes and other bracketed
text (``[x]``, ``[a]``), numbers longer than 30 digits, and anything inside inline code, a
fenced or indented code block, a link destination, an autolink or a link reference
definition (``[1]: https://…``).

Where inline text is (not a code block, not a link reference definition) is decided by
markdown-it, the parser that renders the document, so a marker is a citation exactly where
it renders as text.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt

__all__ = ["cited", "renumber", "unknown", "without_unknown"]

_MARKER = re.compile(r"(?<!\\)\[[ \t]*([0-9]{1,30}(?:[ \t]*,[ \t]*[0-9]{1,30})*)[ \t]*\](?!\()")
_NUMBER = re.compile(r"[0-9]+")
_BACKTICKS = re.compile(r"`+")
_LINK_DESTINATION = re.compile(r"\]\([^)\n]*\)?")
_AUTOLINK = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*>")
_LINE_END = re.compile(r"\r\n|\r|\n")
_BLOCKS = MarkdownIt("commonmark", {"html": False}).enable(["table"])


@dataclass(frozen=True)
class _Marker:
    start: int
    end: int
    numbers: tuple[int, ...]


def _prose_ranges(markdown: str) -> list[tuple[int, int]]:
    """Character ranges of the lines holding inline text (paragraphs, headings, table rows),
    by markdown-it's block parse: code blocks, link reference definitions and blank lines
    are outside them, and a code span never crosses their ends."""
    offsets = [0]
    # markdown-it splits lines at \n, \r\n and \r (str.splitlines would split at more).
    offsets.extend(found.end() for found in _LINE_END.finditer(markdown))
    offsets.append(len(markdown))
    lines = {
        (token.map[0], token.map[1])
        for token in _BLOCKS.parse(markdown)
        if token.type == "inline" and token.map
    }
    return [
        (offsets[min(first, len(offsets) - 1)], offsets[min(last, len(offsets) - 1)])
        for first, last in sorted(lines)
    ]


def _inline_spans(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Code spans (CommonMark: a run of n backticks up to the next run of exactly n), link
    destinations and autolinks within ``text[start:end]``."""
    position = start
    while (run := _BACKTICKS.search(text, position, end)) is not None:
        opening = run.start()
        if opening > 0 and text[opening - 1] == "\\":
            opening += 1  # an escaped backtick is literal; the rest of the run may open
        width = run.end() - opening
        position = run.end()
        if width == 0:
            continue
        closing = _BACKTICKS.search(text, position, end)
        while closing is not None and len(closing.group()) != width:
            closing = _BACKTICKS.search(text, closing.end(), end)
        if closing is not None:
            yield opening, closing.end()
            position = closing.end()
    for pattern in (_LINK_DESTINATION, _AUTOLINK):
        for found in pattern.finditer(text, start, end):
            yield found.start() + (1 if pattern is _LINK_DESTINATION else 0), found.end()


@lru_cache(maxsize=64)
def _markers(markdown: str) -> tuple[_Marker, ...]:
    """The citation markers of ``markdown``, in order. Kept for the last chapters seen: a
    chapter is checked when it is written and again when its document is assembled."""
    if _MARKER.search(markdown) is None:
        return ()
    found = []
    for start, end in _prose_ranges(markdown):
        protected = list(_inline_spans(markdown, start, end))
        for match in _MARKER.finditer(markdown, start, end):
            if any(s < match.end() and match.start() < e for s, e in protected):
                continue
            numbers = tuple(int(n) for n in _NUMBER.findall(match.group(1)))
            found.append(_Marker(match.start(), match.end(), numbers))
    return tuple(found)


def cited(markdown: str) -> list[int]:
    """The source numbers cited, in order of appearance, repeats kept."""
    return [n for marker in _markers(markdown) for n in marker.numbers]


def unknown(markdown: str, known: Collection[int]) -> list[int]:
    """The cited numbers not in ``known``, unique, in order of first appearance."""
    return list(dict.fromkeys(n for n in cited(markdown) if n not in known))


def _rewrite(markdown: str, markers: Sequence[_Marker], numbers: list[list[int]]) -> str:
    """``markdown`` with each marker replaced by ``[a, b]`` of its new numbers, or removed
    together with the spaces before it when it has none left."""
    pieces = []
    position = 0
    for marker, new in zip(markers, numbers, strict=True):
        before = markdown[position : marker.start]
        if new:
            pieces.append(before + "[" + ", ".join(map(str, new)) + "]")
        else:
            pieces.append(before.rstrip(" \t"))
        position = marker.end
    pieces.append(markdown[position:])
    return "".join(pieces)


def _without_unknown_once(markdown: str, known: Collection[int]) -> str:
    markers = _markers(markdown)
    kept = [[n for n in marker.numbers if n in known] for marker in markers]
    changed = [
        (marker, numbers)
        for marker, numbers in zip(markers, kept, strict=True)
        if len(numbers) != len(marker.numbers)
    ]
    if not changed:
        return markdown
    return _rewrite(markdown, [m for m, _ in changed], [n for _, n in changed])


def without_unknown(markdown: str, known: Collection[int]) -> str:
    """``markdown`` with the numbers not in ``known`` taken out of its citations: ``[9]``
    disappears with the spaces before it, ``[1, 9]`` becomes ``[1]``; the rest of the text is
    unchanged. Removing a marker can join text into a new one (``[[9]1]``), so this repeats
    until no unknown number is left."""
    while (cleaned := _without_unknown_once(markdown, known)) != markdown:
        markdown = cleaned
    return markdown


def renumber(chapters: Sequence[str], known: Collection[int]) -> tuple[list[str], list[int]]:
    """The chapters with their citations renumbered 1…N by first citation across the
    chapters, in the order given, and ``order``: ``order[i]`` is the source number of final
    reference ``i + 1``.

    Unknown numbers are dropped (:func:`without_unknown`), repeats within one marker merged
    (``[2, 2]`` → ``[1]``) and a marker's numbers written ascending, ``", "``-separated.
    Afterwards every marker resolves to 1…N, first appearances run 1, 2, 3, … with no gap,
    and the text outside the markers is unchanged (rewriting a marker keeps its brackets,
    so it cannot form or break another one).
    """
    cleaned = [without_unknown(chapter, known) for chapter in chapters]
    final: dict[int, int] = {}
    rewritten = []
    for chapter in cleaned:
        markers = _markers(chapter)
        numbers = []
        for marker in markers:
            for n in marker.numbers:
                final.setdefault(n, len(final) + 1)
            numbers.append(sorted({final[n] for n in marker.numbers}))
        rewritten.append(_rewrite(chapter, markers, numbers))
    return rewritten, list(final)
