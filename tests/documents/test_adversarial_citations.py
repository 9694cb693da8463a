"""Citations survive any writer (docs/contract.md §7): chapters written by a scripted model
that cites unknown sources, repeats, cites out of order, cites inside code or not at all —
in the assembled document every ``[n]`` resolves to one reference, numbered 1…N by first
citation, with no gaps and only cited sources listed. Property-tested on the real workflow."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnpath.engine.runtime import Runtime
from learnpath.llm.types import LLMRequest, LLMResponse
from learnpath.offline.provider import OfflineProvider
from tests.documents.helpers import citation_numbers, document_job, first_appearances, outline
from tests.support.workflow import Opener

pytestmark = pytest.mark.asyncio

FILES = [
    {"file_name": f"source-{i}.md", "content": f"Fact number {i} about indexes.", "role": "content"}
    for i in range(1, 4)
]
"""Three sources: numbers 1–3 are known, anything else is not."""


@pytest.fixture
def backend() -> str:
    return "sqlite"


class ScriptedWriter(OfflineProvider):
    """Answers the chapter writer and its revision with the markdown it is given."""

    chapters: list[str] = []

    async def complete(self, request: LLMRequest) -> LLMResponse:
        if request.agent not in ("chapter", "chapter_revision"):
            return await super().complete(request)
        position = int(request.payload["chapter_id"]) - 1
        markdown = self.chapters[position % len(self.chapters)]
        if request.agent == "chapter_revision":
            markdown += " Revised, and still citing [42] and [2]."
        text = json.dumps({"markdown": markdown, "summary": "A chapter."})
        return LLMResponse(text=text, model="scripted", prompt_tokens=1, completion_tokens=1)


marker = st.one_of(
    st.integers(0, 9).map(lambda n: f"[{n}]"),
    st.lists(st.integers(0, 9), min_size=2, max_size=4).map(
        lambda ns: "[" + ", ".join(map(str, ns)) + "]"
    ),
    st.integers(0, 9).map(lambda n: f"`[{n}]`"),
    st.integers(0, 9).map(lambda n: f"[{n}](https://example.com/{n})"),
    st.integers(10**6, 10**12).map(lambda n: f"[{n}]"),
)
piece = st.one_of(marker, st.sampled_from(["Indexes help.", "A B-tree", "is sorted", "\n\n"]))
chapter = st.lists(piece, max_size=12).map(lambda pieces: " ".join(["Indexes matter.", *pieces]))


@pytest.fixture
async def rt(open_engine: Opener) -> AsyncIterator[Runtime]:
    async with open_engine() as runtime:
        runtime.llm.provider = ScriptedWriter(runtime.settings)
        yield runtime


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(chapters=st.lists(chapter, min_size=1, max_size=4))
async def test_every_citation_resolves_numbered_by_first_citation(
    rt: Runtime, chapters: list[str]
) -> None:
    provider = rt.llm.provider
    assert isinstance(provider, ScriptedWriter)
    provider.chapters = chapters
    written = await document_job(rt, outline=outline(3), word_count=300, context_files=FILES)
    assert written.status == "completed", written.error_message
    document: dict[str, Any] = written.result["document"]  # type: ignore[index]
    numbers = citation_numbers(document["markdown"])
    references = document["references"]
    assert [r["n"] for r in references] == list(range(1, len(references) + 1))
    assert first_appearances(numbers) == list(range(1, len(references) + 1))
    assert {r["file_name"] for r in references} <= {f["file_name"] for f in FILES}
    listed = document["markdown"].split("\n## References", 1)
    assert len(listed) == 2 or not references
