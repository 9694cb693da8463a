"""Assembling a document job's chapters (contract §7): contents, references numbered by first
citation with only cited sources, the failed-chapter note, and the result's shape."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from learnpath.domain.document import ChapterText, SourceRef, assemble

SOURCES = {
    2: SourceRef(2, "web", "Two", url="https://two.org/page", verified=True),
    5: SourceRef(5, "file", "Five notes", file_name="five.md"),
    7: SourceRef(7, "web", "Seven"),
    8: SourceRef(8, "web", "Never cited", url="https://eight.org"),
}

CHAPTERS = [
    ChapterText("1", "Intro", "Files say so [5]. The web agrees [2, 5]."),
    ChapterText("2", "Lost", None),
    ChapterText("3", "End [x]", "Again [2][7], and an unknown one [9]."),
]


def test_the_markdown_has_title_contents_chapters_and_references() -> None:
    doc = assemble("My Doc", "What it covers.", CHAPTERS, SOURCES)
    assert doc.markdown == (
        "# My Doc\n\n"
        "What it covers.\n\n"
        "## Contents\n\n"
        "- [1. Intro](#chapter-1)\n"
        "- [2. Lost](#chapter-2)\n"
        "- [3. End \\[x\\]](#chapter-3)\n\n"
        '## <a id="chapter-1"></a>1. Intro\n\n'
        "Files say so [1]. The web agrees [1, 2].\n\n"
        '## <a id="chapter-2"></a>2. Lost\n\n'
        "*This chapter could not be written.*\n\n"
        '## <a id="chapter-3"></a>3. End [x]\n\n'
        "Again [2][3], and an unknown one.\n\n"
        "## References\n\n"
        "1. Five notes (file: five.md)\n"
        "2. Two — <https://two.org/page>\n"
        "3. Seven\n"
    )


def test_every_contents_link_of_the_markdown_resolves_in_a_renderer() -> None:
    """The markdown download read elsewhere (a CommonMark renderer keeps raw HTML): each
    contents link names an element of the rendered page."""
    html = MarkdownIt("commonmark").render(assemble("My Doc", "", CHAPTERS, SOURCES).markdown)
    targets = re.findall(r'href="#([^"]+)"', html)
    assert targets == ["chapter-1", "chapter-2", "chapter-3"]
    assert set(targets) <= set(re.findall(r'id="([^"]+)"', html))


def test_result_is_the_contract_shape() -> None:
    doc = assemble("My Doc", "", CHAPTERS, SOURCES)
    result = doc.result()
    assert list(result) == ["document"]
    document = result["document"]
    assert list(document) == ["title", "markdown", "word_count", "chapters", "references"]
    assert document["title"] == "My Doc"
    assert document["markdown"] == doc.markdown
    assert document["chapters"] == [
        {"id": "1", "title": "Intro", "word_count": 6, "status": "completed"},
        {"id": "2", "title": "Lost", "word_count": 0, "status": "failed"},
        {"id": "3", "title": "End [x]", "word_count": 5, "status": "completed"},
    ]
    assert document["word_count"] == 11
    assert document["references"] == [
        {"n": 1, "title": "Five notes", "file_name": "five.md", "kind": "file", "verified": False},
        {"n": 2, "title": "Two", "url": "https://two.org/page", "kind": "web", "verified": True},
        {"n": 3, "title": "Seven", "kind": "web", "verified": False},
    ]


def test_sections_carry_the_renumbered_bodies() -> None:
    doc = assemble("My Doc", "", CHAPTERS, SOURCES)
    assert [(s.id, s.anchor, s.heading) for s in doc.sections] == [
        ("1", "chapter-1", "1. Intro"),
        ("2", "chapter-2", "2. Lost"),
        ("3", "chapter-3", "3. End [x]"),
    ]
    assert doc.sections[2].markdown == "Again [2][3], and an unknown one."
    assert doc.sections[1].markdown == "*This chapter could not be written.*"


def test_no_citations_means_no_references_section() -> None:
    doc = assemble("T", "", [ChapterText("1", "Only", "Nothing cited.")], SOURCES)
    assert doc.references == []
    assert "## References" not in doc.markdown
    assert doc.markdown.endswith('## <a id="chapter-1"></a>1. Only\n\nNothing cited.\n')


def test_an_unsafe_url_is_listed_without_a_link() -> None:
    sources = {1: SourceRef(1, "web", "Odd", url="javascript:alert(1)")}
    doc = assemble("T", "", [ChapterText("1", "A", "See [1].")], sources)
    assert doc.markdown.endswith("## References\n\n1. Odd\n")
    assert doc.references[0].url == "javascript:alert(1)"
