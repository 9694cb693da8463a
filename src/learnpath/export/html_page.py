"""The HTML export: one self-contained page rendered from ``templates/roadmap.html.j2``.

Tutorial markdown goes through :func:`learnpath.markdown.render_markdown` (escaped and
sanitised); every other text is escaped by Jinja2's autoescape.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from learnpath.domain.bundle import RoadmapBundle
from learnpath.domain.content import Quiz, Resource
from learnpath.export.entries import (
    OFFLINE_NOTE,
    QUESTION_KINDS,
    Entry,
    entries_of,
    hours,
    iso_utc,
    letter,
    letters,
    not_generated,
    safe_url,
)
from learnpath.markdown import render_markdown


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
        url=safe_url(resource.url),
        type=resource.type,
        relevance=f"{resource.relevance:.2f}",
        description=resource.description,
        verified=resource.verified,
    )


def _html_quiz(quiz: Quiz) -> list[_HtmlQuestion]:
    return [
        _HtmlQuestion(
            number=n,
            kind=QUESTION_KINDS[q.type],
            difficulty=q.difficulty,
            text=q.question,
            options=[_HtmlOption(letter(i), option) for i, option in enumerate(q.options)],
            answer=letters(q.correct),
            explanation=q.explanation,
        )
        for n, q in enumerate(quiz.questions, start=1)
    ]


def _html_concept(bundle: RoadmapBundle, entry: Entry, by_id: dict[str, Entry]) -> _HtmlConcept:
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
        hours=hours(concept.estimated_hours),
        difficulty=concept.difficulty,
        prerequisites=prerequisites,
        keywords=list(concept.keywords),
        # The only Markup: sanitised by render_markdown. Concept heading is h3, sections h4.
        tutorial_html=Markup(render_markdown(tutorial.markdown, heading_offset=4))
        if tutorial
        else None,
        tutorial_summary=tutorial.summary if tutorial else "",
        tutorial_minutes=tutorial.estimated_minutes if tutorial else 0,
        tutorial_missing=not_generated("Tutorial", concept.tutorial_status),
        resources=[_html_resource(r) for r in resources.resources] if resources else None,
        resources_missing=not_generated("Resources", concept.resources_status),
        quiz=_html_quiz(quiz) if quiz else None,
        quiz_missing=not_generated("Quiz", concept.quiz_status),
    )


def to_html(bundle: RoadmapBundle, *, exported_at: datetime | None = None) -> str:
    """One self-contained HTML page: inline CSS, no scripts, answers folded in ``<details>``."""
    entries = entries_of(bundle)
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
        total_hours=hours(framework.total_estimated_hours),
        weeks=framework.recommended_completion_weeks,
        stages=stages,
        exported_at=iso_utc(exported_at),
    )
