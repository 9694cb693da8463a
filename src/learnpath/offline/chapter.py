"""The offline answers of the chapter writer and its revision (contract §7): a chapter of
``word_target`` ± 10 % words, its paragraphs alternating the sources' own sentences, cited
by the sources' numbers, with sentences of the language's phrase bank about its sections.

Sizes are kept by counting each sentence once as it is added (:func:`_count_words`), so an
8000-word chapter costs a few milliseconds.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from learnpath.agents.document_inputs import ChapterInput, RevisionInput, SourceBrief
from learnpath.domain.drafts import ChapterDraft
from learnpath.offline.phrases import OTHER_LANGUAGE_NOTE, Phrases, fill, phrases
from learnpath.offline.text import truncate

_CJK = "\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|(?:(?![{_CJK}])[^\W_])+")
_MARKER = re.compile(r"\[\d+\]")
_SPACED_MARKER = re.compile(r"\s*\[\d+\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])")
_INLINE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|[*_`>#|]+")
_LIST_ITEM = re.compile(r"^(?:[-*+•]|\d+[.)])\s+")
_TERMINAL = ".!?。！？"
MAX_SENTENCE = 45
"""Words at most of a source sentence the chapter quotes (CJK: twice as many characters)."""
MIN_SENTENCE = 4


def _count_words(text: str) -> int:
    """Words as documents count them: a CJK character is one, any other run of letters and
    digits one; ``[n]`` citations and markdown symbols are not counted."""
    return len(_TOKEN.findall(_MARKER.sub(" ", text)))


def _sentences(excerpt: str) -> list[str]:
    """The prose sentences of an excerpt, without markdown, headings or citations."""
    lines = (_LIST_ITEM.sub("", ln.strip()) for ln in excerpt.splitlines())
    prose = " ".join(ln for ln in lines if ln and not ln.startswith("#"))
    prose = " ".join(_INLINE.sub(r"\1", _SPACED_MARKER.sub("", prose)).split())
    return [s.strip() for s in _SENTENCE_END.split(prose) if s.strip()]


def _quotable(source: SourceBrief) -> list[str]:
    """A source's sentences of a quotable length; its first, shortened, when none is."""
    found = _sentences(source.excerpt)
    fits = [s for s in found if MIN_SENTENCE <= _count_words(s) <= _limit(s)]
    if fits or not found:
        return fits
    return [truncate(found[0], 2 * MAX_SENTENCE)]


def _limit(sentence: str) -> int:
    return 2 * MAX_SENTENCE if re.search(f"[{_CJK}]", sentence) else MAX_SENTENCE


def _cite(sentence: str, n: int, stop: str) -> str:
    """``sentence`` ending in ``[n]`` before its full stop (given one when it has none)."""
    if sentence[-1:] not in _TERMINAL:
        sentence += stop
    return f"{sentence[:-1]} [{n}]{sentence[-1]}"


@dataclass
class _Writer:
    """Sentences for a chapter, each with its word count: the sources' in turn, every source
    before any is repeated, between sentences of the phrase bank about the section."""

    data: ChapterInput
    ph: Phrases
    rng: random.Random

    def __post_init__(self) -> None:
        self._pools = [(s, itertools.cycle(_quotable(s) or [""])) for s in self.data.sources]
        self._turn = itertools.cycle(range(len(self._pools)))

    def source_sentence(self, topic: str, index: int | None = None) -> str:
        """The next sentence of the source whose turn it is (or of source ``index``)."""
        source, pool = self._pools[next(self._turn) if index is None else index]
        quoted, title = next(pool), truncate(source.title, 80)
        if not quoted:
            text = fill(self.ph.title_only, title=title, topic=topic)
        else:
            text = fill(self.rng.choice(self.ph.framings), title=title, s=quoted)
        return _cite(text, source.n, self.ph.stop)

    def bank_sentences(self, topic: str) -> Iterator[str]:
        pairs = list(itertools.product(self.ph.sentences, self.ph.aspects))
        self.rng.shuffle(pairs)
        doc = self.data.document_title
        for template, aspect in itertools.cycle(pairs):
            yield fill(template, topic=topic, aspect=aspect, doc=doc)

    def sentences(self, topic: str) -> Iterator[tuple[str, int]]:
        bank = self.bank_sentences(topic)
        while True:
            for text in (next(bank), self.source_sentence(topic)) if self._pools else (next(bank),):
                yield text, _count_words(text)

    def paragraphs(self, topic: str, words: float) -> tuple[list[str], int]:
        """Paragraphs about ``topic`` of about ``words`` words (the nearest sentence), and
        their count: at least one sentence."""
        out: list[str] = []
        current: list[str] = []
        total, size = 0, self.rng.randint(3, 6)
        for text, count in self.sentences(topic):
            if (current or out) and total + count / 2 > words:
                break
            current.append(text)
            total += count
            if len(current) >= size:
                out.append(self.ph.join(current))
                current, size = [], self.rng.randint(3, 6)
        if current:
            out.append(self.ph.join(current))
        return out, total


