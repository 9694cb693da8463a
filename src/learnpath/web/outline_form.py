"""The outline editor's form (docs/contract.md §7): an outline as a flat list of rows, each
with its depth, so a page without scripts can edit it with indexed fields
(``node-3-title``, ``node-3-summary``, ``node-3-depth``) and action buttons
(``action=up:3``) that send the form back to be shown again with the change applied.

A node's *block* is its row and the rows after it that are deeper (its sub-nodes). Moves,
nesting and removal act on blocks; ids are never sent, they follow from position
(:func:`learnpath.domain.outline.renumbered`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from learnpath.domain.outline import MAX_DEPTH, Outline, OutlineNode, renumbered

MAX_ROWS = 1000
"""At most this many rows are read from a form: far more than a valid outline holds."""


@dataclass(frozen=True)
class Row:
    depth: int
    title: str
    summary: str = ""


def rows_of(outline: Outline) -> list[Row]:
    """The outline's nodes in document order, each with its depth (1 for a chapter)."""
    rows: list[Row] = []

    def walk(nodes: list[OutlineNode], depth: int) -> None:
        for node in nodes:
            rows.append(Row(depth, node.title, node.summary))
            walk(node.children, depth + 1)

    walk(outline.nodes, 1)
    return rows


def leveled(rows: list[Row]) -> list[Row]:
    """The rows with each depth between 1 and one more than the row before's."""
    fixed: list[Row] = []
    for row in rows:
        limit = fixed[-1].depth + 1 if fixed else 1
        fixed.append(replace(row, depth=max(1, min(row.depth, limit))))
    return fixed


def outline_of(title: str, summary: str, rows: list[Row]) -> Outline:
    """The outline the rows describe, numbered by position."""
    top: list[OutlineNode] = []
    parents: list[OutlineNode] = []
    for row in leveled(rows):
        node = OutlineNode(id="", title=row.title, summary=row.summary)
        del parents[row.depth - 1 :]
        (parents[-1].children if parents else top).append(node)
        parents.append(node)
    return renumbered(Outline(title=title, summary=summary, nodes=top))


def numbers(rows: list[Row]) -> list[str]:
    """Each row's dotted id ("1", "1.2", "1.2.3"), as its position gives it."""
    counts: list[int] = []
    ids: list[str] = []
    for row in leveled(rows):
        del counts[row.depth :]
        if len(counts) < row.depth:
            counts.append(0)
        counts[-1] += 1
        ids.append(".".join(map(str, counts)))
    return ids


def read_rows(form: Mapping[str, object]) -> list[Row]:
    """The rows of a submitted editor form, in index order (``node-0-…``, ``node-1-…``)."""

    def field(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    rows: list[Row] = []
    for index in range(MAX_ROWS):
        depth = field(f"node-{index}-depth")
        if not depth:
            break
        rows.append(
            Row(
                int(depth) if depth.isdigit() else 1,
                field(f"node-{index}-title"),
                field(f"node-{index}-summary"),
            )
        )
    return leveled(rows)


def _end(rows: list[Row], index: int) -> int:
    """Where the block of ``rows[index]`` ends (exclusive)."""
    depth = rows[index].depth
    end = index + 1
    while end < len(rows) and rows[end].depth > depth:
        end += 1
    return end


def _previous_sibling(rows: list[Row], index: int) -> int | None:
    depth = rows[index].depth
    for k in range(index - 1, -1, -1):
        if rows[k].depth < depth:
            return None
        if rows[k].depth == depth:
            return k
    return None


def _shifted(block: list[Row], by: int) -> list[Row]:
    return [replace(row, depth=row.depth + by) for row in block]


def _up(rows: list[Row], i: int) -> list[Row]:
    k = _previous_sibling(rows, i)
    if k is None:
        return rows
    end = _end(rows, i)
    return rows[:k] + rows[i:end] + rows[k:i] + rows[end:]


def _down(rows: list[Row], i: int) -> list[Row]:
    end = _end(rows, i)
    if end >= len(rows) or rows[end].depth != rows[i].depth:
        return rows
    return _up(rows, end)


def _indent(rows: list[Row], i: int) -> list[Row]:
    """The node becomes the last sub-node of the node before it at its level."""
    end = _end(rows, i)
    if _previous_sibling(rows, i) is None or max(r.depth for r in rows[i:end]) >= MAX_DEPTH:
        return rows
    return rows[:i] + _shifted(rows[i:end], 1) + rows[end:]


def _outdent(rows: list[Row], i: int) -> list[Row]:
    """The node leaves its parent and follows it, after the parent's other sub-nodes."""
    if rows[i].depth == 1:
        return rows
    parent = next(k for k in range(i - 1, -1, -1) if rows[k].depth < rows[i].depth)
    end = _end(rows, i)
    rest = rows[:i] + rows[end:]
    at = _end(rest, parent)
    return rest[:at] + _shifted(rows[i:end], -1) + rest[at:]


def _remove(rows: list[Row], i: int) -> list[Row]:
    return rows[:i] + rows[_end(rows, i) :]


def _add_after(rows: list[Row], i: int) -> list[Row]:
    end = _end(rows, i)
    return [*rows[:end], Row(rows[i].depth, ""), *rows[end:]]


def _add_child(rows: list[Row], i: int) -> list[Row]:
    if rows[i].depth >= MAX_DEPTH:
        return rows
    end = _end(rows, i)
    return [*rows[:end], Row(rows[i].depth + 1, ""), *rows[end:]]


ACTIONS: dict[str, Callable[[list[Row], int], list[Row]]] = {
    "up": _up,
    "down": _down,
    "indent": _indent,
    "outdent": _outdent,
    "remove": _remove,
    "add-after": _add_after,
    "add-child": _add_child,
}
"""What an action button does to the row it names (``up:3``)."""


def applied(rows: list[Row], action: str) -> list[Row]:
    """The rows after ``action``: ``add`` (a chapter at the end) or ``NAME:INDEX`` of
    :data:`ACTIONS`. An action that cannot apply (moving the first node up, nesting deeper
    than three levels, an unknown index) leaves the rows as they are."""
    if action == "add":
        return [*rows, Row(1, "")]
    name, _, where = action.partition(":")
    move = ACTIONS.get(name)
    if move is None or not where.isdigit() or int(where) >= len(rows):
        return rows
    return move(rows, int(where))
