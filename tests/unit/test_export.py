"""Export renderers: JSON shape, markdown folder, self-contained safe HTML, markdown sanitiser."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from learnpath.domain.bundle import RoadmapBundle
from learnpath.domain.content import Quiz, QuizQuestion, Resource, ResourceList, Tutorial
from learnpath.domain.intent import IntentAnalysis, TimeBudget
from learnpath.domain.items import ItemStatus
from learnpath.domain.roadmap import Concept, Framework, Module, Stage
from learnpath.export.render import to_html, to_json, to_markdown
from learnpath.markdown import render_markdown

EVIL_TUTORIAL = """# Variables

Plain text with **bold** and a [good link](https://docs.python.org/3/).

<script>alert(1)</script>

<img src=x onerror="alert(1)">

## Example

```python
x = 1 < 2
print(x)
```

| a | b |
|---|---|
| 1 | 2 |
"""


def _quiz(prefix: str) -> Quiz:
    return Quiz(
        questions=[
            QuizQuestion(
                question_id=f"{prefix}-q1",
                type="single_choice",
                question="Which keyword defines a function?",
                options=["def", "fun", "function"],
                correct=[0],
                explanation="Python uses def.",
                difficulty="easy",
            ),
            QuizQuestion(
                question_id=f"{prefix}-q2",
                type="multiple_choice",
                question="Which are immutable?",
                options=["list", "tuple", "str", "dict"],
                correct=[1, 2],
                explanation="Tuples and strings cannot change.",
                difficulty="medium",
            ),
            QuizQuestion(
                question_id=f"{prefix}-q3",
                type="true_false",
                question="Indentation matters in Python.",
                options=["True", "False"],
                correct=[0],
                explanation="Blocks are defined by indentation.",
                difficulty="easy",
            ),
            QuizQuestion(
                question_id=f"{prefix}-q4",
                type="single_choice",
                question="What does len('abc') return?",
                options=["2", "3", "4"],
                correct=[1],
                explanation="Three characters.",
                difficulty="easy",
            ),
        ]
    )


def _resources() -> ResourceList:
    return ResourceList(
        resources=[
            Resource(
                title="Python tutorial",
                url="https://docs.python.org/3/tutorial/",
                type="documentation",
                description="The official tutorial.",
                relevance=0.95,
                verified=True,
            ),
            Resource(
                title="Real Python [basics]",
                url="https://realpython.com/python-basics/",
                type="article",
                description="A friendly introduction.",
                relevance=0.8,
            ),
            Resource(
                title="Exercism track",
                url="https://exercism.org/tracks/python",
                type="exercise",
                description="Practice problems.",
                relevance=0.7,
            ),
        ]
    )


def _bundle(title: str = "Learn Python", offline: bool = True) -> RoadmapBundle:
    done = ItemStatus.completed
    basics = Concept(
        concept_id="variables",
        name="Variables",
        description="Names bound to values.",
        estimated_hours=2,
        difficulty="easy",
        keywords=["assignment"],
        tutorial_status=done,
        tutorial_version=1,
        resources_status=done,
        resources_version=1,
        quiz_status=done,
        quiz_version=1,
    )
    functions = Concept(
        concept_id="functions",
        name="Functions",
        description="Reusable blocks of code.",
        estimated_hours=3,
        difficulty="medium",
        prerequisites=["variables"],
        tutorial_status=done,
        resources_status=done,
        quiz_status=done,
    )
    classes = Concept(
        concept_id="classes",
        name="Classes",
        description="Objects and types.",
        estimated_hours=4,
        difficulty="hard",
        prerequisites=["functions", "variables"],
        tutorial_status=ItemStatus.failed,
        tutorial_error="boom",
        resources_status=ItemStatus.generating,
    )
    framework = Framework(
        roadmap_id="rm-1",
        title=title,
        summary="From zero to classes.",
        total_estimated_hours=9,
        recommended_completion_weeks=2,
        stages=[
            Stage(
                stage_id="s1",
                name="Basics",
                modules=[Module(module_id="m1", name="Core syntax", concepts=[basics, functions])],
            ),
            Stage(
                stage_id="s2",
                name="Objects",
                modules=[Module(module_id="m2", name="OOP", concepts=[classes])],
            ),
        ],
    )
    intent = IntentAnalysis(
        normalized_goal="Learn Python programming",
        key_topics=["python"],
        difficulty="beginner",
        time_budget=TimeBudget(
            hours_per_week=5, weeks=2, total_hours=10, assessment="Fits the budget."
        ),
        suggested_path=["basics", "objects"],
    )
    return RoadmapBundle(
        framework=framework,
        intent=intent,
        tutorials={
            "variables": Tutorial(
                markdown=EVIL_TUTORIAL, summary="Variables in Python.", estimated_minutes=20
            ),
            "functions": Tutorial(
                markdown="# Functions\n\nUse `def` to define one.\n\n## Recap\n\nDone.",
                summary="Functions.",
                estimated_minutes=15,
            ),
        },
        resources={"variables": _resources(), "functions": _resources()},
        quizzes={"variables": _quiz("v"), "functions": _quiz("f")},
        offline=offline,
    )


def _concepts(data: dict[str, object]) -> list[dict[str, object]]:
    stages = data["stages"]
    assert isinstance(stages, list)
    return [c for s in stages for m in s["modules"] for c in m["concepts"]]


class _Collector(HTMLParser):
    """Every start tag with its attributes, to check what a browser would actually run."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return parser.tags


def _assert_inert(html: str) -> None:
    assert "<script" not in html.lower()
    for tag, attrs in _tags(html):
        assert tag not in {"script", "iframe", "object", "embed", "frame", "base", "link"}
        for name, value in attrs:
            assert not name.lower().startswith("on"), (tag, name)
            if name.lower() in {"href", "src"} and value is not None:
                assert not value.strip().lower().startswith(("javascript:", "data:", "vbscript:"))


# --------------------------------------------------------------------------- JSON


def test_json_shape() -> None:
    moment = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    data = to_json(_bundle(), exported_at=moment)

    assert data["roadmap_id"] == "rm-1"
    assert data["title"] == "Learn Python"
    assert data["total_estimated_hours"] == 9
    assert data["recommended_completion_weeks"] == 2
    assert data["generated_offline"] is True
    assert data["exported_at"] == "2025-01-02T03:04:05Z"
    assert data["intent"]["normalized_goal"] == "Learn Python programming"

    concepts = _concepts(data)
    assert [c["concept_id"] for c in concepts] == ["variables", "functions", "classes"]
    for concept in concepts:
        assert {"tutorial", "resources", "quiz"} <= concept.keys()
        assert {"tutorial_status", "resources_status", "quiz_status"} <= concept.keys()

    variables, _, classes = concepts
    assert isinstance(variables["tutorial"], dict)
    assert variables["tutorial"]["estimated_minutes"] == 20
    assert isinstance(variables["resources"], list)
    assert len(variables["resources"]) == 3
    assert variables["resources"][0]["verified"] is True
    quiz = variables["quiz"]
    assert isinstance(quiz, dict)
    assert quiz["questions"][1]["correct"] == [1, 2]
    assert quiz["questions"][0]["explanation"] == "Python uses def."

    assert classes["tutorial"] is None
    assert classes["resources"] is None
    assert classes["quiz"] is None
    assert classes["tutorial_status"] == "failed"

    round_trip = json.loads(json.dumps(data))
    assert round_trip == data


def test_json_without_intent_and_default_timestamp() -> None:
    bundle = _bundle(offline=False).model_copy(update={"intent": None})
    data = to_json(bundle)
    assert data["intent"] is None
    assert data["generated_offline"] is False
    stamp = datetime.fromisoformat(str(data["exported_at"]).replace("Z", "+00:00"))
    assert stamp.utcoffset() is not None
    assert stamp.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


# --------------------------------------------------------------------------- markdown

_MD_LINK = re.compile(r"\]\(<?([^)>\s]+)>?\)")


def test_markdown_files(tmp_path: Path) -> None:
    out = tmp_path / "export"
    paths = to_markdown(_bundle(), out)

    assert paths[0] == out / "README.md"
    assert paths[1:] == [
        out / "concepts" / "01-variables.md",
        out / "concepts" / "02-functions.md",
        out / "concepts" / "03-classes.md",
    ]
    assert all(p.is_file() for p in paths)

    index = paths[0].read_text(encoding="utf-8")
    assert index.startswith("# Learn Python\n")
    assert "From zero to classes." in index
    assert "offline" in index.lower()
    assert "9 h" in index and "2 weeks" in index
    assert index.index("Basics") < index.index("Core syntax") < index.index("Variables")
    assert index.index("Variables") < index.index("Objects") < index.index("Classes")
    links = [m for m in _MD_LINK.findall(index) if not m.startswith("http")]
    assert len(links) == 3
    for link in links:
        assert (out / link).is_file(), link
    assert "easy" in index and "2 h" in index

    # Links between concept files resolve as well.
    for path in paths[1:]:
        for link in _MD_LINK.findall(path.read_text(encoding="utf-8")):
            if not link.startswith(("http://", "https://")):
                assert (path.parent / link).resolve().is_file(), (path.name, link)


def test_markdown_concept_file(tmp_path: Path) -> None:
    paths = to_markdown(_bundle(), tmp_path)
    text = paths[1].read_text(encoding="utf-8")

    assert text.startswith("# 1. Variables\n")
    assert "Basics" in text and "Core syntax" in text
    assert "Names bound to values." in text
    assert "```python\nx = 1 < 2" in text  # the tutorial verbatim, code untouched
    assert "### Variables" in text  # tutorial headings pushed under the file's own
    assert "[Python tutorial](<https://docs.python.org/3/tutorial/>)" in text
    assert r"Real Python \[basics\]" in text
    assert "documentation" in text and "0.95" in text and "verified" in text
    assert "- **A.** def" in text and "- **D.** dict" in text

    key = text.index("## Answer key")
    last_question = text.index("Which are immutable?")
    assert text.rfind("### Question") < key
    assert last_question < key
    after = text[key:]
    assert "1. **A** — Python uses def." in after
    assert "2. **B, C** — Tuples and strings cannot change." in after
    assert "4. **B**" in after
    assert "### Question" not in after

    prerequisites = paths[3].read_text(encoding="utf-8")
    assert "[Functions](02-functions.md)" in prerequisites
    assert "[Variables](01-variables.md)" in prerequisites


def test_markdown_not_generated(tmp_path: Path) -> None:
    paths = to_markdown(_bundle(), tmp_path)
    text = paths[3].read_text(encoding="utf-8")
    assert "Tutorial not generated yet (status: failed)." in text
    assert "Resources not generated yet (status: generating)." in text
    assert "Quiz not generated yet (status: pending)." in text
    assert "Answer key" not in text


# --------------------------------------------------------------------------- HTML


def test_html_is_one_safe_document() -> None:
    html = to_html(_bundle())

    assert html.lstrip().lower().startswith("<!doctype html>")
    assert html.lower().count("<html") == 1
    assert html.lower().count("</html>") == 1
    assert '<meta name="viewport"' in html
    assert "max-width" in html

    _assert_inert(html)
    assert "javascript:" not in html
    for tag, attrs in _tags(html):
        if tag == "link":
            pytest.fail(f"external stylesheet/link element: {attrs}")
        if tag == "img":
            pytest.fail("raw <img> from the tutorial must not become an element")

    assert "&lt;script&gt;" in html  # shown as text, inert
    assert '<code class="language-python">' in html
    assert "x = 1 &lt; 2" in html
    assert "<table>" in html
    assert 'href="https://docs.python.org/3/" rel="noopener noreferrer"' in html


def test_html_content() -> None:
    html = to_html(_bundle())
    assert "From zero to classes." in html
    assert "offline" in html.lower()

    anchors = {value for _, attrs in _tags(html) for name, value in attrs if name == "id"}
    targets = {
        value[1:]
        for _, attrs in _tags(html)
        for name, value in attrs
        if name == "href" and value and value.startswith("#")
    }
    assert {"c-01-variables", "c-02-functions", "c-03-classes"} <= targets
    assert targets <= anchors

    assert html.count("<details>") == 8
    assert "<summary>Answer</summary>" in html
    answers = re.findall(r"<details><summary>Answer</summary>\s*<p><strong>([^<]+)</strong>", html)
    assert answers[:4] == ["A", "B, C", "A", "B"]
    assert "Python uses def." in html

    assert "Tutorial not generated yet (status: failed)." in html
    assert "Resources not generated yet (status: generating)." in html
    assert "Quiz not generated yet (status: pending)." in html
    assert 'href="https://exercism.org/tracks/python" rel="noopener noreferrer"' in html


def test_html_escapes_title_and_plain_text() -> None:
    bundle = _bundle(title="<b>Bold</b> & co")
    concept = bundle.framework.stages[0].modules[0].concepts[0]
    concept.name = '<img src=x onerror="alert(1)">'
    bundle.quizzes["variables"].questions[0].options[1] = "<script>alert(2)</script>"
    html = to_html(bundle)

    assert "<b>Bold</b>" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in html
    assert "<title>&lt;b&gt;Bold&lt;/b&gt; &amp; co</title>" in html
    _assert_inert(html)
    assert not any(tag == "img" for tag, _ in _tags(html))
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html


# --------------------------------------------------------------------------- render_markdown


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<img src=x onerror="alert(1)">',
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<javascript:alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        '<div style="background:url(javascript:alert(1))" onclick="x()">hi</div>',
        "![x](javascript:alert(1))",
        "<svg onload=alert(1)>",
        '```js" onmouseover="alert(1)\nx\n```',
    ],
)
def test_render_markdown_is_inert(source: str) -> None:
    html = render_markdown(source)
    _assert_inert(html)
    tags = {tag for tag, _ in _tags(html)}
    assert not tags & {"script", "iframe", "img", "svg", "div", "style"}


