"""The outline of a document job: one shape everywhere (API in and out, editor, generator) and
its deterministic rules (contract §7, docs/contract.md).

The models accept any content, so that a client's bad outline reaches
:func:`outline_problems` and is answered with a message naming the node, instead of a
generic schema error. :func:`repaired` turns a model-generated outline into a valid one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from learnpath.domain.text import unstorable

__all__ = [
    "MAX_CHAPTERS",
    "MAX_CHILDREN",
    "MAX_DEPTH",
    "MAX_SUMMARY",
    "MAX_TITLE",
    "Outline",
    "OutlineNode",
    "OutlineProblem",
    "outline_problems",
    "outline_text",
    "renumbered",
    "repaired",
    "word_shares",
]

MAX_CHAPTERS = 30
MAX_CHILDREN = 30
MAX_DEPTH = 3
MAX_TITLE = 300
MAX_SUMMARY = 4000


class OutlineNode(BaseModel):
    # A client's ``"id": 2`` reaches the validator as "2" instead of failing the schema.
    model_config = ConfigDict(coerce_numbers_to_str=True)

    id: str
    title: str
    summary: str = ""
    children: list[OutlineNode] = Field(default_factory=list)


class Outline(BaseModel):
    model_config = ConfigDict(coerce_numbers_to_str=True)

    title: str
    summary: str = ""
    nodes: list[OutlineNode]


@dataclass(frozen=True)
class OutlineProblem:
    """One broken rule. ``node`` locates it: the node's id as given, or its path
    (``nodes[2].children[0]``) when that id is itself wrong, or ``"title"``, ``"summary"``,
    ``"nodes"`` for the outline's own fields. ``message`` is a sentence a person can act on
    and names the node by its position (``node 2.1: title is empty``)."""

    node: str
    message: str


@dataclass(frozen=True)
class _Placed:
    node: OutlineNode
    position: str  # the dotted id the node's place gives it
    path: str
    depth: int


def _walk(nodes: list[OutlineNode], prefix: str = "", path: str = "nodes") -> Iterator[_Placed]:
    """Every node up to the deepest allowed level plus one, parents before children."""
    depth = prefix.count(".") + 1 if prefix else 1
    for index, node in enumerate(nodes):
        position = f"{prefix}{index + 1}"
        here = f"{path}[{index}]"
        yield _Placed(node, position, here, depth)
        if depth <= MAX_DEPTH:
            yield from _walk(node.children, f"{position}.", f"{here}.children")


def _text_problems(prefix: str, what: str, value: str, limit: int) -> list[str]:
    """``prefix`` starts each message: ``"node 3: "`` or ``"the outline's "``."""
    problems: list[str] = []
    if what == "title" and not value.strip():
        problems.append(f"{prefix}title is empty")
    if len(value) > limit:
        problems.append(f"{prefix}{what} is longer than {limit} characters (found {len(value)})")
    if reason := unstorable(value):
        problems.append(f"{prefix}{what} is not storable: {reason}")
    return problems


def _node_problems(placed: _Placed) -> list[OutlineProblem]:
    node = placed.node
    label = f"node {placed.position}"
    prefix = f"{label}: "
    if node.id != placed.position:
        where = placed.path
        messages = [f'{label}: id should be "{placed.position}" (found "{node.id}")']
    else:
        where = node.id
        messages = []
    if placed.depth > MAX_DEPTH:
        return [OutlineProblem(where, f"{label}: too deep (at most {MAX_DEPTH} levels)")]
    messages += _text_problems(prefix, "title", node.title, MAX_TITLE)
    messages += _text_problems(prefix, "summary", node.summary, MAX_SUMMARY)
    if len(node.children) > MAX_CHILDREN:
        messages.append(f"{label}: more than {MAX_CHILDREN} sub-nodes (found {len(node.children)})")
    return [OutlineProblem(where, message) for message in messages]


def outline_problems(outline: Outline) -> list[OutlineProblem]:
    """Every broken rule of contract §7, in document order; an empty list when the outline is
    valid. Rules: ids dotted and matching position (``"1"``, ``"1.2"``, ``"1.2.3"``), depth
    ≤ 3, 1–30 top-level nodes (at most 30 sub-nodes per node), titles non-empty after strip
    (the outline's too), titles ≤ 300 and summaries ≤ 4000 characters, no NUL or lone
    surrogates."""
    own = (("title", outline.title, MAX_TITLE), ("summary", outline.summary, MAX_SUMMARY))
    problems = [
        OutlineProblem(field, message)
        for field, value, limit in own
        for message in _text_problems("the outline's ", field, value, limit)
    ]
    if not outline.nodes:
        problems.append(OutlineProblem("nodes", "the outline has no chapters (top-level nodes)"))
    elif len(outline.nodes) > MAX_CHAPTERS:
        problems.append(
            OutlineProblem(
                "nodes",
                f"the outline has {len(outline.nodes)} chapters (top-level nodes); "
                f"at most {MAX_CHAPTERS}",
            )
        )
    for placed in _walk(outline.nodes):
        problems.extend(_node_problems(placed))
    return problems


def _renumber(nodes: list[OutlineNode], prefix: str = "") -> list[OutlineNode]:
    return [
        node.model_copy(
            update={
                "id": f"{prefix}{index + 1}",
                "children": _renumber(node.children, f"{prefix}{index + 1}."),
            }
        )
        for index, node in enumerate(nodes)
    ]


def renumbered(outline: Outline) -> Outline:
    """The same outline with every id rewritten from its position (the editor's "ids
    renumber themselves")."""
    return outline.model_copy(update={"nodes": _renumber(outline.nodes)})


def _cleaned(nodes: list[OutlineNode], depth: int) -> list[OutlineNode]:
    kept: list[OutlineNode] = []
    for node in nodes:
        title = node.title.strip()[:MAX_TITLE].strip()
        if not title:
            continue
        children = _cleaned(node.children, depth + 1) if depth < MAX_DEPTH else []
        kept.append(
            OutlineNode(
                id=node.id,
                title=title,
                summary=node.summary.strip()[:MAX_SUMMARY].strip(),
                children=children[:MAX_CHILDREN],
            )
        )
    return kept


def repaired(outline: Outline) -> Outline:
    """A model-generated outline made valid: titles and summaries stripped (and cut to their
    caps), nodes with an empty title dropped with their sub-nodes, nodes deeper than 3 levels
    cut, the first 30 chapters (and 30 sub-nodes per node) kept, ids renumbered.

    Raises ValueError when the outline has no title or no chapter is left. Text that cannot
    be stored (NUL, lone surrogates) is not repaired: :func:`outline_problems` still names it.
    """
    title = outline.title.strip()[:MAX_TITLE].strip()
    if not title:
        raise ValueError("the outline has no title")
    nodes = _cleaned(outline.nodes, 1)[:MAX_CHAPTERS]
    if not nodes:
        raise ValueError("the outline has no chapters")
    summary = outline.summary.strip()[:MAX_SUMMARY].strip()
    return renumbered(Outline(title=title, summary=summary, nodes=nodes))


def _descendants(node: OutlineNode) -> int:
    return sum(1 + _descendants(child) for child in node.children)


def word_shares(outline: Outline, word_count: int) -> dict[str, int]:
    """Each chapter's (top-level node's) share of ``word_count``, by chapter id.

    A chapter's weight is 1 + the number of its descendants (sub-nodes at every level), so a
    chapter with two sections of three sub-sections each weighs 9 and one with no sub-nodes
    weighs 1. Shares are integers summing exactly to ``word_count``: each gets the floor of
    its exact share, and the words left over go one each to the largest remainders (the
    earlier chapter first on a tie). Expects a valid outline (unique chapter ids).
    """
    weights = [1 + _descendants(node) for node in outline.nodes]
    total = sum(weights)
    if not total:
        return {}
    floors = [word_count * weight // total for weight in weights]
    remainders = [word_count * weight % total for weight in weights]
    left = word_count - sum(floors)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in by_remainder[:left]:
        floors[i] += 1
    return {node.id: share for node, share in zip(outline.nodes, floors, strict=True)}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def outline_text(outline: Outline) -> str:
    """The outline as an indented plain-text tree, for prompts and the CLI::

    Title — summary
    1 Chapter — summary
      1.1 Section
    """
    head = _one_line(outline.title)
    if outline.summary.strip():
        head += f" — {_one_line(outline.summary)}"
    lines = [head]
    for placed in _walk(outline.nodes):
        line = f"{'  ' * (placed.depth - 1)}{placed.node.id} {_one_line(placed.node.title)}"
        if placed.node.summary.strip():
            line += f" — {_one_line(placed.node.summary)}"
        lines.append(line)
    return "\n".join(lines)
