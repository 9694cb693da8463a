"""Link rot: a roadmap's links re-checked by a task, over the HTTP API and the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.api.conftest import Api, concepts
from tests.support.server import running_server
from tests.support.web_fakes import PageServer, SearxNGFake


@pytest.mark.slow
def test_resources_check_finds_links_that_died(tmp_path: Path) -> None:
    with (
        PageServer() as pages,
        SearxNGFake(pages, fail_every=0) as searx,
        running_server(
            tmp_path,
            local=True,
            search_provider="searxng",
            searxng_url=searx.base_url,
            fetch_allow_private="true",
        ) as server,
    ):
        api = Api(server)
        _, roadmap_id = api.completed_roadmap()
        concept_id = concepts(api.roadmap(roadmap_id))[0]["concept_id"]
        listed = api.call("GET", f"/roadmaps/{roadmap_id}/concepts/{concept_id}/resources", 200)
        rotten = listed["resources"][0]["url"]
        assert all(r["verified"] for r in listed["resources"])
        pages.removed.add(urlsplit(rotten).path)

        task = api.call("POST", f"/roadmaps/{roadmap_id}/resources/check", 202)
        assert (task["task_type"], task["current_step"]) == ("link_check", "link_check")
        done = api.wait(task["task_id"])
        assert done["status"] == "completed", done
        summary = done["summary"]
        assert summary["links_dead"] == 1 and summary["links_total"] > 3
        assert [d["url"] for d in summary["dead_links"]] == [rotten]
        assert api.post("/roadmaps/rm_nope/resources/check").status_code == 404
        assert api.post(f"/tasks/{task['task_id']}/retry").status_code == 409

        viewer = httpx.get(
            f"{server.base_url}/roadmaps/{roadmap_id}",
            params={"concept": concept_id, "tab": "resources"},
            timeout=30,
        )
        assert viewer.status_code == 200
        checked = viewer.text.count('class="muted link-check">Link checked on ')
        assert checked == len(listed["resources"])
        assert "HTTP 404" in viewer.text

        metrics = server.metrics()
        assert 'learnpath_link_checks{outcome="dead"}' in metrics
        assert 'learnpath_link_checks{outcome="ok"}' in metrics
        assert 'learnpath_searches{provider="searxng"}' in metrics

        page = server.cli("resources", "check", roadmap_id, "--json")
        assert page.returncode == 0, page.stderr
        report = json.loads(page.stdout)
        assert report["status"] == "completed" and report["links_dead"] == 1
