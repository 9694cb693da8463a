"""The offline provider's answers to the document agents: schema-valid, deterministic, of the
target size, citing exactly the given sources, labelled offline, in the prompt's language."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pytest

from learnpath.agents.document_inputs import ChapterInput, RevisionInput, SourceBrief
from learnpath.domain.drafts import ChapterDraft, OutlineDraft, ResearchPlan
from learnpath.domain.language import language_of
from learnpath.offline.answers import offline_output

EN_PROMPT = "Write a detailed report on the history of the printing press for students"
ZH_PROMPT = "请写一篇关于印刷术发展历史的报告"
EN_SOURCES = [
    SourceBrief(
        n=2,
        title="Printing press (encyclopedia)",
        kind="web",
        excerpt="# Printing press\nA printing press is a mechanical device for applying "
        "pressure to an inked surface. Johannes Gutenberg developed a hand press around "
        "1440.\n\nThe press spread to more than two hundred cities within decades.",
    ),
    SourceBrief(
        n=5, title="notes.md", kind="file", excerpt="- Movable type made books cheaper [3]."
    ),
    SourceBrief(n=9, title="An untitled page", kind="web", excerpt=""),
]
ZH_SOURCES = [
    SourceBrief(
        n=1,
        title="活字印刷术",
        kind="web",
        excerpt="活字印刷术是一种古代印刷方法。北宋时期毕昇发明了泥活字，比欧洲早约四百年。",
    ),
    SourceBrief(n=3, title="笔记", kind="file", excerpt="印刷术的传播极大地降低了书籍的成本。"),
]


def _cjk(ch: str) -> bool:
    name = unicodedata.name(ch, "")
    return name.startswith(("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH", "HIRAGANA"))


def words(text: str) -> int:
    """The counting rule of contract §7, written independently of the provider's."""
    text = re.sub(r"\[\d+\]", " ", text)
    cjk = sum(1 for ch in text if _cjk(ch))
    rest = "".join(" " if _cjk(ch) else ch for ch in text)
    return cjk + len(re.findall(r"[^\W_]+", rest))


def _chapter(language: str, word_target: int, **fields: Any) -> dict[str, Any]:
    zh = language == "zh"
    data = ChapterInput(
        task_prompt=ZH_PROMPT if zh else EN_PROMPT,
        language=language,
        document_title="印刷术" if zh else "The printing press",
        outline="1 Origins\n2 Spread\n  2.1 Europe\n  2.2 Asia",
        chapter_id="2",
        chapter_title="传播" if zh else "Spread",
        chapter_summary="",
        sub_sections=["欧洲", "亚洲"] if zh else ["Across Europe", "Beyond Europe"],
        word_target=word_target,
        previous=["1 Origins: Gutenberg's press."],
        sources=ZH_SOURCES if zh else EN_SOURCES,
    )
    return data.model_copy(update=fields).model_dump(mode="json")


def _cited(markdown: str) -> set[int]:
    return {int(n) for n in re.findall(r"\[(\d+)\]", markdown)}


def test_the_planner_asks_two_to_four_queries_about_the_subject() -> None:
    payload = {"task_prompt": EN_PROMPT, "language": "en", "requirements": "", "max_queries": 4}
    plan = ResearchPlan.model_validate(offline_output("research_planner", payload))
    assert 2 <= len(plan.queries) <= 4 and len(set(plan.queries)) == len(plan.queries)
    assert plan.queries[0] == "history of the printing press"
    assert all(q.startswith("history of the printing press") for q in plan.queries)
    assert offline_output("research_planner", payload) == plan.model_dump()


def test_the_planner_uses_listed_topics_and_keeps_to_the_cap() -> None:
    payload = {
        "task_prompt": ZH_PROMPT,
        "language": "zh",
        "requirements": "必须涵盖：\n- 毕昇\n- 古腾堡",
        "max_queries": 4,
    }
    assert offline_output("research_planner", payload) == {
        "queries": ["印刷术发展历史", "印刷术发展历史毕昇"]
    }
    one = offline_output("research_planner", {**payload, "max_queries": 1})
    assert one == {"queries": ["印刷术发展历史"]}


