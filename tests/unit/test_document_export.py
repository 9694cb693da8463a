"""Document downloads (contract §7): the HTML page links its contents and citations and
carries no script from hostile markdown; the .docx opens and holds headings and references."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import docx

from learnpath.domain.document import AssembledDocument, ChapterText, SourceRef, assemble
from learnpath.export.document import document_body_html, document_docx, document_html

HOSTILE = """Claim [2], both [1, 2], escaped \\[7] stays text.

<script>alert(1)</script>

<img src=x onerror="alert(1)">

[click](javascript:alert(1)) and ![x>[4] onerror=alert(1)](https://i.org/a.png)

`code [1]` and [a link [4]](https://ok.org)

### Details

- bullet one
- bullet **two**

3. third
4. fourth

> quoted

```python
print("hi")
```

| a | b |
|---|---|
| 1 | 2 |
"""


def _doc() -> AssembledDocument:
    sources = {
        4: SourceRef(4, "web", "Web <page>", url="https://four.org/x", verified=True),
        6: SourceRef(6, "file", "Notes", file_name="notes.md"),
        9: SourceRef(9, "web", "Bad url", url="javascript:alert(1)"),
    }
    chapters = [
        ChapterText("1", "Intro <b>", HOSTILE.replace("[2]", "[6]").replace("[1, 2]", "[4, 6]")),
        ChapterText("2", "Missing", None),
        ChapterText("3", "Last", "See [9]."),
    ]
    return assemble("Doc & co", "A *summary*.", chapters, sources)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Collector()
    parser.feed(html)
    return parser.tags


def test_html_has_anchors_contents_and_reference_links() -> None:
    html = document_html(_doc())
    tags = _tags(html)
    ids = [attrs["id"] for _, attrs in tags if "id" in attrs]
    assert ids == ["chapter-1", "chapter-2", "chapter-3", "references", "ref-1", "ref-2", "ref-3"]
    hrefs = [attrs["href"] for tag, attrs in tags if tag == "a"]
    assert hrefs[:3] == ["#chapter-1", "#chapter-2", "#chapter-3"]
    assert '<a class="citation" href="#ref-1">[1]</a>' in html
    assert (
        '[<a class="citation" href="#ref-1">1</a>, <a class="citation" href="#ref-2">2</a>]' in html
    )
    assert '<a class="citation" href="#ref-3">[3]</a>' in html
    assert "escaped [7] stays text" in html  # 7 is no reference
    assert "<code>code [1]</code>" in html
    assert '<a href="https://ok.org" rel="noopener noreferrer">a link [2]</a>' in html
    assert '<li id="ref-1">Notes <span class="muted">(file: notes.md)</span></li>' in html
    assert '<a href="https://four.org/x" rel="noopener noreferrer">Web &lt;page&gt;</a>' in html
    assert '<li id="ref-3">Bad url</li>' in html
    assert "<title>Doc &amp; co</title>" in html
    assert "<h2>1. Intro &lt;b&gt;</h2>" in html
    assert "This chapter could not be written." in html


def test_html_carries_no_script_from_hostile_markdown() -> None:
    html = document_html(_doc())
    tags = _tags(html)
    assert "script" not in {tag for tag, _ in tags}
    for _, attrs in tags:
        assert not any(name.startswith("on") for name in attrs)
        assert not any("javascript:" in (value or "") for value in attrs.values())
    # The image's alt text (citing [4], now [2]) is left alone: links go into text only.
    image = next(attrs for tag, attrs in tags if tag == "img")
    assert image["alt"] == "x>[2] onerror=alert(1)"


def test_body_html_is_the_page_without_its_shell() -> None:
    doc = _doc()
    body = document_body_html(doc)
    assert body.startswith("<article") and "<html" not in body and "<head>" not in body
    assert body in document_html(doc)
    assert "<p>A <em>summary</em>.</p>" in body


def test_docx_opens_with_headings_lists_code_and_references() -> None:
    document = docx.Document(io.BytesIO(document_docx(_doc())))
    paragraphs = [(p.style.name if p.style else "", p.text) for p in document.paragraphs]
    headings = [
        (style, text) for style, text in paragraphs if style.startswith(("Heading", "Title"))
    ]
    assert headings == [
        ("Title", "Doc & co"),
        ("Heading 1", "Contents"),
        ("Heading 1", "1. Intro <b>"),
        ("Heading 2", "Details"),
        ("Heading 1", "2. Missing"),
        ("Heading 1", "3. Last"),
        ("Heading 1", "References"),
    ]
    assert ("List Bullet", "bullet two") in paragraphs
    assert ("List", "4. fourth") in paragraphs
    assert ("Quote", "quoted") in paragraphs
    assert ("Code Block", 'print("hi")') in paragraphs
    assert paragraphs[-3:] == [
        ("Normal", "1. Notes (file: notes.md)"),
        ("Normal", "2. Web <page> — https://four.org/x"),
        ("Normal", "3. Bad url"),
    ]
    code = next(p for p in document.paragraphs if p.style and p.style.name == "Code Block")
    assert code.runs[0].font.name == "Courier New"
    bold = [r.text for p in document.paragraphs for r in p.runs if r.bold]
    assert bold == ["two"]
    table = document.tables[0]
    assert [[c.text for c in row.cells] for row in table.rows] == [["a", "b"], ["1", "2"]]
