"""The document agents' prompts and post-processing (contract §7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from learnpath.agents.document_inputs import (
    ChapterInput,
    OutlineInput,
    PlannerInput,
    RevisionInput,
    SourceBrief,
)
from learnpath.agents.document_postprocess import clean_chapter
from learnpath.agents.documents import CHAPTER, OUTLINER, PLANNER, REVISER
from learnpath.config import Settings
from learnpath.domain.drafts import ChapterDraft, DraftNode, OutlineDraft, ResearchPlan

SOURCES = [
    SourceBrief(n=1, title="Printing press (encyclopedia)", kind="web", excerpt="Gutenberg."),
    SourceBrief(n=4, title="notes.md", kind="file", excerpt="Movable type spread fast."),
]


def _chapter(language: str, **fields: Any) -> dict[str, Any]:
    return {
        "task_prompt": "请写一篇关于印刷术的报告" if language == "zh" else "A report on printing",
        "language": language,
        "document_title": "Printing",
        "outline": "1 Origins\n  1.1 Gutenberg\n2 Spread",
        "chapter_id": "2",
        "chapter_title": "Spread",
        "chapter_summary": "How printing spread.",
        "sub_sections": ["Across Europe", "Beyond Europe"],
        "word_target": 1200,
        "previous": ["1 Origins: Gutenberg's press."],
        "sources": SOURCES,
        **fields,
    }


def _user(messages: list[dict[str, str]]) -> str:
    assert [m["role"] for m in messages] == ["system", "user"]
    return messages[1]["content"]


@pytest.mark.parametrize(("language", "name"), [("en", "English"), ("zh", "Chinese")])
def test_the_chapter_prompt_has_the_target_the_numbered_sources_and_the_language(
    language: str, name: str
) -> None:
    messages = CHAPTER.messages(ChapterInput(**_chapter(language)))
    user = _user(messages)
    assert f"Write in {name}, about 1200 " in user
    assert ("1200 characters" in user) == (language == "zh")
    assert "[1] Printing press (encyclopedia) (web)\n    Gutenberg." in user
    assert "[4] notes.md (file)\n    Movable type spread fast." in user
    assert "- Across Europe\n- Beyond Europe\n" in user
    assert "- 1 Origins: Gutenberg's press." in user
    assert '"markdown"' in messages[0]["content"]


@pytest.mark.parametrize(("language", "name"), [("en", "English"), ("zh", "Chinese")])
def test_the_revision_prompt_asks_for_the_target_and_names_unknown_citations(
    language: str, name: str
) -> None:
    data = RevisionInput(
        **_chapter(language),
        draft="The press spread [9].",
        current_words=400,
        problems=["the chapter has 400 words, the target is 1200"],
        unknown_citations=[9, 12],
    )
    user = _user(REVISER.messages(data))
    assert f"Write in {name}, about 1200 " in user
    assert "It has 400 words by the same count" in user
    assert "sources it was not given: [9], [12]." in user
    assert "Expand it to the target" in user and "Trim it" not in user
    assert user.endswith('"""\nThe press spread [9].\n"""')
    assert "[4] notes.md (file)" in user


@pytest.mark.parametrize(("language", "name"), [("en", "English"), ("zh", "Chinese")])
def test_the_planner_and_outline_prompts_name_the_language_and_limits(
    language: str, name: str
) -> None:
    planner = _user(PLANNER.messages(PlannerInput(task_prompt="p", language=language)))
    assert "1 to 4 search queries" in planner and f"queries in {name}" in planner
    outline = _user(
        OUTLINER.messages(
            OutlineInput(task_prompt="p", language=language, sources=SOURCES, max_chapters=6)
        )
    )
    assert f"Write in {name}." in outline and "at most\n6 chapters" in outline
    assert "[1] Printing press (encyclopedia) (web)" in outline


def test_a_chapter_without_sources_is_told_to_cite_nothing() -> None:
    user = _user(CHAPTER.messages(ChapterInput(**_chapter("en", sources=[]))))
    assert "No sources were given: cite nothing" in user
    assert "[n]" not in user


def test_planner_queries_are_trimmed_deduplicated_and_capped() -> None:
    data = PlannerInput(task_prompt="printing", language="en", max_queries=2)
    raw = ResearchPlan(queries=["  printing  press ", "Printing Press", "", "movable type", "x"])
    assert PLANNER.postprocess(data, raw).queries == ["printing press", "movable type"]


def test_a_plan_without_queries_falls_back_to_the_prompt() -> None:
    long = PlannerInput(task_prompt="history  of " + "printing " * 40, language="en")
    plan = PLANNER.postprocess(long, ResearchPlan(queries=["  ", ""]))
    assert len(plan.queries) == 1 and plan.queries[0].startswith("history of printing printing")
    assert len(plan.queries[0]) <= 200 and not plan.queries[0].endswith(" ")
    short = PlannerInput(task_prompt=" printing ", language="en")
    assert PLANNER.postprocess(short, ResearchPlan(queries=[" "])).queries == ["printing"]


def test_outline_titles_are_trimmed_and_untitled_nodes_dropped() -> None:
    draft = OutlineDraft(
        title="  Printing ",
        summary=" All of it. ",
        nodes=[
            DraftNode(title=" Origins ", summary=" Where. ", children=[DraftNode(title="  ")]),
            DraftNode(title="   ", children=[DraftNode(title="Orphan")]),
            DraftNode(title="Spread", children=[DraftNode(title=" Europe  today ")]),
        ],
    )
    data = OutlineInput(task_prompt="p", language="en")
    clean = OUTLINER.postprocess(data, draft)
    assert clean.model_dump() == {
        "title": "Printing",
        "summary": "All of it.",
        "nodes": [
            {"title": "Origins", "summary": "Where.", "children": []},
            {
                "title": "Spread",
                "summary": "",
                "children": [{"title": "Europe today", "summary": "", "children": []}],
            },
        ],
    }


@pytest.mark.parametrize(
    ("markdown", "body"),
    [
        ("## Spread of printing\n\nText [1].", "Text [1]."),
        ("# 2. Spread of Printing!\nText.", "Text."),
        ("## Chapter 2: spread of printing\n\nText.", "Text."),
        ("```markdown\n## Spread of printing\n\nText.\n```", "Text."),
        ("```\nText.\n```\n", "Text."),
        ("## Another heading\n\nText.", "## Another heading\n\nText."),
        ("\n\n  Text.\n\n### Spread of printing\n", "Text.\n\n### Spread of printing"),
    ],
)
def test_a_chapter_loses_a_repeated_title_heading_and_a_wrapping_fence(
    markdown: str, body: str
) -> None:
    assert clean_chapter("Spread of printing", markdown) == body


def test_chinese_chapter_numbering_is_recognised_as_the_title() -> None:
    assert clean_chapter("印刷术的传播", "## 第二章：印刷术的传播\n\n正文。") == "正文。"


def test_the_chapter_postprocess_cleans_body_and_summary() -> None:
    data = ChapterInput(**_chapter("en"))
    raw = ChapterDraft(markdown="## Spread\n\nIt spread [1].\n", summary=" It  spread. ")
    assert CHAPTER.postprocess(data, raw) == ChapterDraft(
        markdown="It spread [1].", summary="It spread."
    )
    revision = RevisionInput(**_chapter("en"), draft="", current_words=0, problems=[])
    assert REVISER.postprocess(revision, raw).markdown == "It spread [1]."


def test_the_document_agents_can_have_their_own_models(tmp_path: Path) -> None:
    models = {
        "chapter": "big",
        "outline": "small",
        "research_planner": "s",
        "chapter_revision": "b",
    }
    settings = Settings(home=tmp_path, llm_models=models)
    assert [settings.model_for(a.name) for a in (CHAPTER, OUTLINER, PLANNER, REVISER)] == [
        "big",
        "small",
        "s",
        "b",
    ]
