"""The roadmap graph of :mod:`learnpath.export.graph` rasterised as a PNG with Pillow: the
same bands, boxes, markers, words and arrows, drawn at a scale for sharp text."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from learnpath.domain.learning import LearningState
from learnpath.export.graph import (
    BAND_COLOURS,
    EDGE_COLOUR,
    STATE_COLOURS,
    STATE_WORDS,
    Band,
    Layout,
    Node,
)

SCALE = 2


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size * SCALE)


def _s(*values: float) -> list[float]:
    return [v * SCALE for v in values]


def _band(draw: ImageDraw.ImageDraw, band: Band) -> None:
    fill, ink = BAND_COLOURS[band.kind]
    b = band.box
    size = 14 if band.kind == "stage" else 12
    draw.rounded_rectangle(_s(b.x, b.y, b.right, b.y + b.h), radius=4 * SCALE, fill=fill)
    draw.text(
        (b.x * SCALE + 8 * SCALE, b.middle * SCALE),
        band.label,
        fill=ink,
        font=_font(size),
        anchor="lm",
    )


def _marker(draw: ImageDraw.ImageDraw, state: LearningState, cx: float, cy: float) -> None:
    _fill, stroke, _ink = STATE_COLOURS[state]
    circle = _s(cx - 7, cy - 7, cx + 7, cy + 7)
    if state == LearningState.done:
        draw.ellipse(circle, fill=stroke)
        tick = [(cx - 3.5, cy), (cx - 1, cy + 3), (cx + 4, cy - 3)]
        draw.line([(x * SCALE, y * SCALE) for x, y in tick], fill="#ffffff", width=2 * SCALE)
        return
    draw.ellipse(circle, fill="#ffffff", outline=stroke, width=2 * SCALE)
    if state == LearningState.in_progress:
        draw.pieslice(circle, start=-90, end=90, fill=stroke)


def _node(draw: ImageDraw.ImageDraw, node: Node) -> None:
    fill, stroke, ink = STATE_COLOURS[node.state]
    b = node.box
    draw.rounded_rectangle(
        _s(b.x, b.y, b.right, b.y + b.h), radius=6 * SCALE, fill=fill, outline=stroke, width=SCALE
    )
    _marker(draw, node.state, b.x + 16, b.middle)
    draw.text(
        ((b.x + 30) * SCALE, (b.y + 17) * SCALE), node.label, fill=ink, font=_font(13), anchor="ls"
    )
    word = STATE_WORDS[node.state]
    draw.text(((b.x + 30) * SCALE, (b.y + 32) * SCALE), word, fill=ink, font=_font(11), anchor="ls")


def to_png(graph: Layout) -> bytes:
    """The layout as PNG bytes."""
    size = (round(graph.width * SCALE), round(graph.height * SCALE))
    image = Image.new("RGB", size, "#ffffff")
    draw = ImageDraw.Draw(image)
    for band in graph.bands:
        _band(draw, band)
    for node in graph.nodes:
        _node(draw, node)
    for edge in graph.edges:
        draw.line([(x * SCALE, y * SCALE) for x, y in edge.points], fill=EDGE_COLOUR, width=SCALE)
        draw.polygon([(x * SCALE, y * SCALE) for x, y in edge.arrow], fill=EDGE_COLOUR)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
