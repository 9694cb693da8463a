"""The outline editor's rows (learnpath.web.outline_form, learnpath.web.outline_editor): the
form's fields read back, every action button, ids following position, problems placed under
the node they name."""

from __future__ import annotations

from starlette.datastructures import FormData

from learnpath.domain.outline import Outline, OutlineNode
from learnpath.web.outline_editor import Editor, document_request
from learnpath.web.outline_form import Row, applied, numbers, outline_of, read_rows, rows_of

ROWS = [Row(1, "A"), Row(2, "A1"), Row(2, "A2"), Row(3, "A2x"), Row(1, "B"), Row(1, "C")]


def shape(rows: list[Row]) -> list[tuple[int, str]]:
    return [(r.depth, r.title) for r in rows]


def test_rows_and_outline_round_trip_with_ids_from_position() -> None:
    outline = outline_of("Doc", "About", ROWS)
    assert [n.id for n in outline.nodes] == ["1", "2", "3"]
    assert [c.id for c in outline.nodes[0].children] == ["1.1", "1.2"]
    assert outline.nodes[0].children[1].children[0] == OutlineNode(id="1.2.1", title="A2x")
    assert rows_of(outline) == ROWS
    assert numbers(ROWS) == ["1", "1.1", "1.2", "1.2.1", "2", "3"]


def test_a_form_is_read_in_index_order_and_depths_are_levelled() -> None:
    form = FormData(
        [
            ("node-0-depth", "3"),
            ("node-0-title", " First "),
            ("node-1-depth", "3"),
            ("node-1-title", "Second"),
            ("node-1-summary", "why"),
            ("node-2-depth", "x"),
            ("node-2-title", "Third"),
            ("node-4-depth", "1"),
        ]
    )
    assert read_rows(form) == [Row(1, "First"), Row(2, "Second", "why"), Row(1, "Third")]


def test_moves_carry_the_sub_nodes_and_stop_at_the_ends() -> None:
    assert shape(applied(ROWS, "down:0")) == [
        (1, "B"),
        (1, "A"),
        (2, "A1"),
        (2, "A2"),
        (3, "A2x"),
        (1, "C"),
    ]
    assert shape(applied(ROWS, "up:2"))[:4] == [(1, "A"), (2, "A2"), (3, "A2x"), (2, "A1")]
    assert applied(ROWS, "up:0") == ROWS
    assert applied(ROWS, "up:1") == ROWS  # the first sub-node stays under its parent
    assert applied(ROWS, "down:5") == ROWS


def test_nesting_keeps_depth_at_most_three() -> None:
    assert shape(applied(ROWS, "indent:4"))[4] == (2, "B")
    assert applied(ROWS, "indent:2") == ROWS  # A2's sub-node would be a fourth level
    assert applied(ROWS, "indent:0") == ROWS  # no node before it to nest under
    assert shape(applied(ROWS, "outdent:1")) == [
        (1, "A"),
        (2, "A2"),
        (3, "A2x"),
        (1, "A1"),
        (1, "B"),
        (1, "C"),
    ]
    assert applied(ROWS, "outdent:0") == ROWS


def test_adding_and_removing() -> None:
    assert shape(applied(ROWS, "add")) == [*shape(ROWS), (1, "")]
    assert shape(applied(ROWS, "add-after:0"))[4] == (1, "")
    assert shape(applied(ROWS, "add-child:2"))[:5] == [
        (1, "A"),
        (2, "A1"),
        (2, "A2"),
        (3, "A2x"),
        (3, ""),
    ]
    assert applied(ROWS, "add-child:3") == ROWS
    assert shape(applied(ROWS, "remove:0")) == [(1, "B"), (1, "C")]
    assert applied(ROWS, "remove:9") == ROWS
    assert applied(ROWS, "jump:1") == ROWS


def test_problems_are_placed_under_the_node_they_name() -> None:
    editor = Editor("", "", [Row(1, "A"), Row(2, " ")], word_count="12")
    assert document_request(editor, "job_1", "Indexes", []) is None
    assert editor.errors == {
        "outline-title": ["the outline's title is empty"],
        "node-1-title": ["node 1.1: title is empty"],
        "word_count": ["Word count must be between 300 and 50000"],
    }


def test_a_valid_editor_asks_for_the_document_of_its_outline() -> None:
    editor = Editor("Doc", "", [Row(1, "A"), Row(1, "B")], word_count="900")
    wanted = document_request(editor, "job_1", "Indexes", [])
    assert wanted is not None
    assert wanted.source_job_id == "job_1"
    assert wanted.word_count == 900
    assert wanted.task_prompt == "Indexes"
    assert wanted.outline == Outline(
        title="Doc", nodes=[OutlineNode(id="1", title="A"), OutlineNode(id="2", title="B")]
    )
