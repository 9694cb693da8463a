"""Research on a cluster: resources from a search provider, and a link check, both run by
Celery workers (PostgreSQL, Redis)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.support.cluster import Cluster
from tests.support.web_fakes import PageServer, SearxNGFake


@pytest.fixture
def pages() -> Iterator[PageServer]:
    with PageServer() as server:
        yield server


@pytest.fixture
def cluster_settings(pages: PageServer) -> Iterator[dict[str, str]]:
    with SearxNGFake(pages, fail_every=0) as searx:
        yield {
            "search_provider": "searxng",
            "searxng_url": searx.base_url,
            "fetch_allow_private": "true",
        }


def test_resources_and_link_checks_run_on_workers(cluster: Cluster, pages: PageServer) -> None:
    cluster.start_worker(concurrency=2)
    done = cluster.cli("generate", "Learn SQL", "--weeks", "1", "--auto-approve", "--json")
    assert done.returncode == 0, done.stderr
    roadmap_id = json.loads(done.stdout.strip().splitlines()[-1])["roadmap_id"]
    assert pages.hits("/gone/"), "the workers checked the links the agent chose"

    checked = cluster.cli("resources", "check", roadmap_id, "--json")
    assert checked.returncode == 0, checked.stderr
    report = json.loads(checked.stdout.strip().splitlines()[-1])
    assert report["status"] == "completed"
    assert report["links_total"] >= 3 and report["links_ok"] >= 3
    assert report["links_dead"] == 0
    assert "learnpath.advance" in (cluster.home / "worker-0.log").read_text()
