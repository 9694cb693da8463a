"""The roadmap graph on the roadmap page at 375 px: visible, no sideways scroll, a concept
box opens that concept."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.api.conftest import Api, concepts
from tests.support.server import Server
from tests.web.conftest import shot

pytestmark = pytest.mark.slow


def test_graph_fits_a_phone_and_links_to_concepts(
    browser: Browser, local_server: Server, local_api: Api
) -> None:
    _, roadmap_id = local_api.completed_roadmap()
    listed = concepts(local_api.roadmap(roadmap_id))
    first, target = listed[0], listed[-1]
    local_api.call(
        "PUT",
        f"/roadmaps/{roadmap_id}/progress/{first['concept_id']}",
        200,
        json={"completed": True},
    )
    context = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"{local_server.base_url}/roadmaps/{roadmap_id}")
        graph = page.locator("svg.roadmap-graph")
        expect(graph).to_be_visible()
        expect(graph.locator("a.concept")).to_have_count(len(listed))
        done = graph.locator(f"a.concept[data-concept='{first['concept_id']}'] text.state")
        expect(done).to_have_text("done")
        box = graph.bounding_box()
        assert box is not None and box["width"] > 200 and box["x"] + box["width"] <= 375, box
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            page.evaluate("document.documentElement.scrollWidth")
        )
        shot(page, "roadmap-graph-375px")
        graph.locator(f"a.concept[data-concept='{target['concept_id']}']").click()
        expect(page).to_have_url(re.compile(rf"\?concept={re.escape(target['concept_id'])}$"))
        expect(page.locator("#concept-title")).to_have_text(target["name"])
    finally:
        context.close()
