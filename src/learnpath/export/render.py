"""Render a :class:`RoadmapBundle` as JSON, a markdown folder or one HTML page.

An export is the learner's own copy, so quizzes keep their answers: JSON carries them as data,
markdown puts an answer key at the end of each concept file, HTML hides them in ``<details>``.

Everything that came from an LLM is untrusted. In HTML, tutorial markdown goes through
:func:`learnpath.markdown.render_markdown` (escaped + sanitised) and every other text is
escaped by Jinja2's autoescape; a Content-Security-Policy forbids scripts besides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markdown_it import MarkdownIt
from markupsafe import Markup

from learnpath.domain.bundle import RoadmapBundle
from learnpath.domain.content import Quiz, QuizQuestion, Resource, ResourceList, Tutorial
from learnpath.domain.roadmap import Concept, Module, Stage
from learnpath.markdown import render_markdown

__all__ = ["ExportFormat", "to_html", "to_json", "to_markdown"]


class ExportFormat(StrEnum):
    """The formats of ``learnpath export`` and ``GET /roadmaps/{id}/export`` (contract §4)."""

    md = "md"
    json = "json"
    html = "html"


_QUESTION_KINDS = {
    "single_choice": "single choice",
    "multiple_choice": "multiple choice: select all that apply",
    "true_false": "true or false",
}

OFFLINE_NOTE = (
    "Some content of this roadmap was generated offline, without a language model: "
    "it is placeholder material, not a real course."
)


# --------------------------------------------------------------------------- shared helpers


@dataclass(frozen=True)
class _Entry:
    """One concept with its place in the roadmap."""

    number: int
    stage_number: int
    stage: Stage
    module: Module
    concept: Concept

    @property
    def slug(self) -> str:
        """``NN-<concept_id>``, safe as a file name and an HTML id."""
        safe = re.sub(r"[^A-Za-z0-9_-]+", "-", self.concept.concept_id).strip("-") or "concept"
        return f"{self.number:02d}-{safe}"

    @property
    def filename(self) -> str:
        return f"{self.slug}.md"

    @property
    def anchor(self) -> str:
        return f"c-{self.slug}"


def _entries(bundle: RoadmapBundle) -> list[_Entry]:
    entries: list[_Entry] = []
    for stage_number, stage in enumerate(bundle.framework.stages, start=1):
        for module in stage.modules:
            for concept in module.concepts:
                entries.append(_Entry(len(entries) + 1, stage_number, stage, module, concept))
    return entries


def _letter(index: int) -> str:
    return chr(ord("A") + index)


def _letters(indices: list[int]) -> str:
    return ", ".join(_letter(i) for i in sorted(indices))


def _hours(value: float) -> str:
    return f"{value:g} h"


def _iso_utc(moment: datetime | None) -> str:
    moment = datetime.now(UTC) if moment is None else moment
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _safe_url(url: str) -> str | None:
    """Only http(s) URLs become links (the model validates this too; be sure anyway)."""
    return url if re.match(r"^https?://[^\s<>\"']+$", url, re.IGNORECASE) else None


def _not_generated(what: str, status: str) -> str:
    return f"{what} not generated yet (status: {status})."


# --------------------------------------------------------------------------- JSON


def to_json(bundle: RoadmapBundle, *, exported_at: datetime | None = None) -> dict[str, Any]:
    """The framework with every concept's content inlined (``None`` where missing)."""
    data: dict[str, Any] = bundle.framework.model_dump(mode="json")
    for stage in data["stages"]:
        for module in stage["modules"]:
            for concept in module["concepts"]:
                concept_id = concept["concept_id"]
                tutorial = bundle.tutorials.get(concept_id)
                resources = bundle.resources.get(concept_id)
                quiz = bundle.quizzes.get(concept_id)
                concept["tutorial"] = tutorial.model_dump(mode="json") if tutorial else None
                concept["resources"] = (
                    [r.model_dump(mode="json") for r in resources.resources] if resources else None
                )
                concept["quiz"] = quiz.model_dump(mode="json") if quiz else None
    data["intent"] = bundle.intent.model_dump(mode="json") if bundle.intent else None
    data["generated_offline"] = bundle.offline
    data["exported_at"] = _iso_utc(exported_at)
    return data