def test_render_markdown_formatting() -> None:
    html = render_markdown(
        "# Title\n\n**b** *i* `c` ~~s~~\n\n"
        "[ok](https://example.com/a?b=1&c=2) [mail](mailto:me@example.com)\n\n"
        "```python\nprint('<hi>')\n```\n\n| h |\n|--:|\n| 1 |\n"
    )
    assert "<h1>Title</h1>" in html
    assert "<strong>b</strong>" in html and "<em>i</em>" in html and "<code>c</code>" in html
    assert "<s>s</s>" in html
    assert '<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer">ok</a>' in html
    assert 'href="mailto:me@example.com"' in html
    assert "<pre><code class=\"language-python\">print('&lt;hi&gt;')" in html
    assert '<th style="text-align:right">h</th>' in html


def test_render_markdown_text_is_shown_not_run() -> None:
    html = render_markdown("<script>alert(1)</script>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html


def test_render_markdown_heading_offset() -> None:
    html = render_markdown("# A\n\n## B\n\n###### C", heading_offset=2)
    assert "<h3>A</h3>" in html and "<h4>B</h4>" in html and "<h6>C</h6>" in html


def test_markdown_unclosed_fence_cannot_swallow_the_answer_key(tmp_path: Path) -> None:
    from markdown_it import MarkdownIt

    bundle = _bundle()
    bundle.tutorials["functions"] = Tutorial(
        markdown="# Functions\n\n```python\ndef f():\n    return 1  # truncated answer",
        summary="Functions.",
        estimated_minutes=15,
    )
    text = to_markdown(bundle, tmp_path)[2].read_text(encoding="utf-8")
    headings = [
        tokens[i + 1].content
        for tokens in [MarkdownIt("commonmark").parse(text)]
        for i, token in enumerate(tokens)
        if token.type == "heading_open"
    ]
    assert "Resources" in headings
    assert "Answer key" in headings
    assert "### Functions" in text
