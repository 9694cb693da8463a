"""Citation markers (contract §7): what is a citation, dropping unknown ones, renumbering by
first citation; the renumbering guarantees are property-tested against adversarial text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from learnpath.domain.citations import cited, renumber, unknown, without_unknown

NOT_CITATIONS = (
    "A link [1](https://x.org/[2]), a footnote [^3], `code [4]`, a box [x], text [a], "
    "escaped \\[5], an autolink <https://y.org/[6]>, a long [1234567890123456789012345678901].\n"
    "\n```\nfenced [7]\n```\n\n    indented [8]\n"
)


def test_what_counts_as_a_citation() -> None:
    text = "One [1], two [1, 3] and [2,4], adjacent [5][6], spaced [ 7 ]."
    assert cited(text) == [1, 1, 3, 2, 4, 5, 6, 7]
    assert cited(NOT_CITATIONS) == []
    assert cited("~~~md\n[1]\n~~~\n- item\n\n  ```\n  [2]\n  ```\nafter [3]") == [3]


def test_citations_are_found_where_markdown_renders_text() -> None:
    assert cited("| [1] | b |\n|---|---|\n| [2] | c |") == [1, 2]  # table cells
    assert cited("> quote [3]\n\n- item [4]\n  more [5]\n\n# H [6]\nSetext [7]\n---") == [
        3,
        4,
        5,
        6,
        7,
    ]
    assert cited("[1]: https://x.org\n\ntext [2]") == [2]  # a link reference definition
    # A backtick in one paragraph does not open a code span into the next.
    assert cited("a ` b\n\nc [1] d ` e") == [1]
    # Lines end at \r\n and \r as markdown-it sees them, not at \x0c.
    assert cited("a\r\n\r\n```\r\n[5]\r\n```\r\nb [6]\x0cc [7]") == [6, 7]


def test_unknown_is_unique_in_first_appearance_order() -> None:
    assert unknown("[9] [1] [8, 9] [1, 8] [7]", {1}) == [9, 8, 7]
    assert unknown("[1]", {1}) == []


def test_without_unknown_removes_numbers_and_nothing_else() -> None:
    assert without_unknown("Fact [9]. Both [1, 9]. Pair [1][9]!", {1}) == (
        "Fact. Both [1]. Pair [1]!"
    )
    assert without_unknown(NOT_CITATIONS, set()) == NOT_CITATIONS
    assert without_unknown("[[9]1]", set()) == ""  # dropping [9] joins an unknown [1]


def test_renumber_by_first_citation_across_chapters() -> None:
    chapters = ["B [5] then A [2].", "Again [2, 5], new [7], bad [9], same [2, 2].", "None."]
    new, order = renumber(chapters, {2, 5, 7})
    assert new == ["B [1] then A [2].", "Again [1, 2], new [3], bad, same [2].", "None."]
    assert order == [5, 2, 7]


def test_renumber_leaves_code_and_links_alone() -> None:
    new, order = renumber([NOT_CITATIONS + "real [8]"], {1, 2, 3, 4, 5, 6, 7, 8})
    assert new == [NOT_CITATIONS + "real [1]"]
    assert order == [8]


def test_renumber_sorts_the_numbers_of_one_marker() -> None:
    assert renumber(["[3] [4, 3]"], {3, 4}) == (["[1] [1, 2]"], [3, 4])
    assert renumber(["[4, 3]"], {3, 4}) == (["[1, 2]"], [4, 3])


# -- properties ---------------------------------------------------------------------------

KNOWN = {1, 2, 3, 5, 8, 13, 10**12}
numbers = st.sampled_from([0, 1, 2, 3, 4, 5, 8, 9, 13, 99, 10**12, 10**25])
# A marker piece: its numbers, written "[a, b]" or "[a,b]".
markers = st.tuples(st.lists(numbers, min_size=1, max_size=3), st.sampled_from([", ", ","]))
# Pieces that are not citations; each keeps its brackets and backticks to itself.
plain = st.sampled_from(
    [
        "word",
        " ",
        "\n",
        "\n\n",
        ". ",
        "x`code [3]`x",
        "y``a ` [4] b``y",
        "[1](https://x.org/[2])",
        "[^5]",
        "[x]",
        "[a, b]",
        "<https://y.org/[1]>",
        "\\[2]",
        "\n```\n[3] fenced\n```\n",
        "\n\n    [5] indented\n\n",
        "\n# Heading ",
    ]
)
Piece = str | tuple[list[int], str]
pieces = st.lists(st.one_of(markers, plain), max_size=25)
# Free text over an alphabet of nothing but the characters citations are made of.
chaos = st.text(alphabet="[]()`,^\\ \n0123459~x:-", max_size=60)


def _text(chapter: list[Piece]) -> str:
    return "".join(
        p if isinstance(p, str) else "[" + p[1].join(map(str, p[0])) + "]" for p in chapter
    )


def _assert_well_numbered(new: list[str], order: list[int]) -> None:
    seen: list[int] = []
    for chapter in new:
        for n in cited(chapter):
            assert 1 <= n <= len(order)
            if n not in seen:
                seen.append(n)
    assert seen == list(range(1, len(order) + 1))
    assert len(set(order)) == len(order)
    assert set(order) <= KNOWN


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(pieces.map(_text), chaos), max_size=4))
def test_renumbered_citations_resolve_in_first_citation_order(chapters: list[str]) -> None:
    new, order = renumber(chapters, KNOWN)
    _assert_well_numbered(new, order)
    # Renumbering the result again changes nothing: it is already 1…N in order.
    assert renumber(new, set(range(1, len(order) + 1))) == (new, list(range(1, len(order) + 1)))


@settings(max_examples=150, deadline=None)
@given(st.lists(pieces, max_size=4))
def test_only_the_markers_change(chapters: list[list[Piece]]) -> None:
    new, order = renumber([_text(chapter) for chapter in chapters], KNOWN)
    first_cited = [n for c in chapters for p in c if not isinstance(p, str) for n in p[0]]
    assert order == list(dict.fromkeys(n for n in first_cited if n in KNOWN))
    final = {n: i for i, n in enumerate(order, start=1)}
    assert new == [_expected(chapter, final) for chapter in chapters]


def _expected(chapter: list[Piece], final: dict[int, int]) -> str:
    """The chapter as renumbering must leave it: plain pieces as they were, a marker
    rewritten to its final numbers, or gone with the spaces before it."""
    text = ""
    for piece in chapter:
        if isinstance(piece, str):
            text += piece
        elif kept := sorted({final[n] for n in piece[0] if n in final}):
            text += "[" + ", ".join(map(str, kept)) + "]"
        else:
            text = text.rstrip(" \t")
    return text
