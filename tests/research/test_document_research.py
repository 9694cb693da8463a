"""A document job with a search provider and no model (docs/contract.md §7, §8): the research
planner's queries are searched, dead pages dropped, live ones read and verified, and the
chapters cite them; with ``--no-web`` nothing is searched."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.support.server import run_cli
from tests.support.web_fakes import PageServer, SearxNGFake

EnvFor = Callable[..., dict[str, str]]


@pytest.mark.slow
def test_web_sources_are_searched_checked_and_cited(env_for: EnvFor) -> None:
    with PageServer() as pages, SearxNGFake(pages) as searx:
        env = env_for(
            search_provider="searxng",
            searxng_url=searx.base_url,
            fetch_allow_private="true",
            llm_retry_base_s="0.01",
        )
        env["NO_PROXY"] = "127.0.0.1,localhost"
        made = run_cli(env, "doc", "outline", "JavaScript closures", "--json", timeout=180)
        assert made.returncode == 0, made.stderr
        job = json.loads(made.stdout)
        web = [s for s in job["result"]["sources"] if s["kind"] == "web"]
        urls = [s["url"] for s in web]
        assert web and all(u.startswith(pages.base_url) for u in urls), urls
        assert not any("/gone/" in u for u in urls), urls
        assert len(set(urls)) == len(urls)
        assert all(s["verified"] for s in web if "/ok/" in s["url"])
        searched = searx.count
        written = run_cli(
            env, "doc", "write", "--from", job["job_id"], "--words", "600", "--json", timeout=180
        )
        assert written.returncode == 0, written.stderr
        references = json.loads(written.stdout)["result"]["document"]["references"]
        assert references and {r["kind"] for r in references} == {"web"}
        assert {r["url"] for r in references} <= set(urls)
        assert searx.count == searched, "the document job reused the outline job's sources"
        offline = run_cli(env, "doc", "outline", "JavaScript closures", "--no-web", "--json")
        assert json.loads(offline.stdout)["result"]["sources"] == []
        assert searx.count == searched