def _label(data: ChapterInput, ph: Phrases) -> str:
    lines = [f"> *{ph.note}*"]
    if data.language not in ("en", "zh"):
        lines += [">", f"> *{OTHER_LANGUAGE_NOTE}*"]
    return "\n".join(lines)


def _cite_missing(writer: _Writer, text: str, topic: str) -> list[str]:
    """A sentence for every given source that ``text`` does not cite yet."""
    cited = {int(m[1:-1]) for m in _MARKER.findall(text)}
    return [
        writer.source_sentence(topic, i)
        for i, source in enumerate(writer.data.sources)
        if source.n not in cited
    ]


def _body(data: ChapterInput, ph: Phrases, rng: random.Random) -> str:
    """The label, then each sub-section's heading and paragraphs; the paragraphs of section
    i end near the i-th share of the words left, so rounding does not add up."""
    writer = _Writer(data, ph, rng)
    blocks = [_label(data, ph)]
    sections = [(t, True) for t in data.sub_sections] or [(data.chapter_title, False)]
    fixed = _count_words(blocks[0]) + sum(_count_words(t) for t, heading in sections if heading)
    budget, written = data.word_target - fixed, 0
    for i, (title, heading) in enumerate(sections):
        if heading:
            blocks.append(f"### {title}")
        share = budget * (i + 1) / len(sections) - written
        paragraphs, count = writer.paragraphs(ph.mid(title), share)
        blocks += paragraphs
        written += count
    missing = _cite_missing(writer, "\n".join(blocks), ph.mid(sections[-1][0]))
    if missing:
        blocks[-1] = ph.join([blocks[-1], *missing])
    return "\n\n".join(blocks) + "\n"


def _summary(data: ChapterInput, ph: Phrases) -> str:
    parts = [ph.mid(t) for t in data.sub_sections] or [ph.mid(data.chapter_title)]
    return fill(
        ph.chapter_summary,
        id=data.chapter_id,
        title=data.chapter_title,
        parts=ph.list_separator.join(parts),
        tag=ph.tag,
    )


def chapter(payload: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    data = ChapterInput.model_validate(payload)
    ph = phrases(data.language)
    draft = ChapterDraft(markdown=_body(data, ph, rng), summary=_summary(data, ph))
    return draft.model_dump(mode="json")


def _drop_citations(text: str, unknown: list[int]) -> str:
    if not unknown:
        return text
    wrong = set(unknown)
    return re.sub(r"[ \t]*\[(\d+)\]", lambda m: "" if int(m[1]) in wrong else m[0], text)


def _is_prose(block: str) -> bool:
    return bool(block) and not block.startswith(("#", ">", "```", "|", "- ", "* ", "    "))


def _trim(text: str, target: int, ph: Phrases) -> str:
    """``text`` with sentences dropped from the end back until it is near ``target`` words.
    Kept: each section's first sentence, the last citation of each source, the label."""
    blocks = text.strip().split("\n\n")
    split = [_SENTENCE_END.split(b) if _is_prose(b) else [b] for b in blocks]
    cites = {m: text.count(m) for m in _MARKER.findall(text)}
    first = {
        i for i, b in enumerate(blocks) if _is_prose(b) and (i == 0 or not _is_prose(blocks[i - 1]))
    }
    count = _count_words(text)
    for i in reversed(range(len(blocks))):
        for j in reversed(range(len(split[i]) if _is_prose(blocks[i]) else 0)):
            if count <= target:
                break
            sentence = split[i][j]
            size, marks = _count_words(sentence), _MARKER.findall(sentence)
            keep = (i in first and j == 0) or any(cites[m] <= marks.count(m) for m in marks)
            if keep or count - size < 0.93 * target:
                continue
            del split[i][j]
            count -= size
            for m in marks:
                cites[m] -= 1
    kept = [ph.join(s) if _is_prose(b) else b for b, s in zip(blocks, split, strict=True)]
    return "\n\n".join(k for k in kept if k.strip()) + "\n"


def _expand(text: str, data: RevisionInput, ph: Phrases, rng: random.Random) -> str:
    """``text`` with paragraphs on the chapter's last section added up to ``word_target``."""
    known = [s for s in data.sources if s.n not in data.unknown_citations]
    writer = _Writer(data.model_copy(update={"sources": known}), ph, rng)
    title = (data.sub_sections or [data.chapter_title])[-1]
    missing = data.word_target - _count_words(text)
    paragraphs, _ = writer.paragraphs(ph.mid(title), missing)
    return "\n\n".join([text.strip(), *paragraphs]) + "\n"


def chapter_revision(payload: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The draft without the unknown citations, trimmed or expanded to ``word_target``, and
    labelled offline (a model's draft is not)."""
    data = RevisionInput.model_validate(payload)
    ph = phrases(data.language)
    text = _drop_citations(data.draft, data.unknown_citations)
    if ph.note not in text:
        text = f"{_label(data, ph)}\n\n{text.strip()}"
    count, target = _count_words(text), data.word_target
    if count > 1.05 * target:
        text = _trim(text, target, ph)
    elif count < 0.95 * target:
        text = _expand(text, data, ph, rng)
    draft = ChapterDraft(markdown=text.strip() + "\n", summary=_summary(data, ph))
    return draft.model_dump(mode="json")
