"""Context files as passages, ranked against each chapter with BM25 (contract §7: ``content``
files are split into passages and ranked against each chapter; docs/contract.md).

Scoring is the ``bm25s`` library's; this module only splits the text and tokenises it.
bm25s's own tokeniser would take a run of CJK characters (a whole Chinese sentence) as one
token, so tokens are made here: lowercased words of other scripts without English stopwords,
and CJK text as overlapping character bigrams (a lone CJK character as itself), the usual
way to index text without spaces between words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from learnpath.domain.words import CJK_CHARS, count_words

__all__ = ["Passage", "PassageIndex", "split_passages", "tokens"]

_HEADING = re.compile(r"^ {0,3}#{1,6}\s")
_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_CJK_RUNS = re.compile(rf"([{CJK_CHARS}]+)")
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Passage:
    """A piece of a context file: ``source_n`` is the file's source number, ``index`` the
    passage's position within it."""

    source_n: int
    title: str
    text: str
    index: int


def _blocks(text: str) -> list[str]:
    """Paragraphs: split on blank lines, and before every heading line."""
    blocks: list[str] = []
    for paragraph in _BLANK_LINES.split(text.replace("\r\n", "\n")):
        current: list[str] = []
        for line in paragraph.split("\n"):
            if _HEADING.match(line) and current:
                blocks.append("\n".join(current))
                current = []
            current.append(line)
        blocks.append("\n".join(current))
    return [block.strip() for block in blocks if block.strip()]


@lru_cache(maxsize=8)
def _piece_pattern(target_words: int) -> re.Pattern[str]:
    """Up to ``target_words`` words (a CJK character is one) with the spaces after them."""
    return re.compile(rf"(?:[{CJK_CHARS}]\s*|[^\s{CJK_CHARS}]+\s*|\s+){{1,{target_words}}}")


def _pieces(block: str, target_words: int, max_chars: int) -> list[str]:
    """``block`` cut into pieces of at most ``target_words`` words, at word boundaries, and
    of at most ``max_chars`` characters (a longer run without spaces is cut anywhere)."""
    pieces: list[str] = []
    for found in _piece_pattern(target_words).finditer(block):
        piece = found.group()
        pieces.extend(piece[i : i + max_chars] for i in range(0, len(piece), max_chars))
    return [piece.strip() for piece in pieces if piece.strip()]


def split_passages(source_n: int, title: str, text: str, target_words: int = 150) -> list[Passage]:
    """``text`` (markdown or plain) as passages of about ``target_words`` words.

    Paragraphs (split on blank lines and headings) are merged until a passage reaches the
    target, a heading starts a new passage once the current one has a third of it, and a
    paragraph longer than twice the target is cut at word boundaries. No passage exceeds
    twice the target in words nor ``target_words * 20`` characters, and passages without a
    word are dropped, so a 2 MB file gives at most a few thousand passages.
    """
    target = max(1, target_words)
    max_chars = target * 20
    texts: list[str] = []
    current: list[str] = []
    words = size = 0
    for block in _blocks(text):
        block_words = count_words(block)
        if not block_words:
            continue  # a rule, a table border: nothing to rank
        starts_section = _HEADING.match(block) is not None and words * 3 >= target
        too_big = words + block_words > 2 * target or size + len(block) > max_chars
        if current and (starts_section or too_big):
            texts.append("\n\n".join(current))
            current, words, size = [], 0, 0
        if block_words > 2 * target or len(block) > max_chars:
            texts.extend(piece for piece in _pieces(block, target, max_chars) if count_words(piece))
            continue
        current.append(block)
        words += block_words
        size += len(block) + 2
        if words >= target:
            texts.append("\n\n".join(current))
            current, words, size = [], 0, 0
    if current:
        texts.append("\n\n".join(current))
    return [Passage(source_n, title, t, index) for index, t in enumerate(texts)]


def tokens(text: str) -> list[str]:
    """Index terms of ``text``: lowercased non-CJK words minus English stopwords, and CJK
    character bigrams."""
    stopwords = _stopwords()
    terms: list[str] = []
    # re.split with a group alternates: text without CJK, a CJK run, text without CJK, …
    for i, part in enumerate(_CJK_RUNS.split(text.lower())):
        if i % 2:
            terms.extend(
                [part] if len(part) == 1 else [part[j : j + 2] for j in range(len(part) - 1)]
            )
        else:
            terms.extend(word for word in _WORD.findall(part) if word not in stopwords)
    return terms


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN  # type: ignore[import-untyped]

    return frozenset(STOPWORDS_EN)


class PassageIndex:
    """A BM25 index of passages. bm25s (and with it numpy and scipy) is imported when the
    first index is built, not when this module is, so the CLI starts fast."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self._passages = list(passages)
        self._retriever: Any = None
        if not self._passages:
            return
        import bm25s  # type: ignore[import-untyped]

        self._retriever = bm25s.BM25()
        self._retriever.index([tokens(p.text) or [""] for p in self._passages], show_progress=False)

    @property
    def passages(self) -> Sequence[Passage]:
        """Every passage indexed, in order."""
        return self._passages

    def rank(self, query: str, k: int) -> list[Passage]:
        """The at most ``k`` passages that match ``query`` best, best first (ties in passage
        order). Passages sharing no term with the query are never returned: an empty corpus
        or a query with no indexed term gives ``[]``, so a writer gets no passages rather than
        arbitrary ones."""
        if self._retriever is None or k <= 0:
            return []
        known = [t for t in tokens(query) if t in self._retriever.vocab_dict]
        if not known:
            return []
        scores = self._retriever.get_scores(known)
        ranked = sorted(
            (i for i in range(len(self._passages)) if scores[i] > 0),
            key=lambda i: (-float(scores[i]), i),
        )
        return [self._passages[i] for i in ranked[:k]]
