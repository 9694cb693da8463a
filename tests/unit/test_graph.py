"""The roadmap graph: layout, SVG (valid XML, links, edges, escaping, state markers), PNG."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

from PIL import Image

from learnpath.domain.learning import LearningState
from learnpath.domain.roadmap import Framework
from learnpath.export.graph import WIDTH, layout, to_svg
from learnpath.export.graph_png import to_png

SVG = "{http://www.w3.org/2000/svg}"
TRICKY = 'Joins <inner> & "outer"'


def _framework() -> Framework:
    def concept(cid: str, name: str, *needs: str) -> dict[str, object]:
        return {"concept_id": cid, "name": name, "estimated_hours": 1, "prerequisites": list(needs)}

    return Framework.model_validate(
        {
            "roadmap_id": "rm_1",
            "title": "SQL <basics> & more",
            "stages": [
                {
                    "stage_id": "s1",
                    "name": "Stage <one>",
                    "modules": [
                        {
                            "module_id": "m1",
                            "name": 'Module "A" & co',
                            "concepts": [
                                concept("select", "Select"),
                                concept("where", "Where clauses", "select"),
                            ],
                        }
                    ],
                },
                {
                    "stage_id": "s2",
                    "name": "Stage two",
                    "modules": [
                        {
                            "module_id": "m2",
                            "name": "Module B",
                            "concepts": [
                                concept("joins", TRICKY, "select", "where", "gone"),
                                concept("x" * 10, "A very long concept name " * 4, "joins"),
                            ],
                        }
                    ],
                },
            ],
        }
    )


STATES = {"select": LearningState.done, "where": LearningState.in_progress}


def test_layout_is_vertical_and_within_the_width() -> None:
    graph = layout(_framework(), STATES)
    ys = [n.box.y for n in graph.nodes]
    assert ys == sorted(ys) and len(set(ys)) == len(ys)
    assert all(n.box.right <= WIDTH for n in graph.nodes)
    assert all(x <= WIDTH for e in graph.edges for x, _ in (*e.points, *e.arrow))
    assert graph.height >= graph.nodes[-1].box.y + graph.nodes[-1].box.h
    assert [b.kind for b in graph.bands] == ["stage", "module", "stage", "module"]
    states = {n.concept_id: n.state for n in graph.nodes}
    assert states["joins"] == LearningState.not_started  # missing from the states: not started
    assert graph.nodes[-1].label.endswith("…") and len(graph.nodes[-1].label) <= 30


def test_an_edge_per_known_prerequisite() -> None:
    graph = layout(_framework(), STATES)
    pairs = {(e.source, e.target) for e in graph.edges}
    assert pairs == {
        ("select", "where"),
        ("select", "joins"),
        ("where", "joins"),
        ("joins", "x" * 10),
    }


def test_svg_is_valid_xml_with_a_link_per_concept() -> None:
    svg = to_svg(layout(_framework(), STATES))
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox", "").startswith(f"0 0 {WIDTH} ")
    links = root.findall(f".//{SVG}a")
    assert [a.get("data-concept") for a in links] == ["select", "where", "joins", "x" * 10]
    assert links[0].get("href") == "/roadmaps/rm_1?concept=select"
    for a in links:
        assert a.find(f"{SVG}title") is not None
    edges = root.findall(f".//{SVG}g[@class='edge']")
    assert len(edges) == 4
    assert {(g.get("data-from"), g.get("data-to")) for g in edges} >= {("where", "joins")}


def test_names_are_escaped() -> None:
    svg = to_svg(layout(_framework(), STATES))
    assert "<inner>" not in svg and "Joins &lt;inner&gt; &amp;" in svg
    root = ET.fromstring(svg)
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert TRICKY in texts
    assert "Stage <one>" in texts and 'Module "A" & co' in texts
    assert "".join(root.find(f"{SVG}title").itertext()).startswith("SQL <basics> & more")  # type: ignore[union-attr]


def test_each_concept_shows_its_state_as_a_word_and_a_shape() -> None:
    root = ET.fromstring(to_svg(layout(_framework(), STATES)))
    words = {}
    for a in root.iter(f"{SVG}a"):
        word = a.find(f"{SVG}text[@class='state']")
        assert word is not None
        words[a.get("data-concept")] = word.text
        assert a.find(f"{SVG}circle") is not None
        assert a.get("data-state") in {s.value for s in LearningState}
    assert words == {
        "select": "done",
        "where": "in progress",
        "joins": "not started",
        "x" * 10: "not started",
    }
    done = next(a for a in root.iter(f"{SVG}a") if a.get("data-concept") == "select")
    assert done.find(f"{SVG}path") is not None  # the tick


def test_png_is_the_same_layout() -> None:
    graph = layout(_framework(), STATES)
    data = to_png(graph)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (round(graph.width * 2), round(graph.height * 2))
