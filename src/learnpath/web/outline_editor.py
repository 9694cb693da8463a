"""The outline editor of a finished outline job (docs/contract.md §7): what its template
shows, and the document job its "Write the document" button asks for. The rows and their
actions are :mod:`learnpath.web.outline_form`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from learnpath.domain.jobs import ContextFile, DocumentJobRequest
from learnpath.domain.outline import MAX_DEPTH, Outline, outline_problems
from learnpath.web.forms import text
from learnpath.web.messages import FormField, field_errors, limits
from learnpath.web.outline_form import Row, numbers, outline_of, read_rows, rows_of

WORD_FIELDS = {"word_count": FormField("Word count")}
DEFAULT_WORDS = "3000"
OWN_FIELDS = {"title": "outline-title", "summary": "outline-summary", "nodes": "outline-nodes"}
"""Where a problem of the outline's own fields is shown (the id of its field)."""


@dataclass
class Editor:
    title: str
    summary: str
    rows: list[Row]
    word_count: str = DEFAULT_WORDS
    errors: dict[str, list[str]] = field(default_factory=dict)
    """Sentences by the id of the field they are shown under."""

    def context(self) -> dict[str, Any]:
        ids = numbers(self.rows)
        return {
            "editor": self,
            "rows": list(zip(ids, self.rows, strict=True)),
            "max_depth": MAX_DEPTH,
            "word_limits": limits(DocumentJobRequest, "word_count"),
            "problems": [(target, m) for target, found in self.errors.items() for m in found],
        }


def from_outline(outline: Outline) -> Editor:
    return Editor(outline.title, outline.summary, rows_of(outline))


def from_form(form: FormData) -> Editor:
    return Editor(
        text(form, "outline-title"),
        text(form, "outline-summary"),
        read_rows(form),
        text(form, "word_count") or DEFAULT_WORDS,
    )


def document_request(
    editor: Editor, source_job_id: str, prompt: str, guidance: list[ContextFile]
) -> DocumentJobRequest | None:
    """The document job the editor asks for, or ``None`` with ``editor.errors`` filled in:
    each outline problem under the node it names, the word count's under its field. The
    job keeps the outline job's prompt (its title in lists) and guidance files."""
    outline = outline_of(editor.title, editor.summary, editor.rows)
    ids = numbers(editor.rows)
    for problem in outline_problems(outline):
        target = OWN_FIELDS.get(problem.node)
        if target is None:
            index = ids.index(problem.node) if problem.node in ids else None
            target = f"node-{index}-title" if index is not None else "outline-nodes"
        editor.errors.setdefault(target, []).append(problem.message)
    try:
        request = DocumentJobRequest.model_validate(
            {
                "outline": outline.model_dump(),
                "word_count": editor.word_count,
                "source_job_id": source_job_id,
                "task_prompt": prompt,
                "context_files": [f.model_dump() for f in guidance],
            }
        )
    except ValidationError as error:
        found = field_errors(DocumentJobRequest, error, WORD_FIELDS)
        editor.errors.setdefault("word_count", []).append(
            found.get("word_count", "This outline cannot be written as it is")
        )
        return None
    return None if editor.errors else request