def _outline(prompt: str, language: str, **fields: Any) -> OutlineDraft:
    payload = {"task_prompt": prompt, "language": language, **fields}
    return OutlineDraft.model_validate(offline_output("outline", payload))


def test_an_english_outline_has_four_to_seven_chapters_from_subject_and_sources() -> None:
    sources = [s.model_dump() for s in EN_SOURCES]
    outline = _outline(EN_PROMPT, "en", sources=sources)
    assert 4 <= len(outline.nodes) <= 7
    assert all(1 <= len(n.children) <= 3 and n.summary for n in outline.nodes)
    assert all(c.summary for n in outline.nodes for c in n.children)
    assert "history of the printing press" in outline.title.lower()
    assert outline.nodes[0].title == "Introduction to history of the printing press"
    assert outline.nodes[-1].title == "Conclusion"
    children = [c.title for n in outline.nodes for c in n.children]
    assert "Insights from Printing press (encyclopedia)" in children
    assert "(generated offline)" in outline.summary
    assert _outline(EN_PROMPT, "en", sources=sources) == outline


def test_listed_requirements_become_chapters() -> None:
    requirements = "Cover these:\n1. Gutenberg's workshop\n2. The Reformation\n* Newspapers"
    outline = _outline(EN_PROMPT, "en", requirements=requirements)
    assert [n.title for n in outline.nodes[1:-1]] == [
        "Gutenberg's workshop",
        "The Reformation",
        "Newspapers",
    ]
    assert outline.nodes[1].children[0].title == "Gutenberg's workshop: key facts"


def test_the_outline_keeps_to_max_chapters() -> None:
    outline = _outline(EN_PROMPT, "en", max_chapters=3)
    assert len(outline.nodes) == 3 and outline.nodes[-1].title == "Conclusion"


def test_a_chinese_prompt_gets_a_chinese_outline() -> None:
    sources = [s.model_dump() for s in ZH_SOURCES]
    outline = _outline(ZH_PROMPT, "zh", sources=sources)
    titles = [outline.title] + [
        t for n in outline.nodes for t in [n.title, *(c.title for c in n.children)]
    ]
    assert all(language_of(t) == "zh" for t in titles), titles
    assert outline.title.startswith("印刷术发展历史") or outline.title.endswith("印刷术发展历史")
    assert "（离线生成）" in outline.summary
    assert language_of(outline.summary) == "zh"


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("target", [500, 3000, 8000])
def test_a_chapter_has_the_target_size_and_cites_every_given_source(
    language: str, target: int
) -> None:
    payload = _chapter(language, target)
    chapter = ChapterDraft.model_validate(offline_output("chapter", payload))
    assert abs(words(chapter.markdown) - target) <= 0.1 * target
    given = {s["n"] for s in payload["sources"]}
    assert _cited(chapter.markdown) == given
    assert offline_output("chapter", payload) == chapter.model_dump()


def test_an_english_chapter_quotes_its_sources_under_its_sub_headings() -> None:
    chapter = ChapterDraft.model_validate(offline_output("chapter", _chapter("en", 1000)))
    lines = chapter.markdown.splitlines()
    assert lines[0].startswith("> *Generated offline by learnpath's built-in provider")
    assert [ln for ln in lines if ln.startswith("#")] == ["### Across Europe", "### Beyond Europe"]
    assert "Johannes Gutenberg developed a hand press around 1440 [2]." in chapter.markdown
    assert "Movable type made books cheaper [5]." in chapter.markdown
    assert "[3]" not in chapter.markdown
    assert chapter.summary.endswith("(generated offline)")
    assert chapter.summary.startswith("Chapter 2, Spread, covers across Europe, beyond Europe.")


def test_a_chinese_chapter_is_written_in_chinese() -> None:
    chapter = ChapterDraft.model_validate(offline_output("chapter", _chapter("zh", 1500)))
    assert chapter.markdown.startswith("> *由 learnpath 内置的离线提供程序生成")
    assert language_of(chapter.markdown) == "zh" and language_of(chapter.summary) == "zh"
    assert "北宋时期毕昇发明了泥活字，比欧洲早约四百年 [1]。" in chapter.markdown
    assert "### 欧洲" in chapter.markdown and "### 亚洲" in chapter.markdown


