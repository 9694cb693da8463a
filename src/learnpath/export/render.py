"""Render a :class:`RoadmapBundle` as JSON, a markdown folder or one HTML page.

An export is the learner's own copy, so quizzes keep their answers: JSON carries them as data,
markdown puts an answer key at the end of each concept file, HTML hides them in ``<details>``.

Everything that came from an LLM is untrusted. In HTML, tutorial markdown goes through
:func:`learnpath.markdown.render_markdown` (escaped + sanitised) and every other text is
escaped by Jinja2's autoescape; a Content-Security-Policy forbids scripts besides. The
markdown files are :mod:`learnpath.export.markdown_files`, the page
:mod:`learnpath.export.html_page`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from learnpath.domain.bundle import RoadmapBundle
from learnpath.export.entries import iso_utc
from learnpath.export.html_page import to_html
from learnpath.export.markdown_files import to_markdown

__all__ = ["ExportFormat", "to_html", "to_json", "to_markdown"]


class ExportFormat(StrEnum):
    """The formats of ``learnpath export`` and ``GET /roadmaps/{id}/export`` (contract §4)."""

    md = "md"
    json = "json"
    html = "html"


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
    data["exported_at"] = iso_utc(exported_at)
    return data
