"""``GET /roadmaps/{id}/graph``: SVG and PNG, isolation, bad format."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.api.conftest import concepts, create_users
from tests.support.server import Server

pytestmark = pytest.mark.slow


def test_graph_svg_png_isolation_and_format(fast_server: Server) -> None:
    owner, other = create_users(fast_server, "grapher", "stranger")
    _, roadmap_id = owner.completed_roadmap()
    ids = [c["concept_id"] for c in concepts(owner.roadmap(roadmap_id))]
    path = f"/roadmaps/{roadmap_id}/graph"

    svg = owner.get(path, params={"format": "svg"})
    assert svg.status_code == 200, svg.text
    assert svg.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(svg.text)
    links = root.findall(".//{http://www.w3.org/2000/svg}a")
    assert [a.get("data-concept") for a in links] == ids
    assert owner.get(path).headers["content-type"].startswith("image/svg+xml")

    png = owner.get(path, params={"format": "png"})
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")

    assert other.get(path).status_code == 404
    assert other.get(path, params={"format": "png"}).status_code == 404
    assert owner.get(path, params={"format": "gif"}).status_code == 422