def test_a_chapter_without_sources_cites_nothing() -> None:
    payload = _chapter("en", 600, sources=[], sub_sections=[])
    chapter = ChapterDraft.model_validate(offline_output("chapter", payload))
    assert _cited(chapter.markdown) == set() and "###" not in chapter.markdown
    assert abs(words(chapter.markdown) - 600) <= 60


def test_other_languages_get_english_with_a_note() -> None:
    chapter = ChapterDraft.model_validate(offline_output("chapter", _chapter("ru", 500)))
    assert "offline provider has phrases for English and Chinese only" in chapter.markdown
    assert abs(words(chapter.markdown) - 500) <= 50


def _revision(language: str, target: int, draft_words: int, unknown: list[int]) -> RevisionInput:
    base = _chapter(language, draft_words)
    draft = ChapterDraft.model_validate(offline_output("chapter", base)).markdown
    draft = draft.replace("[2]", "[7]").replace("[1]", "[7]")
    fields = {**base, "word_target": target}
    return RevisionInput(
        **fields,
        draft=draft,
        current_words=words(draft),
        problems=["wrong size"],
        unknown_citations=unknown,
    )


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize(("target", "draft_words"), [(3000, 1200), (800, 3000), (500, 8000)])
def test_a_revision_is_resized_and_loses_unknown_citations(
    language: str, target: int, draft_words: int
) -> None:
    data = _revision(language, target, draft_words, [7])
    answer = offline_output("chapter_revision", data.model_dump(mode="json"))
    revised = ChapterDraft.model_validate(answer)
    assert abs(words(revised.markdown) - target) <= 0.1 * target
    assert "[7]" in data.draft and "[7]" not in revised.markdown
    known = {s.n for s in data.sources}
    assert _cited(revised.markdown) <= known and _cited(revised.markdown)
    assert revised.markdown.startswith("> *")
    assert offline_output("chapter_revision", data.model_dump(mode="json")) == answer


def test_a_model_draft_revised_offline_is_labelled_offline() -> None:
    data = _revision("en", 70, 70, [])  # the label (21 words) and the draft (50)
    draft = "A model wrote this sentence about the spread of printing [5]. " * 5
    answer = offline_output(
        "chapter_revision", data.model_copy(update={"draft": draft}).model_dump(mode="json")
    )
    markdown = ChapterDraft.model_validate(answer).markdown
    assert markdown.startswith("> *Generated offline by learnpath's built-in provider")
    assert markdown.endswith(draft.strip() + "\n")


def test_a_revision_of_the_right_size_only_drops_unknown_citations() -> None:
    data = _revision("en", 1000, 1000, [7])
    revised = ChapterDraft.model_validate(
        offline_output("chapter_revision", data.model_dump(mode="json"))
    )
    assert revised.markdown == data.draft.replace(" [7]", "")


def test_list_markers_and_citations_are_not_quoted_but_leading_numbers_are() -> None:
    source = SourceBrief(
        n=4,
        title="Dates",
        kind="file",
        excerpt="## Timeline\n1. 1440 was the year of the first hand press [8].\n"
        "- Presses reached Venice by 1469, where printing boomed.",
    )
    payload = _chapter("en", 400, sources=[source])
    markdown = ChapterDraft.model_validate(offline_output("chapter", payload)).markdown
    assert "1440 was the year of the first hand press [4]." in markdown
    assert "Presses reached Venice by 1469, where printing boomed [4]." in markdown
    assert "Timeline" not in markdown and "[8]" not in markdown


def test_trimming_a_model_draft_keeps_its_first_sentence_and_every_source() -> None:
    data = _revision("en", 200, 200, [])
    draft = "First claim of the chapter [2]. " + "A filler sentence of eight words here. " * 60
    draft += "The only claim from the notes [5]."
    answer = offline_output(
        "chapter_revision", data.model_copy(update={"draft": draft}).model_dump(mode="json")
    )
    markdown = ChapterDraft.model_validate(answer).markdown
    assert abs(words(markdown) - 200) <= 20
    assert "First claim of the chapter [2]." in markdown
    assert markdown.rstrip().endswith("The only claim from the notes [5].")
