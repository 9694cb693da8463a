"""The outline's rules (contract §7): validation messages, renumbering, repair, word shares."""

from __future__ import annotations

import pytest

from learnpath.domain.outline import (
    Outline,
    OutlineNode,
    OutlineProblem,
    outline_problems,
    outline_text,
    renumbered,
    repaired,
    word_shares,
)


def node(id: str, title: str = "T", *children: OutlineNode, summary: str = "") -> OutlineNode:
    return OutlineNode(id=id, title=title, summary=summary, children=list(children))


def outline(*nodes: OutlineNode, title: str = "Doc") -> Outline:
    return Outline(title=title, nodes=list(nodes))


def test_a_valid_outline_has_no_problems() -> None:
    valid = outline(node("1", "A", node("1.1", "B", node("1.1.1", "C"))), node("2", "D"))
    assert outline_problems(valid) == []


def test_a_wrong_id_is_named_by_its_path_and_its_position() -> None:
    bad = outline(node("1"), node("2", "T", node("2.3")))
    assert outline_problems(bad) == [
        OutlineProblem("nodes[1].children[0]", 'node 2.1: id should be "2.1" (found "2.3")')
    ]


def test_an_empty_title_is_named_by_the_node_id() -> None:
    bad = outline(node("1"), node("2"), node("3", "  \n"))
    assert outline_problems(bad) == [OutlineProblem("3", "node 3: title is empty")]


def test_the_outline_title_must_not_be_empty() -> None:
    assert outline_problems(outline(node("1"), title=" ")) == [
        OutlineProblem("title", "the outline's title is empty")
    ]


def test_depth_is_at_most_three_and_the_deeper_node_is_named_once() -> None:
    deep = node("1.1.1.1", "D", node("1.1.1.1.1", "E"))
    bad = outline(node("1", "A", node("1.1", "B", node("1.1.1", "C", deep))))
    assert outline_problems(bad) == [
        OutlineProblem("1.1.1.1", "node 1.1.1.1: too deep (at most 3 levels)")
    ]


def test_one_to_thirty_chapters() -> None:
    assert outline_problems(outline()) == [
        OutlineProblem("nodes", "the outline has no chapters (top-level nodes)")
    ]
    many = outline(*(node(str(i)) for i in range(1, 32)))
    assert outline_problems(many) == [
        OutlineProblem("nodes", "the outline has 31 chapters (top-level nodes); at most 30")
    ]
    assert outline_problems(outline(*(node(str(i)) for i in range(1, 31)))) == []


def test_size_caps() -> None:
    bad = Outline(
        title="x" * 301,
        summary="s" * 4001,
        nodes=[
            OutlineNode(
                id="1",
                title="t" * 301,
                summary="s" * 4001,
                children=[node(f"1.{i}") for i in range(1, 32)],
            )
        ],
    )
    assert outline_problems(bad) == [
        OutlineProblem("title", "the outline's title is longer than 300 characters (found 301)"),
        OutlineProblem(
            "summary", "the outline's summary is longer than 4000 characters (found 4001)"
        ),
        OutlineProblem("1", "node 1: title is longer than 300 characters (found 301)"),
        OutlineProblem("1", "node 1: summary is longer than 4000 characters (found 4001)"),
        OutlineProblem("1", "node 1: more than 30 sub-nodes (found 31)"),
    ]


def test_unstorable_text_is_named() -> None:
    assert outline_problems(outline(node("1", "a\x00b"))) == [
        OutlineProblem("1", "node 1: title is not storable: NUL characters are not allowed in text")
    ]


def test_renumbered_rewrites_ids_from_positions() -> None:
    messy = outline(node("7", "A", node("x", "B"), node("", "C", node("9.9.9", "D"))), node("1"))
    again = renumbered(messy)
    assert [n.id for n in again.nodes] == ["1", "2"]
    assert [c.id for c in again.nodes[0].children] == ["1.1", "1.2"]
    assert again.nodes[0].children[1].children[0].id == "1.2.1"
    assert outline_problems(again) == []
    assert again.nodes[0].children[1].title == "C"


def test_repaired_strips_drops_cuts_and_renumbers() -> None:
    generated = Outline(
        title="  Doc  ",
        summary=" about ",
        nodes=[
            node("", "  ", node("", "lost child")),
            node(
                "a",
                " First ",
                node("", "Sub", node("", "Leaf", node("", "too deep"))),
                summary="  s  ",
            ),
            *(node("", f"C{i}") for i in range(40)),
        ],
    )
    fixed = repaired(generated)
    assert (fixed.title, fixed.summary) == ("Doc", "about")
    assert len(fixed.nodes) == 30
    first = fixed.nodes[0]
    assert (first.id, first.title, first.summary) == ("1", "First", "s")
    assert first.children[0].id == "1.1"
    assert first.children[0].children[0].id == "1.1.1"
    assert first.children[0].children[0].children == []
    assert fixed.nodes[1].title == "C0"
    assert fixed.nodes[29].id == "30"
    assert outline_problems(fixed) == []


def test_repaired_refuses_an_outline_without_chapters_or_title() -> None:
    with pytest.raises(ValueError, match=r"^the outline has no chapters$"):
        repaired(outline(node("1", " ")))
    with pytest.raises(ValueError, match=r"^the outline has no title$"):
        repaired(outline(node("1"), title=""))


def test_word_shares_are_proportional_to_one_plus_descendants() -> None:
    doc = outline(
        node("1", "A", node("1.1", "a", node("1.1.1"), node("1.1.2"))),  # weight 4
        node("2", "B"),  # weight 1
        node("3", "C", node("3.1")),  # weight 2
    )
    shares = word_shares(doc, 7000)
    assert shares == {"1": 4000, "2": 1000, "3": 2000}


def test_word_shares_sum_exactly_with_largest_remainders() -> None:
    doc = outline(node("1"), node("2"), node("3"))
    assert word_shares(doc, 1000) == {"1": 334, "2": 333, "3": 333}
    doc = outline(node("1", "A", node("1.1")), node("2"), node("3"))  # weights 2, 1, 1
    assert word_shares(doc, 301) == {"1": 151, "2": 75, "3": 75}
    assert sum(word_shares(doc, 3001).values()) == 3001


def test_outline_text_is_an_indented_tree() -> None:
    doc = Outline(
        title="Doc",
        summary="All\nabout it",
        nodes=[node("1", "A", node("1.1", "B", summary="b  b")), node("2", "C")],
    )
    assert outline_text(doc) == "Doc — All about it\n1 A\n  1.1 B — b b\n2 C"


def test_numeric_ids_reach_the_validator_as_text() -> None:
    parsed = Outline.model_validate({"title": "Doc", "nodes": [{"id": 1, "title": "A"}]})
    assert parsed.nodes[0].id == "1"
    assert outline_problems(parsed) == []
