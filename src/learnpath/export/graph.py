"""A roadmap drawn as a graph: a pure layout, and that layout rendered as SVG.

The layout is vertical so that it reads on a phone: each stage is a band, its modules are
groups under it, each concept a full-width box. A prerequisite is an arrow in the right-hand
gutter from the prerequisite's box to the box of the concept that needs it. Each concept's
learning state is shown three ways: the box's colours, a marker shape (empty circle, half
circle, circle with a tick) and a word. The PNG of :mod:`learnpath.export.graph_png` draws
the same layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from learnpath.domain.learning import LearningState
from learnpath.domain.roadmap import Framework

WIDTH = 360
MARGIN = 8
BOX_X = 16
BOX_W = 272
BOX_H = 40
GAP = 8
STAGE_H = 30
MODULE_H = 24
NAME_CHARS = 30
GUTTER = WIDTH - BOX_X - BOX_W  # where the prerequisite arrows run
SEGMENTS = 16

STATE_WORDS = {
    LearningState.not_started: "not started",
    LearningState.in_progress: "in progress",
    LearningState.done: "done",
}
# (fill, stroke, text) per state; the marker shape and the word carry the state as well.
STATE_COLOURS = {
    LearningState.not_started: ("#f4f4f5", "#71717a", "#27272a"),
    LearningState.in_progress: ("#fff4e0", "#c2410c", "#431407"),
    LearningState.done: ("#e7f6ea", "#15803d", "#052e16"),
}
BAND_COLOURS = {"stage": ("#1e3a8a", "#ffffff"), "module": ("#dbeafe", "#1e3a8a")}
EDGE_COLOUR = "#4b5563"


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def middle(self) -> float:
        return self.y + self.h / 2


@dataclass(frozen=True)
class Band:
    kind: str  # "stage" or "module"
    title: str
    label: str
    box: Box


@dataclass(frozen=True)
class Node:
    concept_id: str
    name: str
    label: str
    """The name, shortened to fit its box (the full name is in the node's title)."""
    state: LearningState
    prerequisites: tuple[str, ...]
    box: Box
    href: str


@dataclass(frozen=True)
class Edge:
    source: str
    """The prerequisite's concept id."""
    target: str
    """The id of the concept that needs it."""
    points: tuple[tuple[float, float], ...]
    arrow: tuple[tuple[float, float], ...]
    """The arrowhead's triangle, at the target's end."""


@dataclass(frozen=True)
class Layout:
    roadmap_id: str
    title: str
    width: float
    height: float
    bands: tuple[Band, ...]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def concept_href(roadmap_id: str, concept_id: str) -> str:
    """The concept's page in the web app."""
    return f"/roadmaps/{quote(roadmap_id, safe='')}?concept={quote(concept_id, safe='')}"


def layout(framework: Framework, states: dict[str, LearningState]) -> Layout:
    """Where every band, box and arrow goes. ``states``: each concept's learning state (a
    concept missing from it is ``not_started``)."""
    bands: list[Band] = []
    nodes: list[Node] = []
    y = float(MARGIN)
    for stage in framework.stages:
        bands.append(_band("stage", stage.name, y, STAGE_H))
        y += STAGE_H + GAP
        for module in stage.modules:
            bands.append(_band("module", module.name, y, MODULE_H))
            y += MODULE_H + GAP
            for concept in module.concepts:
                box = Box(BOX_X, y, BOX_W, BOX_H)
                nodes.append(
                    Node(
                        concept_id=concept.concept_id,
                        name=concept.name,
                        label=shorten(concept.name, NAME_CHARS),
                        state=states.get(concept.concept_id, LearningState.not_started),
                        prerequisites=tuple(concept.prerequisites),
                        box=box,
                        href=concept_href(framework.roadmap_id, concept.concept_id),
                    )
                )
                y += BOX_H + GAP
    return Layout(
        roadmap_id=framework.roadmap_id,
        title=framework.title,
        width=WIDTH,
        height=y + MARGIN - GAP,
        bands=tuple(bands),
        nodes=tuple(nodes),
        edges=_edges(nodes),
    )


def _band(kind: str, title: str, y: float, height: float) -> Band:
    indent = MARGIN if kind == "stage" else BOX_X
    return Band(kind, title, shorten(title, 40), Box(indent, y, WIDTH - indent - MARGIN, height))


def _edges(nodes: list[Node]) -> tuple[Edge, ...]:
    by_id = {n.concept_id: n for n in nodes}
    edges: list[Edge] = []
    for node in nodes:
        for needed in dict.fromkeys(node.prerequisites):
            source = by_id.get(needed)
            if source is None or source is node:
                continue
            edges.append(_edge(source, node, len(edges)))
    return tuple(edges)


def _edge(source: Node, target: Node, index: int) -> Edge:
    """A curve in the gutter, from the source box's right side to the target's."""
    x0, y0 = source.box.right, source.box.middle + 6
    x1, y1 = target.box.right + 7, target.box.middle - 6
    distance = abs(y1 - y0)
    bulge = source.box.right + min(GUTTER - 14, 14 + distance / 12 + (index % 4) * 6)
    controls = ((x0, y0), (bulge, y0), (bulge, y1), (x1, y1))
    points = tuple(_bezier(controls, i / SEGMENTS) for i in range(SEGMENTS + 1))
    tip = target.box.right
    arrow = ((tip, y1), (tip + 8, y1 - 4), (tip + 8, y1 + 4))
    return Edge(source.concept_id, target.concept_id, points, arrow)


def _bezier(c: tuple[tuple[float, float], ...], t: float) -> tuple[float, float]:
    u = 1 - t
    weights = (u**3, 3 * u * u * t, 3 * u * t * t, t**3)
    x = sum(w * p[0] for w, p in zip(weights, c, strict=True))
    y = sum(w * p[1] for w, p in zip(weights, c, strict=True))
    return round(x, 1), round(y, 1)


def _num(value: float) -> str:
    return f"{value:g}"


def marker_shape(state: LearningState, cx: float, cy: float) -> list[str]:
    """The state's marker as SVG elements: an empty circle, a half-filled circle, or a
    filled circle with a tick."""
    _fill, stroke, _text = STATE_COLOURS[state]
    ring = f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="7" fill="#ffffff" stroke="{stroke}"'
    if state == LearningState.not_started:
        return [ring + ' stroke-width="2"/>']
    if state == LearningState.in_progress:
        half = f"M{_num(cx)} {_num(cy - 7)} A7 7 0 0 1 {_num(cx)} {_num(cy + 7)} Z"
        return [ring + ' stroke-width="2"/>', f'<path d="{half}" fill="{stroke}"/>']
    tick = (
        " ".join(
            (f"M{_num(cx - 3.5)} {_num(cy)}", f"L{_num(cx - 1)} {_num(cy + 3)}"),
        )
        + f" L{_num(cx + 4)} {_num(cy - 3)}"
    )
    return [
        f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="7" fill="{stroke}"/>',
        f'<path d="{tick}" fill="none" stroke="#ffffff" stroke-width="2"/>',
    ]


def _svg_band(band: Band) -> list[str]:
    fill, ink = BAND_COLOURS[band.kind]
    b = band.box
    size = 14 if band.kind == "stage" else 12
    weight = "bold" if band.kind == "stage" else "normal"
    return [
        f'<g class="{band.kind}"><title>{escape(band.title)}</title>',
        f'<rect x="{_num(b.x)}" y="{_num(b.y)}" width="{_num(b.w)}" height="{_num(b.h)}"'
        f' rx="4" fill="{fill}"/>',
        f'<text x="{_num(b.x + 8)}" y="{_num(b.middle + size / 3)}" font-size="{size}"'
        f' font-weight="{weight}" fill="{ink}">{escape(band.label)}</text></g>',
    ]


def _svg_node(node: Node, names: dict[str, str]) -> list[str]:
    fill, stroke, ink = STATE_COLOURS[node.state]
    b, word = node.box, STATE_WORDS[node.state]
    needs = [names[p] for p in node.prerequisites if p in names]
    title = f"{node.name} ({word})" + (f"; needs: {', '.join(needs)}" if needs else "")
    return [
        f'<a href={quoteattr(node.href)} class="concept" data-concept={quoteattr(node.concept_id)}'
        f' data-state="{node.state.value}"><title>{escape(title)}</title>',
        f'<rect x="{_num(b.x)}" y="{_num(b.y)}" width="{_num(b.w)}" height="{_num(b.h)}"'
        f' rx="6" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>',
        *marker_shape(node.state, b.x + 16, b.middle),
        f'<text x="{_num(b.x + 30)}" y="{_num(b.y + 17)}" font-size="13" fill="{ink}">'
        f"{escape(node.label)}</text>",
        f'<text x="{_num(b.x + 30)}" y="{_num(b.y + 32)}" font-size="11" fill="{ink}"'
        f' class="state">{word}</text></a>',
    ]


def _svg_edge(edge: Edge) -> list[str]:
    path = " ".join(f"{_num(x)},{_num(y)}" for x, y in edge.points)
    arrow = " ".join(f"{_num(x)},{_num(y)}" for x, y in edge.arrow)
    ids = f"data-from={quoteattr(edge.source)} data-to={quoteattr(edge.target)}"
    return [
        f'<g class="edge" {ids}><polyline points="{path}" fill="none"'
        f' stroke="{EDGE_COLOUR}" stroke-width="1.5"/>',
        f'<polygon points="{arrow}" fill="{EDGE_COLOUR}"/></g>',
    ]


def to_svg(graph: Layout) -> str:
    """The layout as a standalone SVG document (also fit to inline in an HTML page)."""
    names = {n.concept_id: n.name for n in graph.nodes}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="roadmap-graph"'
        f' viewBox="0 0 {_num(graph.width)} {_num(graph.height)}"'
        f' width="{_num(graph.width)}" height="{_num(graph.height)}"'
        f' font-family="sans-serif" role="group" aria-labelledby="graph-title">',
        f'<title id="graph-title">{escape(graph.title)}: roadmap graph</title>',
        f'<rect width="{_num(graph.width)}" height="{_num(graph.height)}" fill="#ffffff"/>',
    ]
    for band in graph.bands:
        parts += _svg_band(band)
    for node in graph.nodes:
        parts += _svg_node(node, names)
    for edge in graph.edges:
        parts += _svg_edge(edge)
    parts.append("</svg>")
    return "\n".join(parts)
