"""A roadmap generated with a search provider and no model: its resources come from the
search results, dead links are gone, live ones verified, never fewer than three."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import run_cli
from tests.support.web_fakes import PageServer, SearxNGFake

EnvFor = Callable[..., dict[str, str]]


def cli_json(env: dict[str, str], *args: str, code: int = 0) -> Any:
    done = run_cli(env, *args, timeout=180)
    assert done.returncode == code, f"{done.stdout}\n{done.stderr}"
    return json.loads(done.stdout)


def resource_lists(exported: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return [c["resources"] for s in exported["stages"] for m in s["modules"] for c in m["concepts"]]


@pytest.mark.slow
def test_generate_with_searxng_picks_checked_results(env_for: EnvFor, tmp_path: Path) -> None:
    with PageServer() as pages, SearxNGFake(pages) as searx:
        env = env_for(
            search_provider="searxng",
            searxng_url=searx.base_url,
            fetch_allow_private="true",
            llm_retry_base_s="0.01",
        )
        env["NO_PROXY"] = "127.0.0.1,localhost"
        done = cli_json(
            env, "generate", "Learn JavaScript", "--weeks", "1", "--auto-approve", "--json"
        )
        assert done["status"] == "completed"
        out = tmp_path / "r.json"
        run_cli(env, "export", done["roadmap_id"], "--format", "json", "--out", str(out))
        lists = resource_lists(json.loads(out.read_text()))
        assert lists and searx.count > len(lists)  # every concept searched, 502s retried
        for resources in lists:
            urls = [r["url"] for r in resources]
            assert 3 <= len(resources) <= 8
            assert all(u.startswith(pages.base_url) for u in urls), urls
            assert not any("/gone/" in u for u in urls), urls
            assert all(r["verified"] for r in resources)
            assert len(set(urls)) == len(urls)
        assert pages.hits("/gone/"), "the dead candidates the agent picked were checked"