# --------------------------------------------------------------------------- markdown

_MD_PARSER = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_ATX = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)")


def _embed_markdown(text: str, offset: int) -> str:
    """Prepare a tutorial for embedding under the file's own headings.

    ATX headings move ``offset`` levels down (max 6), code blocks untouched; a code fence left
    open (a truncated answer) is closed, so it cannot swallow the rest of the file.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for token in _MD_PARSER.parse("\n".join(lines)):
        if not token.map:
            continue
        start, end = token.map
        if token.type == "heading_open" and token.markup.startswith("#"):
            match = _ATX.match(lines[start])
            if match:
                level = min(6, len(match.group(2)) + offset)
                lines[start] = match.group(1) + "#" * level + lines[start][match.end() :]
        elif token.type == "fence" and end >= len(lines):
            closing = lines[end - 1].strip() if end - 1 > start else ""
            fence_char = token.markup[0]
            if not (len(closing) >= len(token.markup) and set(closing) == {fence_char}):
                lines.append(token.markup)
    return "\n".join(lines)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _link_text(text: str) -> str:
    """Text safe inside ``[...]``."""
    return re.sub(r"([\\\[\]])", r"\\\1", _one_line(text))


def _link_target(url: str) -> str:
    """A destination in ``<...>`` form, which tolerates parentheses in URLs."""
    return "<" + url.replace("<", "%3C").replace(">", "%3E") + ">"


def _indent_rest(text: str, spaces: int) -> str:
    """Indent continuation lines so a multi-line text stays inside its list item."""
    first, *rest = text.strip().splitlines() or [""]
    pad = " " * spaces
    return "\n".join([first, *(pad + line if line.strip() else "" for line in rest)])


def _readme(bundle: RoadmapBundle, entries: list[_Entry]) -> str:
    framework = bundle.framework
    out = [f"# {_one_line(framework.title)}", ""]
    if framework.summary.strip():
        out += [framework.summary.strip(), ""]
    if bundle.offline:
        out += [f"> **Note:** {OFFLINE_NOTE}", ""]
    out += [
        f"**Total:** {_hours(framework.total_estimated_hours)} · "
        f"**Recommended:** {framework.recommended_completion_weeks} "
        f"week{'s' if framework.recommended_completion_weeks != 1 else ''}",
        "",
        "## Contents",
        "",
    ]
    by_concept = {id(e.concept): e for e in entries}
    for stage_number, stage in enumerate(framework.stages, start=1):
        out.append(f"- **Stage {stage_number}: {_one_line(stage.name)}**")
        for module in stage.modules:
            out.append(f"  - **{_one_line(module.name)}**")
            for concept in module.concepts:
                entry = by_concept[id(concept)]
                out.append(
                    f"    - [{entry.number}. {_link_text(concept.name)}]"
                    f"(concepts/{entry.filename}) — "
                    f"{_hours(concept.estimated_hours)}, {concept.difficulty}"
                )
    out.append("")
    return "\n".join(out)


def _tutorial_md(tutorial: Tutorial | None, concept: Concept) -> list[str]:
    out = ["## Tutorial", ""]
    if tutorial is None:
        return [*out, _not_generated("Tutorial", concept.tutorial_status), ""]
    out += [
        f"*{_one_line(tutorial.summary)}* (about {tutorial.estimated_minutes} min)",
        "",
        _embed_markdown(tutorial.markdown.strip(), 2),
        "",
    ]
    return out


def _resources_md(resources: ResourceList | None, concept: Concept) -> list[str]:
    out = ["## Resources", ""]
    if resources is None:
        return [*out, _not_generated("Resources", concept.resources_status), ""]
    for n, resource in enumerate(resources.resources, start=1):
        url = _safe_url(resource.url)
        title = _link_text(resource.title)
        head = f"[{title}]({_link_target(url)})" if url else title
        verified = " · ✓ verified" if resource.verified else " · not verified"
        out.append(f"{n}. {head} — {resource.type} · relevance {resource.relevance:.2f}{verified}")
        if resource.description.strip():
            out.append("   " + _indent_rest(resource.description, 3))
    out.append("")
    return out


def _question_md(n: int, question: QuizQuestion) -> list[str]:
    out = [
        f"### Question {n} ({_QUESTION_KINDS[question.type]}, {question.difficulty})",
        "",
        question.question.strip(),
        "",
    ]
    for i, option in enumerate(question.options):
        out.append(f"- **{_letter(i)}.** {_indent_rest(option, 2)}")
    out.append("")
    return out


def _quiz_md(quiz: Quiz | None, concept: Concept) -> tuple[list[str], list[str]]:
    """The questions, and the answer key that goes at the end of the file."""
    out = ["## Quiz", ""]
    if quiz is None:
        return [*out, _not_generated("Quiz", concept.quiz_status), ""], []
    key = ["## Answer key", ""]
    for n, question in enumerate(quiz.questions, start=1):
        out += _question_md(n, question)
        explanation = _indent_rest(question.explanation, 3) if question.explanation.strip() else ""
        key.append(
            f"{n}. **{_letters(question.correct)}**" + (f" — {explanation}" if explanation else "")
        )
    key.append("")
    return out, key


def _concept_md(bundle: RoadmapBundle, entry: _Entry, by_id: dict[str, _Entry]) -> str:
    concept = entry.concept
    out = [
        f"# {entry.number}. {_one_line(concept.name)}",
        "",
        f"*Stage {entry.stage_number}: {_one_line(entry.stage.name)} › "
        f"{_one_line(entry.module.name)}*",
        "",
        f"**Estimated time:** {_hours(concept.estimated_hours)} · "
        f"**Difficulty:** {concept.difficulty}",
        "",
        "[← Back to the roadmap](../README.md)",
        "",
    ]
    if concept.description.strip():
        out += [concept.description.strip(), ""]
    prerequisites = []
    for prerequisite_id in concept.prerequisites:
        target = by_id.get(prerequisite_id)
        if target is None:
            prerequisites.append(_link_text(prerequisite_id))
        else:
            prerequisites.append(f"[{_link_text(target.concept.name)}]({target.filename})")
    out += [f"**Prerequisites:** {', '.join(prerequisites) if prerequisites else 'none'}", ""]
    if concept.keywords:
        out += [f"**Keywords:** {', '.join(_one_line(k) for k in concept.keywords)}", ""]
    out += _tutorial_md(bundle.tutorials.get(concept.concept_id), concept)
    out += _resources_md(bundle.resources.get(concept.concept_id), concept)
    questions, answer_key = _quiz_md(bundle.quizzes.get(concept.concept_id), concept)
    out += questions + answer_key
    return "\n".join(out).rstrip() + "\n"


def to_markdown(bundle: RoadmapBundle, out_dir: Path) -> list[Path]:
    """Write ``README.md`` and ``concepts/NN-<concept_id>.md``; return the paths, index first."""
    entries = _entries(bundle)
    by_id = {e.concept.concept_id: e for e in entries}
    concepts_dir = out_dir / "concepts"
    concepts_dir.mkdir(parents=True, exist_ok=True)
    index = out_dir / "README.md"
    index.write_text(_readme(bundle, entries), encoding="utf-8")
    written = [index]
    for entry in entries:
        path = concepts_dir / entry.filename
        path.write_text(_concept_md(bundle, entry, by_id), encoding="utf-8")
        written.append(path)
    return written


# --------------------------------------------------------------------------- HTML


@dataclass(frozen=True)
class _HtmlOption:
    letter: str
    text: str


@dataclass(frozen=True)
class _HtmlQuestion:
    number: int
    kind: str
    difficulty: str
    text: str
    options: list[_HtmlOption]
    answer: str
    explanation: str


@dataclass(frozen=True)
class _HtmlResource:
    title: str
    url: str | None
    type: str
    relevance: str
    description: str
    verified: bool


@dataclass(frozen=True)
class _HtmlConcept:
    number: int
    anchor: str
    name: str
    stage: str
    module: str
    description: str
    hours: str
    difficulty: str
    prerequisites: list[tuple[str | None, str]]
    keywords: list[str]
    tutorial_html: Markup | None
    tutorial_summary: str
    tutorial_minutes: int
    tutorial_missing: str
    resources: list[_HtmlResource] | None
    resources_missing: str
    quiz: list[_HtmlQuestion] | None
    quiz_missing: str


@dataclass(frozen=True)
class _HtmlModule:
    name: str
    description: str
    concepts: list[_HtmlConcept]


@dataclass(frozen=True)
class _HtmlStage:
    number: int
    name: str
    description: str
    modules: list[_HtmlModule]


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("learnpath.export", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _html_resource(resource: Resource) -> _HtmlResource:
    return _HtmlResource(
        title=resource.title,
        url=_safe_url(resource.url),
        type=resource.type,
        relevance=f"{resource.relevance:.2f}",
        description=resource.description,
        verified=resource.verified,
    )


def _html_quiz(quiz: Quiz) -> list[_HtmlQuestion]:
    return [
        _HtmlQuestion(
            number=n,
            kind=_QUESTION_KINDS[q.type],
            difficulty=q.difficulty,
            text=q.question,
            options=[_HtmlOption(_letter(i), option) for i, option in enumerate(q.options)],
            answer=_letters(q.correct),
            explanation=q.explanation,
        )
        for n, q in enumerate(quiz.questions, start=1)
    ]


def _html_concept(bundle: RoadmapBundle, entry: _Entry, by_id: dict[str, _Entry]) -> _HtmlConcept:
    concept = entry.concept
    tutorial = bundle.tutorials.get(concept.concept_id)
    resources = bundle.resources.get(concept.concept_id)
    quiz = bundle.quizzes.get(concept.concept_id)
    prerequisites: list[tuple[str | None, str]] = []
    for prerequisite_id in concept.prerequisites:
        target = by_id.get(prerequisite_id)
        prerequisites.append(
            (target.anchor, target.concept.name) if target else (None, prerequisite_id)
        )
    return _HtmlConcept(
        number=entry.number,
        anchor=entry.anchor,
        name=concept.name,
        stage=entry.stage.name,
        module=entry.module.name,
        description=concept.description,
        hours=_hours(concept.estimated_hours),
        difficulty=concept.difficulty,
        prerequisites=prerequisites,
        keywords=list(concept.keywords),
        # The only Markup: sanitised by render_markdown. Concept heading is h3, sections h4.
        tutorial_html=Markup(render_markdown(tutorial.markdown, heading_offset=4))
        if tutorial
        else None,
        tutorial_summary=tutorial.summary if tutorial else "",
        tutorial_minutes=tutorial.estimated_minutes if tutorial else 0,
        tutorial_missing=_not_generated("Tutorial", concept.tutorial_status),
        resources=[_html_resource(r) for r in resources.resources] if resources else None,
        resources_missing=_not_generated("Resources", concept.resources_status),
        quiz=_html_quiz(quiz) if quiz else None,
        quiz_missing=_not_generated("Quiz", concept.quiz_status),
    )


def to_html(bundle: RoadmapBundle, *, exported_at: datetime | None = None) -> str:
    """One self-contained HTML page: inline CSS, no scripts, answers folded in ``<details>``."""
    entries = _entries(bundle)
    by_id = {e.concept.concept_id: e for e in entries}
    by_concept = {id(e.concept): e for e in entries}
    stages = [
        _HtmlStage(
            number=stage_number,
            name=stage.name,
            description=stage.description,
            modules=[
                _HtmlModule(
                    name=module.name,
                    description=module.description,
                    concepts=[
                        _html_concept(bundle, by_concept[id(c)], by_id) for c in module.concepts
                    ],
                )
                for module in stage.modules
            ],
        )
        for stage_number, stage in enumerate(bundle.framework.stages, start=1)
    ]
    framework = bundle.framework
    template = _environment().get_template("roadmap.html.j2")
    return template.render(
        title=framework.title,
        summary=framework.summary,
        offline_note=OFFLINE_NOTE if bundle.offline else None,
        total_hours=_hours(framework.total_estimated_hours),
        weeks=framework.recommended_completion_weeks,
        stages=stages,
        exported_at=_iso_utc(exported_at),
    )
