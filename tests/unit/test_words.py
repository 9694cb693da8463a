"""Word counts of markdown prose, CJK counted by characters (contract §7 word budgets)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from learnpath.domain.words import count_words, within

WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
"""A word of prose without markdown or CJK, by definition (learnpath.domain.words)."""
PROSE = st.text(alphabet=st.sampled_from(list("abZ9_-'’., \n\téßα—")), max_size=80)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", 0),
        ("Hello, world!", 2),
        ("A well-known rule: don't panic, 42 times.", 7),
        ("我们学习编程。", 6),  # six Han characters; 。 is punctuation
        ("「こんにちは」、カタカナ・コーヒー", 13),  # 5 hiragana + 4 + 4 katakana, no ・「」、
        ("한국어 문장", 5),
        ("用Python写代码", 5),  # 用 写 代 码 + Python
        ("# Title\n\n* one\n- two\n\n| a | b |\n|---|---|\n| c | d |\n", 7),
        ("See [the docs](https://docs.python.org/3/library/re.html) now.", 4),
        ("An image ![alt text](http://x.org/a.png) and <https://y.org/z>.", 5),
        ("Cited [1] twice [2, 3] and [4][5], footnote[^1].", 4),
        ("```python\nprint(x)\n```", 3),  # fenced code counts like prose: python print x
        ("Use `len(x)` here", 4),
    ],
)
def test_count_words(text: str, words: int) -> None:
    assert count_words(text) == words


def test_within_is_inclusive_and_relative() -> None:
    assert within(1200, 1000, 0.2)
    assert within(800, 1000, 0.2)
    assert not within(1201, 1000, 0.2)
    assert not within(799, 1000, 0.2)
    assert within(0, 0, 0.2)
    with pytest.raises(ValueError, match="tolerance"):
        within(1, 1, -0.1)


@given(PROSE)
def test_prose_words_are_runs_of_letters_and_digits_joined_by_one_apostrophe_or_hyphen(
    text: str,
) -> None:
    """The count (the runs less their joints, split by str methods for ASCII text) is the
    definition's, ASCII or not."""
    assert count_words(text) == len(WORD.findall(text))
