"""Search providers against fakes speaking their documented APIs, the shared caches of
search results and link checks, and a search outage that only means no candidates."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from learnpath.agents.inputs import content_input
from learnpath.config import Settings
from learnpath.domain.request import LearnerRequest
from learnpath.domain.roadmap import Concept, FrameworkDraft
from learnpath.research.resources import find_candidates
from learnpath.research.search import SearchError
from learnpath.wiring import embedded_runtime
from tests.conftest import SettingsFactory
from tests.support.web_fakes import PageServer, SearxNGFake, TavilyFake, result_urls


@pytest.fixture
def pages() -> Iterator[PageServer]:
    with PageServer() as server:
        yield server


async def test_searxng_results_are_normalised_retried_and_cached(
    pages: PageServer, make_settings: SettingsFactory
) -> None:
    with SearxNGFake(pages) as searx:
        settings = make_settings(search_provider="searxng", searxng_url=searx.base_url)
        async with embedded_runtime(settings) as rt:
            assert rt.research.searcher is not None
            results = await rt.research.searcher.search("closures")
            again = await rt.research.searcher.search("closures")
        assert searx.count == 2  # a 502, then the answer; the second search is cached
    expected = list(dict.fromkeys(result_urls(pages, "closures")))
    assert [r.url for r in results] == expected
    assert {r.provider for r in results} == {"searxng"}
    assert results[0].snippet == "" and results[1].snippet.startswith("All about closures")
    assert again == results


async def test_tavily_retries_a_timeout_and_refuses_a_wrong_key(
    pages: PageServer, make_settings: SettingsFactory
) -> None:
    with TavilyFake(pages, api_key="tvly-test") as tavily:
        settings = make_settings(
            search_provider="tavily",
            tavily_base_url=tavily.base_url,
            tavily_api_key="tvly-test",
            search_timeout_s=0.5,
            search_results=5,
        )
        async with embedded_runtime(settings) as rt:
            assert rt.research.searcher is not None
            results = await rt.research.searcher.search("recursion")
        assert tavily.count == 2
        assert len(results) == 4  # five asked, one repeated URL
        assert {r.provider for r in results} == {"tavily"}
        wrong = make_settings(
            search_provider="tavily", tavily_base_url=tavily.base_url, tavily_api_key="nope"
        )
        async with embedded_runtime(wrong) as rt:
            assert rt.research.searcher is not None
            with pytest.raises(SearchError, match="401"):
                await rt.research.searcher.search("iteration")
        assert tavily.count == 3  # a refused key is not retried


async def test_link_checks_are_cached_per_url_until_a_fresh_check(
    pages: PageServer, make_settings: SettingsFactory
) -> None:
    base = pages.base_url
    urls = [f"{base}/ok/a", f"{base}/gone/404/a", f"{base}/gone/410/a", f"{base}/no-head/a"]
    urls.append("http://no-such-host.invalid/x")
    async with embedded_runtime(make_settings(fetch_allow_private=True)) as rt:
        checks = await rt.research.checker.check(urls)
        seen = len(pages.hits())
        cached = await rt.research.checker.check(urls)
        assert len(pages.hits()) == seen
        await rt.research.checker.check(urls[:1], fresh=True)
        assert len(pages.hits()) == seen + 1
    outcomes = [checks[u].outcome for u in urls]
    assert outcomes == ["ok", "dead", "dead", "ok", "dead"]
    assert checks[urls[1]].status == 404 and checks[urls[4]].status is None
    assert {u: c.outcome for u, c in cached.items()} == dict(zip(urls, outcomes, strict=True))


async def test_a_search_outage_means_no_candidates(make_settings: SettingsFactory) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings = make_settings(
        search_provider="searxng", searxng_url=f"http://127.0.0.1:{port}", search_max_retries=1
    )
    request = LearnerRequest(goal="Learn JavaScript")
    concept = Concept(
        concept_id="closures", name="Closures", description="Functions", estimated_hours=1
    )
    framework = FrameworkDraft.model_validate({"title": "JS", "summary": "s", "stages": []})
    async with embedded_runtime(settings) as rt:
        data = content_input(request, framework, "Stage", "Module", concept)
        assert await find_candidates(rt.research, data) == []


def test_a_provider_without_its_url_or_key_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="LEARNPATH_SEARXNG_URL"):
        Settings(home=tmp_path, search_provider="searxng")
    with pytest.raises(ValidationError, match="LEARNPATH_TAVILY_API_KEY"):
        Settings(home=tmp_path, search_provider="tavily")
